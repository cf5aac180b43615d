//! Whole-store passes: stream deliveries in batches (so readers and the dashboard are not held
//! up for the whole scan) and rewrite judgements (verdict, provider, generation) on the store
//! thread. The re-verifier (`crate::reverify`) drives them.

use super::codec;
use super::writer::{Job, ResponseExtra};
use super::{Lite, StoreError};
use crate::checker::Judgement;
use crate::delivery::Delivery;
use bytes::Bytes;
use tokio::sync::oneshot;

/// Deliveries read per batch (the reader connection is locked for one batch at a time).
const BATCH: i64 = 512;

impl Lite {
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
        self.batch(
            "d.id > ?1 ORDER BY d.id LIMIT ?2",
            &[&after as &dyn rusqlite::ToSql, &BATCH],
        )
    }

    /// Deliveries (with bodies) chosen by `tail`: a condition on `d` plus ORDER BY and LIMIT.
    pub(super) fn batch(
        &self,
        tail: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Delivery>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT d.id, d.received_at_ms, d.method, d.path, d.query, d.body_size, d.peer, \
             d.rejected, d.status, d.response_source, d.response_extra, d.replay_of, p.headers, \
             p.body FROM deliveries d LEFT JOIN payloads p ON p.id = d.id WHERE {tail}"
        ))?;
        let mut rows = stmt.query(params)?;
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
                    Some(ResponseExtra::record(status, source, extra.as_deref()).map_err(corrupt)?)
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

    /// How many rows are out of date against `current` (see [`Generations`]).
    pub fn count_stale(&self, current: &Generations) -> Result<u64, StoreError> {
        let (cond, params) = current.stale_condition();
        let conn = self.reader();
        let mut stmt =
            conn.prepare_cached(&format!("SELECT count(*) FROM deliveries d WHERE {cond}"))?;
        let n: i64 = stmt.query_row(rusqlite::params_from_iter(params), |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Up to `limit` out-of-date rows with their bodies, newest first, all below id `before`.
    pub fn stale_batch(
        &self,
        current: &Generations,
        before: u64,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let (cond, mut params) = current.stale_condition();
        params.push(rusqlite::types::Value::Integer(
            before.min(i64::MAX as u64) as i64
        ));
        params.push(rusqlite::types::Value::Integer(limit as i64));
        let refs: Vec<&dyn rusqlite::ToSql> =
            params.iter().map(|p| p as &dyn rusqlite::ToSql).collect();
        self.batch(
            &format!("{cond} AND d.id < ? ORDER BY d.id DESC LIMIT ?"),
            &refs,
        )
    }

    /// Providers that have stored rows (from `counts`).
    pub fn stored_providers(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT provider FROM counts WHERE n > 0 AND provider != ''",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// [`Store::update_judgements`] without waiting: the caller can judge the next batch while
    /// this one is written, and waits on the returned [`PendingWrite`] before counting it done.
    pub fn queue_judgements(&self, judged: Vec<(u64, Judgement)>) -> PendingWrite {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Verdicts(judged, tx));
        PendingWrite(rx)
    }
}

/// A write queued on the store thread; [`PendingWrite::wait`] blocks until it is committed.
#[must_use = "a queued write is only known committed once waited on"]
pub struct PendingWrite(pub(super) oneshot::Receiver<Result<(), StoreError>>);

impl PendingWrite {
    /// Block until the write is committed (or failed). Not for async contexts.
    pub fn wait(self) -> Result<(), StoreError> {
        self.0.blocking_recv().map_err(|_| StoreError::WriterGone)?
    }
}

/// The generation every row should have now: one per stored provider, one for rows with none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generations {
    pub by_provider: Vec<(String, String)>,
    pub none: String,
}

impl Generations {
    /// [`Generations::stale_condition`] in PostgreSQL's dialect (`?` placeholders still).
    pub(super) fn stale_condition_postgres(&self) -> (String, Vec<rusqlite::types::Value>) {
        let (sql, params) = self.stale_condition();
        (sql.replacen("IS NOT (", "IS DISTINCT FROM (", 1), params)
    }

    /// `d.generation` differs from what its provider's rows should have (`NULL` always does).
    fn stale_condition(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut sql = String::from("d.generation IS NOT (CASE coalesce(d.provider, '')");
        let mut params = Vec::new();
        for (p, g) in &self.by_provider {
            sql.push_str(" WHEN ? THEN ?");
            params.push(Value::Text(p.clone()));
            params.push(Value::Text(g.clone()));
        }
        sql.push_str(" ELSE ? END)");
        params.push(Value::Text(self.none.clone()));
        (sql, params)
    }
}

/// The writer's side of [`Store::update_judgements`].
pub(crate) fn write_judgements(
    conn: &mut rusqlite::Connection,
    judged: &[(u64, Judgement)],
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut stmt = tx.prepare_cached(
            "UPDATE main.deliveries SET verdict = ?2, provider = ?3, generation = ?4 WHERE id = ?1",
        )?;
        for (id, j) in judged {
            stmt.execute(rusqlite::params![
                *id as i64,
                j.verdict.as_str(),
                j.provider,
                j.generation
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::ResponseRecord;
    use crate::store::Store;
    use crate::verify::Verdict;

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
        let j = |verdict| Judgement {
            verdict,
            provider: Some("zoom".into()),
            generation: Some("g".into()),
        };
        tokio::task::spawn_blocking(move || {
            s.update_judgements(vec![
                (2, j(Verdict::Verified)),
                (5000, j(Verdict::Verified)),
            ])
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
