//! The dashboard's side of the store's change feed (docs/architecture.md, "The dashboard reads
//! the store"): every poll asks the store for its data version; a new one means some process
//! wrote (another listener, `import`, `replay`, pruning), a failing one that the feed is down
//! (a shared database out of reach), and the first success after that that it is back.

use super::events::Input;
use super::source::DeliverySource;
use anyhow::Context;
use std::time::{Duration, Instant};

/// How often the store is asked whether anything changed.
const POLL: Duration = Duration::from_millis(250);

/// The last version seen and whether the feed is down.
pub struct ChangeFeed {
    version: i64,
    down: bool,
    next: Instant,
}

impl ChangeFeed {
    /// Start from the store's current version (an error: the store cannot be read at all).
    pub fn start(source: &dyn DeliverySource) -> anyhow::Result<ChangeFeed> {
        let version = source
            .data_version()
            .context("cannot read the stored deliveries")?;
        Ok(ChangeFeed {
            version,
            down: false,
            next: Instant::now() + POLL,
        })
    }

    /// When a poll is due, what it found: [`Input::StoreChanged`], and [`Input::StoreFeed`] once
    /// when the feed goes down and once when it is back.
    pub fn poll(&mut self, source: &dyn DeliverySource) -> Vec<Input> {
        if Instant::now() < self.next {
            return Vec::new();
        }
        self.next = Instant::now() + POLL;
        let mut out = Vec::new();
        match source.data_version() {
            Ok(v) => {
                if std::mem::replace(&mut self.down, false) {
                    out.push(Input::StoreFeed(None));
                }
                if v != self.version {
                    self.version = v;
                    out.push(Input::StoreChanged);
                }
            }
            Err(e) if !self.down => {
                self.down = true;
                out.push(Input::StoreFeed(Some(format!("{e:#}"))));
            }
            Err(_) => {}
        }
        out
    }
}
