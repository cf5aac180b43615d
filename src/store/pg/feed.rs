//! The change feed on PostgreSQL: one connection per process that `LISTEN`s on
//! `hookscope_changes` (sent by the triggers on every committed insert, update and delete, by
//! any listener, import, replay or dashboard). Each notification moves the version the
//! dashboard polls. When the connection drops, the feed reconnects with backoff and moves the
//! version once more, since changes may have been missed meanwhile.

use super::connect::{Target, describe};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

const BACKOFF_FIRST: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// The feed's state, shared with the store.
#[derive(Default)]
pub(crate) struct Feed {
    pub version: AtomicI64,
    /// Why the feed is not listening, while it is not.
    pub down: Mutex<Option<String>>,
}

/// Keep a listening connection open for as long as `feed` has other owners. `ready` is
/// answered once the first `LISTEN` is in place (or the first attempt failed).
pub(crate) async fn run(target: Arc<Target>, feed: Arc<Feed>, ready: oneshot::Sender<()>) {
    let mut ready = Some(ready);
    let mut backoff = BACKOFF_FIRST;
    while Arc::strong_count(&feed) > 1 {
        match target.connect().await {
            Ok((client, mut notes)) => match client.batch_execute("LISTEN hookscope_changes").await
            {
                Ok(()) => {
                    *feed.down.lock().unwrap_or_else(|e| e.into_inner()) = None;
                    feed.version.fetch_add(1, Ordering::SeqCst);
                    backoff = BACKOFF_FIRST;
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                    loop {
                        tokio::select! {
                            heard = notes.recv() => match heard {
                                Some(()) => { feed.version.fetch_add(1, Ordering::SeqCst); }
                                None => break,
                            },
                            // Notice a store that was dropped even when nothing happens.
                            _ = tokio::time::sleep(Duration::from_secs(1)) => {
                                if Arc::strong_count(&feed) == 1 {
                                    return;
                                }
                            }
                        }
                    }
                    feed.version.fetch_add(1, Ordering::SeqCst);
                    *feed.down.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some("the connection was lost".into());
                }
                Err(e) => {
                    *feed.down.lock().unwrap_or_else(|e| e.into_inner()) = Some(describe(&e));
                }
            },
            Err(e) => *feed.down.lock().unwrap_or_else(|e| e.into_inner()) = Some(describe(&e)),
        }
        if let Some(r) = ready.take() {
            let _ = r.send(());
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}
