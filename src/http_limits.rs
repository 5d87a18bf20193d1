//! Limits on connections and request bodies that actix itself does not enforce: open connections
//! per peer address (a connection past the limit answers 429 `too_many_connections` and is
//! closed), and the wait for each piece of a request body (a body that stalls answers 408
//! `request_timeout` and the connection is closed). Head timeout, keep-alive and the total
//! connection limit are actix's own settings, applied in `startup::run` (`config::HttpLimits`).

use std::any::Any;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Extensions, Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{header, ConnectionType};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use futures_util::StreamExt;

use crate::error::{ApiError, RefusalKind};

/// Open connections per peer address, shared by every worker.
#[derive(Debug)]
pub struct PeerConnections {
    open: Mutex<HashMap<IpAddr, usize>>,
    max_per_peer: usize,
}

/// One open connection, kept with it (actix's per-connection data) until it closes.
#[derive(Debug)]
pub struct PeerSlot {
    peer: IpAddr,
    /// the peer had more open connections than allowed when this one opened
    over: bool,
    connections: Arc<PeerConnections>,
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut open = self.connections.lock();
        if let Some(n) = open.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.peer);
            }
        }
    }
}

impl PeerConnections {
    pub fn new(max_per_peer: usize) -> Arc<Self> {
        Arc::new(PeerConnections {
            open: Mutex::new(HashMap::new()),
            max_per_peer,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn admit(self: &Arc<Self>, peer: IpAddr) -> PeerSlot {
        let mut open = self.lock();
        let n = open.entry(peer).or_insert(0);
        *n += 1;
        PeerSlot {
            peer,
            over: *n > self.max_per_peer,
            connections: Arc::clone(self),
        }
    }

    /// For `HttpServer::on_connect`: counts each new TCP connection against its peer.
    pub fn on_connect(self: &Arc<Self>) -> impl Fn(&dyn Any, &mut Extensions) + Send + Sync {
        let me = Arc::clone(self);
        move |conn, data| {
            let peer = conn
                .downcast_ref::<actix_web::rt::net::TcpStream>()
                .and_then(|tcp| tcp.peer_addr().ok());
            if let Some(addr) = peer {
                data.insert(me.admit(addr.ip()));
            }
        }
    }
}

/// The longest wait for the next piece of a request body.
#[derive(Debug, Clone, Copy)]
pub struct BodyIdle(pub Duration);

/// The refusal's answer, with the connection closed after it.
fn closing(refusal: ApiError) -> actix_web::HttpResponse {
    let mut response = refusal.error_response();
    response
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    response
}

/// Refuses requests on a connection past its peer's limit, and times out a body that stalls.
pub async fn guard_connection(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if req.conn_data::<PeerSlot>().is_some_and(|slot| slot.over) {
        let refusal = ApiError::new(
            RefusalKind::TooManyConnections,
            "too many open connections from this address; close some and try again",
        );
        let mut res = req.into_response(closing(refusal));
        res.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(1));
        return Ok(res.map_into_right_body());
    }
    let has_body = req.headers().contains_key(header::CONTENT_LENGTH)
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    let idle = req.app_data::<web::Data<BodyIdle>>().map(|d| d.0);
    let (Some(idle), true) = (idle, has_body) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let stalled = Arc::new(AtomicBool::new(false));
    let body = req.take_payload();
    req.set_payload(Payload::Stream {
        payload: Box::pin(with_idle_timeout(body, idle, Arc::clone(&stalled))),
    });
    let res = next.call(req).await?;
    if !stalled.load(Ordering::SeqCst) {
        return Ok(res.map_into_left_body());
    }
    let secs = idle.as_secs_f64();
    let refusal = ApiError::new(
        RefusalKind::RequestTimeout,
        format!("the request body stopped arriving for {secs} s; send it again"),
    );
    let (req, _) = res.into_parts();
    Ok(ServiceResponse::new(req, closing(refusal)).map_into_right_body())
}

/// `body` with each piece awaited at most `idle`; a stall ends it with an error and sets `stalled`.
fn with_idle_timeout(
    body: Payload,
    idle: Duration,
    stalled: Arc<AtomicBool>,
) -> impl futures_util::Stream<Item = Result<web::Bytes, PayloadError>> {
    futures_util::stream::unfold(Some(body), move |body| {
        let stalled = Arc::clone(&stalled);
        async move {
            let mut body = body?;
            match tokio::time::timeout(idle, body.next()).await {
                Ok(Some(piece)) => Some((piece, Some(body))),
                Ok(None) => None,
                Err(_) => {
                    stalled.store(true, Ordering::SeqCst);
                    let e =
                        std::io::Error::new(std::io::ErrorKind::TimedOut, "request body stalled");
                    Some((Err(PayloadError::Io(e)), None))
                }
            }
        }
    })
    // readers such as multipart poll again after the end; a fused stream keeps answering `None`
    .fuse()
}
