//! Where the dashboard reads stored deliveries: list rows once at start, one full delivery
//! (with its body) when the user selects it.

use crate::checker::Checker;
use crate::delivery::{Delivery, Summary};
use std::collections::BTreeMap;

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
}

/// Deliveries held in memory (`--no-store`, tests, benchmarks).
#[derive(Clone, Debug, Default)]
pub struct MemorySource {
    deliveries: BTreeMap<u64, (Delivery, Summary)>,
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
        self.deliveries.insert(d.id, (d, s));
    }

    /// Add a delivery with a given row.
    pub fn push_with(&mut self, d: Delivery, summary: Summary) {
        self.deliveries.insert(d.id, (d, summary));
    }
}

impl DeliverySource for MemorySource {
    fn summaries(&self) -> anyhow::Result<Vec<Summary>> {
        Ok(self.deliveries.values().map(|(_, s)| s.clone()).collect())
    }

    fn get(&self, id: u64) -> anyhow::Result<Option<Delivery>> {
        Ok(self.deliveries.get(&id).map(|(d, _)| d.clone()))
    }

    fn delete(&mut self, id: u64) -> anyhow::Result<bool> {
        Ok(self.deliveries.remove(&id).is_some())
    }

    fn clear(&mut self) -> anyhow::Result<u64> {
        let n = self.deliveries.len() as u64;
        self.deliveries.clear();
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
}

/// A small runtime to wait for the store's writer from the dashboard's (non-async) thread.
fn blocking() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().build()?)
}
