//! What the simulated reservation system holds besides the facility: the OAuth apps,
//! accounts and codes, and the visits clients reported.

use std::collections::HashMap;

pub const DEMO_CLIENT_ID: &str = "demo-client";
pub const DEMO_CLIENT_SECRET: &str = "demo-client-secret";
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1:47615/uketsuke/callback";
pub const DEMO_LOGIN: (&str, &str) = ("manager", "demo-pass");

/// An application registered under 環境設定 > 外部アプリ連携.
#[derive(Debug, Clone)]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub issued_at: i64,
    pub used: bool,
}

/// Registered apps, administrator accounts, codes issued and what `token.php` was sent.
#[derive(Debug)]
pub struct OAuthWorld {
    pub apps: Vec<App>,
    pub accounts: Vec<(String, String)>,
    pub codes: HashMap<String, IssuedCode>,
    /// Every form `token.php` received, for tests to check what the client sends.
    pub token_requests: Vec<HashMap<String, String>>,
}

impl Default for OAuthWorld {
    fn default() -> Self {
        OAuthWorld {
            apps: vec![App {
                client_id: DEMO_CLIENT_ID.into(),
                client_secret: DEMO_CLIENT_SECRET.into(),
                redirect_uri: DEMO_REDIRECT_URI.into(),
            }],
            accounts: vec![(DEMO_LOGIN.0.into(), DEMO_LOGIN.1.into())],
            codes: HashMap::new(),
            token_requests: Vec::new(),
        }
    }
}

/// A visit a client reported, as the system recorded it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportedVisit {
    pub reservation_id: String,
    pub visit_status: String,
    pub staff_name: String,
    /// The body exactly as received, to check its escaping.
    pub raw_body: String,
}
