//! The PostgreSQL layout: the SQLite one (see `store::schema`) in a schema of its own,
//! `hookscope`, with PostgreSQL types, versioned in `hookscope.schema_version`.
//!
//! ```sql
//! CREATE TABLE hookscope.deliveries (
//!     id              bigint PRIMARY KEY DEFAULT nextval('hookscope.delivery_ids'),
//!     received_at_ms  bigint NOT NULL,          -- arrival, unix milliseconds (UTC)
//!     method, path, query text NOT NULL,        -- as received ("C" collation: bytes order)
//!     body_size       bigint NOT NULL,
//!     peer, rejected  text,
//!     status          integer,
//!     response_source text, response_extra text, -- as in SQLite
//!     replay_of       bigint,
//!     provider        text, verdict text NOT NULL, generation text,
//!     listener        text                      -- which listener took it: 'host:port/pid'
//! );
//! CREATE TABLE hookscope.payloads (id bigint PRIMARY KEY REFERENCES deliveries ON DELETE CASCADE,
//!     headers bytea NOT NULL, body bytea NOT NULL);   -- exact bytes, headers as in SQLite
//! CREATE TABLE hookscope.counts (provider text, verdict text, n bigint, PRIMARY KEY (provider, verdict));
//! ```
//!
//! Ids come from the sequence `hookscope.delivery_ids`, so listeners on several hosts never
//! clash and an id is never reused (a sequence never goes back, even after a clear): the
//! sequence plays the part of SQLite's `meta.max_id`.
//!
//! Statement-level triggers keep `counts` (one `INSERT … ON CONFLICT` per statement, in key
//! order, so concurrent listeners lock its rows in the same order and cannot deadlock) and send
//! `NOTIFY hookscope_changes` on every insert, update and delete: the change feed. PostgreSQL
//! delivers a notification when its transaction commits, to every session listening.
//!
//! Read it with `psql`, e.g. `SELECT id, method, path, verdict, listener FROM
//! hookscope.deliveries ORDER BY id DESC LIMIT 10;` and `SELECT convert_from(headers, 'UTF8'),
//! body FROM hookscope.payloads WHERE id = 17;`.

use super::connect::describe;
use tokio_postgres::{Client, GenericClient};

/// The version this build writes.
pub const SCHEMA_VERSION: i32 = 1;

/// Taken while migrating, so two listeners starting at once do not both migrate.
const MIGRATION_LOCK: i64 = 0x686f_6f6b_7363_6f70; // "hookscop"

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[r#"
CREATE SEQUENCE hookscope.delivery_ids;
CREATE TABLE hookscope.deliveries (
    id              bigint  PRIMARY KEY DEFAULT nextval('hookscope.delivery_ids'),
    received_at_ms  bigint  NOT NULL,
    method          text    COLLATE "C" NOT NULL,
    path            text    COLLATE "C" NOT NULL,
    query           text    COLLATE "C" NOT NULL,
    body_size       bigint  NOT NULL,
    peer            text,
    rejected        text,
    status          integer,
    response_source text,
    response_extra  text,
    replay_of       bigint,
    provider        text    COLLATE "C",
    verdict         text    NOT NULL,
    generation      text,
    listener        text
);
ALTER SEQUENCE hookscope.delivery_ids OWNED BY hookscope.deliveries.id;
CREATE TABLE hookscope.payloads (
    id      bigint PRIMARY KEY REFERENCES hookscope.deliveries (id) ON DELETE CASCADE,
    headers bytea  NOT NULL,
    body    bytea  NOT NULL
);
CREATE TABLE hookscope.counts (
    provider text   COLLATE "C" NOT NULL,
    verdict  text   NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (provider, verdict)
);
CREATE INDEX deliveries_replays ON hookscope.deliveries (replay_of) WHERE replay_of IS NOT NULL;
CREATE FUNCTION hookscope.deliveries_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO hookscope.counts AS c (provider, verdict, n)
            SELECT coalesce(r.provider, ''), r.verdict, count(*) FROM new_rows r
            GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (provider, verdict) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO hookscope.counts AS c (provider, verdict, n)
            SELECT coalesce(r.provider, ''), r.verdict, -count(*) FROM old_rows r
            GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (provider, verdict) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE
        INSERT INTO hookscope.counts AS c (provider, verdict, n)
            SELECT x.p, x.v, sum(x.dn) FROM (
                SELECT coalesce(r.provider, '') AS p, r.verdict AS v, 1 AS dn FROM new_rows r
                UNION ALL
                SELECT coalesce(r.provider, ''), r.verdict, -1 FROM old_rows r
            ) x
            GROUP BY 1, 2 HAVING sum(x.dn) <> 0 ORDER BY 1, 2
            ON CONFLICT (provider, verdict) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    PERFORM pg_notify('hookscope_changes', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER deliveries_inserted AFTER INSERT ON hookscope.deliveries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hookscope.deliveries_changed();
CREATE TRIGGER deliveries_deleted AFTER DELETE ON hookscope.deliveries
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hookscope.deliveries_changed();
CREATE TRIGGER deliveries_rejudged AFTER UPDATE ON hookscope.deliveries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hookscope.deliveries_changed();
"#];

/// What [`prepare`] found wrong.
pub(crate) enum PrepareError {
    /// Written by a newer hookscope.
    TooNew(i32),
    /// The server refused (no right to create the schema, …) or the connection failed.
    Failed(String),
}

/// The schema's version, or 0 when there is none yet.
async fn version(client: &impl GenericClient) -> Result<i32, tokio_postgres::Error> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('hookscope.schema_version') IS NOT NULL",
            &[],
        )
        .await?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_opt("SELECT max(version) FROM hookscope.schema_version", &[])
        .await?;
    Ok(row.and_then(|r| r.get::<_, Option<i32>>(0)).unwrap_or(0))
}

/// Bring the schema to [`SCHEMA_VERSION`]. A database already there needs no rights beyond
/// reading, so a dashboard can attach with a read-only role.
pub(crate) async fn prepare(client: &mut Client) -> Result<(), PrepareError> {
    let failed = |e: tokio_postgres::Error| PrepareError::Failed(describe(&e));
    let found = version(client).await.map_err(failed)?;
    if found > SCHEMA_VERSION {
        return Err(PrepareError::TooNew(found));
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = client.transaction().await.map_err(failed)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(failed)?;
    tx.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS hookscope; \
         CREATE TABLE IF NOT EXISTS hookscope.schema_version (version integer NOT NULL);",
    )
    .await
    .map_err(failed)?;
    // Another process may have migrated while this one waited for the lock.
    let found = version(&tx).await.map_err(failed)?;
    if found > SCHEMA_VERSION {
        return Err(PrepareError::TooNew(found));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).await.map_err(failed)?;
        tx.execute("DELETE FROM hookscope.schema_version", &[])
            .await
            .map_err(failed)?;
        tx.execute(
            "INSERT INTO hookscope.schema_version VALUES ($1)",
            &[&((i + 1) as i32)],
        )
        .await
        .map_err(failed)?;
    }
    tx.commit().await.map_err(failed)
}
