//! Reading a request body as exact bytes, within `--max-body` and the listener-wide budget of
//! body bytes in flight (`--max-in-flight`).

use axum::body::{Body, HttpBody};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use bytes::Bytes;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Body bytes held by all requests at once (being received or waiting for their commit).
#[derive(Debug)]
pub(crate) struct InFlight {
    used: AtomicU64,
    max: u64,
}

/// A share of [`InFlight`], given back when dropped (when the request is answered).
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: Arc<InFlight>,
    bytes: u64,
}

impl InFlight {
    pub(crate) fn new(max: u64) -> Arc<InFlight> {
        Arc::new(InFlight {
            used: AtomicU64::new(0),
            max,
        })
    }

    /// The budget, in bytes.
    pub(crate) fn max(&self) -> u64 {
        self.max
    }

    /// An empty reservation, to grow as bytes arrive.
    pub(crate) fn reservation(self: &Arc<Self>) -> Reservation {
        Reservation {
            budget: self.clone(),
            bytes: 0,
        }
    }
}

impl Reservation {
    /// Take `n` more bytes from the budget; false (and nothing taken) when it would go over.
    pub(crate) fn grow(&mut self, n: u64) -> bool {
        let taken = self
            .budget
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&u| u <= self.budget.max)
            });
        if taken.is_ok() {
            self.bytes += n;
        }
        taken.is_ok()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// An over-limit body is read and discarded up to this much, so the sender gets a clean 413
/// instead of a reset connection; beyond it the connection is simply closed after the 413.
const DRAIN_LIMIT: u64 = 64 << 20;
/// And for at most this long.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// What reading the body gave.
#[derive(Debug)]
pub(crate) enum BodyRead {
    /// The whole body, in an allocation of exactly its size.
    Complete(Bytes),
    /// Over the limit: the size announced (`Content-Length`) or seen, whichever is larger.
    TooLarge { size: u64 },
    /// The sender stopped mid-body: what arrived, and why it stopped.
    Incomplete { partial: Bytes, error: String },
    /// The body did not arrive by the deadline (a stalled or trickling sender): what arrived.
    TimedOut { partial: Bytes },
    /// Taking it would exceed the bytes in flight allowed for all requests together: the size
    /// announced or seen so far (nothing is kept).
    Busy { size: u64 },
}

/// Read `body` completely if it fits in `max` bytes and arrives by `deadline`.
///
/// The bytes are copied into one exact-size buffer: hyper's chunks are slices of its larger
/// read buffers, and keeping them alive in queues would hold that memory too.
pub(crate) async fn read_limited(
    mut body: Body,
    headers: &HeaderMap,
    max: u64,
    deadline: tokio::time::Instant,
    held: &mut Reservation,
) -> BodyRead {
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok());
    if let Some(n) = announced
        && n > max
    {
        // A sender waiting for `100 Continue` has not sent the body: answer without asking for it.
        let waiting = headers
            .get(axum::http::header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        let drained = if waiting { 0 } else { drain(&mut body).await };
        return BodyRead::TooLarge {
            size: n.max(drained),
        };
    }
    // An announced length is reserved up front (and allocated once); otherwise per chunk.
    let announced = announced.unwrap_or(0);
    if !held.grow(announced) {
        return BodyRead::Busy { size: announced };
    }
    let mut buf: Vec<u8> = Vec::with_capacity(announced as usize);
    loop {
        let Ok(next) = tokio::time::timeout_at(deadline, next_chunk(&mut body)).await else {
            return BodyRead::TimedOut {
                partial: exact(buf),
            };
        };
        match next {
            None => break,
            Some(Ok(data)) => {
                let seen = (buf.len() + data.len()) as u64;
                if seen > max {
                    let drained = drain(&mut body).await;
                    return BodyRead::TooLarge {
                        size: seen + drained,
                    };
                }
                if seen > held.bytes && !held.grow(seen - held.bytes) {
                    return BodyRead::Busy { size: seen };
                }
                buf.extend_from_slice(&data);
            }
            Some(Err(e)) => {
                return BodyRead::Incomplete {
                    partial: exact(buf),
                    error: crate::http_text::error_chain(&e),
                };
            }
        }
    }
    BodyRead::Complete(exact(buf))
}

fn exact(mut buf: Vec<u8>) -> Bytes {
    buf.shrink_to_fit();
    Bytes::from(buf)
}

/// The next data chunk (trailer frames read as empty chunks).
async fn next_chunk(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    std::future::poll_fn(|cx| {
        Pin::new(&mut *body)
            .poll_frame(cx)
            .map(|f| f.map(|r| r.map(|frame| frame.into_data().unwrap_or_default())))
    })
    .await
}

/// Read and discard the rest of the body (bounded); returns the bytes seen.
async fn drain(body: &mut Body) -> u64 {
    let start = Instant::now();
    let mut seen = 0u64;
    while seen <= DRAIN_LIMIT && start.elapsed() < DRAIN_TIME {
        let left = DRAIN_TIME.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, next_chunk(body)).await {
            Ok(Some(Ok(data))) => seen += data.len() as u64,
            _ => break,
        }
    }
    seen
}
