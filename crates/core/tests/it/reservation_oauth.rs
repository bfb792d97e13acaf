//! The reservation system's OAuth 2 sign-in, end to end against the simulator: a
//! browser-like client loads the login page, submits the form and follows the redirect
//! to the app's loopback listener, which exchanges the code once and keeps the token.

use std::time::Duration;
use uketsuke_core::clouds::reservation::oauth::OAuthClient;
use uketsuke_core::clouds::reservation::{ReservationClient, Visit};
use uketsuke_core::platform::error::{Error, SignInProblem};
use uketsuke_core::platform::secrets::{names, MemorySecrets, SecretStore};
use uketsuke_sim::reservation::oauth::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_LOGIN};
use uketsuke_sim::{Sim, SimConfig};

/// A simulator whose demo app is registered with a free loopback redirect URL.
async fn setup() -> (Sim, OAuthClient) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let redirect_uri = format!("http://127.0.0.1:{port}/uketsuke/callback");
    sim.state.world.lock().unwrap().reservation_oauth.apps[0].redirect_uri = redirect_uri.clone();
    let client = OAuthClient {
        base_url: sim.reservation_url(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: DEMO_CLIENT_SECRET.into(),
        redirect_uri,
    };
    (sim, client)
}

/// What a person does in the browser: open the page, fill in the form, press a button.
/// `tamper` may change the hidden fields first (to forge a state).
async fn browse(
    authorize_url: String,
    login: (&str, &str),
    decision: &str,
    tamper: impl Fn(&mut Vec<(String, String)>),
) -> (u16, String) {
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(5)).build().unwrap();
    let page = browser.get(&authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form") && html.contains("ログインID"), "a login page: {html}");
    let mut fields = hidden_fields(&html);
    tamper(&mut fields);
    fields.push(("login_id".into(), login.0.into()));
    fields.push(("password".into(), login.1.into()));
    fields.push(("decision".into(), decision.into()));
    let action = authorize_url.split('?').next().unwrap().to_string();
    let reply = browser.post(action).form(&fields).send().await.unwrap();
    (reply.status().as_u16(), reply.text().await.unwrap())
}

fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split(r#"<input type="hidden" name=""#)
        .skip(1)
        .map(|rest| {
            let (name, rest) = rest.split_once('"').unwrap();
            let value = rest.split_once(r#"value=""#).unwrap().1.split_once('"').unwrap().0;
            (name.to_string(), value.replace("&amp;", "&").replace("&quot;", "\""))
        })
        .collect()
}

#[tokio::test]
async fn sign_in_runs_end_to_end_and_the_token_works() {
    let (sim, client) = setup().await;
    let secrets = MemorySecrets::default();
    let (page_tx, page_rx) = tokio::sync::oneshot::channel();
    let opened = |url: &str| {
        let url = url.to_string();
        page_tx.send(tokio::spawn(browse(url.clone(), DEMO_LOGIN, "allow", |_| {}))).ok();
        assert!(url.contains("response_type=code") && url.contains("state="), "{url}");
        Ok(())
    };
    let signed = client.sign_in(&secrets, opened, Duration::from_secs(20), 1_000).await.unwrap();
    let (status, landing) = page_rx.await.unwrap().await.unwrap();
    assert_eq!(status, 200, "{landing}");
    assert!(landing.contains("サインインしました"));
    assert_eq!(signed.expires_at, None, "expires_in is null");
    assert!(!signed.refresh_token);

    // token.php got exactly what the document lists, once.
    let forms = sim.state.world.lock().unwrap().reservation_oauth.token_requests.clone();
    assert_eq!(forms.len(), 1);
    let mut keys: Vec<_> = forms[0].keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["client_id", "client_secret", "code", "grant_type", "redirect_uri"]);
    assert_eq!(forms[0]["grant_type"], "client_credentials");

    // The token is in the secret store, and the API accepts it.
    let token = secrets.require(names::RESERVATION_TOKEN).unwrap();
    let api = ReservationClient::new(&sim.reservation_url(), token);
    assert_eq!(api.stores().await.unwrap().len(), 2);

    // The same code cannot be exchanged twice.
    let again = client.exchange(&forms[0]["code"]).await;
    assert!(
        matches!(&again, Err(Error::Http { status: 400, message, .. }) if message.contains("already used")),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_forged_state_is_refused_and_its_code_never_exchanged() {
    let (sim, client) = setup().await;
    let secrets = MemorySecrets::default();
    let forge = |fields: &mut Vec<(String, String)>| {
        for (k, v) in fields.iter_mut() {
            if k == "state" {
                *v = "attacker-state".into();
            }
        }
    };
    let opened = |url: &str| {
        tokio::spawn(browse(url.to_string(), DEMO_LOGIN, "allow", forge));
        Ok(())
    };
    // The forged redirect gets an error page and is ignored: nobody brings the right
    // state back, so the sign-in ends at its deadline without exchanging anything.
    let result = client.sign_in(&secrets, opened, Duration::from_secs(3), 0).await;
    assert!(matches!(result, Err(Error::SignIn(SignInProblem::TimedOut))), "{result:?}");
    assert!(sim.state.world.lock().unwrap().reservation_oauth.token_requests.is_empty(), "no exchange");
    assert!(secrets.get(names::RESERVATION_TOKEN).unwrap().is_none());
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_and_deny_ends_the_sign_in() {
    let (_sim, client) = setup().await;
    let pending = client.begin().await.unwrap();
    let (status, html) = browse(pending.authorize_url.clone(), ("manager", "wrong"), "allow", |_| {}).await;
    assert_eq!(status, 401);
    assert!(html.contains("パスワードが違います") && html.contains("<form"));

    let url = pending.authorize_url.clone();
    let browser = tokio::spawn(browse(url, DEMO_LOGIN, "deny", |_| {}));
    let result = pending.wait_for_code(Duration::from_secs(20)).await;
    assert!(matches!(result, Err(Error::SignIn(SignInProblem::Denied))), "{result:?}");
    assert_eq!(browser.await.unwrap().0, 400);
}

#[tokio::test]
async fn an_unregistered_redirect_url_gets_no_code() {
    let (_sim, mut client) = setup().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    client.redirect_uri = format!("http://127.0.0.1:{port}/elsewhere");
    let pending = client.begin().await.unwrap();
    let page = reqwest::get(&pending.authorize_url).await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("redirect_uri"));
}

#[tokio::test]
async fn visit_reports_send_japanese_escaped_as_u_nnnn() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let api = ReservationClient::new(&sim.reservation_url(), uketsuke_sim::DEMO_RESERVATION_TOKEN.into());
    let id = sim.state.world.lock().unwrap().guests[0].id.clone();
    api.report_visit(&id, Visit::CheckedIn, "受付 花子", 1_763_856_000).await.unwrap();
    let visits = sim.state.world.lock().unwrap().visits.clone();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].staff_name, "受付 花子");
    assert!(visits[0].raw_body.contains(r"\u53d7\u4ed8"), "{}", visits[0].raw_body);

    let unknown = api.report_visit("nope", Visit::CheckedOut, "x", 0).await;
    assert!(matches!(unknown, Err(Error::Http { status: 404, .. })));
}
