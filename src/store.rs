//! The capture store: SQLite (`hookscope.db` in the data directory, the default) or a shared
//! PostgreSQL database ([`pg`], `--store postgres://…`). [`Store`] is the one interface every
//! caller uses; both backends keep the same schema, promises and acknowledgement rule.
//!
//! SQLite is the only owner of its file:
//! Every write goes through one ordered queue ([`queue`]); inserts are committed in batches by
//! the task that queued them when the writer is free (group commit), everything else by the
//! store thread. Readers use their own connection, so the dashboard can query from its thread
//! while capture writes.
//! The table layout, durability choice and page size are documented in [`schema`].
//! Nothing secret is stored: a delivery's provider name and verdict, never a secret.

mod bulk;
mod codec;
mod fallback;
mod list;
mod queue;
mod rescan;
pub mod schema;
mod writer;

pub mod pg;

pub use crate::checker::Judgement;
use crate::delivery::{Delivery, Summary};
use crate::verify::Verdict;
pub use bulk::ImportRow;
use bytes::Bytes;
pub use list::COUNT_STEP;
use queue::Queue;
pub use rescan::{Generations, PendingWrite};
use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;
pub(crate) use writer::OnCommit;
use writer::{Fallback, InsertJob, Job, Writer, WriterConn};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "hookscope.db";

/// Default retention: the newest 100,000 deliveries.
pub const DEFAULT_KEEP: u64 = 100_000;

/// Why the store could not do something.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the capture database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the capture database {path} has schema version {found}, newer than this hookscope \
         understands ({supported}); upgrade hookscope or choose another --data-dir"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("capture database query failed: {0}")]
    Query(#[from] rusqlite::Error),
    #[error("{0}")]
    Write(String),
    #[error("the capture store stopped before answering")]
    WriterGone,
    #[error("stored delivery {id} is unreadable: {message}")]
    Corrupt { id: u64, message: String },
    #[error("cannot use the shared capture database {location}: {message}")]
    Shared { location: String, message: String },
    /// Kept in memory only (shown, lost at exit): the file cannot take writes.
    #[error("not stored: {reason}")]
    NotStored { id: u64, reason: String },
}

/// Handle to the store; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(Lite),
    Postgres(Arc<pg::PgStore>),
}

/// The SQLite store (see the module docs).
#[derive(Clone)]
pub(crate) struct Lite {
    inner: Arc<Inner>,
}

/// Run `$e` with `$s` bound to whichever backend the store has (both have the same methods).
macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match &$self.backend {
            Backend::Sqlite($s) => $e,
            Backend::Postgres($s) => $e,
        }
    };
}

struct Inner {
    queue: Arc<Queue>,
    reader: Arc<Mutex<Connection>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path())
            .field("shared", &self.shared_location())
            .finish()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The store thread finishes what is queued and exits; the writer (and with it the
        // database connection) closes when the last reference to the queue goes.
        self.queue.close();
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
    }
}

impl Lite {
    /// Open (or create) `hookscope.db` in `dir`, creating the directory (mode 0700) if needed.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let fallback::FileConns {
            writer: conn,
            reader,
            checkpoint,
        } = fallback::open_file(&path)?;
        let reader = Arc::new(Mutex::new(reader));
        let fallback = Fallback {
            reader: reader.clone(),
            path: path.clone(),
        };
        let writer = Writer::new(WriterConn::Own(conn), DEFAULT_KEEP)
            .and_then(|w| w.with_checkpointer(checkpoint))
            .map_err(open_err)?
            .with_fallback(fallback);
        Ok(Lite::spawn(writer, reader, Some(path)))
    }

    /// A store that lives in memory only (`--no-store`); same behaviour, nothing on disk.
    pub fn in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open_in_memory().map_err(open_err)?;
        schema::prepare(&mut conn, false).map_err(open_err)?;
        let shared = Arc::new(Mutex::new(conn));
        let writer =
            Writer::new(WriterConn::Shared(shared.clone()), DEFAULT_KEEP).map_err(open_err)?;
        Ok(Lite::spawn(writer, shared, None))
    }

    fn spawn(writer: Writer, reader: Arc<Mutex<Connection>>, path: Option<PathBuf>) -> Store {
        Store {
            backend: Backend::Sqlite(Lite::spawn_lite(writer, reader, path)),
        }
    }

    fn spawn_lite(writer: Writer, reader: Arc<Mutex<Connection>>, path: Option<PathBuf>) -> Lite {
        let queue = Arc::new(Queue::new(writer));
        let runner = queue.clone();
        let thread = std::thread::Builder::new()
            .name("hookscope-store".into())
            .spawn(move || runner.run_thread())
            .expect("spawning the store thread");
        Lite {
            inner: Arc::new(Inner {
                queue,
                reader,
                thread: Mutex::new(Some(thread)),
                path,
            }),
        }
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.inner.reader.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn send(&self, job: Job) {
        self.inner.queue.push_other(job);
    }

    /// Number of stored deliveries.
    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .reader()
            .query_row("SELECT count(*) FROM deliveries", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// All rows, oldest first (for the dashboard index; no bodies loaded).
    pub fn summaries(&self) -> Result<Vec<Summary>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM deliveries d ORDER BY d.id",
            list::COLUMNS
        ))?;
        let rows = stmt.query_map([], list::summary)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// One full delivery with its body.
    pub fn get(&self, id: u64) -> Result<Option<Delivery>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT d.received_at_ms, d.method, d.path, d.query, d.body_size, d.peer, d.rejected, \
             d.status, d.response_source, d.response_extra, d.replay_of, p.headers, p.body \
             FROM deliveries d LEFT JOIN payloads p ON p.id = d.id WHERE d.id = ?1",
        )?;
        let row = stmt
            .query_row([id as i64], |r| {
                let status: Option<u16> = r.get(7)?;
                let source: Option<String> = r.get(8)?;
                let extra: Option<String> = r.get(9)?;
                let headers: Option<Vec<u8>> = r.get(11)?;
                let body = match r.get_ref(12)? {
                    rusqlite::types::ValueRef::Blob(b) => Bytes::copy_from_slice(b),
                    _ => Bytes::new(),
                };
                let d = Delivery {
                    id,
                    received_at_ms: r.get(0)?,
                    method: r.get(1)?,
                    path: r.get(2)?,
                    query: r.get(3)?,
                    headers: Vec::new(),
                    body,
                    body_size: r.get::<_, i64>(4)? as u64,
                    peer: r.get(5)?,
                    rejected: r.get(6)?,
                    response: None,
                    replay_of: r.get::<_, Option<i64>>(10)?.map(|v| v as u64),
                };
                Ok((d, status, source, extra, headers))
            })
            .optional()?;
        let Some((mut d, status, source, extra, headers)) = row else {
            return Ok(None);
        };
        let corrupt = |message: String| StoreError::Corrupt { id, message };
        d.headers = codec::decode_headers(&headers.unwrap_or_default())
            .ok_or_else(|| corrupt("the header list is not in the expected form".into()))?;
        if let (Some(status), Some(source)) = (status, source) {
            d.response = Some(
                writer::ResponseExtra::record(status, source, extra.as_deref()).map_err(corrupt)?,
            );
        }
        Ok(Some(d))
    }

    /// One full delivery with the verdict the store holds for it.
    pub fn get_judged(&self, id: u64) -> Result<Option<(Delivery, Judgement)>, StoreError> {
        let Some(d) = self.get(id)? else {
            return Ok(None);
        };
        let judgement = self
            .reader()
            .prepare_cached("SELECT provider, verdict, generation FROM deliveries WHERE id = ?1")?
            .query_row([id as i64], |r| {
                Ok(Judgement {
                    provider: r.get(0)?,
                    verdict: codec::verdict_from_str(r.get_ref(1)?.as_str()?),
                    generation: r.get(2)?,
                })
            })
            .optional()?;
        Ok(judgement.map(|j| (d, j)))
    }

    /// Queue an insert now, before the returned future is first polled; the future resolves
    /// with the id once it is committed. `on_commit` runs right after the commit (in id order),
    /// before the future resolves. The insert is committed even if the future is dropped.
    ///
    /// The future first yields once, so the other requests ready on this runtime worker queue
    /// their inserts too, then commits everything queued if the writer is free (group commit
    /// on the request's own task, see [`queue`]); otherwise the writer's holder commits it.
    pub(crate) fn insert_then(
        &self,
        delivery: Delivery,
        judgement: Judgement,
        on_commit: Option<OnCommit>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send + 'static {
        let (ack, done) = oneshot::channel();
        self.inner
            .queue
            .push_insert(InsertJob::new(delivery, judgement, ack, on_commit));
        let lead = LeadOnDrop(self.inner.queue.clone());
        async move {
            tokio::task::yield_now().await;
            drop(lead);
            done.await.map_err(|_| StoreError::WriterGone)?
        }
    }

    /// Wait until everything queued so far is committed and retention is applied.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Flush(tx));
        rx.await.map_err(|_| StoreError::WriterGone)
    }

    /// Where to report that the file stopped taking writes and capture continues in memory.
    pub fn on_warning(&self, warn: impl Fn(String) + Send + 'static) {
        self.send(Job::OnWarning(Box::new(warn)));
    }

    /// Keep only the newest `keep` deliveries (at least 1); older ones are pruned in the background.
    pub fn set_keep(&self, keep: u64) {
        self.send(Job::SetKeep(keep));
    }
}

impl Store {
    /// Open (or create) `hookscope.db` in `dir`, creating the directory (mode 0700) if needed.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Lite::open(dir)
    }

    /// A store that lives in memory only (`--no-store`); same behaviour, nothing on disk.
    pub fn in_memory() -> Result<Store, StoreError> {
        Lite::in_memory()
    }

    /// The store of a data directory that cannot be written (see [`fallback`]): the file's
    /// deliveries stay readable, new ones are kept in memory and acknowledged as not stored.
    /// Returns whether the file's deliveries could be read.
    pub fn open_read_only(dir: &Path, why: &str) -> Result<(Store, bool), StoreError> {
        Lite::open_read_only(dir, why)
    }

    /// Connect to a shared PostgreSQL database (`postgres://…`), bringing its schema up to date.
    pub fn open_postgres(url: &str) -> Result<Store, StoreError> {
        Ok(Store {
            backend: Backend::Postgres(Arc::new(pg::PgStore::open(url)?)),
        })
    }

    /// The database file, or `None` in memory or on PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(s) => s.path(),
            Backend::Postgres(_) => None,
        }
    }

    /// The shared database this store writes to (`postgres://user@host:port/db`, no password),
    /// or `None` for SQLite.
    pub fn shared_location(&self) -> Option<String> {
        match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(p) => Some(p.location().to_string()),
        }
    }

    /// Name the listener recorded with each delivery this process stores (shared databases
    /// only; one listener owns a SQLite file).
    pub fn set_listener(&self, name: String) {
        if let Backend::Postgres(p) = &self.backend {
            p.set_listener(name);
        }
    }

    /// Number of stored deliveries.
    pub fn count(&self) -> Result<u64, StoreError> {
        each!(self, s => s.count())
    }

    /// All rows, oldest first (for the dashboard index; no bodies loaded).
    pub fn summaries(&self) -> Result<Vec<Summary>, StoreError> {
        each!(self, s => s.summaries())
    }

    /// One full delivery with its body.
    pub fn get(&self, id: u64) -> Result<Option<Delivery>, StoreError> {
        each!(self, s => s.get(id))
    }

    /// One full delivery with the verdict the store holds for it.
    pub fn get_judged(&self, id: u64) -> Result<Option<(Delivery, Judgement)>, StoreError> {
        each!(self, s => s.get_judged(id))
    }

    /// For each delivery, whether the store already holds it: a row with the same arrival time,
    /// method, path and body bytes (what a second import of the same file finds).
    pub fn already_stored(&self, rows: &[Delivery]) -> Result<Vec<bool>, StoreError> {
        each!(self, s => s.already_stored(rows))
    }

    /// Insert (assigns `id`), waiting until committed. Its generation is unknown, so the
    /// re-verifier judges it again; [`Store::insert_judged`] stores one.
    pub async fn insert(
        &self,
        d: Delivery,
        summary_verdict: Verdict,
        provider: Option<String>,
    ) -> Result<u64, StoreError> {
        let judgement = Judgement {
            verdict: summary_verdict,
            provider,
            generation: None,
        };
        self.insert_then(d, judgement, None).await
    }

    /// Insert with what it was judged with, waiting until committed.
    pub async fn insert_judged(
        &self,
        d: Delivery,
        judgement: Judgement,
    ) -> Result<u64, StoreError> {
        self.insert_then(d, judgement, None).await
    }

    /// Queue an insert now, before the returned future is first polled; the future resolves
    /// with the id once it is committed. `on_commit` runs right after the commit (in id order),
    /// before the future resolves. The insert is committed even if the future is dropped.
    pub(crate) fn insert_then(
        &self,
        delivery: Delivery,
        judgement: Judgement,
        on_commit: Option<OnCommit>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<u64, StoreError>> + Send + 'static>> {
        each!(self, s => Box::pin(s.insert_then(delivery, judgement, on_commit)))
    }

    /// Wait until everything queued so far is committed and retention is applied.
    pub async fn flush(&self) -> Result<(), StoreError> {
        each!(self, s => s.flush().await)
    }

    /// Where to report that the store stopped taking writes (the file, or the shared database).
    pub fn on_warning(&self, warn: impl Fn(String) + Send + 'static) {
        each!(self, s => s.on_warning(warn))
    }

    /// Keep only the newest `keep` deliveries (at least 1); older ones are pruned in the background.
    pub fn set_keep(&self, keep: u64) {
        each!(self, s => s.set_keep(keep))
    }

    /// Answer a list request from the store (see [`crate::listing`]).
    pub fn window(
        &self,
        req: &crate::listing::ListRequest,
    ) -> Result<crate::listing::ListWindow, StoreError> {
        each!(self, s => s.window(req))
    }

    /// [`Store::window`] for a question that searches bodies: the match count is taken in steps
    /// (of up to `step` ids; the dashboard uses [`COUNT_STEP`]), and `progress(matched so far,
    /// ids scanned, ids in all)` hears after each (return `false` to give up: `Ok(None)`).
    pub fn window_with_progress(
        &self,
        req: &crate::listing::ListRequest,
        step: u64,
        progress: &mut dyn FnMut(usize, u64, u64) -> bool,
    ) -> Result<Option<crate::listing::ListWindow>, StoreError> {
        each!(self, s => s.window_with_progress(req, step, progress))
    }

    /// Every stored row counted by provider and verdict.
    pub fn counts(&self) -> Result<crate::listing::Counts, StoreError> {
        each!(self, s => s.counts())
    }

    /// Ids of every row `query` keeps (all without one), newest first or oldest first.
    pub fn matching_ids(
        &self,
        query: Option<&crate::tui::filter::Query>,
        newest_first: bool,
    ) -> Result<Vec<u64>, StoreError> {
        each!(self, s => s.matching_ids(query, newest_first))
    }

    /// Rows recorded as replays of `id`, oldest first.
    pub fn replays_of(&self, id: u64) -> Result<Vec<Summary>, StoreError> {
        each!(self, s => s.replays_of(id))
    }

    /// The change feed: a number that changes whenever anyone (this process's writer, another
    /// process: an import, a replay, another listener, pruning) committed to the store since
    /// the last call. SQLite: `PRAGMA data_version`; PostgreSQL: `LISTEN`/`NOTIFY`.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        each!(self, s => s.data_version())
    }

    /// Call `f` with every stored delivery (with its body), in ascending id order.
    pub fn for_each_delivery(&self, f: impl FnMut(Delivery)) -> Result<(), StoreError> {
        each!(self, s => s.for_each_delivery(f))
    }

    /// How many rows are out of date against `current` (see [`Generations`]).
    pub fn count_stale(&self, current: &Generations) -> Result<u64, StoreError> {
        each!(self, s => s.count_stale(current))
    }

    /// Up to `limit` out-of-date rows with their bodies, newest first, all below id `before`.
    pub fn stale_batch(
        &self,
        current: &Generations,
        before: u64,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        each!(self, s => s.stale_batch(current, before, limit))
    }

    /// Providers that have stored rows.
    pub fn stored_providers(&self) -> Result<Vec<String>, StoreError> {
        each!(self, s => s.stored_providers())
    }

    /// Rewrite stored judgements (verdict, provider, generation), all in one transaction, so a
    /// restart shows them. Ids no longer stored are skipped. Blocks until written.
    pub fn update_judgements(&self, judged: Vec<(u64, Judgement)>) -> Result<(), StoreError> {
        self.queue_judgements(judged).wait()
    }

    /// [`Store::update_judgements`] without waiting: the caller can judge the next batch while
    /// this one is written, and waits on the returned [`PendingWrite`] before counting it done.
    pub fn queue_judgements(&self, judged: Vec<(u64, Judgement)>) -> PendingWrite {
        each!(self, s => s.queue_judgements(judged))
    }

    /// Insert every row in one transaction and return the new ids in order. On failure nothing
    /// is committed.
    pub async fn import(&self, rows: Vec<ImportRow>) -> Result<Vec<u64>, StoreError> {
        each!(self, s => s.import(rows).await)
    }

    /// Delete one delivery; `false` when there was none with that id.
    pub async fn delete(&self, id: u64) -> Result<bool, StoreError> {
        each!(self, s => s.delete(id).await)
    }

    /// Delete every delivery; returns how many. New deliveries keep getting higher ids.
    pub async fn clear(&self) -> Result<u64, StoreError> {
        each!(self, s => s.clear().await)
    }
}

/// Commits the queued inserts when dropped: an insert is never left waiting for a leader that
/// will not come, even if the future that queued it is dropped.
struct LeadOnDrop(Arc<Queue>);

impl Drop for LeadOnDrop {
    fn drop(&mut self) {
        self.0.lead();
    }
}

/// Create the database file empty with mode 0600 if missing: it holds webhook bodies, and
/// SQLite gives its WAL and shared-memory files the same mode.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::ResponseRecord;
    use std::time::Duration;

    fn unjudged() -> Judgement {
        Judgement {
            verdict: Verdict::Unverified,
            provider: None,
            generation: None,
        }
    }

    fn delivery(body: &[u8]) -> Delivery {
        Delivery {
            received_at_ms: 1_763_805_600_123,
            method: "POST".into(),
            path: "/hooks/x".into(),
            query: "a=1".into(),
            headers: vec![
                ("content-type".into(), b"application/json".to_vec()),
                ("x-dup".into(), b"1".to_vec()),
                ("x-dup".into(), b"2".to_vec()),
            ],
            body: Bytes::copy_from_slice(body),
            body_size: body.len() as u64,
            peer: Some("127.0.0.1:5000".into()),
            response: Some(ResponseRecord {
                status: 200,
                source: "hookscope".into(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn insert_get_and_summaries_round_trip() {
        let store = Store::in_memory().unwrap();
        let body = b"\x00\xff{\"a\":1}\n";
        let id1 = store
            .insert(delivery(body), Verdict::Verified, Some("zoom".into()))
            .await
            .unwrap();
        let mut second = delivery(b"");
        second.rejected = Some("body_too_large".into());
        second.body_size = 99;
        second.response = Some(ResponseRecord {
            status: 502,
            source: "error".into(),
            error: Some("connection refused".into()),
            latency_ms: Some(3),
            ..Default::default()
        });
        let id2 = store
            .insert(second.clone(), Verdict::Failed, None)
            .await
            .unwrap();
        assert_eq!((id1, id2), (1, 2));
        let got = store.get(id1).unwrap().unwrap();
        assert_eq!(
            got,
            Delivery {
                id: 1,
                ..delivery(body)
            }
        );
        assert_eq!(
            store.get(id2).unwrap().unwrap(),
            Delivery { id: 2, ..second }
        );
        assert!(store.get(3).unwrap().is_none());
        let rows = store.summaries().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].provider.as_deref(), Some("zoom"));
        assert_eq!(rows[0].verdict, Verdict::Verified);
        assert_eq!(rows[1].status, Some(502));
        assert!(rows[1].rejected && !rows[0].rejected);
        assert_eq!(store.count().unwrap(), 2);
    }

    #[tokio::test]
    async fn retention_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.set_keep(3);
        for i in 0..10u8 {
            store
                .insert(delivery(&[i]), Verdict::Unverified, None)
                .await
                .unwrap();
        }
        store.flush().await.unwrap();
        let ids: Vec<u64> = store.summaries().unwrap().iter().map(|s| s.id).collect();
        assert_eq!(ids, vec![8, 9, 10]);
        assert_eq!(
            store.get(10).unwrap().unwrap().body,
            Bytes::from_static(&[9])
        );
        assert!(store.get(7).unwrap().is_none());
        drop(store);
        // Ids keep increasing after a reopen.
        let store = Store::open(dir.path()).unwrap();
        let id = store
            .insert(delivery(b"x"), Verdict::Unverified, None)
            .await
            .unwrap();
        assert_eq!(id, 11);
    }

    #[tokio::test]
    async fn concurrent_inserts_get_distinct_ids() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tasks = Vec::new();
        for i in 0..200u32 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                let id = s
                    .insert(delivery(&i.to_be_bytes()), Verdict::Unverified, None)
                    .await
                    .unwrap();
                (id, i)
            }));
        }
        for t in tasks {
            let (id, i) = t.await.unwrap();
            assert_eq!(
                store.get(id).unwrap().unwrap().body,
                Bytes::copy_from_slice(&i.to_be_bytes())
            );
        }
        assert_eq!(store.count().unwrap(), 200);
    }

    #[test]
    fn inserts_racing_from_many_threads_are_all_committed() {
        // Each thread waits for every insert it queues, so an insert left behind by a leader
        // (queued while the writer was busy, then never committed) fails the timeout.
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let threads: Vec<_> = (0..4u32)
            .map(|t| {
                let s = store.clone();
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_time()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        let mut ids = Vec::new();
                        for i in 0..300u32 {
                            let insert = s.insert(
                                delivery(&(t * 1000 + i).to_be_bytes()),
                                Verdict::Unverified,
                                None,
                            );
                            let id = tokio::time::timeout(Duration::from_secs(20), insert)
                                .await
                                .expect("an insert was left uncommitted")
                                .unwrap();
                            ids.push(id);
                        }
                        ids
                    })
                })
            })
            .collect();
        let mut ids: Vec<u64> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 1200);
        assert_eq!(store.count().unwrap(), 1200);
    }

    #[tokio::test]
    async fn ids_taken_by_another_process_are_skipped_not_fatal() {
        // Two stores on one file stand for a listener and `hookscope import` run beside it.
        let dir = tempfile::tempdir().unwrap();
        let listener = Store::open(dir.path()).unwrap();
        let one = listener.insert(delivery(b"1"), Verdict::Unverified, None);
        assert_eq!(one.await.unwrap(), 1);
        let other = Store::open(dir.path()).unwrap();
        let imported = other.import(vec![(delivery(b"2"), unjudged())]);
        assert_eq!(imported.await.unwrap(), vec![2]);
        drop(other);
        // The listener still believes 2 is free.
        let next = listener.insert(delivery(b"3"), Verdict::Unverified, None);
        assert_eq!(next.await.unwrap(), 3);
        let after = listener.insert(delivery(b"4"), Verdict::Unverified, None);
        assert_eq!(after.await.unwrap(), 4);
        assert_eq!(
            listener.get(2).unwrap().unwrap().body,
            Bytes::from_static(b"2")
        );
        assert_eq!(
            listener.get(3).unwrap().unwrap().body,
            Bytes::from_static(b"3")
        );
    }

    #[tokio::test]
    async fn a_stale_row_count_does_not_make_pruning_spin() {
        let dir = tempfile::tempdir().unwrap();
        let listener = Store::open(dir.path()).unwrap();
        for i in 0..300u32 {
            let insert = listener.insert(delivery(&i.to_be_bytes()), Verdict::Unverified, None);
            insert.await.unwrap();
        }
        // Another process empties the file; the listener still counts 300 rows.
        let other = Store::open(dir.path()).unwrap();
        assert_eq!(other.clear().await.unwrap(), 300);
        drop(other);
        // 290 over the limit, but nothing to delete: pruning must give up, not spin.
        listener.set_keep(10);
        let id = listener.insert(delivery(b"next"), Verdict::Unverified, None);
        assert_eq!(id.await.unwrap(), 301);
        assert_eq!(listener.count().unwrap(), 1);
        // A spinning store thread would never finish, so closing the store would never return.
        let (closed, done) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            drop(listener);
            let _ = closed.send(());
        });
        assert!(
            done.recv_timeout(Duration::from_secs(10)).is_ok(),
            "the store thread is stuck pruning"
        );
    }

    #[tokio::test]
    async fn an_insert_queued_during_a_commit_is_committed_by_that_leader() {
        // The second insert is queued while the first one's commit holds the writer, so its
        // own attempt to lead finds the writer busy; the holder must pick it up on release.
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let inner = store.clone();
        let on_commit: OnCommit = Box::new(move |_| {
            drop(inner.insert_then(delivery(b"second"), unjudged(), None));
        });
        store
            .insert_then(delivery(b"first"), unjudged(), Some(on_commit))
            .await
            .unwrap();
        assert_eq!(store.count().unwrap(), 2);
    }

    #[tokio::test]
    async fn an_insert_is_committed_even_if_its_future_is_dropped_unpolled() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let insert = store.insert_then(delivery(b"gone"), unjudged(), None);
        drop(insert);
        // Committed by the drop itself, not by a later flush.
        assert_eq!(store.count().unwrap(), 1);
        assert_eq!(
            store.get(1).unwrap().unwrap().body,
            Bytes::from_static(b"gone")
        );
    }

    #[test]
    fn store_is_send_sync_and_the_file_is_private() {
        fn send_sync<T: Send + Sync + Clone>() {}
        send_sync::<Store>();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("new")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("new")), 0o700);
            assert_eq!(mode(store.path().unwrap()), 0o600);
        }
    }

    #[test]
    fn newer_schema_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        {
            let c = Connection::open(dir.path().join(DB_FILE)).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = Store::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("schema version 99"), "{err}");
    }
}
