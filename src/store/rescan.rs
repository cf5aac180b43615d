//! Whole-store passes for re-verification: stream every delivery (in batches, so readers and
//! the dashboard are not held up for the whole scan) and rewrite the verdict column in one
//! transaction on the store thread.

use super::codec;
use super::writer::{Job, ResponseExtra};
use super::{Store, StoreError};
use crate::delivery::{Delivery, ResponseRecord};
use crate::verify::Verdict;
use bytes::Bytes;
use tokio::sync::oneshot;

/// Deliveries read per batch (the reader connection is locked for one batch at a time).
const BATCH: i64 = 512;

impl Store {
    /// Call `f` with every stored delivery (with its body), in ascending id order.
    pub fn for_each_delivery(&self, mut f: impl FnMut(Delivery)) -> Result<(), StoreError> {
        let mut after = 0i64;
        loop {
            let batch = self.batch_after(after)?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            after = last.id as i64;
            batch.into_iter().for_each(&mut f);
        }
    }

    fn batch_after(&self, after: i64) -> Result<Vec<Delivery>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT d.id, d.received_at_ms, d.method, d.path, d.query, d.body_size, d.peer, \
             d.rejected, d.status, d.response_source, d.response_extra, d.replay_of, p.headers, \
             p.body FROM deliveries d LEFT JOIN payloads p ON p.id = d.id WHERE d.id > ?1 \
             ORDER BY d.id LIMIT ?2",
        )?;
        let mut rows = stmt.query([after, BATCH])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id = r.get::<_, i64>(0)? as u64;
            let corrupt = |message: String| StoreError::Corrupt { id, message };
            let headers: Option<Vec<u8>> = r.get(12)?;
            let body = match r.get_ref(13)? {
                rusqlite::types::ValueRef::Blob(b) => Bytes::copy_from_slice(b),
                _ => Bytes::new(),
            };
            let status: Option<u16> = r.get(8)?;
            let source: Option<String> = r.get(9)?;
            let extra: Option<String> = r.get(10)?;
            let response = match (status, source) {
                (Some(status), Some(source)) => {
                    let extra: ResponseExtra = match extra {
                        Some(json) => serde_json::from_str(&json)
                            .map_err(|e| corrupt(format!("response_extra: {e}")))?,
                        None => ResponseExtra::default(),
                    };
                    Some(ResponseRecord {
                        status,
                        source,
                        latency_ms: extra.latency_ms,
                        error: extra.error,
                        headers: extra.headers,
                        body: extra.body,
                        rule: extra.rule,
                    })
                }
                _ => None,
            };
            out.push(Delivery {
                id,
                received_at_ms: r.get(1)?,
                method: r.get(2)?,
                path: r.get(3)?,
                query: r.get(4)?,
                headers: codec::decode_headers(&headers.unwrap_or_default())
                    .ok_or_else(|| corrupt("the header list is not in the expected form".into()))?,
                body,
                body_size: r.get::<_, i64>(5)? as u64,
                peer: r.get(6)?,
                rejected: r.get(7)?,
                response,
                replay_of: r.get::<_, Option<i64>>(11)?.map(|v| v as u64),
            });
        }
        Ok(out)
    }

    /// Rewrite stored verdicts (after secrets changed), all in one transaction, so a restart
    /// shows the new verdicts. Ids no longer stored are skipped.
    pub fn update_verdicts(&self, verdicts: Vec<(u64, Verdict)>) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Verdicts(verdicts, tx));
        rx.blocking_recv().map_err(|_| StoreError::WriterGone)?
    }
}

/// The writer's side of [`Store::update_verdicts`].
pub(crate) fn write_verdicts(
    conn: &mut rusqlite::Connection,
    verdicts: &[(u64, Verdict)],
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut stmt =
            tx.prepare_cached("UPDATE main.deliveries SET verdict = ?2 WHERE id = ?1")?;
        for (id, v) in verdicts {
            stmt.execute(rusqlite::params![*id as i64, v.as_str()])?;
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(body: &[u8]) -> Delivery {
        Delivery {
            received_at_ms: 1_763_805_600_123,
            method: "POST".into(),
            path: "/p".into(),
            headers: vec![("x-a".into(), b"1\n2".to_vec())],
            body: Bytes::copy_from_slice(body),
            body_size: body.len() as u64,
            response: Some(ResponseRecord {
                status: 401,
                source: "app".into(),
                latency_ms: Some(4),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn streams_everything_and_rewrites_verdicts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for i in 0..1100u32 {
            store
                .insert(
                    delivery(&i.to_be_bytes()),
                    Verdict::Failed,
                    Some("zoom".into()),
                )
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
        store
            .for_each_delivery(|d| {
                assert_eq!(d, store.get(d.id).unwrap().unwrap());
                seen.push(d.id)
            })
            .unwrap();
        assert_eq!(seen, (1..=1100).collect::<Vec<u64>>());
        let s = store.clone();
        tokio::task::spawn_blocking(move || {
            s.update_verdicts(vec![(2, Verdict::Verified), (5000, Verdict::Verified)])
        })
        .await
        .unwrap()
        .unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        let rows = store.summaries().unwrap();
        assert_eq!(rows[1].verdict, Verdict::Verified);
        assert_eq!(rows[0].verdict, Verdict::Failed);
        assert_eq!(rows.len(), 1100);
    }
}
