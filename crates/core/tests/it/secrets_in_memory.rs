//! Every struct that holds a secret formats without it: `Debug` (what a log line or a
//! panic message would print) shows `[REDACTED]` or a mask, never the value.

use uketsuke_core::clouds::reservation::oauth::{OAuthClient, Token};
use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::clouds::sesame::client::SesameClient;
use uketsuke_core::clouds::sesame::SecretKey;
use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::workflows::settings::{AreaInput, CloudInput, StoreInput};

const API_KEY: &str = "SecretApiKey0123456789abcdefghijklmnopqr";
const TOKEN: &str = "secret-bearer-token-98765";
const CLIENT_SECRET: &str = "secret-client-secret-4321";
const DEVICE_KEY: &str = "00112233445566778899aabbccddeeff";

#[test]
fn no_struct_that_holds_a_secret_prints_it() {
    let token: Token = serde_json::from_str(&format!(
        r#"{{"access_token":"{TOKEN}","expires_in":null,"refresh_token":"{CLIENT_SECRET}"}}"#
    ))
    .unwrap();
    let cloud_input: CloudInput = serde_json::from_value(serde_json::json!({
        "reservation_client_secret": CLIENT_SECRET,
        "sesame_api_key": API_KEY,
        "splats_token": TOKEN,
    }))
    .unwrap();
    let store_input: StoreInput =
        serde_json::from_value(serde_json::json!({ "name": "店", "entrance_secret_key": DEVICE_KEY }))
            .unwrap();
    let area_input: AreaInput = serde_json::from_value(
        serde_json::json!({ "store_id": "S1", "name": "室", "secret_key": DEVICE_KEY }),
    )
    .unwrap();
    let oauth = OAuthClient {
        base_url: "https://r.example.jp".into(),
        client_id: "cid".into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uri: "http://127.0.0.1:47615/cb".into(),
    };
    let printed = [
        format!("{:?}", SesameClient::new("https://s.example", API_KEY.into())),
        format!("{:?}", SplatsClient::new("https://p.example", TOKEN.into())),
        format!("{:?}", ReservationClient::new("https://r.example", TOKEN.into())),
        format!("{oauth:?}"),
        format!("{token:?}"),
        format!("{cloud_input:?}"),
        format!("{store_input:?}"),
        format!("{area_input:?}"),
        format!("{:?}", SecretKey::parse(DEVICE_KEY).unwrap()),
        format!("{:?}", uketsuke_core::Error::SecretMissing("sesame.api_key".into())),
    ];
    for (i, text) in printed.iter().enumerate() {
        for secret in [API_KEY, TOKEN, CLIENT_SECRET, DEVICE_KEY] {
            assert!(!text.contains(secret), "struct #{i} printed a secret: {text}");
        }
    }
    assert!(printed[0].contains("REDACTED"), "{}", printed[0]);
}
