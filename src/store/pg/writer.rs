//! The PostgreSQL writer: one task on the store's runtime, with its own connection, takes the
//! queue in order. Inserts waiting together are committed in one transaction (group commit) and
//! each is acknowledged only after that commit; when the database cannot be reached they are
//! answered with an error at once (the sender gets 503 + Retry-After) and the writer reconnects
//! with backoff.

use super::connect::{Target, describe};
use crate::store::StoreError;
use crate::store::writer::{BulkJob, InsertJob, Job, OnWarning, ResponseExtra};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Statement};

/// Rows per transaction at most.
const MAX_BATCH_ROWS: usize = 1024;
/// Rows deleted per pruning transaction.
const PRUNE_CHUNK: i64 = 2048;
/// Inserts after which retention is looked at; otherwise at most once a second.
const PRUNE_EAGER: u64 = 256;
const PRUNE_EVERY: Duration = Duration::from_secs(1);
/// First and longest wait between connection attempts after a failure.
const BACKOFF_FIRST: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// Work for the writer task, in queue order.
pub(crate) enum PgJob {
    Insert(Box<InsertJob>),
    Other(Job),
    /// Record this listener name with the deliveries from now on.
    Listener(String),
    /// Finish: everything queued before is done when this is answered.
    Close(std::sync::mpsc::SyncSender<()>),
}

/// The writer's connection and its prepared statements.
struct Conn {
    client: Client,
    ids: Statement,
    deliveries: Statement,
    payloads: Statement,
}

pub(crate) struct PgWriter {
    target: Arc<Target>,
    conn: Option<Conn>,
    next_attempt: Instant,
    backoff: Duration,
    /// Why the last write failed, while it does (warned once per outage).
    failing: Option<String>,
    on_warning: Option<OnWarning>,
    listener: String,
    keep: u64,
    inserted_since_prune: u64,
    last_prune: Instant,
}

const INSERT_DELIVERIES: &str = "INSERT INTO hookscope.deliveries (id, received_at_ms, method, \
    path, query, body_size, peer, rejected, status, response_source, response_extra, replay_of, \
    provider, verdict, generation, listener) \
    SELECT u.*, $16::text FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], \
    $5::text[], $6::int8[], $7::text[], $8::text[], $9::int4[], $10::text[], $11::text[], \
    $12::int8[], $13::text[], $14::text[], $15::text[]) AS u";
const INSERT_PAYLOADS: &str = "INSERT INTO hookscope.payloads (id, headers, body) \
    SELECT * FROM unnest($1::int8[], $2::bytea[], $3::bytea[])";
const NEXT_IDS: &str = "SELECT nextval('hookscope.delivery_ids') FROM generate_series(1, $1::int8)";

impl PgWriter {
    pub(crate) fn new(target: Arc<Target>, listener: String) -> PgWriter {
        PgWriter {
            target,
            conn: None,
            next_attempt: Instant::now(),
            backoff: BACKOFF_FIRST,
            failing: None,
            on_warning: None,
            listener,
            keep: crate::store::DEFAULT_KEEP,
            inserted_since_prune: 0,
            last_prune: Instant::now(),
        }
    }

    /// Take the queue until it closes.
    pub(crate) async fn run(mut self, mut queue: mpsc::UnboundedReceiver<PgJob>) {
        let mut held = None;
        loop {
            let job = match held.take() {
                Some(j) => j,
                None => match queue.recv().await {
                    Some(j) => j,
                    None => return,
                },
            };
            match job {
                PgJob::Insert(first) => {
                    let mut batch = vec![*first];
                    while batch.len() < MAX_BATCH_ROWS {
                        match queue.try_recv() {
                            Ok(PgJob::Insert(j)) => batch.push(*j),
                            Ok(other) => {
                                held = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    self.inserted_since_prune += batch.len() as u64;
                    self.commit(batch).await;
                }
                PgJob::Other(job) => self.run_job(job).await,
                PgJob::Listener(name) => self.listener = name,
                PgJob::Close(done) => {
                    let _ = done.send(());
                    return;
                }
            }
            if self.inserted_since_prune >= PRUNE_EAGER
                || (self.inserted_since_prune > 0 && self.last_prune.elapsed() >= PRUNE_EVERY)
            {
                self.prune(false).await;
            }
        }
    }

    /// The connection, reconnecting when it was lost (not before the backoff has passed).
    async fn conn(&mut self) -> Result<&mut Conn, String> {
        if self.conn.as_ref().is_some_and(|c| c.client.is_closed()) {
            self.conn = None;
        }
        if self.conn.is_none() {
            if Instant::now() < self.next_attempt {
                return Err(self
                    .failing
                    .clone()
                    .unwrap_or_else(|| "the database is not reachable".into()));
            }
            match connect(&self.target).await {
                Ok(c) => {
                    self.backoff = BACKOFF_FIRST;
                    self.conn = Some(c);
                }
                Err(e) => {
                    self.next_attempt = Instant::now() + self.backoff;
                    self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
                    return Err(e);
                }
            }
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }

    /// A write failed: drop a broken connection and warn once per outage.
    fn failed(&mut self, why: &str) {
        if self.conn.as_ref().is_some_and(|c| c.client.is_closed()) {
            self.conn = None;
        }
        if self.failing.is_none() {
            let msg = format!(
                "the shared capture database {} cannot take writes ({why}); senders get 503 \
                 with Retry-After until it can, and capture resumes by itself",
                self.target.location()
            );
            tracing::error!("{msg}");
            if let Some(w) = &self.on_warning {
                w(msg);
            }
        }
        self.failing = Some(why.to_string());
    }

    fn succeeded(&mut self) {
        if self.failing.take().is_some() {
            tracing::warn!(
                "the shared capture database {} takes writes again",
                self.target.location()
            );
        }
    }

    /// Commit `jobs` in one transaction; acknowledge each after the commit (or with the error).
    async fn commit(&mut self, jobs: Vec<InsertJob>) {
        let columns = Columns::of(&jobs);
        let mut result = self.try_write(&columns).await;
        // Two listeners' transactions can still collide on a lock: try once more.
        if let Err((_, true)) = &result {
            result = self.try_write(&columns).await;
        }
        drop(columns);
        match result {
            Ok(ids) => {
                self.succeeded();
                for (job, id) in jobs.into_iter().zip(ids) {
                    let mut d = job.delivery;
                    d.id = id;
                    if let Some(cb) = job.on_commit {
                        cb(Ok(d));
                    }
                    let _ = job.ack.send(Ok(id));
                }
            }
            Err((why, _)) => {
                self.failed(&why);
                let msg = format!("cannot write to the shared capture database: {why}");
                for job in jobs {
                    if let Some(cb) = job.on_commit {
                        cb(Err((job.delivery, msg.clone())));
                    }
                    let _ = job.ack.send(Err(StoreError::Write(msg.clone())));
                }
            }
        }
    }

    /// The ids written, or why not and whether trying again may succeed.
    async fn try_write(&mut self, columns: &Columns<'_>) -> Result<Vec<u64>, (String, bool)> {
        let listener = self.listener.clone();
        let conn = self.conn().await.map_err(|e| (e, false))?;
        write_batch(conn, columns, &listener).await.map_err(|e| {
            let retry = matches!(
                e.code(),
                Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::T_R_SERIALIZATION_FAILURE
            );
            (describe(&e), retry)
        })
    }

    async fn run_job(&mut self, job: Job) {
        match job {
            Job::Flush(done) => {
                self.prune(true).await;
                let _ = done.send(());
            }
            Job::SetKeep(k) => {
                self.keep = k.max(1);
                self.inserted_since_prune = PRUNE_EAGER;
            }
            Job::Bulk(BulkJob::Import(jobs)) => self.commit(jobs).await,
            Job::Bulk(BulkJob::Delete(id, ack)) => {
                let r = self
                    .execute("DELETE FROM hookscope.deliveries WHERE id = $1", id as i64)
                    .await;
                let _ = ack.send(r.map(|n| n > 0));
            }
            Job::Bulk(BulkJob::Clear(ack)) => {
                let r = self.execute("DELETE FROM hookscope.deliveries", ()).await;
                let _ = ack.send(r);
            }
            Job::Verdicts(judged, done) => {
                let _ = done.send(self.write_judgements(&judged).await);
            }
            Job::OnWarning(w) => self.on_warning = Some(w),
        }
    }

    /// Run one statement with no parameter (`()`) or one id.
    async fn execute(&mut self, sql: &str, param: impl IdParam) -> Result<u64, StoreError> {
        let conn = self.conn().await.map_err(StoreError::Write)?;
        let r = match param.id() {
            Some(id) => conn.client.execute(sql, &[&id]).await,
            None => conn.client.execute(sql, &[]).await,
        };
        r.map_err(|e| {
            let why = describe(&e);
            self.failed(&why);
            StoreError::Write(format!(
                "cannot write to the shared capture database: {why}"
            ))
        })
    }

    async fn write_judgements(
        &mut self,
        judged: &[(u64, crate::checker::Judgement)],
    ) -> Result<(), StoreError> {
        let ids: Vec<i64> = judged.iter().map(|(id, _)| *id as i64).collect();
        let verdicts: Vec<&str> = judged.iter().map(|(_, j)| j.verdict.as_str()).collect();
        let providers: Vec<Option<&str>> =
            judged.iter().map(|(_, j)| j.provider.as_deref()).collect();
        let generations: Vec<Option<&str>> = judged
            .iter()
            .map(|(_, j)| j.generation.as_deref())
            .collect();
        let conn = self.conn().await.map_err(StoreError::Write)?;
        let r = conn
            .client
            .execute(
                "UPDATE hookscope.deliveries d SET verdict = u.verdict, provider = u.provider, \
                 generation = u.generation FROM unnest($1::int8[], $2::text[], $3::text[], \
                 $4::text[]) AS u (id, verdict, provider, generation) WHERE d.id = u.id",
                &[&ids, &verdicts, &providers, &generations],
            )
            .await;
        r.map(|_| ()).map_err(|e| {
            let why = describe(&e);
            self.failed(&why);
            StoreError::Write(format!(
                "cannot write to the shared capture database: {why}"
            ))
        })
    }

    /// Delete the oldest rows beyond `keep`: fully when `all`, else one chunk.
    async fn prune(&mut self, all: bool) {
        self.inserted_since_prune = 0;
        self.last_prune = Instant::now();
        let keep = self.keep as i64;
        loop {
            let Ok(conn) = self.conn().await else {
                return;
            };
            let step = async {
                let total: i64 = conn
                    .client
                    .query_one(
                        "SELECT coalesce(sum(n), 0)::int8 FROM hookscope.counts",
                        &[],
                    )
                    .await?
                    .get(0);
                if total <= keep {
                    return Ok(0);
                }
                let n = (total - keep).min(PRUNE_CHUNK);
                conn.client
                    .execute(
                        "DELETE FROM hookscope.deliveries WHERE id IN \
                         (SELECT id FROM hookscope.deliveries ORDER BY id LIMIT $1)",
                        &[&n],
                    )
                    .await
            };
            match step.await {
                Ok(0) => return,
                Ok(_) if !all => return,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("pruning old deliveries failed: {}", describe(&e));
                    return;
                }
            }
        }
    }
}

/// A new writer connection with its statements prepared.
async fn connect(target: &Target) -> Result<Conn, String> {
    let (client, _notes) = target.connect().await.map_err(|e| describe(&e))?;
    let prepare = async {
        Ok::<_, tokio_postgres::Error>(Conn {
            ids: client.prepare(NEXT_IDS).await?,
            deliveries: client.prepare(INSERT_DELIVERIES).await?,
            payloads: client.prepare(INSERT_PAYLOADS).await?,
            client,
        })
    };
    prepare.await.map_err(|e| describe(&e))
}

/// A statement's optional id parameter.
trait IdParam {
    fn id(&self) -> Option<i64>;
}

impl IdParam for () {
    fn id(&self) -> Option<i64> {
        None
    }
}

impl IdParam for i64 {
    fn id(&self) -> Option<i64> {
        Some(*self)
    }
}

/// A batch's rows as one array per column (built before any await: a job's callback is not
/// `Sync`, so the jobs themselves stay out of the writer's futures).
struct Columns<'a> {
    n: usize,
    received: Vec<i64>,
    methods: Vec<&'a str>,
    paths: Vec<&'a str>,
    queries: Vec<&'a str>,
    sizes: Vec<i64>,
    peers: Vec<Option<&'a str>>,
    rejected: Vec<Option<&'a str>>,
    statuses: Vec<Option<i32>>,
    sources: Vec<Option<&'a str>>,
    extras: Vec<Option<String>>,
    replays: Vec<Option<i64>>,
    providers: Vec<Option<&'a str>>,
    verdicts: Vec<&'a str>,
    generations: Vec<Option<&'a str>>,
    headers: Vec<Vec<u8>>,
    bodies: Vec<&'a [u8]>,
}

impl<'a> Columns<'a> {
    fn of(jobs: &'a [InsertJob]) -> Columns<'a> {
        let ds = || jobs.iter().map(|j| &j.delivery);
        Columns {
            n: jobs.len(),
            received: ds().map(|d| d.received_at_ms).collect(),
            methods: ds().map(|d| d.method.as_str()).collect(),
            paths: ds().map(|d| d.path.as_str()).collect(),
            queries: ds().map(|d| d.query.as_str()).collect(),
            sizes: ds().map(|d| d.body_size as i64).collect(),
            peers: ds().map(|d| d.peer.as_deref()).collect(),
            rejected: ds().map(|d| d.rejected.as_deref()).collect(),
            statuses: ds()
                .map(|d| d.response.as_ref().map(|r| i32::from(r.status)))
                .collect(),
            sources: ds()
                .map(|d| d.response.as_ref().map(|r| r.source.as_str()))
                .collect(),
            extras: ds()
                .map(|d| d.response.as_ref().and_then(ResponseExtra::json_of))
                .collect(),
            replays: ds().map(|d| d.replay_of.map(|v| v as i64)).collect(),
            providers: jobs.iter().map(|j| j.provider.as_deref()).collect(),
            verdicts: jobs.iter().map(|j| j.verdict.as_str()).collect(),
            generations: jobs.iter().map(|j| j.generation.as_deref()).collect(),
            headers: ds()
                .map(|d| crate::store::codec::encode_headers(&d.headers))
                .collect(),
            bodies: ds().map(|d| &d.body[..]).collect(),
        }
    }
}

/// Insert the batch in one transaction: ids from the sequence (ascending, in queue order), then
/// every row of each table in one statement.
async fn write_batch(
    conn: &mut Conn,
    c: &Columns<'_>,
    listener: &str,
) -> Result<Vec<u64>, tokio_postgres::Error> {
    let tx = conn.client.transaction().await?;
    let mut ids: Vec<i64> = tx
        .query(&conn.ids, &[&(c.n as i64)])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    ids.sort_unstable();
    tx.execute(
        &conn.deliveries,
        &[
            &ids,
            &c.received,
            &c.methods,
            &c.paths,
            &c.queries,
            &c.sizes,
            &c.peers,
            &c.rejected,
            &c.statuses,
            &c.sources,
            &c.extras,
            &c.replays,
            &c.providers,
            &c.verdicts,
            &c.generations,
            &listener,
        ],
    )
    .await?;
    tx.execute(&conn.payloads, &[&ids, &c.headers, &c.bodies])
        .await?;
    tx.commit().await?;
    Ok(ids.into_iter().map(|i| i as u64).collect())
}
