//! Writes that are not a single new delivery: an import (many deliveries, one transaction),
//! deleting one delivery, clearing everything. They run on the store thread, in queue order
//! after the inserts queued before them, so ids and the retention count stay the writer's alone.

use super::{InsertJob, LAST_ID_AND_COUNT, Writer};
use crate::store::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

/// A bulk write and where its answer goes.
pub(crate) enum BulkJob {
    /// Insert every job in ONE transaction: all are committed or none (each ack gets the result).
    Import(Vec<InsertJob>),
    /// Delete one delivery; answers whether it existed.
    Delete(u64, oneshot::Sender<Result<bool, StoreError>>),
    /// Delete every delivery; answers how many. Ids keep increasing afterwards.
    Clear(oneshot::Sender<Result<u64, StoreError>>),
}

impl Writer {
    pub(super) fn bulk(&mut self, job: BulkJob) {
        // Another process (e.g. `hookscope import` beside a running listener) may have written.
        if let Err(e) = self.resync() {
            tracing::warn!("cannot read the capture database's row count: {e}");
        }
        match job {
            BulkJob::Import(jobs) => {
                let jobs = self.refuse_not_stored(jobs);
                if !jobs.is_empty() {
                    self.commit_batch(jobs);
                }
            }
            BulkJob::Delete(id, ack) => {
                let r = self.with_conn(|c| delete_where(c, "id = ?1", Some(id)));
                let _ = ack.send(self.account(r).map(|n| n > 0));
            }
            BulkJob::Clear(ack) => {
                let r = self.with_conn(|c| delete_where(c, "1", None));
                let _ = ack.send(self.account(r));
            }
        }
    }

    /// Refresh the last id and the row count from the database.
    pub(super) fn resync(&mut self) -> rusqlite::Result<()> {
        let (last, count) = self.with_conn(|c| {
            c.query_row(LAST_ID_AND_COUNT, [], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
            })
        })?;
        self.last_id = self.last_id.max(last);
        self.count = count;
        Ok(())
    }

    fn account(&mut self, r: rusqlite::Result<u64>) -> Result<u64, StoreError> {
        match r {
            Ok(n) => {
                self.count = self.count.saturating_sub(n);
                Ok(n)
            }
            Err(e) => Err(StoreError::Write(format!(
                "cannot delete from the capture database: {e}"
            ))),
        }
    }
}

/// Delete the rows matching `cond` (with `?1` = `id`) from both tables in one transaction.
fn delete_where(conn: &mut Connection, cond: &str, id: Option<u64>) -> rusqlite::Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let params: Vec<i64> = id.map(|i| i as i64).into_iter().collect();
    let n = tx.execute(
        &format!("DELETE FROM main.deliveries WHERE {cond}"),
        rusqlite::params_from_iter(&params),
    )?;
    tx.execute(
        &format!("DELETE FROM main.payloads WHERE {cond}"),
        rusqlite::params_from_iter(&params),
    )?;
    tx.commit()?;
    Ok(n as u64)
}
