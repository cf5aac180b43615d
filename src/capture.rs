//! The capture listener: an axum server with one fallback handler for any method and path.
//!
//! Flow, one way: handler → verification → answer decided (413, a response rule, handshake,
//! forward, or the configured local answer) → store commit → broadcast of `Event::Delivery` (by whoever holds
//! the store's writer, right after the commit, so events arrive in id order) → the sender gets
//! its answer (a rule's answer after its delay, or no answer when the rule drops the
//! connection). An acknowledged delivery is therefore always committed. Once the body is read,
//! a sender that hangs up cannot cancel the recording: the insert is queued before any await,
//! and forwarding runs in its own task.
//!
//! Headers are taken from hyper's `HeaderMap`: names lower-case, values byte-exact, every
//! duplicate kept. Its iteration groups repeated names together at the position of their first
//! occurrence, so `a, b, a` is recorded as `a, a, b`; the order of distinct names and the order
//! of values within one name are the arrival order.

mod body;
mod challenge;
mod forward;
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
use body::BodyRead;
pub use forward::Forwarder;
pub use serve::MAX_HEADERS;
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
/// How long shutdown waits for open requests to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Where deliveries are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// `hookscope.db` in this directory.
    Dir(PathBuf),
    /// In memory only (`--no-store`).
    Memory,
}

/// Everything the listener needs.
pub struct ListenOptions {
    pub addr: SocketAddr,
    /// Forward target (`--forward`), if any.
    pub forward: Option<String>,
    pub forward_timeout: Duration,
    pub max_body: u64,
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
            max_body: DEFAULT_MAX_BODY,
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
    let forward = match &opts.forward {
        Some(url) => Some(Forwarder::new(url, opts.forward_timeout)?),
        None => None,
    };
    let (store, warning) = match &opts.storage {
        Storage::Dir(dir) => match Store::open(dir) {
            Ok(store) => (store, None),
            // Capture still works: in memory, with a warning the front ends show.
            Err(e) => (
                Store::in_memory()?,
                Some(format!("{e}; capturing in memory only (lost at exit)")),
            ),
        },
        Storage::Memory => (Store::in_memory()?, None),
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
    });
    let app = Router::new().fallback(capture).with_state(shared);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve::serve(listener, app, opts.header_timeout, stopped));
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
    })
}

/// The one handler: read the body (within `--max-body`), decide the answer, record, answer.
async fn capture(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let received_at_ms = jiff::Timestamp::now().as_millisecond();
    let (parts, body) = req.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string());
    let headers = header_list(&parts.headers);
    let deadline = tokio::time::Instant::now() + shared.body_timeout;
    let (body, body_size, rejected) =
        match body::read_limited(body, &parts.headers, shared.max_body, deadline).await {
            BodyRead::Complete(b) => {
                let n = b.len() as u64;
                (b, n, None)
            }
            BodyRead::TooLarge { size } => (bytes::Bytes::new(), size, Some("body_too_large")),
            BodyRead::Incomplete { partial, error } => {
                tracing::debug!("sender stopped mid-body: {error}");
                let n = partial.len() as u64;
                (partial, n, Some("body_incomplete"))
            }
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

/// How a delivery is answered.
enum Answer {
    /// This response (413, 408, a handshake, the configured local answer).
    Ready(Box<(Response, ResponseRecord)>),
    /// The response rule at this index, once the delivery is committed.
    Rule(usize),
    /// The app's answer.
    Forward,
}

/// Headers as recorded: lower-case names, exact value bytes, duplicates kept.
fn header_list(headers: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
        .collect()
}

/// Verify the delivery and choose the answer: 413 or 408 for a rejected one, else the first
/// response rule that applies, a handshake, forwarding, or the local answer.
fn decide(shared: &Shared, checker: &Checker, d: &Delivery) -> (Verification, Answer) {
    let now = jiff::Timestamp::now().as_second();
    let l = &shared.local;
    let ready = |answer: (Response, ResponseRecord)| Answer::Ready(Box::new(answer));
    let plain = |text: String, status| {
        ready(local(
            status,
            "text/plain; charset=utf-8",
            text.into(),
            "hookscope",
        ))
    };
    if d.rejected.is_some() {
        let v = checker.attribute_only(d);
        let answer = match d.rejected.as_deref() {
            Some("body_too_large") => plain(
                format!(
                    "hookscope: the body is larger than --max-body ({} bytes)\n",
                    shared.max_body
                ),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            Some("body_timeout") => plain(
                "hookscope: the body did not arrive in time\n".into(),
                StatusCode::REQUEST_TIMEOUT,
            ),
            _ => ready(local(l.status, l.content_type, l.body.clone(), "hookscope")),
        };
        return (v, answer);
    }
    let v = checker.check(d, now);
    let handshake = challenge::answer(checker, d, &v);
    let forwarding = shared.forward.is_some();
    if let Some((index, _)) = shared.rules.pick(d, &v, handshake.is_some(), forwarding) {
        return (v, Answer::Rule(index));
    }
    if let Some(h) = handshake {
        let mut answer = local(StatusCode::OK, h.content_type, h.body, "challenge");
        if h.nosniff {
            answer.0.headers_mut().insert(
                "x-content-type-options",
                axum::http::HeaderValue::from_static("nosniff"),
            );
        }
        return (v, ready(answer));
    }
    if forwarding {
        return (v, Answer::Forward);
    }
    (
        v,
        ready(local(l.status, l.content_type, l.body.clone(), "hookscope")),
    )
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
    committed.map_err(|e| {
        let _ = shared.events.send(Event::StoreWarning(e.to_string()));
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("hookscope: the delivery could not be stored: {e}\n"),
        )
            .into_response()
    })
}

fn store_failed_record(message: &str) -> ResponseRecord {
    ResponseRecord {
        status: 503,
        source: "error".into(),
        error: Some(message.to_string()),
        ..Default::default()
    }
}

fn local(
    status: StatusCode,
    content_type: &'static str,
    body: bytes::Bytes,
    source: &str,
) -> (Response, ResponseRecord) {
    let record = ResponseRecord {
        status: status.as_u16(),
        source: source.to_string(),
        ..Default::default()
    };
    (
        (status, [("content-type", content_type)], body).into_response(),
        record,
    )
}
