//! The accept loop: HTTP/1.1, HTTP/1.0 and HTTP/2 (TLS-less, prior knowledge) on one port,
//! with the limits that keep a hostile sender from holding the listener.
//!
//! - Headers must arrive within `header_timeout` (hyper's header read timeout; it also closes
//!   idle keep-alive connections after that long), so a slowloris client is cut off.
//! - At most [`MAX_HEADERS`] header lines per HTTP/1 request (hyper's default is 100; webhook
//!   senders stay far below, but the point of an inspector is to record what was sent). hyper
//!   sets up room for that many headers on every parse, so the cap has a price: 1,024 cost
//!   ~5 µs of CPU per request and ~5% of capture throughput against 256. More
//!   gets `431 Request Header Fields Too Large` from hyper, as does a header block larger than
//!   hyper's buffer limit (about 400 KiB); neither reaches the handler, so neither is recorded.
//! - The body timeout is applied by the handler around body collection (see `body.rs`).
//! - A response rule with `drop = true` answers with [`drop_connection`]'s marker; the service
//!   then fails the request, so hyper closes the connection (HTTP/1) or resets the stream
//!   (HTTP/2) without writing an answer.
//! - An accept error (e.g. out of file descriptors) is logged and retried after a short pause
//!   instead of ending the loop.

use axum::Router;
use axum::extract::ConnectInfo;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Header lines accepted per HTTP/1 request.
pub const MAX_HEADERS: usize = 256;
/// Pause after a failed `accept` (too many open files clears up as connections close).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Marks a response that must not be sent: the connection is closed instead.
#[derive(Clone, Copy, Debug)]
struct DropConnection;

/// The request failed on purpose: a response rule drops the connection.
#[derive(Debug, thiserror::Error)]
#[error("closed without an answer (response rule with drop = true)")]
struct Dropped;

/// A response the accept loop turns into a closed connection.
pub(crate) fn drop_connection() -> Response {
    let mut r = Response::new(axum::body::Body::empty());
    r.extensions_mut().insert(DropConnection);
    r
}

/// Serve `app` on `listener` until `stop` fires, then let open connections finish.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    stop: oneshot::Receiver<()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_headers(MAX_HEADERS);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(header_timeout))
        .keep_alive_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let router = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut router = router.clone();
            async move {
                let response = match tower_service::Service::call(&mut router, req).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                if response.extensions().get::<DropConnection>().is_some() {
                    return Err(Dropped);
                }
                Ok(response)
            }
        });
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(tcp), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection from {peer} ended: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
