//! When the database file stops taking writes (disk full, read-only, corrupted, I/O error),
//! capture continues in memory instead of refusing deliveries.
//!
//! The reader's connection is replaced by an in-memory database (same schema) with the file
//! attached as `disk` when it is still readable. Temporary views named `deliveries` and
//! `payloads` (the `temp` schema is searched first) show the rows of both, so every reader query
//! works unchanged and earlier deliveries stay visible; the writer then shares that connection
//! and writes to `main.*` (memory). Ids continue where the file stopped. Nothing written in
//! memory is saved: each such delivery is acknowledged as not stored (its sender gets 503, see
//! `writer/faults.rs`), and the warning says so.
//!
//! A data directory that cannot be written at all (read-only) is opened the same way from the
//! start ([`Store::open_read_only`]): the file's deliveries stay readable, new ones are shown
//! and answered 503.

use super::writer::{Writer, WriterConn};
use super::{DB_FILE, Store, StoreError, schema};
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The three connections to a database file: the writer's, the readers', the checkpointer's.
pub(crate) struct FileConns {
    pub writer: Connection,
    pub reader: Connection,
    pub checkpoint: Connection,
}

/// Open (or create, mode 0600) the database file for writing, with its schema ready.
pub(crate) fn open_file(path: &Path) -> Result<FileConns, StoreError> {
    super::create_private_file(path).map_err(|source| StoreError::CreateDir {
        path: path.to_path_buf(),
        source,
    })?;
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let mut writer = Connection::open(path).map_err(open_err)?;
    match schema::prepare(&mut writer, true).map_err(open_err)? {
        schema::Prepared::Ready => {}
        schema::Prepared::TooNew(found) => {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found,
                supported: schema::SCHEMA_VERSION,
            });
        }
    }
    let reader = Connection::open(path).map_err(open_err)?;
    reader
        .busy_timeout(std::time::Duration::from_secs(10))
        .map_err(open_err)?;
    let checkpoint = Connection::open(path).map_err(open_err)?;
    checkpoint
        .busy_timeout(std::time::Duration::from_secs(2))
        .map_err(open_err)?;
    Ok(FileConns {
        writer,
        reader,
        checkpoint,
    })
}

impl Store {
    /// The store of a data directory that cannot be written (`why` says what failed): the
    /// deliveries already in `hookscope.db` stay readable, new ones are kept in memory and
    /// acknowledged as not stored. Also what `export` uses on a read-only directory. Returns
    /// whether the file's deliveries could be read.
    pub fn open_read_only(dir: &Path, why: &str) -> Result<(Store, bool), StoreError> {
        let path = dir.join(DB_FILE);
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let (conn, readable) = memory_with_disk(&path).map_err(open_err)?;
        let reader = Arc::new(Mutex::new(conn));
        let writer = Writer::new(WriterConn::Shared(reader.clone()), super::DEFAULT_KEEP)
            .map_err(open_err)?
            .not_durable(why.to_string());
        Ok((Store::spawn(writer, reader, Some(path)), readable))
    }
}

/// An in-memory database for the rest of the session, showing the file's rows too when the
/// file can still be read. Returns it and whether the file's rows are visible.
pub(crate) fn memory_with_disk(path: &Path) -> rusqlite::Result<(Connection, bool)> {
    let mut conn = Connection::open_in_memory()?;
    schema::prepare(&mut conn, false)?;
    let readable = attach_readable(&conn, path);
    if readable {
        for table in ["deliveries", "payloads"] {
            let columns = columns_of(&conn, "main", table)?;
            let on_disk = columns_of(&conn, "disk", table)?;
            // A file of an older schema (read-only, so never migrated) lacks newer columns.
            let from_disk: Vec<String> = columns
                .iter()
                .map(|c| {
                    if on_disk.contains(c) {
                        c.clone()
                    } else {
                        format!("NULL AS {c}")
                    }
                })
                .collect();
            conn.execute_batch(&format!(
                "CREATE TEMP VIEW {table} AS SELECT {} FROM disk.{table} \
                 UNION ALL SELECT {} FROM main.{table};",
                from_disk.join(", "),
                columns.join(", ")
            ))?;
        }
        // Totals and the highest id ever used, over both (the triggers keep main's own).
        if columns_of(&conn, "disk", "counts")?.len() == 3 {
            conn.execute_batch(
                "CREATE TEMP VIEW counts AS SELECT provider, verdict, sum(n) AS n FROM \
                   (SELECT provider, verdict, n FROM disk.counts \
                    UNION ALL SELECT provider, verdict, n FROM main.counts) GROUP BY 1, 2;",
            )?;
        }
        if columns_of(&conn, "disk", "meta")?.len() == 2 {
            conn.execute_batch(
                "CREATE TEMP VIEW meta AS SELECT key, max(value) AS value FROM \
                   (SELECT key, value FROM disk.meta UNION ALL SELECT key, value FROM main.meta) \
                 GROUP BY key;",
            )?;
        }
    }
    Ok((conn, readable))
}

/// The column names of `schema.table`, in order (empty when there is no such table).
fn columns_of(conn: &Connection, schema: &str, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA {schema}.table_info({table})"))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
    names.collect()
}

/// Attach the file as `disk`, read-only: first as a normal read-only database (which sees a
/// WAL left by a killed process), else as immutable (a read-only directory where SQLite cannot
/// create the WAL index it needs; nothing can change the file there).
fn attach_readable(conn: &Connection, path: &Path) -> bool {
    let Some(path) = path.to_str() else {
        return false;
    };
    let uri = format!("file:{}", uri_path(path));
    for mode in ["?mode=ro", "?mode=ro&immutable=1"] {
        if conn
            .execute("ATTACH DATABASE ?1 AS disk", [format!("{uri}{mode}")])
            .is_err()
        {
            continue;
        }
        let ok = conn
            .query_row(
                "SELECT (SELECT count(*) FROM disk.deliveries) + (SELECT count(*) FROM disk.payloads)",
                [],
                |r| r.get::<_, i64>(0),
            )
            .is_ok();
        if ok {
            return true;
        }
        let _ = conn.execute("DETACH DATABASE disk", []);
    }
    false
}

/// A path as the path part of a `file:` URI (`%`, `?` and `#` escaped).
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_show_the_file_and_memory_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        {
            let mut c = Connection::open(&path).unwrap();
            schema::prepare(&mut c, true).unwrap();
            c.execute_batch(
                "INSERT INTO deliveries (id, received_at_ms, method, path, query, body_size, verdict) \
                 VALUES (1, 0, 'POST', '/disk', '', 0, 'unverified'); \
                 INSERT INTO payloads VALUES (1, x'', x'');",
            )
            .unwrap();
        }
        let (c, readable) = memory_with_disk(&path).unwrap();
        assert!(readable);
        c.execute_batch(
            "INSERT INTO main.deliveries (id, received_at_ms, method, path, query, body_size, verdict) \
             VALUES (2, 0, 'POST', '/mem', '', 0, 'unverified');",
        )
        .unwrap();
        let paths: Vec<String> = c
            .prepare("SELECT path FROM deliveries ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(paths, ["/disk", "/mem"]);

        // A file of the first schema (no generation column, no counts): still readable.
        let old = dir.path().join("v1.db");
        Connection::open(&old)
            .unwrap()
            .execute_batch(
                "CREATE TABLE deliveries (id INTEGER PRIMARY KEY, received_at_ms INTEGER NOT NULL, \
                 method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL, \
                 body_size INTEGER NOT NULL, peer TEXT, rejected TEXT, status INTEGER, \
                 response_source TEXT, response_extra TEXT, replay_of INTEGER, provider TEXT, \
                 verdict TEXT NOT NULL); \
                 CREATE TABLE payloads (id INTEGER PRIMARY KEY, headers BLOB NOT NULL, \
                 body BLOB NOT NULL); \
                 INSERT INTO deliveries VALUES (7, 0, 'POST', '/v1', '', 0, NULL, NULL, NULL, \
                 NULL, NULL, NULL, NULL, 'unverified'); INSERT INTO payloads VALUES (7, x'', x'');",
            )
            .unwrap();
        let (c, readable) = memory_with_disk(&old).unwrap();
        assert!(readable);
        let (id, at): (i64, String) = c
            .query_row("SELECT id, path FROM deliveries", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((id, at.as_str()), (7, "/v1"));

        std::fs::write(&path, b"not a database at all, just some bytes here").unwrap();
        let (c, readable) = memory_with_disk(&path).unwrap();
        assert!(!readable);
        let n: i64 = c
            .query_row("SELECT count(*) FROM deliveries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
