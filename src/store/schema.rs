//! The database layout, its pragmas and the migration step.
//!
//! # Tables (schema version 3, `PRAGMA user_version = 3`)
//!
//! ```sql
//! -- one row per delivery: everything the list needs, no bodies
//! CREATE TABLE deliveries (
//!     id              INTEGER PRIMARY KEY, -- delivery id, increasing
//!     received_at_ms  INTEGER NOT NULL,    -- arrival, unix milliseconds (UTC)
//!     method          TEXT    NOT NULL,    -- POST, GET, …
//!     path            TEXT    NOT NULL,    -- as received, without the query
//!     query           TEXT    NOT NULL,    -- without the leading '?', '' when absent
//!     body_size       INTEGER NOT NULL,    -- bytes received (or announced, when rejected)
//!     peer            TEXT,                -- remote 'ip:port'
//!     rejected        TEXT,                -- why the body was refused, e.g. 'body_too_large'
//!     status          INTEGER,             -- HTTP status the sender got
//!     response_source TEXT,                -- 'hookscope' | 'challenge' | 'app' | 'error'
//!     response_extra  TEXT,                -- JSON {latency_ms, error, headers, body, rule} or NULL
//!     replay_of       INTEGER,             -- id of the original when this is a replay
//!     provider        TEXT,                -- provider name at capture time (never a secret)
//!     verdict         TEXT    NOT NULL,    -- 'verified' | 'failed' | 'unverified'
//!     generation      TEXT                 -- what the verdict was judged with (see below)
//! );
//! -- the bytes, one row per delivery, same id
//! CREATE TABLE payloads (
//!     id      INTEGER PRIMARY KEY,         -- = deliveries.id
//!     headers BLOB NOT NULL,               -- 'name: value\n' per header, arrival order
//!     body    BLOB NOT NULL                -- exact bytes received
//! );
//! -- rows per provider and verdict, kept in the same transactions as the rows they count:
//! CREATE TABLE counts (provider TEXT, verdict TEXT, n INTEGER, PRIMARY KEY (provider, verdict));
//! -- 'max_id': at least the highest id ever deleted (see below)
//! CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER);
//! ```
//!
//! `counts` holds the number of rows per provider (`''` for none) and verdict, so the
//! dashboard's totals are one small read whatever the table's size. Triggers keep it on delete
//! and on a changed verdict; an insert batch adds its rows with one upsert per provider and
//! verdict in the batch, in the batch's own transaction (`writer::insert_rows`, the only code
//! that inserts deliveries), so a commit rewrites the `counts` page once rather than once per
//! row through a trigger.
//!
//! New ids start above `max(max(deliveries.id), meta.max_id)`, so an id is never reused, even
//! after the newest rows were deleted or the table was cleared: the delete trigger raises
//! `meta.max_id` to each deleted id. Inserts do not touch `meta` (schema version 2 raised it
//! per insert, one more page rewritten per commit).
//!
//! `generation` is a digest of what the verdict was judged with: the provider's scheme, the
//! secrets' digest, tolerance and public URL, and the routes (`Checker::generation`). Never a
//! secret. A row whose generation differs from the current one is re-verified in the background
//! (see `crate::reverify`); `NULL` (rows from schema version 1) is always out of date.
//!
//! Read it with `sqlite3 hookscope.db`, e.g.
//! `SELECT id, method, path, verdict FROM deliveries ORDER BY id DESC LIMIT 10;` and
//! `SELECT CAST(headers AS TEXT), CAST(body AS TEXT) FROM payloads WHERE id = 17;`.
//! Header bytes `\`, CR, LF (and `:` in a name) are escaped as `\xHH`.
//!
//! Why two tables: the dashboard reads windows of `deliveries` rows and filters over them;
//! keeping bodies out of those pages makes those reads small. Lookups are by id, windows are id
//! ranges, totals come from `counts`; the one secondary index is partial, over the few rows that
//! are replays (`replay_of IS NOT NULL`), so a detail's replay history is one index lookup and
//! captures pay nothing for it.
//!
//! Size: pages are 16 KiB (set before the first table is created). SQLite does not split a row
//! that fits in a page across leaf pages, so a page wastes on average half a row: for rows of a
//! few KiB, typical of webhooks, that is 15–30% at 4 KiB pages (one 2.5 KiB row per page: the
//! database grows to ~1.6× the payload), about 8% at 16 KiB. Larger pages pack better still
//! but every commit rewrites its last, partly filled pages into the WAL: 64 KiB pages measured
//! ~1.09× the payload but cost a third of the throughput; 16 KiB measured ~1.13× at full speed.
//!
//! Durability: WAL with `synchronous = NORMAL`. A commit has written its frames to the WAL file
//! (the OS page cache) before the sender is answered, so killing the process (even SIGKILL)
//! loses nothing acknowledged; only a power loss or kernel crash can drop the last commits, and
//! never corrupts the file. `FULL` would add an fsync per commit for that last case.
//! Checkpoints (copy to the main file + fsync) run on a background thread, so a commit does not
//! wait for the disk, except during the periodic RESTART checkpoint that lets the WAL wrap at
//! about 64 MiB: it holds writers while it fsyncs (measured under sustained load: ~7% of the
//! time in stalls of up to ~40 ms). Checkpointing with `synchronous = OFF` removes most of
//! that, but a power loss could then corrupt the file, so it is not done.

use rusqlite::Connection;

/// The version this build writes.
pub const SCHEMA_VERSION: i64 = 3;

/// Page size for new databases.
pub const PAGE_SIZE: u32 = 16 * 1024;

/// Migration `i` takes the database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &["
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    received_at_ms  INTEGER NOT NULL,
    method          TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    query           TEXT    NOT NULL,
    body_size       INTEGER NOT NULL,
    peer            TEXT,
    rejected        TEXT,
    status          INTEGER,
    response_source TEXT,
    response_extra  TEXT,
    replay_of       INTEGER,
    provider        TEXT,
    verdict         TEXT    NOT NULL
);
CREATE TABLE payloads (
    id      INTEGER PRIMARY KEY,
    headers BLOB NOT NULL,
    body    BLOB NOT NULL
);
", "
ALTER TABLE deliveries ADD COLUMN generation TEXT;
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta VALUES ('max_id', (SELECT coalesce(max(id), 0) FROM deliveries));
CREATE TABLE counts (
    provider TEXT    NOT NULL,
    verdict  TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (provider, verdict)
) WITHOUT ROWID;
INSERT INTO counts SELECT coalesce(provider, ''), verdict, count(*) FROM deliveries GROUP BY 1, 2;
CREATE INDEX deliveries_replays ON deliveries (replay_of) WHERE replay_of IS NOT NULL;
CREATE TRIGGER deliveries_inserted AFTER INSERT ON deliveries BEGIN
    INSERT INTO counts VALUES (coalesce(NEW.provider, ''), NEW.verdict, 1)
        ON CONFLICT (provider, verdict) DO UPDATE SET n = n + 1;
    UPDATE meta SET value = NEW.id WHERE key = 'max_id' AND value < NEW.id;
END;
CREATE TRIGGER deliveries_deleted AFTER DELETE ON deliveries BEGIN
    UPDATE counts SET n = n - 1 WHERE provider = coalesce(OLD.provider, '') AND verdict = OLD.verdict;
END;
CREATE TRIGGER deliveries_rejudged AFTER UPDATE OF provider, verdict ON deliveries BEGIN
    UPDATE counts SET n = n - 1 WHERE provider = coalesce(OLD.provider, '') AND verdict = OLD.verdict;
    INSERT INTO counts VALUES (coalesce(NEW.provider, ''), NEW.verdict, 1)
        ON CONFLICT (provider, verdict) DO UPDATE SET n = n + 1;
END;
", "
DROP TRIGGER deliveries_inserted;
DROP TRIGGER deliveries_deleted;
UPDATE meta SET value = max(value, (SELECT coalesce(max(id), 0) FROM deliveries)) WHERE key = 'max_id';
CREATE TRIGGER deliveries_deleted AFTER DELETE ON deliveries BEGIN
    UPDATE counts SET n = n - 1 WHERE provider = coalesce(OLD.provider, '') AND verdict = OLD.verdict;
    UPDATE meta SET value = OLD.id WHERE key = 'max_id' AND value < OLD.id;
END;
"];

/// What `prepare` found.
#[derive(Debug)]
pub enum Prepared {
    /// Ready at `SCHEMA_VERSION`.
    Ready,
    /// Written by a newer hookscope.
    TooNew(i64),
}

/// Set pragmas and bring the schema to `SCHEMA_VERSION`. `file` selects WAL (on-disk databases).
pub fn prepare(conn: &mut Connection, file: bool) -> rusqlite::Result<Prepared> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Ok(Prepared::TooNew(version));
    }
    if version == 0 {
        // Only effective before the first table exists (and before WAL is on).
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    }
    if file {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
                Some(format!(
                    "the database refused WAL mode (journal_mode = {mode})"
                )),
            ));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Truncate a WAL that grew during a burst back to 64 MiB after checkpoints.
        conn.pragma_update(None, "journal_size_limit", 64i64 << 20)?;
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(Prepared::Ready)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_gets_the_schema_and_page_size() {
        let mut c = Connection::open_in_memory().unwrap();
        assert!(matches!(prepare(&mut c, false).unwrap(), Prepared::Ready));
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let ps: u32 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        assert_eq!(ps, PAGE_SIZE);
        // Preparing again is a no-op.
        assert!(matches!(prepare(&mut c, false).unwrap(), Prepared::Ready));
    }

    #[test]
    fn version_2_moves_to_3_keeping_counts_and_the_highest_id() {
        let mut c = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..2] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", 2).unwrap();
        // Version 2: triggers count each insert and raise max_id.
        c.execute_batch(
            "INSERT INTO deliveries (id, received_at_ms, method, path, query, body_size, provider, verdict) \
             VALUES (1, 0, 'POST', '/', '', 0, 'github', 'verified'), \
                    (2, 0, 'POST', '/', '', 0, NULL, 'unverified'), \
                    (3, 0, 'POST', '/', '', 0, 'github', 'verified');",
        )
        .unwrap();
        assert!(matches!(prepare(&mut c, false).unwrap(), Prepared::Ready));
        let counts = |c: &Connection| -> Vec<(String, String, i64)> {
            c.prepare("SELECT provider, verdict, n FROM counts WHERE n > 0 ORDER BY 1, 2")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let want = |g: i64, u: i64| {
            let mut v = vec![];
            if u > 0 {
                v.push((String::new(), "unverified".to_string(), u));
            }
            if g > 0 {
                v.push(("github".to_string(), "verified".to_string(), g));
            }
            v
        };
        assert_eq!(counts(&c), want(2, 1));
        // Version 3: inserts leave counts and meta alone (the writer counts its batches)...
        c.execute_batch(
            "INSERT INTO deliveries (id, received_at_ms, method, path, query, body_size, verdict) \
             VALUES (4, 0, 'POST', '/', '', 0, 'unverified');",
        )
        .unwrap();
        assert_eq!(counts(&c), want(2, 1));
        // (counted by hand here, as `writer::insert_rows` counts its batch)
        c.execute_batch(
            "UPDATE counts SET n = n + 1 WHERE provider = '' AND verdict = 'unverified';",
        )
        .unwrap();
        let max_id = |c: &Connection| -> i64 {
            c.query_row("SELECT value FROM meta WHERE key = 'max_id'", [], |r| {
                r.get(0)
            })
            .unwrap()
        };
        assert_eq!(max_id(&c), 3);
        // ...deletes still count down, and raise max_id so no id is used twice.
        c.execute_batch("DELETE FROM deliveries WHERE id IN (3, 4);")
            .unwrap();
        assert_eq!(counts(&c), want(1, 1));
        assert_eq!(max_id(&c), 4);
        // A changed verdict moves its row between counts.
        c.execute_batch("UPDATE deliveries SET verdict = 'failed' WHERE id = 1;")
            .unwrap();
        assert_eq!(
            counts(&c),
            vec![
                (String::new(), "unverified".to_string(), 1),
                ("github".to_string(), "failed".to_string(), 1)
            ]
        );
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(
            matches!(prepare(&mut c, false).unwrap(), Prepared::TooNew(v) if v == SCHEMA_VERSION + 1)
        );
    }
}
