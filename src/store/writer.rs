//! The writer: the only code that writes the database, run by whoever holds it (see
//! [`super::queue`]: a request's task committing a batch of inserts, or the store thread).
//!
//! A batch of inserts is one transaction; each insert is acknowledged only after its commit.
//! Retention pruning runs between batches, in bounded chunks; WAL checkpoints run on a thread
//! of their own.

use super::StoreError;
use super::codec::encode_headers;
use crate::delivery::{Delivery, ResponseRecord};
use crate::verify::Verdict;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

mod bulk;
mod faults;
pub(crate) use bulk::BulkJob;

/// The highest id ever stored (ids are never reused, see `schema`) and the row count.
pub(crate) const LAST_ID_AND_COUNT: &str = "SELECT max(coalesce((SELECT max(id) FROM deliveries), 0), \
     coalesce((SELECT value FROM meta WHERE key = 'max_id'), 0)), (SELECT count(*) FROM deliveries)";

/// Rows deleted per pruning transaction.
const PRUNE_CHUNK: u64 = 2048;
/// Prune at once when this many rows are over the limit; otherwise at most once a second.
const PRUNE_EAGER: u64 = 256;
/// Pruning's slow pace, and its pause after a failure.
const PRUNE_RETRY: Duration = Duration::from_secs(1);

/// Payload bytes committed between wake-ups of the checkpointer thread.
const CHECKPOINT_EVERY: usize = 4 << 20;
/// When the WAL holds this much, a RESTART checkpoint briefly holds the writer back so the WAL
/// starts over from its beginning (under a steady stream a passive pass never catches the last
/// frames, and the WAL would keep growing). Most frames are already copied by then.
const WAL_RESTART_BYTES: i64 = 64 << 20;

/// Called by the writer with a warning for the user (the store fell back to memory).
pub(crate) type OnWarning = Box<dyn Fn(String) + Send>;

/// Called by the writer right after the commit (with the id set), or with the error.
pub(crate) type OnCommit = Box<dyn FnOnce(Result<Delivery, (Delivery, String)>) + Send>;

/// One delivery to insert.
pub(crate) struct InsertJob {
    pub delivery: Delivery,
    pub verdict: Verdict,
    pub provider: Option<String>,
    /// What the verdict was judged with (`Checker::generation`); `None`: re-verify it.
    pub generation: Option<String>,
    pub ack: oneshot::Sender<Result<u64, StoreError>>,
    pub on_commit: Option<OnCommit>,
}

impl InsertJob {
    pub(crate) fn new(
        delivery: Delivery,
        judgement: crate::checker::Judgement,
        ack: oneshot::Sender<Result<u64, StoreError>>,
        on_commit: Option<OnCommit>,
    ) -> InsertJob {
        InsertJob {
            delivery,
            verdict: judgement.verdict,
            provider: judgement.provider,
            generation: judgement.generation,
            ack,
            on_commit,
        }
    }

    /// Roughly what committing this insert writes: the body plus the row's other columns.
    pub(crate) fn write_size(&self) -> usize {
        self.delivery.body.len() + 64
    }
}

/// Work for the store thread (inserts are committed in batches, see [`super::queue`]).
pub(crate) enum Job {
    /// Commit everything queued before, prune fully, then answer.
    Flush(oneshot::Sender<()>),
    /// Change the retention limit.
    SetKeep(u64),
    /// Import, delete or clear: runs after the inserts queued before it (see [`bulk`]).
    Bulk(BulkJob),
    /// Rewrite stored judgements in one transaction (after everything queued before it).
    Verdicts(
        Vec<(u64, crate::checker::Judgement)>,
        oneshot::Sender<Result<(), StoreError>>,
    ),
    /// Where warnings go (replaces the previous receiver).
    OnWarning(OnWarning),
}

/// The writer's connection: its own (file) or shared with readers (in memory).
pub(crate) enum WriterConn {
    Own(Connection),
    Shared(Arc<Mutex<Connection>>),
}

/// Where to continue when the file stops taking writes: the readers' connection and the file.
pub(crate) struct Fallback {
    pub reader: Arc<Mutex<Connection>>,
    pub path: std::path::PathBuf,
}

pub(crate) struct Writer {
    conn: WriterConn,
    fallback: Option<Fallback>,
    /// The file's identity when opened, to notice it being deleted or replaced.
    identity: Option<faults::Identity>,
    /// Why new deliveries are not durable (kept in memory only), when they are not: each is
    /// then acknowledged with [`StoreError::NotStored`], so its sender is answered 503.
    not_stored: Option<String>,
    on_warning: Option<OnWarning>,
    checkpointer: Option<Checkpointer>,
    since_checkpoint_signal: usize,
    last_id: u64,
    count: u64,
    keep: u64,
    last_prune: Instant,
    prune_paused_until: Option<Instant>,
}

/// Extra response fields kept as JSON (`response_extra`); status and source are columns.
#[derive(Serialize, serde::Deserialize, Default)]
pub(crate) struct ResponseExtra {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl ResponseExtra {
    /// The stored response: the status and source columns with the JSON of the rest (`Err`
    /// says what is wrong with that JSON).
    pub(crate) fn record(
        status: u16,
        source: String,
        extra: Option<&str>,
    ) -> Result<ResponseRecord, String> {
        let extra: ResponseExtra = match extra {
            Some(json) => serde_json::from_str(json).map_err(|e| format!("response_extra: {e}"))?,
            None => ResponseExtra::default(),
        };
        Ok(ResponseRecord {
            status,
            source,
            latency_ms: extra.latency_ms,
            error: extra.error,
            headers: extra.headers,
            body: extra.body,
            rule: extra.rule,
        })
    }

    pub(crate) fn json_of(r: &ResponseRecord) -> Option<String> {
        if r.latency_ms.is_none()
            && r.error.is_none()
            && r.headers.is_empty()
            && r.body.is_empty()
            && r.rule.is_none()
        {
            return None;
        }
        let extra = ResponseExtra {
            latency_ms: r.latency_ms,
            error: r.error.clone(),
            headers: r.headers.clone(),
            body: r.body.clone(),
            rule: r.rule.clone(),
        };
        serde_json::to_string(&extra).ok()
    }
}

impl Writer {
    pub(crate) fn new(conn: WriterConn, keep: u64) -> rusqlite::Result<Writer> {
        let mut w = Writer {
            conn,
            fallback: None,
            identity: None,
            not_stored: None,
            on_warning: None,
            checkpointer: None,
            since_checkpoint_signal: 0,
            last_id: 0,
            count: 0,
            keep: keep.max(1),
            last_prune: Instant::now(),
            prune_paused_until: None,
        };
        let (last_id, count) = w.with_conn(|c| {
            c.query_row(LAST_ID_AND_COUNT, [], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
            })
        })?;
        w.last_id = last_id;
        w.count = count;
        Ok(w)
    }

    /// Move WAL checkpoints (copy to the main file + fsync) to a background thread with its own
    /// connection, so a commit never waits for the disk.
    pub(crate) fn with_checkpointer(mut self, conn: Connection) -> rusqlite::Result<Writer> {
        self.with_conn(|c| c.pragma_update(None, "wal_autocheckpoint", 0))?;
        self.checkpointer = Some(Checkpointer::spawn(conn));
        Ok(self)
    }

    /// Continue in memory (see [`super::fallback`]) if the file stops taking writes, and
    /// reopen the file if it is deleted or replaced while running.
    pub(crate) fn with_fallback(mut self, fallback: Fallback) -> Writer {
        self.identity = faults::Identity::of(&fallback.path);
        self.fallback = Some(fallback);
        self
    }

    /// Keep deliveries in memory only, acknowledging each as not stored (`reason` says why).
    pub(crate) fn not_durable(mut self, reason: String) -> Writer {
        self.not_stored = Some(reason);
        self
    }

    fn with_conn<R>(&mut self, f: impl FnOnce(&mut Connection) -> R) -> R {
        match &mut self.conn {
            WriterConn::Own(c) => f(c),
            WriterConn::Shared(m) => f(&mut m.lock().unwrap_or_else(|e| e.into_inner())),
        }
    }

    /// Commit a batch of inserts in one transaction (see [`super::queue`] for who calls this).
    pub(crate) fn commit_batch(&mut self, jobs: Vec<InsertJob>) {
        let bytes = jobs.iter().map(InsertJob::write_size).sum();
        self.commit(jobs);
        self.after_commit(bytes);
    }

    /// Run a job that is not an insert, on the store thread.
    pub(crate) fn run_job(&mut self, job: Job) {
        match job {
            Job::Flush(done) => {
                self.prune(true);
                let _ = done.send(());
            }
            Job::SetKeep(k) => self.keep = k.max(1),
            Job::Bulk(b) => self.bulk(b),
            Job::Verdicts(v, done) => {
                let _ = done.send(self.with_conn(|c| super::rescan::write_judgements(c, &v)));
            }
            Job::OnWarning(w) => self.on_warning = Some(w),
        }
    }

    /// Whether retention wants a pruning step now: at once when [`PRUNE_EAGER`] rows are over
    /// the limit, otherwise at most once a second.
    pub(crate) fn prune_due(&self) -> bool {
        let excess = self.count.saturating_sub(self.keep);
        if excess == 0 || self.prune_paused_until.is_some_and(|t| Instant::now() < t) {
            return false;
        }
        excess >= PRUNE_EAGER || self.last_prune.elapsed() >= PRUNE_RETRY
    }

    /// Delete one chunk of the oldest rows beyond `keep`.
    pub(crate) fn prune_step(&mut self) {
        self.prune(false);
    }

    fn after_commit(&mut self, bytes: usize) {
        let Some(checkpointer) = &self.checkpointer else {
            return;
        };
        self.since_checkpoint_signal += bytes;
        if self.since_checkpoint_signal >= CHECKPOINT_EVERY {
            self.since_checkpoint_signal = 0;
            checkpointer.wake();
        }
    }

    fn commit(&mut self, mut jobs: Vec<InsertJob>) {
        self.check_file();
        if let Some(reason) = &self.not_stored {
            faults::mark_not_stored(&mut jobs, reason);
        }
        let first = self.last_id + 1;
        let mut result = self.with_conn(|c| write_batch(c, &jobs, first));
        if let Err(e) = &result
            && storage_failed(e)
            && let Some(target) = self.fallback.take()
        {
            match self.fall_back(target, e) {
                Ok(reason) => {
                    faults::mark_not_stored(&mut jobs, &reason);
                    result = self.with_conn(|c| write_batch(c, &jobs, first));
                }
                Err(why) => tracing::error!("{why}"),
            }
        }
        match result {
            Ok(first) => {
                let n = jobs.len() as u64;
                self.last_id = first + n - 1;
                self.count += n;
                for (i, job) in jobs.into_iter().enumerate() {
                    let id = first + i as u64;
                    let mut d = job.delivery;
                    d.id = id;
                    // Sinks hear about it before the sender is answered.
                    if let Some(cb) = job.on_commit {
                        cb(Ok(d));
                    }
                    let ack = match &self.not_stored {
                        None => Ok(id),
                        Some(reason) => Err(StoreError::NotStored {
                            id,
                            reason: reason.clone(),
                        }),
                    };
                    let _ = job.ack.send(ack);
                }
            }
            Err(e) => {
                let msg = format!("cannot write to the capture database: {e}");
                tracing::error!("{msg}");
                for job in jobs {
                    if let Some(cb) = job.on_commit {
                        cb(Err((job.delivery, msg.clone())));
                    }
                    let _ = job.ack.send(Err(StoreError::Write(msg.clone())));
                }
            }
        }
    }

    /// Delete the oldest rows beyond `keep`: fully when `all`, else one chunk when due.
    fn prune(&mut self, all: bool) {
        while self.count > self.keep && (all || self.prune_due()) {
            self.last_prune = Instant::now();
            let n = (self.count - self.keep).min(PRUNE_CHUNK);
            match self.with_conn(|c| delete_oldest(c, n)) {
                Ok(0) => {
                    // The count was off (another process deleted rows): recount, and pause so
                    // a wrong count cannot make pruning spin.
                    let _ = self.resync();
                    self.prune_paused_until = Some(Instant::now() + PRUNE_RETRY);
                    return;
                }
                Ok(deleted) => self.count = self.count.saturating_sub(deleted),
                Err(e) => {
                    tracing::warn!("pruning old deliveries failed: {e}");
                    self.prune_paused_until = Some(Instant::now() + PRUNE_RETRY);
                    return;
                }
            }
            if !all {
                return;
            }
        }
    }
}

/// The background checkpoint thread.
struct Checkpointer {
    wake: std::sync::mpsc::SyncSender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn spawn(conn: Connection) -> Checkpointer {
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("hookscope-ckpt".into())
            .spawn(move || {
                let page_size: i64 = conn
                    .query_row("PRAGMA page_size", [], |r| r.get(0))
                    .unwrap_or(4096);
                while woken.recv().is_ok() {
                    // PASSIVE copies what it can without blocking the writer or readers.
                    let frames = conn
                        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1));
                    let result = match frames {
                        Ok(n) if n * page_size >= WAL_RESTART_BYTES => conn
                            .query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))
                            .map(|_| 0),
                        other => other,
                    };
                    if let Err(e) = result {
                        tracing::warn!("WAL checkpoint failed: {e}");
                    }
                }
            })
            .expect("spawning the checkpoint thread");
        Checkpointer {
            wake,
            thread: Some(thread),
        }
    }

    fn wake(&self) {
        let _ = self.wake.try_send(());
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (closed, _) = std::sync::mpsc::sync_channel(1);
        drop(std::mem::replace(&mut self.wake, closed));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Whether an error means the file itself stopped taking writes (full, I/O, read-only, corrupt)
/// — the case for continuing in memory — rather than a problem with the rows being written
/// (e.g. a constraint violation in an import, which must fail as a whole).
pub(super) fn storage_failed(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode as C;
    matches!(
        e.sqlite_error_code(),
        Some(
            C::DiskFull
                | C::SystemIoFailure
                | C::ReadOnly
                | C::DatabaseCorrupt
                | C::NotADatabase
                | C::CannotOpen
                | C::PermissionDenied
                | C::FileLockingProtocolFailed
                | C::NoLargeFileSupport
        )
    )
}

/// Insert `jobs` with ids from `first_id` on, or after the highest id ever stored when another
/// process (an import beside this listener) took those: read under the write lock, so no other
/// writer can take them between the read and the insert. Returns the first id used.
///
/// Every statement of a batch, `BEGIN` and `COMMIT` included, is a cached prepared statement:
/// a capture batch parses no SQL. On any error the transaction is rolled back.
fn write_batch(conn: &mut Connection, jobs: &[InsertJob], first_id: u64) -> rusqlite::Result<u64> {
    conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
    let written = insert_rows(conn, jobs, first_id)
        .and_then(|first| conn.prepare_cached("COMMIT")?.execute([]).map(|_| first));
    if written.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    written
}

/// The inserts of [`write_batch`], inside its transaction.
fn insert_rows(conn: &Connection, jobs: &[InsertJob], first_id: u64) -> rusqlite::Result<u64> {
    // `main.`: the tables written to (in memory after a fallback, where the unqualified names
    // are views over the file and memory, see `LAST_ID_AND_COUNT`).
    let taken: i64 = conn
        .prepare_cached(
            "SELECT max(coalesce((SELECT max(id) FROM main.deliveries), 0), \
             coalesce((SELECT value FROM main.meta WHERE key = 'max_id'), 0))",
        )?
        .query_row([], |r| r.get(0))?;
    let first_id = first_id.max(taken as u64 + 1);
    let mut meta = conn.prepare_cached(
        "INSERT INTO main.deliveries (id, received_at_ms, method, path, query, \
         body_size, peer, rejected, status, response_source, response_extra, replay_of, provider, \
         verdict, generation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
         ?15)",
    )?;
    let mut payload =
        conn.prepare_cached("INSERT INTO main.payloads (id, headers, body) VALUES (?1, ?2, ?3)")?;
    for (i, job) in jobs.iter().enumerate() {
        let id = (first_id + i as u64) as i64;
        let d = &job.delivery;
        let r = d.response.as_ref();
        meta.execute(params![
            id,
            d.received_at_ms,
            d.method,
            d.path,
            d.query,
            d.body_size as i64,
            d.peer,
            d.rejected,
            r.map(|r| r.status),
            r.map(|r| r.source.as_str()),
            r.and_then(ResponseExtra::json_of),
            d.replay_of.map(|v| v as i64),
            job.provider,
            job.verdict.as_str(),
            job.generation,
        ])?;
        payload.execute(params![id, encode_headers(&d.headers), &d.body[..]])?;
    }
    add_to_counts(conn, jobs).map(|_| first_id)
}

/// Count the batch's rows in `counts`: one upsert per provider and verdict in the batch (see
/// `schema`: inserts have no trigger).
fn add_to_counts(conn: &Connection, jobs: &[InsertJob]) -> rusqlite::Result<()> {
    let mut groups: Vec<(&str, &str, i64)> = Vec::new();
    for job in jobs {
        let key = (job.provider.as_deref().unwrap_or(""), job.verdict.as_str());
        match groups.iter_mut().find(|g| (g.0, g.1) == key) {
            Some(g) => g.2 += 1,
            None => groups.push((key.0, key.1, 1)),
        }
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO main.counts VALUES (?1, ?2, ?3) \
         ON CONFLICT (provider, verdict) DO UPDATE SET n = n + excluded.n",
    )?;
    for (provider, verdict, n) in groups {
        upsert.execute(params![provider, verdict, n])?;
    }
    Ok(())
}

fn delete_oldest(conn: &mut Connection, n: u64) -> rusqlite::Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let cutoff: Option<i64> = tx
        .query_row(
            "SELECT id FROM main.deliveries ORDER BY id LIMIT 1 OFFSET ?1",
            [n as i64],
            |r| r.get(0),
        )
        .optional()?;
    let deleted = match cutoff {
        Some(cutoff) => {
            let d = tx.execute("DELETE FROM main.deliveries WHERE id < ?1", [cutoff])?;
            tx.execute("DELETE FROM main.payloads WHERE id < ?1", [cutoff])?;
            d as u64
        }
        None => 0,
    };
    tx.commit()?;
    Ok(deleted)
}
