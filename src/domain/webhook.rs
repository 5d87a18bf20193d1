//! Webhooks to developers' sales systems: the endpoint URL rule, the signing secret, the
//! signature (HMAC-SHA256 over `"{timestamp}.{body}"`) and the retry schedule.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use super::status::string_enum;
use super::FieldError;

string_enum!(DeliveryStatus { Pending => "pending", Delivered => "delivered", Failed => "failed" });

/// The events a developer's sales system is told about.
pub const EVENTS: [&str; 10] = [
    "hold.created",
    "hold.released",
    "hold.expired",
    "reservation.confirmed",
    "reservation.cancelled",
    "reservation.contracted",
    "reservation.handed_over",
    "reservation.handover_corrected",
    "reservation.rescinded",
    "reservation.moved_in",
];

pub const MAX_URL_LEN: usize = 2000;

/// An absolute `http`/`https` URL with a host, no credentials and no fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<WebhookUrl, FieldError> {
        let bad = |m: &str| FieldError::new("url", m);
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(bad("is required"));
        }
        if raw.len() > MAX_URL_LEN {
            return Err(bad(&format!("must be at most {MAX_URL_LEN} characters")));
        }
        let url = url::Url::parse(raw).map_err(|e| bad(&format!("is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("must start with https:// or http://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("must name a host"));
        }
        // the URL is shown back to the developer and to officials: no secrets in it
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not carry a user name or password"));
        }
        if url.fragment().is_some() {
            return Err(bad("must not have a #fragment"));
        }
        Ok(WebhookUrl(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in hex.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

/// The `X-Anju-Signature` value: `sha256=` and the hex HMAC-SHA256, keyed with the secret's
/// UTF-8 bytes (the whole `whsec_…` string), of the `X-Anju-Timestamp` value, a `.`, and the
/// body bytes exactly as sent.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("hmac takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// When to try again after failed attempt number `attempt` (1-based): `base · 2^(attempt−1)`,
/// at most `cap`; `None` once `max_attempts` attempts have failed.
pub fn retry_delay_ms(attempt: i32, base_ms: i64, cap_ms: i64, max_attempts: i32) -> Option<i64> {
    if attempt >= max_attempts {
        return None;
    }
    let exponent = (attempt.max(1) - 1).min(40) as u32;
    Some(base_ms.saturating_mul(1i64 << exponent).min(cap_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_with_a_host_and_no_credentials() {
        assert_eq!(
            WebhookUrl::parse(" https://sales.example.com/hooks/anju ")
                .unwrap()
                .as_str(),
            "https://sales.example.com/hooks/anju"
        );
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/x?y=1").is_ok());
        for bad in [
            "",
            "ftp://example.com/",
            "example.com/hook",
            "https://user:pw@example.com/",
            "https://example.com/#frag",
            "mailto:a@example.com",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
        assert!(WebhookUrl::parse(&format!("https://e.com/{}", "a".repeat(2000))).is_err());
    }

    #[test]
    fn signature_covers_timestamp_and_body() {
        let s = signature("whsec_k", 1_700_000_000, b"{\"a\":1}");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert_eq!(s, signature("whsec_k", 1_700_000_000, b"{\"a\":1}"));
        assert_ne!(s, signature("whsec_k", 1_700_000_001, b"{\"a\":1}"));
        assert_ne!(s, signature("whsec_k", 1_700_000_000, b"{\"a\":2}"));
        assert_ne!(s, signature("whsec_x", 1_700_000_000, b"{\"a\":1}"));
        // the same construction computed by hand, as a receiver would
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"whsec_k").unwrap();
        mac.update(b"1700000000.{\"a\":1}");
        assert_eq!(s[7..], hex::encode(mac.finalize().into_bytes()));
    }

    #[test]
    fn secrets_are_fresh() {
        let a = generate_secret();
        assert!(a.starts_with("whsec_") && a.len() == 6 + 64);
        assert_ne!(a, generate_secret());
    }

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap_and_stop() {
        let delays: Vec<_> = (1..=10)
            .map(|a| retry_delay_ms(a, 1_000, 60_000, 10))
            .collect();
        assert_eq!(
            delays,
            vec![
                Some(1_000),
                Some(2_000),
                Some(4_000),
                Some(8_000),
                Some(16_000),
                Some(32_000),
                Some(60_000),
                Some(60_000),
                Some(60_000),
                None
            ]
        );
        assert_eq!(retry_delay_ms(60, 1_000, 600_000, 100), Some(600_000));
    }
}
