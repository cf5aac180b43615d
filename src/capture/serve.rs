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
//! - A connection must deliver its first request head within `header_timeout` too, counted
//!   from the accept: hyper's own timer only starts once it knows the protocol, so a client
//!   that sends nothing (or only `P`, the start of the HTTP/2 preface) would be held forever.
//! - At most `max_connections` are open at once (default: the open-file limit minus
//!   [`FD_RESERVE`]); beyond that the loop stops accepting until one closes, and new
//!   connections wait in the kernel's backlog instead of failing with "too many open files".
//! - A response rule with `drop = true` answers with [`drop_connection`]'s marker; the service
//!   then fails the request, so hyper closes the connection (HTTP/1) or resets the stream
//!   (HTTP/2) without writing an answer.
//! - An accept error (e.g. out of file descriptors) is retried after a short pause instead of
//!   ending the loop, and logged at most once per [`ACCEPT_WARN_EVERY`] with a count.

use axum::Router;
use axum::extract::ConnectInfo;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

/// Header lines accepted per HTTP/1 request.
pub const MAX_HEADERS: usize = 256;
/// Pause after a failed `accept` (too many open files clears up as connections close).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// Accept failures are logged at most this often.
const ACCEPT_WARN_EVERY: Duration = Duration::from_secs(10);
/// File descriptors kept free for the store, the log and outgoing (forward) connections.
pub const FD_RESERVE: usize = 64;

/// The default connection cap: the soft open-file limit minus [`FD_RESERVE`] (at least 16).
pub fn default_max_connections() -> usize {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
        usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
    } else {
        1024
    };
    soft.saturating_sub(FD_RESERVE).clamp(16, 1 << 20)
}

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
    max_connections: usize,
    stop: oneshot::Receiver<()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_headers(MAX_HEADERS)
        // Answers are small: one copy into hyper's buffer and a plain write costs less than a
        // vectored write of head and body (about 2% less CPU per capture, measured A/B).
        .writev(false);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(header_timeout))
        .keep_alive_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(max_connections.max(1)));
    let mut failures = AcceptFailures::default();
    tokio::pin!(stop);
    loop {
        let slot = tokio::select! {
            _ = &mut stop => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(s) => s,
                Err(_) => break,
            },
        };
        let (tcp, peer) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    failures.record(&e);
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let router = app.clone();
        let started = Arc::new(AtomicBool::new(false));
        let first = started.clone();
        let heads = super::raw_head::Heads::default();
        let taken = heads.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            first.store(true, Ordering::Relaxed);
            req.extensions_mut().insert(ConnectInfo(peer));
            // HTTP/1 requests come in the order their heads were read.
            if req.version() <= hyper::Version::HTTP_11 {
                let head = taken.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                if let Some(h) = head.and_then(|h| h.matching(req.headers())) {
                    req.extensions_mut().insert(super::raw_head::Arrived(h));
                }
            }
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
            .serve_connection_with_upgrades(
                TokioIo::new(super::raw_head::Recording::new(tcp, heads)),
                service,
            )
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _slot = slot;
            tokio::pin!(conn);
            let ended = tokio::select! {
                ended = &mut conn => Some(ended),
                _ = tokio::time::sleep(header_timeout) => None,
            };
            let ended = match ended {
                Some(ended) => ended,
                // No request head within the header timeout: dropping the connection closes it.
                None if !started.load(Ordering::Relaxed) => {
                    tracing::debug!("connection from {peer} sent no request in time; closed");
                    return;
                }
                None => conn.await,
            };
            if let Err(e) = ended {
                tracing::debug!("connection from {peer} ended: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Failed accepts, logged at most once per [`ACCEPT_WARN_EVERY`] with how many there were.
#[derive(Default)]
struct AcceptFailures {
    last_warned: Option<Instant>,
    unreported: u64,
}

impl AcceptFailures {
    fn record(&mut self, e: &std::io::Error) {
        self.unreported += 1;
        if self
            .last_warned
            .is_some_and(|t| t.elapsed() < ACCEPT_WARN_EVERY)
        {
            return;
        }
        let more = match self.unreported {
            1 => String::new(),
            n => format!(" ({n} failures since the last report)"),
        };
        tracing::warn!("accepting a connection failed: {e}{more}");
        self.last_warned = Some(Instant::now());
        self.unreported = 0;
    }
}
