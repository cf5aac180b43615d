//! Where the dashboard reads stored deliveries: list rows once at start, one full delivery
//! (with its body) when the user selects it.

use crate::checker::Checker;
use crate::delivery::{Delivery, Summary};
use crate::verify::Verdict;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Stored deliveries as the dashboard needs them. The capture store implements it with its
/// `summaries()` and `get(id)`.
pub trait DeliverySource: Send {
    /// Every stored delivery's list row, in ascending id order.
    fn summaries(&self) -> anyhow::Result<Vec<Summary>>;
    /// One delivery with its body, or `None` when it is gone.
    fn get(&self, id: u64) -> anyhow::Result<Option<Delivery>>;
    /// Delete one delivery; `false` when it was already gone. Read-only sources refuse.
    fn delete(&mut self, id: u64) -> anyhow::Result<bool> {
        anyhow::bail!("cannot delete #{id}: this source is read-only")
    }
    /// Delete every delivery; returns how many. Read-only sources refuse.
    fn clear(&mut self) -> anyhow::Result<u64> {
        anyhow::bail!("cannot clear: this source is read-only")
    }
    /// Every stored delivery with its body, ascending id (re-verification after secrets change).
    /// The default loads them one by one through `summaries` and `get`.
    fn for_each_delivery(&self, f: &mut dyn FnMut(Delivery)) -> anyhow::Result<()> {
        for s in self.summaries()? {
            if let Some(d) = self.get(s.id)? {
                f(d);
            }
        }
        Ok(())
    }
    /// Replace stored verdicts, so rows read later (and after a restart) carry them. The
    /// default is for sources that keep no verdicts of their own (rows are computed on read).
    fn update_verdicts(&self, _verdicts: Vec<(u64, Verdict)>) -> anyhow::Result<()> {
        Ok(())
    }
    /// Another handle on the same deliveries, for a background thread; `None` when the source
    /// cannot be shared (the work then runs on the caller's thread).
    fn handle(&self) -> Option<Box<dyn DeliverySource>> {
        None
    }
}

/// Deliveries held in memory (tests, benchmarks). Clones share the deliveries.
#[derive(Clone, Debug, Default)]
pub struct MemorySource {
    deliveries: Arc<Mutex<BTreeMap<u64, (Delivery, Summary)>>>,
}

impl MemorySource {
    /// Empty.
    pub fn new() -> MemorySource {
        MemorySource::default()
    }

    /// Add a delivery, its row judged by `checker` at its arrival time.
    pub fn push(&mut self, d: Delivery, checker: &Checker) {
        let v = checker.check(&d, d.received_at_ms.div_euclid(1000));
        let s = Summary::of(&d, &v);
        self.map().insert(d.id, (d, s));
    }

    /// Add a delivery with a given row.
    pub fn push_with(&mut self, d: Delivery, summary: Summary) {
        self.map().insert(d.id, (d, summary));
    }

    fn map(&self) -> MutexGuard<'_, BTreeMap<u64, (Delivery, Summary)>> {
        self.deliveries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl DeliverySource for MemorySource {
    fn summaries(&self) -> anyhow::Result<Vec<Summary>> {
        Ok(self.map().values().map(|(_, s)| s.clone()).collect())
    }

    fn get(&self, id: u64) -> anyhow::Result<Option<Delivery>> {
        Ok(self.map().get(&id).map(|(d, _)| d.clone()))
    }

    fn for_each_delivery(&self, f: &mut dyn FnMut(Delivery)) -> anyhow::Result<()> {
        let all: Vec<Delivery> = self.map().values().map(|(d, _)| d.clone()).collect();
        all.into_iter().for_each(f);
        Ok(())
    }

    fn update_verdicts(&self, verdicts: Vec<(u64, Verdict)>) -> anyhow::Result<()> {
        let mut map = self.map();
        for (id, v) in verdicts {
            if let Some((_, s)) = map.get_mut(&id) {
                s.verdict = v;
            }
        }
        Ok(())
    }

    fn handle(&self) -> Option<Box<dyn DeliverySource>> {
        Some(Box::new(self.clone()))
    }

    fn delete(&mut self, id: u64) -> anyhow::Result<bool> {
        Ok(self.map().remove(&id).is_some())
    }

    fn clear(&mut self) -> anyhow::Result<u64> {
        let mut map = self.map();
        let n = map.len() as u64;
        map.clear();
        Ok(n)
    }
}

/// The capture store is the dashboard's source when listening.
impl DeliverySource for crate::store::Store {
    fn summaries(&self) -> anyhow::Result<Vec<Summary>> {
        Ok(crate::store::Store::summaries(self)?)
    }

    fn get(&self, id: u64) -> anyhow::Result<Option<Delivery>> {
        Ok(crate::store::Store::get(self, id)?)
    }

    fn delete(&mut self, id: u64) -> anyhow::Result<bool> {
        Ok(blocking()?.block_on(crate::store::Store::delete(self, id))?)
    }

    fn clear(&mut self) -> anyhow::Result<u64> {
        Ok(blocking()?.block_on(crate::store::Store::clear(self))?)
    }

    fn for_each_delivery(&self, f: &mut dyn FnMut(Delivery)) -> anyhow::Result<()> {
        Ok(crate::store::Store::for_each_delivery(self, f)?)
    }

    fn update_verdicts(&self, verdicts: Vec<(u64, Verdict)>) -> anyhow::Result<()> {
        Ok(crate::store::Store::update_verdicts(self, verdicts)?)
    }

    fn handle(&self) -> Option<Box<dyn DeliverySource>> {
        Some(Box::new(self.clone()))
    }
}

/// A small runtime to wait for the store's writer from the dashboard's (non-async) thread.
fn blocking() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().build()?)
}
