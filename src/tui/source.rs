//! Where the dashboard reads stored deliveries: windows of the list and their counts, one full
//! delivery (with its body and replays) when the user selects it, and the change feed. The
//! capture store implements it; tests wrap it to inject faults.

use crate::delivery::{Delivery, Summary};
use crate::listing::{ListRequest, ListWindow};
use crate::tui::filter::Query;

/// Stored deliveries as the dashboard needs them.
pub trait DeliverySource: Send {
    /// The store's answer to a list request.
    fn window(&self, req: &ListRequest) -> anyhow::Result<ListWindow>;
    /// One delivery with its body, or `None` when it is gone.
    fn get(&self, id: u64) -> anyhow::Result<Option<Delivery>>;
    /// Stored replays of a delivery, oldest first.
    fn replays_of(&self, id: u64) -> anyhow::Result<Vec<Summary>>;
    /// Ids of every row the filter keeps, in list order (exports of the shown list).
    fn matching_ids(&self, query: Option<&Query>, newest_first: bool) -> anyhow::Result<Vec<u64>>;
    /// Changes whenever the store changed since the last call (any process); see
    /// `Store::data_version`.
    fn data_version(&self) -> anyhow::Result<i64>;
    /// Delete one delivery; `false` when it was already gone.
    fn delete(&mut self, id: u64) -> anyhow::Result<bool>;
    /// Delete every delivery; returns how many.
    fn clear(&mut self) -> anyhow::Result<u64>;
    /// The store behind it, for work on other threads (re-verification, list queries).
    fn store(&self) -> Option<crate::store::Store>;
}

/// The capture store is the dashboard's source.
impl DeliverySource for crate::store::Store {
    fn window(&self, req: &ListRequest) -> anyhow::Result<ListWindow> {
        Ok(crate::store::Store::window(self, req)?)
    }

    fn get(&self, id: u64) -> anyhow::Result<Option<Delivery>> {
        Ok(crate::store::Store::get(self, id)?)
    }

    fn replays_of(&self, id: u64) -> anyhow::Result<Vec<Summary>> {
        Ok(crate::store::Store::replays_of(self, id)?)
    }

    fn matching_ids(&self, query: Option<&Query>, newest_first: bool) -> anyhow::Result<Vec<u64>> {
        Ok(crate::store::Store::matching_ids(
            self,
            query,
            newest_first,
        )?)
    }

    fn data_version(&self) -> anyhow::Result<i64> {
        Ok(crate::store::Store::data_version(self)?)
    }

    fn delete(&mut self, id: u64) -> anyhow::Result<bool> {
        Ok(blocking()?.block_on(crate::store::Store::delete(self, id))?)
    }

    fn clear(&mut self) -> anyhow::Result<u64> {
        Ok(blocking()?.block_on(crate::store::Store::clear(self))?)
    }

    fn store(&self) -> Option<crate::store::Store> {
        Some(self.clone())
    }
}

/// A small runtime to wait for the store's writer from the dashboard's (non-async) thread.
fn blocking() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().build()?)
}
