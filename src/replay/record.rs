//! Send a prepared replay and record it: each replay becomes a stored delivery linked to its
//! original (`replay_of`) and carrying the app's answer, so it is listed and survives restart.

use super::{Prepared, send};
use crate::delivery::{Delivery, ResponseRecord};
use crate::store::Store;
use crate::verify::Verdict;
use std::time::Duration;

/// How long a replay waits for the app.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// What came of one replay.
#[derive(Clone, Debug)]
pub struct Sent {
    /// The app's answer (status 0 and `error` when none was obtained).
    pub answer: ResponseRecord,
    /// The replay as recorded: its store id (0 when not stored), `replay_of`, the answer.
    pub replay: Delivery,
    /// Why the replay could not be stored, if it could not.
    pub store_error: Option<String>,
}

/// The delivery that records a replay of `original`: what was sent, when, and the answer.
pub fn replay_delivery(
    original: u64,
    p: &Prepared,
    answer: ResponseRecord,
    sent_at_ms: i64,
) -> Delivery {
    Delivery {
        id: 0,
        received_at_ms: sent_at_ms,
        body_size: p.request.body.len() as u64,
        peer: None,
        rejected: None,
        response: Some(answer),
        replay_of: Some(original),
        headers: p.recorded_headers.clone(),
        ..p.request.clone()
    }
}

/// Send `p`, then insert the replay into `store` (when given) with the verdict and provider
/// hookscope gives what was sent.
pub async fn send_and_record(
    store: Option<&Store>,
    original: u64,
    p: &Prepared,
    verdict: Verdict,
    provider: Option<String>,
    timeout: Duration,
) -> Sent {
    let sent_at_ms = jiff::Timestamp::now().as_millisecond();
    let answer = send(p, timeout).await;
    let mut replay = replay_delivery(original, p, answer.clone(), sent_at_ms);
    let mut store_error = None;
    if let Some(store) = store {
        match store.insert(replay.clone(), verdict, provider).await {
            Ok(id) => replay.id = id,
            Err(e) => store_error = Some(format!("the replay was not stored: {e}")),
        }
    }
    Sent {
        answer,
        replay,
        store_error,
    }
}
