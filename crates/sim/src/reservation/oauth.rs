//! The reservation system's OAuth 2 endpoints, as the documented contract has them
//! (`docs/reference/vendor-documents.md`).
//!
//! - `GET api/oauth/authorize.php?client_id&redirect_uri&response_type=code&state`: a login
//!   page (HTML form). The redirect URL must equal the registered one, exactly.
//! - `POST api/oauth/authorize.php` (the form): wrong ID or password shows the form again;
//!   "allow" redirects with `code` and `state`, "deny" with `error=access_denied`.
//! - `POST api/oauth/token.php` (form-encoded `client_id, client_secret, code,
//!   grant_type=client_credentials`, optional `redirect_uri`): a code works once, for
//!   ten minutes. Replies `{"access_token", "token_type", "expires_in": null, "refresh_token": null, "scope": ""}`.

use crate::json::php_json;
use crate::state::SimState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// How long an authorisation code may wait to be exchanged.
const CODE_LIFETIME_SECS: i64 = 600;

pub use crate::world::reservation::{
    App, IssuedCode, OAuthWorld, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_LOGIN, DEMO_REDIRECT_URI,
};

#[derive(Deserialize)]
pub struct AuthorizeParams {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    decision: String,
}

pub async fn authorize_page(State(s): State<Arc<SimState>>, Query(p): Query<AuthorizeParams>) -> Response {
    if let Err(problem) = check_app(&s, &p) {
        return error_page(problem);
    }
    login_form(&p, None)
}

pub async fn authorize_submit(State(s): State<Arc<SimState>>, Form(p): Form<AuthorizeParams>) -> Response {
    if let Err(problem) = check_app(&s, &p) {
        return error_page(problem);
    }
    if p.decision == "deny" {
        return redirect(&p.redirect_uri, &[("error", "access_denied"), ("state", &p.state)]);
    }
    let mut world = s.world.lock().unwrap();
    let oauth = &mut world.reservation_oauth;
    if !oauth.accounts.iter().any(|(id, pw)| *id == p.login_id && *pw == p.password) {
        drop(world);
        return login_form(&p, Some("ログインIDまたはパスワードが違います"));
    }
    let code = hex::encode(rand::random::<[u8; 16]>());
    oauth.codes.insert(
        code.clone(),
        IssuedCode {
            client_id: p.client_id.clone(),
            redirect_uri: p.redirect_uri.clone(),
            issued_at: s.clock.now_unix(),
            used: false,
        },
    );
    redirect(&p.redirect_uri, &[("code", &code), ("state", &p.state)])
}

/// The app must be registered, ask for a code, and name its registered redirect URL.
fn check_app(s: &SimState, p: &AuthorizeParams) -> Result<(), &'static str> {
    let world = s.world.lock().unwrap();
    let app = world
        .reservation_oauth
        .apps
        .iter()
        .find(|a| a.client_id == p.client_id)
        .ok_or("client_id が登録されていません")?;
    if app.redirect_uri != p.redirect_uri {
        return Err("redirect_uri が登録されたリダイレクトURLと一致しません");
    }
    if p.response_type != "code" {
        return Err("response_type には code を指定してください");
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

pub async fn token(State(s): State<Arc<SimState>>, Form(form): Form<TokenForm>) -> Response {
    let f = form.fields;
    let mut world = s.world.lock().unwrap();
    let oauth = &mut world.reservation_oauth;
    oauth.token_requests.push(f.clone());
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    if get("grant_type") != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    if !oauth.apps.iter().any(|a| a.client_id == get("client_id") && a.client_secret == get("client_secret"))
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id or client_secret is wrong",
        );
    }
    let now = s.clock.now_unix();
    let Some(issued) = oauth.codes.get_mut(get("code")) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown authorization code");
    };
    if issued.used || now - issued.issued_at > CODE_LIFETIME_SECS || issued.client_id != get("client_id") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "authorization code expired or already used",
        );
    }
    if f.contains_key("redirect_uri") && issued.redirect_uri != get("redirect_uri") {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "redirect_uri does not match");
    }
    issued.used = true;
    let access_token = hex::encode(rand::random::<[u8; 24]>());
    world.reservation_tokens.insert(access_token.clone());
    php_json(
        StatusCode::OK,
        &json!({ "access_token": access_token, "token_type": "bearer", "expires_in": null, "refresh_token": null, "scope": "" }),
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    php_json(status, &json!({ "error": error, "error_description": description }))
}

fn redirect(to: &str, params: &[(&str, &str)]) -> Response {
    let query: Vec<String> =
        params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", percent(v))).collect();
    let sep = if to.contains('?') { '&' } else { '?' };
    let location = format!("{to}{sep}{}", query.join("&"));
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// Every byte but RFC 3986's unreserved ones escaped, as an authorization server does.
fn percent(s: &str) -> String {
    const NOT_UNRESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(s, NOT_UNRESERVED).to_string()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn login_form(p: &AuthorizeParams, error: Option<&str>) -> Response {
    let hidden = |name: &str, value: &str| {
        format!(r#"<input type="hidden" name="{name}" value="{}">"#, html_escape(value))
    };
    let error = error.map(|e| format!(r#"<p class="error" role="alert">{e}</p>"#)).unwrap_or_default();
    let body = format!(
        r#"<!doctype html><html lang="ja"><meta charset="utf-8"><title>アプリケーションの認証</title>
<body><h1>アプリケーションの認証</h1>
<p>アプリケーション「{client}」がショップのデータにアクセスすることを許可しますか？</p>{error}
<form method="post" action="authorize.php">{h1}{h2}{h3}{h4}
<label>ログインID <input name="login_id" autocomplete="username"></label>
<label>パスワード <input name="password" type="password" autocomplete="current-password"></label>
<button name="decision" value="allow">許可する</button>
<button name="decision" value="deny">許可しない</button>
</form></body></html>"#,
        client = html_escape(&p.client_id),
        h1 = hidden("client_id", &p.client_id),
        h2 = hidden("redirect_uri", &p.redirect_uri),
        h3 = hidden("response_type", &p.response_type),
        h4 = hidden("state", &p.state),
    );
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNAUTHORIZED };
    (status, Html(body)).into_response()
}

fn error_page(problem: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><meta charset=utf-8><title>エラー</title><h1>エラー</h1><p>{problem}</p>"
        )),
    )
        .into_response()
}
