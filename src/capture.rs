//! The capture listener: an axum server with one fallback handler for any method and path.
//!
//! Flow, one way: handler → verification → answer decided (413, a response rule, handshake,
//! forward, or the configured local answer) → store commit → broadcast of `Event::Delivery` (by whoever holds
//! the store's writer, right after the commit, so events arrive in id order) → the sender gets
//! its answer (a rule's answer after its delay, or no answer when the rule drops the
//! connection). An acknowledged delivery is therefore always committed; one the store could
//! only keep in memory (the file stopped taking writes) is answered 503 with `Retry-After`
//! whatever a rule says, so no 2xx ever depends on memory (`--no-store` excepted). Once the
//! body is read,
//! a sender that hangs up cannot cancel the recording: the insert is queued before any await,
//! and forwarding runs in its own task.
//!
//! Headers are recorded as they arrived: names with their case, in arrival order, values
//! byte-exact, every duplicate kept (HTTP/1 heads are read as they pass, see `raw_head`). When
//! the head could not be followed (HTTP/2, whose names are lower case anyway), they come from
//! hyper's `HeaderMap`: names lower-case, repeated names grouped at their first position.

mod body;
mod challenge;
mod decide;
mod forward;
pub mod lock;
mod raw_head;
mod serve;

use crate::checker::Checker;
use crate::config::ResponseConfig;
use crate::delivery::{Delivery, ResponseRecord};
use crate::event::{Captured, Event};
use crate::respond::{Rules, Vars};
use crate::store::{Store, StoreError};
use crate::verify::Verification;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use body::{BodyRead, InFlight};
use decide::{Answer, decide};
pub use forward::{DEFAULT_MAX_ANSWER, Forwarder, HOP_HEADER};
pub use serve::{FD_RESERVE, MAX_HEADERS, default_max_connections};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

/// Default listen address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:4545";
/// Default `--max-body`: 10 MiB.
pub const DEFAULT_MAX_BODY: u64 = 10 << 20;
/// Default `--forward-timeout`.
pub const DEFAULT_FORWARD_TIMEOUT: Duration = Duration::from_secs(30);
/// Events buffered for a slow sink before it starts missing some.
pub const EVENT_CAPACITY: usize = 1024;
/// Default time a sender has to send its request line and headers (and an idle keep-alive
/// connection stays open).
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a sender has to send the whole body once the headers are in.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(60);
/// Default `--max-in-flight`: body bytes held by all requests at once (64 MiB).
pub const DEFAULT_MAX_IN_FLIGHT: u64 = 64 << 20;
/// The `Retry-After` of a 503 (busy, or the store cannot keep the delivery), in seconds.
pub const RETRY_AFTER_SECS: u64 = 10;
/// How long shutdown waits for open requests to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Where deliveries are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// `hookscope.db` in this directory.
    Dir(PathBuf),
    /// In memory only (`--no-store`).
    Memory,
    /// A shared PostgreSQL database (`--store postgres://…`).
    Postgres(String),
}

/// Everything the listener needs.
pub struct ListenOptions {
    pub addr: SocketAddr,
    /// Forward target (`--forward`), if any.
    pub forward: Option<String>,
    pub forward_timeout: Duration,
    /// The most of the app's answer read and relayed (`--forward-max-body`).
    pub forward_max_body: u64,
    pub max_body: u64,
    /// Body bytes all requests may hold at once; beyond it, 503 (`--max-in-flight`).
    pub max_in_flight: u64,
    /// Connections open at once (`--max-connections`; default from the open-file limit).
    pub max_connections: usize,
    /// Headers must be complete within this (slowloris guard).
    pub header_timeout: Duration,
    /// The body must be complete within this after the headers; else 408, recorded as
    /// `body_timeout` with the bytes that arrived.
    pub body_timeout: Duration,
    /// Retention (`--keep`).
    pub keep: u64,
    pub storage: Storage,
    /// The local answer when not forwarding and no rule answers.
    pub response: ResponseConfig,
    /// Response rules (`[[responses]]`, `--respond`), tried in order.
    pub rules: Arc<Rules>,
    pub checker: Checker,
    /// The broadcast the listener publishes on. Subscribe before `start` to miss nothing.
    pub events: broadcast::Sender<Event>,
}

impl ListenOptions {
    /// Defaults: 127.0.0.1:4545, in memory, 10 MiB bodies, keep 100,000, no forwarding.
    pub fn new(checker: Checker) -> ListenOptions {
        ListenOptions {
            addr: DEFAULT_ADDR.parse().expect("valid default address"),
            forward: None,
            forward_timeout: DEFAULT_FORWARD_TIMEOUT,
            forward_max_body: DEFAULT_MAX_ANSWER,
            max_body: DEFAULT_MAX_BODY,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_connections: default_max_connections(),
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            keep: crate::store::DEFAULT_KEEP,
            storage: Storage::Memory,
            response: ResponseConfig::default(),
            rules: Arc::new(Rules::default()),
            checker,
            events: broadcast::channel(EVENT_CAPACITY).0,
        }
    }
}

/// Why the listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Locked(#[from] lock::Locked),
    #[error("the forward URL {url:?} is not usable: {reason}")]
    ForwardUrl { url: String, reason: String },
    #[error("cannot set up the HTTP client for forwarding: {0}")]
    Client(String),
    #[error("the configured response status {0} is not a valid HTTP status")]
    ResponseStatus(u16),
}

/// A running listener and the pieces front ends use.
pub struct Running {
    /// The address actually bound (the real port when 0 was asked).
    pub local_addr: SocketAddr,
    /// Subscribe here for deliveries.
    pub events: broadcast::Sender<Event>,
    pub store: Store,
    /// Shared with the handler: changing secrets here applies to the next delivery.
    pub checker: Arc<RwLock<Checker>>,
    /// Re-verifies stored deliveries when the checker changes (started once at start-up).
    pub rejudge: Arc<crate::reverify::Rejudger>,
    /// The forward target, when forwarding.
    pub forward: Option<String>,
    /// The response rules: switching one here applies to the next delivery.
    pub rules: Arc<Rules>,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    /// Held while running: no second listener on the same data directory.
    _lock: Option<lock::ListenLock>,
}

impl Running {
    /// `http://HOST:PORT` of the listener.
    pub fn listen_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Stop accepting, let open requests finish (up to 10 s), and flush the store.
    pub async fn shutdown(mut self) -> Result<(), StoreError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut self.server)
            .await
            .is_err()
        {
            tracing::warn!("open requests did not finish in time; closing them");
            self.server.abort();
        }
        self.store.flush().await
    }
}

/// State shared by every request.
struct Shared {
    checker: Arc<RwLock<Checker>>,
    store: Store,
    events: broadcast::Sender<Event>,
    max_body: u64,
    body_timeout: Duration,
    local: LocalAnswer,
    rules: Arc<Rules>,
    forward: Option<Forwarder>,
    in_flight: Arc<InFlight>,
    /// This listener's id in [`HOP_HEADER`].
    hop_id: String,
}

/// The configured local answer, prepared once.
struct LocalAnswer {
    status: StatusCode,
    content_type: &'static str,
    body: bytes::Bytes,
}

/// Bind, open the store, and serve in the background.
pub async fn start(opts: ListenOptions) -> Result<Running, CaptureError> {
    let status = StatusCode::from_u16(opts.response.status)
        .map_err(|_| CaptureError::ResponseStatus(opts.response.status))?;
    let hop_id = format!("{:016x}", fastrand::u64(..));
    let forward = match &opts.forward {
        Some(url) => Some(Forwarder::new(
            url,
            opts.forward_timeout,
            opts.forward_max_body,
            &hop_id,
        )?),
        None => None,
    };
    let mut listen_lock = None;
    let (store, warning) = match &opts.storage {
        Storage::Dir(dir) => {
            listen_lock = Some(lock::ListenLock::acquire(dir)?);
            match Store::open(dir) {
                Ok(store) => (store, None),
                // Capture still shows every delivery, from memory, with a warning the front
                // ends show; senders get 503 so nothing acknowledged depends on memory.
                Err(e) => {
                    let (store, readable) = Store::open_read_only(dir, &e.to_string())?;
                    let earlier = if readable {
                        "the deliveries already stored stay readable; "
                    } else {
                        ""
                    };
                    let warning = format!(
                        "{e}; {earlier}new deliveries are shown but not stored, and their \
                         senders get 503 with Retry-After (fix the directory and restart, or run \
                         with --no-store to accept them in memory)"
                    );
                    (store, Some(warning))
                }
            }
        }
        Storage::Memory => (Store::in_memory()?, None),
        // Several listeners may share it: no lock, ids from the database's sequence.
        Storage::Postgres(url) => (Store::open_postgres(url)?, None),
    };
    store.set_keep(opts.keep);
    let warn = opts.events.clone();
    store.on_warning(move |m| {
        let _ = warn.send(Event::StoreWarning(m));
    });
    if let Some(w) = warning {
        tracing::warn!("{w}");
        let _ = opts.events.send(Event::StoreWarning(w));
    }
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|source| CaptureError::Bind {
            addr: opts.addr,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| CaptureError::Bind {
        addr: opts.addr,
        source,
    })?;
    if let Some(l) = &mut listen_lock {
        l.describe(&format!("http://{local_addr}"));
    }
    store.set_listener(format!(
        "{}:{}/{}",
        crate::store::pg::host_name(),
        local_addr.port(),
        std::process::id()
    ));
    if let (Some(f), Some(url)) = (&forward, &opts.forward)
        && f.targets(local_addr).await
    {
        return Err(CaptureError::ForwardUrl {
            url: url.clone(),
            reason: format!(
                "it is this listener's own address ({local_addr}): every delivery would be \
                 forwarded to itself"
            ),
        });
    }
    let rejudge = Arc::new(crate::reverify::Rejudger::new(
        store.clone(),
        opts.events.clone(),
    ));
    // Rows judged with other secrets or settings (an earlier run, another process) are judged
    // again with this run's.
    rejudge.start(opts.checker.clone());
    let checker = Arc::new(RwLock::new(opts.checker));
    let body = opts.response.body.clone();
    let content_type = if serde_json::from_str::<serde::de::IgnoredAny>(&body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let shared = Arc::new(Shared {
        checker: checker.clone(),
        store: store.clone(),
        events: opts.events.clone(),
        max_body: opts.max_body,
        body_timeout: opts.body_timeout,
        local: LocalAnswer {
            status,
            content_type,
            body: bytes::Bytes::from(body),
        },
        rules: opts.rules.clone(),
        forward,
        in_flight: InFlight::new(opts.max_in_flight),
        hop_id,
    });
    let app = Router::new().fallback(capture).with_state(shared);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve::serve(
        listener,
        app,
        opts.header_timeout,
        opts.max_connections,
        stopped,
    ));
    Ok(Running {
        local_addr,
        events: opts.events,
        store,
        checker,
        rejudge,
        forward: opts.forward,
        rules: opts.rules,
        stop: Some(stop),
        server,
        _lock: listen_lock,
    })
}

/// The one handler: read the body (within `--max-body`), decide the answer, record, answer.
async fn capture(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let received_at_ms = jiff::Timestamp::now().as_millisecond();
    let (mut parts, body) = req.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string());
    let headers = match parts.extensions.remove::<raw_head::Arrived>() {
        Some(arrived) => arrived.0,
        None => header_list(&parts.headers),
    };
    let deadline = tokio::time::Instant::now() + shared.body_timeout;
    // Held until the answer is ready (the delivery is committed by then).
    let mut held = shared.in_flight.reservation();
    let read = body::read_limited(body, &parts.headers, shared.max_body, deadline, &mut held);
    let (body, body_size, rejected) = match read.await {
        BodyRead::Complete(b) => {
            let n = b.len() as u64;
            (b, n, None)
        }
        BodyRead::TooLarge { size } => (bytes::Bytes::new(), size, Some("body_too_large")),
        BodyRead::Incomplete { partial, error } => {
            tracing::debug!("sender stopped mid-body: {error}");
            let n = partial.len() as u64;
            // hyper's chunked decoder names the chunk it could not read.
            let why = if error.to_ascii_lowercase().contains("chunk") {
                "body_malformed"
            } else {
                "body_incomplete"
            };
            (partial, n, Some(why))
        }
        BodyRead::Busy { size } => (bytes::Bytes::new(), size, Some("busy")),
        BodyRead::TimedOut { partial } => {
            let n = partial.len() as u64;
            (partial, n, Some("body_timeout"))
        }
    };
    let delivery = Delivery {
        id: 0,
        received_at_ms,
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body,
        body_size,
        peer,
        rejected: rejected.map(str::to_string),
        response: None,
        replay_of: None,
    };
    let mut delivery = delivery;
    if delivery.rejected.is_none() && forwarded_by(&parts.headers, &shared.hop_id) {
        delivery.rejected = Some("forward_loop".into());
    }
    let (verification, judgement, answer) = {
        let checker = shared.checker.read().unwrap_or_else(|e| e.into_inner());
        let (v, answer) = decide(&shared, &checker, &delivery);
        let judgement = checker.judgement(&v);
        (v, judgement, answer)
    };
    let facts = (verification, judgement);
    match answer {
        Answer::Ready(ready) => {
            let (response, rec) = *ready;
            match record(shared, delivery, facts, rec).await {
                Ok(_) => response,
                Err(unstored) => unstored,
            }
        }
        Answer::Rule(index) => {
            let mut vars = Vars::of(&delivery, &facts.0);
            let rules = shared.rules.clone();
            let rule = &rules.all()[index];
            match record(shared, delivery, facts, rule.record()).await {
                Ok(id) => {
                    vars.id = id;
                    // The body is in the store now: a held answer holds no body bytes.
                    drop(held);
                    if !rule.delay.is_zero() {
                        tokio::time::sleep(rule.delay).await;
                    }
                    rule.response(&vars).unwrap_or_else(serve::drop_connection)
                }
                Err(unstored) => unstored,
            }
        }
        // Forwarding runs in its own task: a sender that hangs up must not cancel it half-way.
        Answer::Forward => {
            let task = tokio::spawn(async move {
                let _held = held;
                let forwarder = shared.forward.as_ref().expect("decided to forward");
                let (response, rec) = forwarder.forward(&delivery).await;
                match record(shared, delivery, facts, rec).await {
                    Ok(_) => response,
                    Err(unstored) => unstored,
                }
            });
            match task.await {
                Ok(response) => response,
                Err(e) => {
                    tracing::error!("forwarding task failed: {e}");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "hookscope: internal error\n",
                    )
                        .into_response()
                }
            }
        }
    }
}

/// Whether this listener forwarded the request itself ([`HOP_HEADER`] holds its id).
fn forwarded_by(headers: &HeaderMap, hop_id: &str) -> bool {
    headers.get_all(HOP_HEADER).iter().any(|v| {
        v.to_str()
            .unwrap_or("")
            .split(',')
            .any(|id| id.trim() == hop_id)
    })
}

/// Headers from hyper's map: lower-case names, exact value bytes, duplicates kept.
fn header_list(headers: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
        .collect()
}

/// Commit the delivery with its recorded answer; the caller then releases the answer. Returns
/// the id, or the 503 to answer instead when the delivery could not be stored.
///
/// The insert is queued before the first await, so even if the sender hangs up and this future
/// is dropped, the delivery is still committed and broadcast (see [`Store::insert_then`]).
async fn record(
    shared: Arc<Shared>,
    mut d: Delivery,
    (verification, judgement): (Verification, crate::checker::Judgement),
    rec: ResponseRecord,
) -> Result<u64, Response> {
    d.response = Some(rec);
    // A token (the secret itself) is never stored or shown in clear; the app already has it.
    shared
        .checker
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .mask_tokens(&mut d);
    let events = shared.events.clone();
    let on_commit: crate::store::OnCommit = Box::new(move |result| match result {
        Ok(delivery) => {
            let _ = events.send(Event::Delivery(Arc::new(Captured {
                delivery,
                verification,
            })));
        }
        Err((mut delivery, message)) => {
            delivery.response = Some(store_failed_record(&message));
            let _ = events.send(Event::StoreWarning(message));
            let _ = events.send(Event::Delivery(Arc::new(Captured {
                delivery,
                verification,
            })));
        }
    });
    let committed = shared
        .store
        .insert_then(d, judgement, Some(on_commit))
        .await;
    let text = match committed {
        Ok(id) => return Ok(id),
        // Shown from memory; the warning went out when the store fell back.
        Err(StoreError::NotStored { id, reason }) => {
            format!("hookscope: delivery #{id} was not stored ({reason}); retry later\n")
        }
        Err(e) => {
            let _ = shared.events.send(Event::StoreWarning(e.to_string()));
            format!("hookscope: the delivery could not be stored: {e}\n")
        }
    };
    Err((
        StatusCode::SERVICE_UNAVAILABLE,
        [("retry-after", RETRY_AFTER_SECS.to_string())],
        text,
    )
        .into_response())
}

fn store_failed_record(message: &str) -> ResponseRecord {
    ResponseRecord {
        status: 503,
        source: "error".into(),
        error: Some(message.to_string()),
        ..Default::default()
    }
}
