//! Why a reservation sign-in (OAuth on a loopback redirect) did not finish.

use super::Code;

/// Why a sign-in did not finish. None of these carries a code or a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInProblem {
    /// The redirect's `state` is not the one we sent: a forged or stale redirect.
    StateMismatch,
    /// The manager refused, or the system reported an error on the redirect.
    Denied,
    /// The redirect came without a code.
    NoCode,
    /// Nobody came back within the time limit.
    TimedOut,
    /// The redirect URL is not an `http://` loopback address with a port.
    BadRedirectUri,
}

impl SignInProblem {
    pub fn en(self) -> &'static str {
        match self {
            SignInProblem::StateMismatch => {
                "the sign-in reply did not match the request (state); it was refused. Sign in again"
            }
            SignInProblem::Denied => "the reservation system did not allow the sign-in",
            SignInProblem::NoCode => "the sign-in reply carried no authorisation code",
            SignInProblem::TimedOut => "the sign-in was not completed in time; try again",
            SignInProblem::BadRedirectUri => {
                "the redirect URL must be http://127.0.0.1:PORT/… (a loopback address with a port)"
            }
        }
    }

    pub fn ja(self) -> &'static str {
        match self {
            SignInProblem::StateMismatch => {
                "サインインの応答が要求と一致しません (state)。拒否しました。もう一度サインインしてください"
            }
            SignInProblem::Denied => "予約システムがサインインを許可しませんでした",
            SignInProblem::NoCode => "サインインの応答に認可コードがありません",
            SignInProblem::TimedOut => "時間内にサインインが完了しませんでした。もう一度お試しください",
            SignInProblem::BadRedirectUri => {
                "リダイレクトURLは http://127.0.0.1:ポート/… (ループバックアドレスとポート) にしてください"
            }
        }
    }
}

impl SignInProblem {
    pub fn code(self) -> Code {
        match self {
            SignInProblem::StateMismatch => Code::SignInStateMismatch,
            SignInProblem::Denied => Code::SignInDenied,
            SignInProblem::NoCode => Code::SignInNoCode,
            SignInProblem::TimedOut => Code::SignInTimedOut,
            SignInProblem::BadRedirectUri => Code::RedirectUriInvalid,
        }
    }
}
