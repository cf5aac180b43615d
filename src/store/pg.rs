//! The shared store on PostgreSQL (`--store postgres://…`): the same interface, schema and
//! promises as the SQLite store, for a team whose listeners and dashboards share one database.
//!
//! - Writes go through one queue to the writer task ([`writer`]): group commit, and a delivery
//!   is acknowledged only after its transaction committed.
//! - Ids come from a sequence, so several listeners never clash; each row records which
//!   listener took it.
//! - Reads run on a connection of their own; the change feed ([`feed`]) is `LISTEN`/`NOTIFY`.
//! - Nothing secret is written: provider names, verdicts and verdict generations only.
//!
//! Everything runs on a small runtime owned by the store, so the store can be used from any
//! thread, async or not, like the SQLite one.

mod connect;
mod feed;
pub mod schema;
mod writer;

use super::list::{WindowRows, window_over};
use super::writer::{BulkJob, InsertJob, Job, ResponseExtra};
use super::{Generations, ImportRow, Judgement, OnCommit, PendingWrite, StoreError, codec};
use crate::delivery::{Delivery, Summary};
use crate::listing::{Anchor, Counts, ListRequest, ListWindow};
use bytes::Bytes;
use connect::{Target, describe};
use feed::Feed;
use rusqlite::types::Value;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};
use writer::{PgJob, PgWriter};

const COLUMNS: &str = "d.id, d.received_at_ms, d.method, d.path, d.provider, d.verdict, \
    d.body_size, d.status, d.replay_of, d.rejected IS NOT NULL";
const FULL_COLUMNS: &str = "d.id, d.received_at_ms, d.method, d.path, d.query, d.body_size, \
    d.peer, d.rejected, d.status, d.response_source, d.response_extra, d.replay_of, p.headers, \
    p.body";
const DELIVERIES: &str = "hookscope.deliveries d";
const WITH_PAYLOADS: &str = "hookscope.deliveries d LEFT JOIN hookscope.payloads p ON p.id = d.id";
/// Deliveries read per batch by [`PgStore::for_each_delivery`].
const BATCH: i64 = 512;

/// The PostgreSQL store; [`super::Store`] wraps it.
pub struct PgStore {
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    target: Arc<Target>,
    reader: Arc<Mutex<Option<Arc<Client>>>>,
    jobs: mpsc::UnboundedSender<PgJob>,
    feed: Arc<Feed>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // The writer finishes what is queued, then the runtime (and every connection) stops.
        let (done, finished) = std::sync::mpsc::sync_channel(1);
        if self.jobs.send(PgJob::Close(done)).is_ok() {
            let _ = finished.recv_timeout(Duration::from_secs(30));
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Run `f` on `handle` and wait for it from this thread (async or not).
fn block<T: Send + 'static>(
    handle: &tokio::runtime::Handle,
    f: impl Future<Output = T> + Send + 'static,
) -> Result<T, StoreError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    handle.spawn(async move {
        let _ = tx.send(f.await);
    });
    rx.recv().map_err(|_| StoreError::WriterGone)
}

impl PgStore {
    /// Connect, bring the schema up to date, start the writer and the change feed.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let target = Arc::new(Target::parse(url).map_err(|message| StoreError::Shared {
            location: "given with --store".into(),
            message,
        })?);
        let location = target.location().to_string();
        let shared = |message: String| StoreError::Shared {
            location: location.clone(),
            message,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hookscope-pg")
            .enable_all()
            .build()
            .map_err(|e| shared(format!("cannot start its runtime: {e}")))?;
        let handle = runtime.handle().clone();
        let t = target.clone();
        let reader = block(&handle, async move {
            let (mut client, _) = t.connect().await.map_err(|e| describe(&e))?;
            match schema::prepare(&mut client).await {
                Ok(()) => Ok(client),
                Err(schema::PrepareError::Failed(m)) => Err(m),
                Err(schema::PrepareError::TooNew(v)) => Err(format!(
                    "its schema version {v} is newer than this hookscope understands ({}); \
                     upgrade hookscope",
                    schema::SCHEMA_VERSION
                )),
            }
        })?
        .map_err(shared)?;
        let (jobs, queue) = mpsc::unbounded_channel();
        handle.spawn(PgWriter::new(target.clone(), default_listener()).run(queue));
        let feed = Arc::new(Feed::default());
        let (ready, listening) = oneshot::channel();
        handle.spawn(feed::run(target.clone(), feed.clone(), ready));
        block(&handle, listening)?.map_err(|_| StoreError::WriterGone)?;
        Ok(PgStore {
            runtime: Some(runtime),
            handle,
            target,
            reader: Arc::new(Mutex::new(Some(Arc::new(reader)))),
            jobs,
            feed,
        })
    }

    /// The database without its password, for messages.
    pub fn location(&self) -> &str {
        self.target.location()
    }

    fn shared(&self, message: String) -> StoreError {
        StoreError::Shared {
            location: self.location().to_string(),
            message,
        }
    }

    /// Record `name` as the listener of the deliveries this process stores from now on.
    pub fn set_listener(&self, name: String) {
        let _ = self.jobs.send(PgJob::Listener(name));
    }

    /// Run a query on the readers' connection (reconnecting when it was lost). `?` in `sql`
    /// stands for the next parameter.
    fn query(&self, sql: &str, params: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        let (sql, params) = numbered(sql, params);
        let slot = self.reader.clone();
        let target = self.target.clone();
        block(&self.handle, async move {
            let current = slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let client = match current {
                Some(c) if !c.is_closed() => c,
                _ => {
                    let (c, _) = target.connect().await.map_err(|e| describe(&e))?;
                    let c = Arc::new(c);
                    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(c.clone());
                    c
                }
            };
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
            client.query(&sql, &refs).await.map_err(|e| describe(&e))
        })?
        .map_err(|m| self.shared(m))
    }

    fn send(&self, job: Job) {
        let _ = self.jobs.send(PgJob::Other(job));
    }

    /// Number of stored deliveries.
    pub fn count(&self) -> Result<u64, StoreError> {
        let rows = self.query("SELECT count(*) FROM hookscope.deliveries", Vec::new())?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0)) as u64)
    }

    /// All rows, oldest first.
    pub fn summaries(&self) -> Result<Vec<Summary>, StoreError> {
        self.summaries_where("TRUE ORDER BY d.id", Vec::new())
    }

    fn summaries_where(&self, tail: &str, params: Vec<Value>) -> Result<Vec<Summary>, StoreError> {
        let rows = self.query(
            &format!("SELECT {COLUMNS} FROM {DELIVERIES} WHERE {tail}"),
            params,
        )?;
        rows.iter()
            .map(summary)
            .collect::<Result<_, _>>()
            .map_err(|e| self.shared(describe(&e)))
    }

    /// One full delivery with its body.
    pub fn get(&self, id: u64) -> Result<Option<Delivery>, StoreError> {
        Ok(self
            .batch("d.id = ?", vec![Value::Integer(id as i64)])?
            .pop())
    }

    /// One full delivery with the verdict the store holds for it.
    pub fn get_judged(&self, id: u64) -> Result<Option<(Delivery, Judgement)>, StoreError> {
        let Some(d) = self.get(id)? else {
            return Ok(None);
        };
        let rows = self.query(
            "SELECT provider, verdict, generation FROM hookscope.deliveries WHERE id = ?",
            vec![Value::Integer(id as i64)],
        )?;
        Ok(rows.first().map(|r| {
            let judgement = Judgement {
                provider: r.get(0),
                verdict: codec::verdict_from_str(r.get(1)),
                generation: r.get(2),
            };
            (d, judgement)
        }))
    }

    /// For each delivery, whether the store already holds one with the same arrival time,
    /// method, path and body bytes.
    pub fn already_stored(&self, rows: &[Delivery]) -> Result<Vec<bool>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for d in rows {
            let hit = self.query(
                "SELECT 1 FROM hookscope.deliveries d JOIN hookscope.payloads p ON p.id = d.id \
                 WHERE d.received_at_ms = ? AND d.method = ? AND d.path = ? AND p.body = ? LIMIT 1",
                vec![
                    Value::Integer(d.received_at_ms),
                    Value::Text(d.method.clone()),
                    Value::Text(d.path.clone()),
                    Value::Blob(d.body.to_vec()),
                ],
            )?;
            out.push(!hit.is_empty());
        }
        Ok(out)
    }

    /// Deliveries (with bodies) chosen by `tail`: a condition on `d` plus ORDER BY and LIMIT.
    fn batch(&self, tail: &str, params: Vec<Value>) -> Result<Vec<Delivery>, StoreError> {
        let rows = self.query(
            &format!("SELECT {FULL_COLUMNS} FROM {WITH_PAYLOADS} WHERE {tail}"),
            params,
        )?;
        rows.iter().map(|r| self.delivery(r)).collect()
    }

    fn delivery(&self, r: &Row) -> Result<Delivery, StoreError> {
        let sql = |e: tokio_postgres::Error| self.shared(describe(&e));
        let id = r.try_get::<_, i64>(0).map_err(sql)? as u64;
        let corrupt = |message: String| StoreError::Corrupt { id, message };
        let status: Option<i32> = r.try_get(8).map_err(sql)?;
        let source: Option<String> = r.try_get(9).map_err(sql)?;
        let extra: Option<String> = r.try_get(10).map_err(sql)?;
        let response = match (status, source) {
            (Some(status), Some(source)) => Some(
                ResponseExtra::record(status as u16, source, extra.as_deref()).map_err(corrupt)?,
            ),
            _ => None,
        };
        let headers: Option<&[u8]> = r.try_get(12).map_err(sql)?;
        let body: Option<&[u8]> = r.try_get(13).map_err(sql)?;
        Ok(Delivery {
            id,
            received_at_ms: r.try_get(1).map_err(sql)?,
            method: r.try_get(2).map_err(sql)?,
            path: r.try_get(3).map_err(sql)?,
            query: r.try_get(4).map_err(sql)?,
            headers: codec::decode_headers(headers.unwrap_or_default())
                .ok_or_else(|| corrupt("the header list is not in the expected form".into()))?,
            body: Bytes::copy_from_slice(body.unwrap_or_default()),
            body_size: r.try_get::<_, i64>(5).map_err(sql)? as u64,
            peer: r.try_get(6).map_err(sql)?,
            rejected: r.try_get(7).map_err(sql)?,
            response,
            replay_of: r
                .try_get::<_, Option<i64>>(11)
                .map_err(sql)?
                .map(|v| v as u64),
        })
    }

    /// Queue an insert now; the future resolves with the id once it is committed (see
    /// [`super::Store::insert_then`]). It is committed even if the future is dropped.
    pub(crate) fn insert_then(
        &self,
        delivery: Delivery,
        judgement: Judgement,
        on_commit: Option<OnCommit>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send + 'static {
        let (ack, done) = oneshot::channel();
        let _ = self.jobs.send(PgJob::Insert(Box::new(InsertJob::new(
            delivery, judgement, ack, on_commit,
        ))));
        async move { done.await.map_err(|_| StoreError::WriterGone)? }
    }

    /// Wait until everything queued so far is committed and retention is applied.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Flush(tx));
        rx.await.map_err(|_| StoreError::WriterGone)
    }

    /// Where to report that the database stopped taking writes.
    pub fn on_warning(&self, warn: impl Fn(String) + Send + 'static) {
        self.send(Job::OnWarning(Box::new(warn)));
    }

    /// Keep only the newest `keep` deliveries (at least 1).
    pub fn set_keep(&self, keep: u64) {
        self.send(Job::SetKeep(keep));
    }

    /// Answer a list request.
    pub fn window(&self, req: &ListRequest) -> Result<ListWindow, StoreError> {
        window_over(&PgRows::of(self, req), req, None)
    }

    /// [`PgStore::window`] with the match count reported to `progress` first: the server
    /// counts in one query, so there is one step (`step` is SQLite's to use).
    pub fn window_with_progress(
        &self,
        req: &ListRequest,
        _step: u64,
        progress: &mut dyn FnMut(usize, u64, u64) -> bool,
    ) -> Result<Option<ListWindow>, StoreError> {
        let rows = PgRows::of(self, req);
        let matched = rows.matching(None)?;
        let all = self.count()?;
        if !progress(matched, all, all) {
            return Ok(None);
        }
        Ok(Some(window_over(&rows, req, Some(matched))?))
    }

    /// Every stored row counted by provider and verdict (`counts`, kept by triggers).
    pub fn counts(&self) -> Result<Counts, StoreError> {
        let rows = self.query(
            "SELECT provider, verdict, n FROM hookscope.counts WHERE n > 0",
            Vec::new(),
        )?;
        let mut out = Counts::default();
        for r in rows {
            let provider: String = r.get(0);
            let verdict: &str = r.get(1);
            out.add(
                Some(&provider),
                codec::verdict_from_str(verdict),
                r.get::<_, i64>(2) as u64,
            );
        }
        Ok(out)
    }

    /// Ids of every row `query` keeps, newest first or oldest first.
    pub fn matching_ids(
        &self,
        query: Option<&crate::tui::filter::Query>,
        newest_first: bool,
    ) -> Result<Vec<u64>, StoreError> {
        let req = ListRequest {
            seq: 0,
            query: query.cloned(),
            newest_first,
            anchor: Anchor::Newest,
            len: 0,
        };
        let f = PgRows::of(self, &req);
        let order = if newest_first { "DESC" } else { "ASC" };
        let rows = self.query(
            &format!(
                "SELECT d.id FROM {} WHERE ({}) ORDER BY d.id {order}",
                f.from, f.cond
            ),
            f.params.clone(),
        )?;
        Ok(rows.iter().map(|r| r.get::<_, i64>(0) as u64).collect())
    }

    /// Rows recorded as replays of `id`, oldest first.
    pub fn replays_of(&self, id: u64) -> Result<Vec<Summary>, StoreError> {
        self.summaries_where(
            "d.replay_of = ? ORDER BY d.id",
            vec![Value::Integer(id as i64)],
        )
    }

    /// The change feed's version (see [`feed`]); an error while the feed cannot listen.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        if let Some(why) = self
            .feed
            .down
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Err(self.shared(format!("not listening for changes: {why}")));
        }
        Ok(self.feed.version.load(Ordering::SeqCst))
    }

    /// Call `f` with every stored delivery (with its body), in ascending id order.
    pub fn for_each_delivery(&self, mut f: impl FnMut(Delivery)) -> Result<(), StoreError> {
        let mut after = 0i64;
        loop {
            let batch = self.batch(
                "d.id > ? ORDER BY d.id LIMIT ?",
                vec![Value::Integer(after), Value::Integer(BATCH)],
            )?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            after = last.id as i64;
            batch.into_iter().for_each(&mut f);
        }
    }

    /// How many rows are out of date against `current`.
    pub fn count_stale(&self, current: &Generations) -> Result<u64, StoreError> {
        let (cond, params) = current.stale_condition_postgres();
        let rows = self.query(
            &format!("SELECT count(*) FROM {DELIVERIES} WHERE {cond}"),
            params,
        )?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0)) as u64)
    }

    /// Up to `limit` out-of-date rows with their bodies, newest first, all below id `before`.
    pub fn stale_batch(
        &self,
        current: &Generations,
        before: u64,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let (cond, mut params) = current.stale_condition_postgres();
        params.push(Value::Integer(before.min(i64::MAX as u64) as i64));
        params.push(Value::Integer(limit as i64));
        self.batch(
            &format!("{cond} AND d.id < ? ORDER BY d.id DESC LIMIT ?"),
            params,
        )
    }

    /// Providers that have stored rows.
    pub fn stored_providers(&self) -> Result<Vec<String>, StoreError> {
        let rows = self.query(
            "SELECT DISTINCT provider FROM hookscope.counts WHERE n > 0 AND provider <> ''",
            Vec::new(),
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Queue a rewrite of stored judgements (one transaction); wait on the answer.
    pub fn queue_judgements(&self, judged: Vec<(u64, Judgement)>) -> PendingWrite {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Verdicts(judged, tx));
        PendingWrite(rx)
    }

    /// Insert every row in one transaction; the new ids in order.
    pub async fn import(&self, rows: Vec<ImportRow>) -> Result<Vec<u64>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let (job, acks) = super::bulk::import_job(rows);
        self.send(job);
        super::bulk::imported_ids(acks).await
    }

    /// Delete one delivery; `false` when there was none with that id.
    pub async fn delete(&self, id: u64) -> Result<bool, StoreError> {
        let (ack, done) = oneshot::channel();
        self.send(Job::Bulk(BulkJob::Delete(id, ack)));
        done.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Delete every delivery; returns how many.
    pub async fn clear(&self) -> Result<u64, StoreError> {
        let (ack, done) = oneshot::channel();
        self.send(Job::Bulk(BulkJob::Clear(ack)));
        done.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// One list request's filter over PostgreSQL, for [`window_over`].
struct PgRows<'a> {
    store: &'a PgStore,
    from: &'static str,
    cond: String,
    params: Vec<Value>,
}

impl<'a> PgRows<'a> {
    fn of(store: &'a PgStore, req: &ListRequest) -> PgRows<'a> {
        let (cond, params) = match &req.query {
            Some(q) => q.to_sql_postgres(),
            None => ("TRUE".into(), Vec::new()),
        };
        let bodies = req.query.as_ref().is_some_and(|q| q.searches_bodies());
        PgRows {
            store,
            from: if bodies { WITH_PAYLOADS } else { DELIVERIES },
            cond,
            params,
        }
    }
}

impl WindowRows for PgRows<'_> {
    type Error = StoreError;

    fn counts(&self) -> Result<Counts, StoreError> {
        self.store.counts()
    }

    fn matching(&self, above: Option<u64>) -> Result<usize, StoreError> {
        let mut params = self.params.clone();
        let extra = match above {
            Some(id) => {
                params.push(Value::Integer(id as i64));
                " AND d.id > ?"
            }
            None => "",
        };
        let rows = self.store.query(
            &format!(
                "SELECT count(*) FROM {} WHERE ({}){extra}",
                self.from, self.cond
            ),
            params,
        )?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0)) as usize)
    }

    fn rows(&self, desc: bool, offset: usize, len: usize) -> Result<Vec<Summary>, StoreError> {
        let order = if desc { "DESC" } else { "ASC" };
        let mut params = self.params.clone();
        params.push(Value::Integer(len as i64));
        params.push(Value::Integer(offset as i64));
        let rows = self.store.query(
            &format!(
                "SELECT {COLUMNS} FROM {} WHERE ({}) ORDER BY d.id {order} LIMIT ? OFFSET ?",
                self.from, self.cond
            ),
            params,
        )?;
        rows.iter()
            .map(summary)
            .collect::<Result<_, _>>()
            .map_err(|e| self.store.shared(describe(&e)))
    }
}

fn summary(r: &Row) -> Result<Summary, tokio_postgres::Error> {
    Ok(Summary {
        id: r.try_get::<_, i64>(0)? as u64,
        received_at_ms: r.try_get(1)?,
        method: r.try_get(2)?,
        path: r.try_get(3)?,
        provider: r.try_get(4)?,
        verdict: codec::verdict_from_str(r.try_get(5)?),
        body_size: r.try_get::<_, i64>(6)? as u64,
        status: r.try_get::<_, Option<i32>>(7)?.map(|s| s as u16),
        replay_of: r.try_get::<_, Option<i64>>(8)?.map(|v| v as u64),
        rejected: r.try_get(9)?,
    })
}

/// `sql` with each `?` numbered (`$1::text`, `$2::int8`, … by the parameter's type) and the
/// parameters as PostgreSQL values. The conditions built here never hold a `?` in a literal.
fn numbered(sql: &str, params: Vec<Value>) -> (String, Vec<Box<dyn ToSql + Sync + Send>>) {
    let mut out = String::with_capacity(sql.len() + 8 * params.len());
    let mut values: Vec<Box<dyn ToSql + Sync + Send>> = Vec::with_capacity(params.len());
    let mut params = params.into_iter();
    for c in sql.chars() {
        if c != '?' {
            out.push(c);
            continue;
        }
        let n = values.len() + 1;
        match params.next() {
            Some(Value::Integer(i)) => {
                out.push_str(&format!("${n}::int8"));
                values.push(Box::new(i));
            }
            Some(Value::Text(s)) => {
                out.push_str(&format!("${n}::text"));
                values.push(Box::new(s));
            }
            Some(Value::Real(f)) => {
                out.push_str(&format!("${n}::float8"));
                values.push(Box::new(f));
            }
            Some(Value::Blob(b)) => {
                out.push_str(&format!("${n}::bytea"));
                values.push(Box::new(b));
            }
            Some(Value::Null) | None => {
                out.push_str(&format!("${n}::text"));
                values.push(Box::new(None::<String>));
            }
        }
    }
    (out, values)
}

/// `host/pid` until the listener names itself with its port (`Store::set_listener`).
fn default_listener() -> String {
    format!("{}/{}", host_name(), std::process::id())
}

/// This machine's name (`/proc/sys/kernel/hostname`, else `$HOSTNAME`, else `localhost`).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_and_typed() {
        let (sql, params) = numbered(
            "a = ? AND b > ? LIMIT ?",
            vec![
                Value::Text("x".into()),
                Value::Integer(3),
                Value::Integer(9),
            ],
        );
        assert_eq!(sql, "a = $1::text AND b > $2::int8 LIMIT $3::int8");
        assert_eq!(params.len(), 3);
    }
}
