//! History management: import many deliveries at once (all or nothing), delete one, clear all.
//! The writes themselves run on the store thread (`writer::bulk`).

use super::writer::{BulkJob, InsertJob, Job};
use super::{Lite, StoreError};
use crate::delivery::Delivery;
use rusqlite::OptionalExtension;
use tokio::sync::oneshot;

/// A delivery to import with what it was judged with (as for [`Store::insert_judged`]).
pub type ImportRow = (Delivery, crate::checker::Judgement);

/// The writer's job for an import (either backend) and the receivers of its ids, in order.
pub(super) fn import_job(
    rows: Vec<ImportRow>,
) -> (Job, Vec<oneshot::Receiver<Result<u64, StoreError>>>) {
    let mut jobs = Vec::with_capacity(rows.len());
    let mut acks = Vec::with_capacity(rows.len());
    for (delivery, judgement) in rows {
        let (ack, done) = oneshot::channel();
        jobs.push(InsertJob::new(delivery, judgement, ack, None));
        acks.push(done);
    }
    (Job::Bulk(BulkJob::Import(jobs)), acks)
}

/// The ids an import job's writer answered, in order; the first error if any.
pub(super) async fn imported_ids(
    acks: Vec<oneshot::Receiver<Result<u64, StoreError>>>,
) -> Result<Vec<u64>, StoreError> {
    let mut ids = Vec::with_capacity(acks.len());
    for done in acks {
        ids.push(done.await.map_err(|_| StoreError::WriterGone)??);
    }
    Ok(ids)
}

impl Lite {
    /// Insert every row in one transaction and return the new ids in order. On failure nothing
    /// is committed.
    pub async fn import(&self, rows: Vec<ImportRow>) -> Result<Vec<u64>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let (job, acks) = import_job(rows);
        self.send(job);
        imported_ids(acks).await
    }

    /// For each delivery, whether the store already holds it: a row with the same arrival time,
    /// method, path and body bytes (what a second import of the same file finds).
    pub fn already_stored(&self, rows: &[Delivery]) -> Result<Vec<bool>, StoreError> {
        use std::collections::HashMap;
        let conn = self.reader();
        let mut by_key: HashMap<(i64, String, String), Vec<i64>> = HashMap::new();
        {
            let mut stmt =
                conn.prepare_cached("SELECT id, received_at_ms, method, path FROM deliveries")?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                by_key
                    .entry((r.get(1)?, r.get(2)?, r.get(3)?))
                    .or_default()
                    .push(r.get(0)?);
            }
        }
        let mut body = conn.prepare_cached(
            "SELECT 1 FROM payloads WHERE id = ?1 AND length(body) = ?2 AND body = ?3",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for d in rows {
            let key = (d.received_at_ms, d.method.clone(), d.path.clone());
            let mut found = false;
            for &id in by_key.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
                let hit = body
                    .query_row(
                        rusqlite::params![id, d.body.len() as i64, d.body.as_ref()],
                        |_| Ok(()),
                    )
                    .optional()?;
                if hit.is_some() {
                    found = true;
                    break;
                }
            }
            out.push(found);
        }
        Ok(out)
    }

    /// Delete one delivery; `false` when there was none with that id.
    pub async fn delete(&self, id: u64) -> Result<bool, StoreError> {
        let (ack, done) = oneshot::channel();
        self.send(Job::Bulk(BulkJob::Delete(id, ack)));
        done.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Delete every delivery; returns how many. New deliveries keep getting higher ids.
    pub async fn clear(&self) -> Result<u64, StoreError> {
        let (ack, done) = oneshot::channel();
        self.send(Job::Bulk(BulkJob::Clear(ack)));
        done.await.map_err(|_| StoreError::WriterGone)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::Judgement;
    use crate::store::Store;
    use crate::verify::Verdict;
    use bytes::Bytes;

    fn j(verdict: Verdict, provider: Option<String>) -> Judgement {
        Judgement {
            verdict,
            provider,
            generation: None,
        }
    }

    fn delivery(body: &[u8]) -> Delivery {
        Delivery {
            received_at_ms: 1_763_805_600_000,
            method: "POST".into(),
            path: "/in".into(),
            headers: vec![("x-a".into(), b"1".to_vec()), ("x-a".into(), b"2".to_vec())],
            body: Bytes::copy_from_slice(body),
            body_size: body.len() as u64,
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn import_is_one_transaction_after_queued_inserts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .insert(delivery(b"live"), Verdict::Unverified, None)
            .await
            .unwrap();
        let rows = vec![
            (
                delivery(b"\x00a"),
                j(Verdict::Verified, Some("zoom".into())),
            ),
            (delivery(b"\xffb"), j(Verdict::Failed, None)),
        ];
        assert_eq!(store.import(rows).await.unwrap(), vec![2, 3]);
        let got = store.get(3).unwrap().unwrap();
        assert_eq!(&got.body[..], b"\xffb");
        assert_eq!(got.headers, delivery(b"").headers);
        let s = store.summaries().unwrap();
        assert_eq!(s[1].provider.as_deref(), Some("zoom"));
        assert_eq!(s[2].verdict, Verdict::Failed);
        assert_eq!(
            store
                .insert(delivery(b"next"), Verdict::Unverified, None)
                .await
                .unwrap(),
            4
        );
    }

    #[tokio::test]
    async fn a_failing_import_commits_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .insert(delivery(b"x"), Verdict::Unverified, None)
            .await
            .unwrap();
        // Another writer takes id 3: the import's second row collides, so the whole batch fails.
        {
            let c = rusqlite::Connection::open(dir.path().join(super::super::DB_FILE)).unwrap();
            c.execute(
                "INSERT INTO payloads (id, headers, body) VALUES (3, x'', x'')",
                [],
            )
            .unwrap();
        }
        let rows = vec![
            (delivery(b"a"), j(Verdict::Unverified, None)),
            (delivery(b"b"), j(Verdict::Unverified, None)),
        ];
        let err = store.import(rows).await.unwrap_err();
        assert!(err.to_string().contains("cannot write"), "{err}");
        assert_eq!(store.count().unwrap(), 1);
        assert!(store.get(2).unwrap().is_none());
    }

    #[tokio::test]
    async fn delete_and_clear() {
        let store = Store::in_memory().unwrap();
        for b in [b"1", b"2", b"3"] {
            store
                .insert(delivery(b), Verdict::Unverified, None)
                .await
                .unwrap();
        }
        assert!(store.delete(2).await.unwrap());
        assert!(!store.delete(2).await.unwrap());
        let ids: Vec<u64> = store.summaries().unwrap().iter().map(|s| s.id).collect();
        assert_eq!(ids, vec![1, 3]);
        assert!(store.get(2).unwrap().is_none());
        assert_eq!(store.clear().await.unwrap(), 2);
        assert_eq!(store.count().unwrap(), 0);
        let id = store
            .insert(delivery(b"4"), Verdict::Unverified, None)
            .await
            .unwrap();
        assert_eq!(id, 4, "ids are not reused after a clear");
        // Retention counts what is left: keep 2 with one row after the clear holds both.
        store.set_keep(2);
        store
            .insert(delivery(b"5"), Verdict::Unverified, None)
            .await
            .unwrap();
        store.flush().await.unwrap();
        assert_eq!(store.count().unwrap(), 2);
    }
}
