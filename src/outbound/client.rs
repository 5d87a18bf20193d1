//! The HTTP client for outbound requests: every name it connects to is resolved once by the
//! guard and decided, and the connection goes to exactly those addresses (no second look-up for
//! DNS rebinding to answer differently); address literals are decided before sending. No
//! redirects, no proxy, no pooled connection that would skip the check, a time limit on the
//! whole exchange, and the answer's body is never read. Failures come back as a class.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::OutboundGuard;
use crate::domain::outbound::{Host, OutboundRefusal};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why an outbound request did not end in a 2xx answer: what the delivery log records. Never
/// the remote's words (body, reason phrase, error text), which could map an internal network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// the host is, or resolves to, an address the guard refuses
    RefusedAddress,
    /// the host name has no address (or the look-up failed)
    DnsFailed,
    ConnectFailed,
    Tls,
    /// no answer within the time limit
    Timeout,
    /// an answer that is not 2xx (a redirect included: never followed)
    HttpStatus(u16),
    RequestFailed,
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorClass::RefusedAddress => f.write_str("refused_address"),
            ErrorClass::DnsFailed => f.write_str("dns_failed"),
            ErrorClass::ConnectFailed => f.write_str("connect_failed"),
            ErrorClass::Tls => f.write_str("tls"),
            ErrorClass::Timeout => f.write_str("timeout"),
            ErrorClass::HttpStatus(code) => write!(f, "http_status_{code}"),
            ErrorClass::RequestFailed => f.write_str("request_failed"),
        }
    }
}

/// A failed outbound request: its class for the record, and a cause for the operator's log.
#[derive(Debug, Clone)]
pub struct Failure {
    pub class: ErrorClass,
    pub status: Option<u16>,
    /// for the service's own log only (never stored or shown to the developer)
    pub detail: String,
}

/// The client for outbound requests through `guard`; `timeout` bounds the whole exchange
/// (look-up, connecting, TLS and the answer's head).
pub fn client(
    guard: &OutboundGuard,
    timeout: Duration,
    user_agent: &str,
) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        // a proxy would resolve and connect by itself, past the guard
        .no_proxy()
        // a pooled connection would skip the look-up and so the check at this delivery
        .pool_max_idle_per_host(0)
        .dns_resolver(Arc::new(GuardedResolve(guard.clone())))
        .user_agent(user_agent)
        .build()
}

/// reqwest's name resolution, done by the guard: refused names never reach a socket.
struct GuardedResolve(OutboundGuard);

impl Resolve for GuardedResolve {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.0.clone();
        let name = name.as_str().to_string();
        Box::pin(async move {
            let checked = tokio::task::spawn_blocking(move || guard.resolve(&name))
                .await
                .map_err(|e| Box::new(e) as BoxError)?;
            let addrs = checked.map_err(|refused| Box::new(refused) as BoxError)?;
            // port 0: reqwest puts the URL's port in
            Ok(Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0))) as Addrs)
        })
    }
}

/// Sends `request` with `client` (made by `client` with the same guard); `Ok(status)` for a 2xx
/// answer. The answer's body is dropped unread.
pub async fn send(
    client: &reqwest::Client,
    guard: &OutboundGuard,
    request: reqwest::Request,
) -> Result<u16, Failure> {
    // an address literal is connected to without a look-up: decide it here
    if let Some(host) = Host::of_url(request.url().as_str()) {
        if let Err(refused) = guard.policy().check_host(&host) {
            return Err(refused_failure(&refused));
        }
    }
    match client.execute(request).await {
        Ok(res) if res.status().is_success() => Ok(res.status().as_u16()),
        Ok(res) => {
            let code = res.status().as_u16();
            Err(Failure {
                class: ErrorClass::HttpStatus(code),
                status: Some(code),
                detail: format!("answered {code}"),
            })
        }
        Err(e) => Err(classify(e)),
    }
}

fn refused_failure(refused: &OutboundRefusal) -> Failure {
    let class = match refused.reason {
        "unresolvable" => ErrorClass::DnsFailed,
        _ => ErrorClass::RefusedAddress,
    };
    Failure {
        class,
        status: None,
        detail: refused.to_string(),
    }
}

/// The class of a reqwest error, found by type along its causes, and its text (without the URL,
/// which may carry a token) for the log.
fn classify(e: reqwest::Error) -> Failure {
    let e = e.without_url();
    let mut detail = String::from("request failed");
    let mut refused = None;
    let mut invalid_data = false;
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        if let Some(r) = cause.downcast_ref::<OutboundRefusal>() {
            refused = Some(r.clone());
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            invalid_data |= is_invalid_data(io);
        }
        source = cause.source();
    }
    if let Some(refused) = refused {
        return refused_failure(&refused);
    }
    let class = if e.is_timeout() {
        ErrorClass::Timeout
    } else if e.is_connect() && invalid_data {
        ErrorClass::Tls
    } else if e.is_connect() {
        ErrorClass::ConnectFailed
    } else {
        ErrorClass::RequestFailed
    };
    Failure {
        class,
        status: None,
        detail,
    }
}

/// rustls reports a failed handshake as an I/O error of kind `InvalidData`, which hyper wraps in
/// another I/O error (whose `source` skips it: look inside).
fn is_invalid_data(io: &std::io::Error) -> bool {
    io.kind() == std::io::ErrorKind::InvalidData
        || io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<std::io::Error>())
            .is_some_and(is_invalid_data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_stable_snake_case() {
        let shown: Vec<String> = [
            ErrorClass::RefusedAddress,
            ErrorClass::DnsFailed,
            ErrorClass::ConnectFailed,
            ErrorClass::Tls,
            ErrorClass::Timeout,
            ErrorClass::HttpStatus(502),
            ErrorClass::RequestFailed,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            shown,
            [
                "refused_address",
                "dns_failed",
                "connect_failed",
                "tls",
                "timeout",
                "http_status_502",
                "request_failed"
            ]
        );
        let refused = OutboundRefusal {
            reason: "link_local",
            message: "x".into(),
        };
        assert_eq!(refused_failure(&refused).class, ErrorClass::RefusedAddress);
    }
}
