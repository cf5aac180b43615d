//! When the database file stops taking writes (disk full, read-only, corrupted, I/O error),
//! capture continues in memory instead of refusing deliveries.
//!
//! The reader's connection is replaced by an in-memory database (same schema) with the file
//! attached as `disk` when it is still readable. Temporary views named `deliveries` and
//! `payloads` (the `temp` schema is searched first) show the rows of both, so every reader query
//! works unchanged and earlier deliveries stay visible; the writer then shares that connection
//! and writes to `main.*` (memory). Ids continue where the file stopped. Nothing written in
//! memory is saved: the warning says so.

use super::schema;
use rusqlite::Connection;
use std::path::Path;

/// An in-memory database for the rest of the session, showing the file's rows too when the
/// file can still be read. Returns it and whether the file's rows are visible.
pub(crate) fn memory_with_disk(path: &Path) -> rusqlite::Result<(Connection, bool)> {
    let mut conn = Connection::open_in_memory()?;
    schema::prepare(&mut conn, false)?;
    let readable = attach_readable(&conn, path);
    if readable {
        conn.execute_batch(
            "CREATE TEMP VIEW deliveries AS \
               SELECT * FROM disk.deliveries UNION ALL SELECT * FROM main.deliveries; \
             CREATE TEMP VIEW payloads AS \
               SELECT * FROM disk.payloads UNION ALL SELECT * FROM main.payloads;",
        )?;
    }
    Ok((conn, readable))
}

fn attach_readable(conn: &Connection, path: &Path) -> bool {
    let Some(path) = path.to_str() else {
        return false;
    };
    if conn.execute("ATTACH DATABASE ?1 AS disk", [path]).is_err() {
        return false;
    }
    let ok = conn
        .query_row(
            "SELECT (SELECT count(*) FROM disk.deliveries) + (SELECT count(*) FROM disk.payloads)",
            [],
            |r| r.get::<_, i64>(0),
        )
        .is_ok();
    if !ok {
        let _ = conn.execute("DETACH DATABASE disk", []);
    }
    ok
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

        std::fs::write(&path, b"not a database at all, just some bytes here").unwrap();
        let (c, readable) = memory_with_disk(&path).unwrap();
        assert!(!readable);
        let n: i64 = c
            .query_row("SELECT count(*) FROM deliveries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
