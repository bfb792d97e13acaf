//! JSON replies in the styles the real services use.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// JSON with every non-ASCII character written as `\uNNNN` (UTF-16, surrogate pairs
/// above the BMP), as PHP's `json_encode` does by default. The reservation system is
/// PHP, so our client must read this form.
pub fn escape_non_ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        }
    }
    out
}

pub fn php_json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let text = serde_json::to_string(body).expect("simulator replies serialise");
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], escape_non_ascii(&text))
        .into_response()
}

/// A JSON error body `{"message": …}`, as API gateways send.
pub fn message(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "message": message }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_php() {
        assert_eq!(escape_non_ascii(r#"{"n":"渋谷"}"#), r#"{"n":"\u6e0b\u8c37"}"#);
        assert_eq!(escape_non_ascii("🔑"), "\\ud83d\\udd11");
        let back: String = serde_json::from_str(&format!("\"{}\"", escape_non_ascii("会議室A🔑"))).unwrap();
        assert_eq!(back, "会議室A🔑");
    }
}
