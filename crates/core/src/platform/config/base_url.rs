//! Where the clouds may be: an absolute https URL with a host (http only on this PC's
//! loopback), carrying no credentials.

/// A base URL must be absolute https with a host (http only on loopback), and carry no
/// credentials: credentials in a URL end up in logs.
pub fn check_base_url(value: &str) -> std::result::Result<(), String> {
    let url = url::Url::parse(value).map_err(|e| format!("not a URL ({e})"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("scheme must be http or https, not {}", url.scheme()));
    }
    let loopback = match url.host() {
        None => return Err("has no host".into()),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
    };
    // Keys and tokens travel in headers: in clear text only to this PC.
    if url.scheme() == "http" && !loopback {
        return Err("must be https (http only for 127.0.0.1 or localhost)".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password; secrets go in the keyring".into());
    }
    if url.query().is_some() {
        return Err("must not contain a query string".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_credentials_in_urls() {
        assert!(check_base_url("https://user:pw@example.com").is_err());
        assert!(check_base_url("https://example.com/api?key=1").is_err());
        assert!(check_base_url("https://example.com/api").is_ok());
    }

    #[test]
    fn http_only_on_loopback() {
        for ok in
            ["https://api.example.jp", "http://127.0.0.1:8790/x", "http://localhost:1", "http://[::1]:2"]
        {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in ["http://api.example.jp", "http://10.0.0.5", "http://127.0.0.1.evil.example"] {
            assert!(check_base_url(bad).unwrap_err().contains("https"), "{bad}");
        }
    }
}
