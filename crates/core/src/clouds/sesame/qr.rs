//! Importing a device from the SESAME app's "manager key" share QR.
//!
//! The QR holds `ssm://UI?t=sk&sk=<base64>&l=<level>&n=<name>`. The `sk` payload is
//! 99 bytes for OS2 devices (Sesame 3/4, Bot, Bike) and 39 bytes for OS3 ones
//! (Sesame 5 and later); both carry the product type, the 16-byte secret key and the
//! device UUID at known offsets. Guest keys (`l=2`) carry a server-issued id instead of
//! the secret and are refused. Everything happens on this PC: the secret is never sent.

use super::device::{DeviceUuid, SecretKey};
use crate::platform::error::{Code, Error, Result};
use crate::platform::images::picture;
use base64::Engine;
use std::path::Path;

/// What a manager-key QR yields.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagerKey {
    pub uuid: DeviceUuid,
    pub secret: SecretKey,
    pub product_type: u8,
    /// 0 owner, 1 manager.
    pub key_level: u8,
    pub name: Option<String>,
}

fn refused(ja: &str, en: &str) -> Error {
    Error::invalid(
        Code::SesameQrInvalid,
        format!("この QR コードは取り込めません: {ja}"),
        format!("cannot import this QR code: {en}"),
    )
}

/// Percent-decoding that leaves `+` alone (`sk` is base64 and its `+` is data) and a
/// `%` that starts no escape as it is: plain RFC 3986, not a form's decoding.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Parses the text of a SESAME share QR.
pub fn parse(text: &str) -> Result<ManagerKey> {
    let text = text.trim();
    let query = text.strip_prefix("ssm://UI?").ok_or_else(|| {
        refused("SESAME の共有 QR (ssm://UI?…) ではありません", "not a SESAME share QR (ssm://UI?…)")
    })?;
    let mut kind = None;
    let mut sk = None;
    let mut level = None;
    let mut name = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "t" => kind = Some(percent_decode(v)),
            // Some decoders turned '+' into ' ' before us; it is base64, so put it back.
            "sk" => sk = Some(percent_decode(v).replace(' ', "+")),
            "l" => level = percent_decode(v).parse::<u8>().ok(),
            "n" => name = Some(percent_decode(v)),
            _ => {}
        }
    }
    if kind.as_deref() != Some("sk") {
        return Err(refused(
            "鍵の QR ではありません (連絡先などの QR です)",
            "it is not a key QR (t is not \"sk\")",
        ));
    }
    if level == Some(2) {
        return Err(refused(
            "ゲスト鍵には API 用のシークレットキーが含まれません。SESAME アプリで「マネージャー鍵」の QR を表示して保存してください",
            "guest keys do not contain the secret key; share a manager (or owner) key from the SESAME app",
        ));
    }
    let sk = sk.ok_or_else(|| refused("sk がありません", "it has no sk"))?;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(sk.trim_end_matches('='))
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(sk.trim_end_matches('=')))
        .map_err(|_| refused("sk を読み取れません", "its sk is not valid base64"))?;
    let (uuid_at, os3) = match payload.len() {
        99 => (83, false),
        39 => (23, true),
        n => {
            return Err(refused(
                &format!("未対応の形式です ({n} バイト)。SESAME Biz で UUID とシークレットキーを確認し、手入力してください"),
                &format!("unsupported layout ({n} bytes); read the UUID and secret key in SESAME Biz and enter them by hand"),
            ))
        }
    };
    let product_type = payload[0];
    if os3 != (product_type >= 5) {
        return Err(refused(
            &format!("機種番号 {product_type} とデータ長 {} が一致しません", payload.len()),
            &format!("product type {product_type} does not match a {}-byte payload", payload.len()),
        ));
    }
    let secret: [u8; 16] = payload[1..17].try_into().expect("length checked");
    let uuid: [u8; 16] = payload[uuid_at..uuid_at + 16].try_into().expect("length checked");
    Ok(ManagerKey {
        uuid: DeviceUuid::from_bytes(&uuid),
        secret: SecretKey::from_bytes(secret),
        product_type,
        key_level: level.unwrap_or(1),
        name: name.filter(|n| !n.is_empty()),
    })
}

/// Decodes the QR in a saved image (PNG or JPEG) and parses it.
pub fn import_image(path: &Path) -> Result<ManagerKey> {
    find_key(picture::read_file(path)?)
}

/// [`import_image`] for an image already in memory (picked in the settings window).
pub fn import_bytes(bytes: &[u8]) -> Result<ManagerKey> {
    find_key(picture::read(bytes)?)
}

/// The manager key in a decoded picture: the first QR that is a SESAME key.
fn find_key(img: image::DynamicImage) -> Result<ManagerKey> {
    let img = img.to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    let text = grids
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .find(|t| t.starts_with("ssm://"))
        .ok_or_else(|| {
            Error::invalid(
                Code::SesameQrNotFound,
                "画像に SESAME の QR コードが見つかりません",
                "no SESAME QR code was found in the image",
            )
        })?;
    parse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_os3_example() {
        let k = parse("ssm://UI?t=sk&sk=BQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUm&l=1&n=セサミ 5")
            .unwrap();
        assert_eq!(k.product_type, 5);
        assert_eq!(k.secret.to_hex(), "0102030405060708090a0b0c0d0e0f10");
        assert_eq!(k.uuid.as_str(), "1718191A-1B1C-1D1E-1F20-212223242526");
        assert_eq!(k.key_level, 1);
        assert_eq!(k.name.as_deref(), Some("セサミ 5"));
    }

    #[test]
    fn reads_the_os2_example() {
        let sk = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFi";
        let k = parse(&format!("ssm://UI?t=sk&sk={sk}&l=0&n=x")).unwrap();
        assert_eq!(k.product_type, 0);
        assert_eq!(k.secret.to_hex(), "0102030405060708090a0b0c0d0e0f10");
        assert_eq!(k.uuid.as_str(), "53545556-5758-595A-5B5C-5D5E5F606162");
    }

    #[test]
    fn reads_the_doc_key_example_with_an_encoded_name() {
        let k = parse(
            "ssm://UI?t=sk&sk=BaE9S4kBEWdrqPs27OfpT30AAAAAAAA95N5yqvklwY0PyeAZuwYM&l=0&n=%E7%8E%84%E9%96%A2",
        )
        .unwrap();
        assert_eq!(k.secret.to_hex(), "a13d4b890111676ba8fb36ece7e94f7d");
        assert_eq!(k.uuid.as_str(), "3DE4DE72-AAF9-25C1-8D0F-C9E019BB060C");
        assert_eq!(k.name.as_deref(), Some("玄関"));
    }

    #[test]
    fn survives_the_plus_becoming_a_space() {
        let raw = "ssm://UI?t=sk&sk=BQAA++++AAAAAAAAAAAAAAAAAAAAAAASNFZ4EjRWeBI0VngSNFZ4&l=1&n=Front%20Door";
        let mangled = raw.replace('+', " ");
        for text in [raw.to_string(), mangled] {
            let k = parse(&text).unwrap();
            assert_eq!(k.secret.to_hex(), "0000fbefbe0000000000000000000000");
            assert_eq!(k.uuid.as_str(), "12345678-1234-5678-1234-567812345678");
        }
    }

    #[test]
    fn refuses_guest_keys_and_unknown_layouts() {
        let guest =
            parse("ssm://UI?t=sk&sk=BQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUm&l=2").unwrap_err();
        assert!(guest.message(crate::Lang::Ja).contains("マネージャー鍵"));
        assert!(guest.message(crate::Lang::En).contains("guest keys"));
        let long = base64::engine::general_purpose::STANDARD.encode([5u8; 160]);
        assert!(parse(&format!("ssm://UI?t=sk&sk={long}&l=1"))
            .unwrap_err()
            .message(crate::Lang::En)
            .contains("160 bytes"));
        assert!(parse("ssm://UI?t=friend&friend=abc").is_err());
        assert!(parse("https://example.com").is_err());
    }

    /// A QR saved from the SESAME app, as a PNG: rendered here, decoded back locally.
    #[test]
    fn imports_a_saved_qr_image() {
        let text =
            "ssm://UI?t=sk&sk=BaE9S4kBEWdrqPs27OfpT30AAAAAAAA95N5yqvklwY0PyeAZuwYM&l=1&n=%E7%8E%84%E9%96%A2";
        let img =
            qrcode::QrCode::new(text).unwrap().render::<image::Luma<u8>>().min_dimensions(300, 300).build();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manager-key.png");
        img.save(&path).unwrap();
        let k = import_image(&path).unwrap();
        assert_eq!(k.uuid.as_str(), "3DE4DE72-AAF9-25C1-8D0F-C9E019BB060C");
        assert_eq!(k.secret.to_hex(), "a13d4b890111676ba8fb36ece7e94f7d");

        let blank = dir.path().join("blank.png");
        image::GrayImage::from_pixel(64, 64, image::Luma([255])).save(&blank).unwrap();
        assert!(import_image(&blank).unwrap_err().message(crate::Lang::En).contains("no SESAME QR"));
        assert!(import_image(&dir.path().join("missing.png")).is_err());
    }

    #[test]
    fn percent_decoding_keeps_plus_and_bad_escapes() {
        assert_eq!(percent_decode("a+b%20c%zz%"), "a+b c%zz%");
        assert_eq!(percent_decode("%の玄関%E7%8E%84"), "%の玄関玄");
        assert_eq!(percent_decode("%4"), "%4");
    }
}
