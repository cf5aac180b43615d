//! The dashboard's list questions answered in SQL (see `crate::listing`): windows by id order,
//! the filter as a `WHERE` condition, totals from the trigger-kept `counts` table, and the
//! change feed (`PRAGMA data_version`).

use super::{Store, StoreError, codec};
use crate::delivery::Summary;
use crate::listing::{Anchor, Counts, ListRequest, ListWindow, window_start};
use rusqlite::Connection;
use rusqlite::types::Value;

pub(super) const COLUMNS: &str = "d.id, d.received_at_ms, d.method, d.path, d.provider, d.verdict, \
    d.body_size, d.status, d.replay_of, d.rejected IS NOT NULL";

pub(super) fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
    Ok(Summary {
        id: r.get::<_, i64>(0)? as u64,
        received_at_ms: r.get(1)?,
        method: r.get(2)?,
        path: r.get(3)?,
        provider: r.get(4)?,
        verdict: codec::verdict_from_str(r.get_ref(5)?.as_str()?),
        body_size: r.get::<_, i64>(6)? as u64,
        status: r.get(7)?,
        replay_of: r.get::<_, Option<i64>>(8)?.map(|v| v as u64),
        rejected: r.get(9)?,
    })
}

/// Every stored row counted by provider and verdict (one small read: `counts`).
pub(super) fn counts(conn: &Connection) -> rusqlite::Result<Counts> {
    let mut stmt = conn.prepare_cached("SELECT provider, verdict, n FROM counts WHERE n > 0")?;
    let mut out = Counts::default();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let provider: String = r.get(0)?;
        let verdict = codec::verdict_from_str(r.get_ref(1)?.as_str()?);
        out.add(Some(&provider), verdict, r.get::<_, i64>(2)? as u64);
    }
    Ok(out)
}

/// A filter condition and its parameters, with the `FROM` it needs.
struct Filter {
    from: &'static str,
    cond: String,
    params: Vec<Value>,
}

impl Filter {
    fn of(req: &ListRequest) -> Filter {
        let (cond, params) = match &req.query {
            Some(q) => q.to_sql(),
            None => ("1".into(), Vec::new()),
        };
        let bodies = req.query.as_ref().is_some_and(|q| q.searches_bodies());
        Filter {
            from: if bodies {
                "deliveries d LEFT JOIN payloads p ON p.id = d.id"
            } else {
                "deliveries d"
            },
            cond,
            params,
        }
    }

    fn count(
        &self,
        conn: &Connection,
        extra: &str,
        extra_params: &[Value],
    ) -> rusqlite::Result<usize> {
        let sql = format!(
            "SELECT count(*) FROM {} WHERE ({}){extra}",
            self.from, self.cond
        );
        let params: Vec<&Value> = self.params.iter().chain(extra_params).collect();
        let n: i64 = conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// `len` rows from `offset`, newest first (`desc`) or oldest first.
    fn rows(
        &self,
        conn: &Connection,
        desc: bool,
        offset: usize,
        len: usize,
    ) -> rusqlite::Result<Vec<Summary>> {
        let order = if desc { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {COLUMNS} FROM {} WHERE ({}) ORDER BY d.id {order} LIMIT ? OFFSET ?",
            self.from, self.cond
        );
        let extra = [Value::Integer(len as i64), Value::Integer(offset as i64)];
        let params: Vec<&Value> = self.params.iter().chain(&extra).collect();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), summary)?;
        rows.collect()
    }
}

/// Answer one list request (see [`crate::listing::window_of`] for the same over memory).
/// Ids counted per step of a body search's count (the dashboard hears after each).
pub const COUNT_STEP: u64 = 20_000;

pub(super) fn window(conn: &Connection, req: &ListRequest) -> rusqlite::Result<ListWindow> {
    window_counted(conn, req, None)
}

/// [`window`], with the filter's match count when it is already known.
pub(super) fn window_counted(
    conn: &Connection,
    req: &ListRequest,
    known: Option<usize>,
) -> rusqlite::Result<ListWindow> {
    let counts = counts(conn)?;
    let filter = Filter::of(req);
    let matching = match (&req.query, known) {
        (None, _) => counts.all.total() as usize,
        (Some(_), Some(n)) => n,
        (Some(_), None) => filter.count(conn, "", &[])?,
    };
    let last = matching.saturating_sub(1);
    // Positions count from the top: newest-first puts the highest id at 0.
    let pos = match req.anchor {
        Anchor::Newest if req.newest_first => 0,
        Anchor::Newest => last,
        Anchor::Pos(p) => p.min(last),
        Anchor::Id(id) => {
            let newer = filter.count(conn, " AND d.id > ?", &[Value::Integer(id as i64)])?;
            if req.newest_first {
                newer.min(last)
            } else {
                (matching - newer).saturating_sub(1)
            }
        }
    };
    let start = window_start(pos, req.len, matching);
    let len = req.len.min(matching - start);
    // Read from whichever end is nearer, so OFFSET walks the fewest rows.
    let from_top = start;
    let from_bottom = matching - start - len;
    let mut rows = if from_top <= from_bottom {
        filter.rows(conn, req.newest_first, from_top, len)?
    } else {
        let mut r = filter.rows(conn, !req.newest_first, from_bottom, len)?;
        r.reverse();
        r
    };
    rows.truncate(len);
    let selected = rows.get(pos - start).map(|s| s.id);
    Ok(ListWindow {
        seq: req.seq,
        start,
        rows,
        matching,
        selected,
        counts,
    })
}

impl Store {
    /// Answer a list request from the store (see [`crate::listing`]).
    pub fn window(&self, req: &ListRequest) -> Result<ListWindow, StoreError> {
        Ok(window(&self.reader(), req)?)
    }

    /// [`Store::window`] for a question that searches bodies: the match count is taken in steps
    /// growing to `step` ids (the dashboard uses [`COUNT_STEP`]), newest ids first, and `progress(matched so far, ids scanned, ids in all)` hears after each
    /// (return `false` to give up: `Ok(None)`). The reader is free between steps, so loading a
    /// delivery meanwhile does not wait for the search; if the store changed during the count,
    /// the window counts again so that it agrees with what it lists.
    pub fn window_with_progress(
        &self,
        req: &ListRequest,
        step: u64,
        progress: &mut dyn FnMut(usize, u64, u64) -> bool,
    ) -> Result<Option<ListWindow>, StoreError> {
        let step = step.clamp(1, i64::MAX as u64) as i64;
        let version = self.data_version()?;
        let filter = Filter::of(req);
        let (lo, hi): (i64, i64) = self.reader().query_row(
            "SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM deliveries",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let span = (hi - lo + 1).max(0) as u64;
        let mut matched = 0;
        let mut top = hi;
        // The first steps are small so that a first count shows soon; they double up to `step`.
        let mut size = (step / 8).max(1);
        while top >= lo && hi > 0 {
            let bottom = top.saturating_sub(size - 1).max(lo);
            size = (size * 2).min(step);
            matched += filter.count(
                &self.reader(),
                " AND d.id BETWEEN ? AND ?",
                &[Value::Integer(bottom), Value::Integer(top)],
            )?;
            if !progress(matched, (hi - bottom + 1) as u64, span) {
                return Ok(None);
            }
            top = bottom - 1;
        }
        let known = (self.data_version()? == version).then_some(matched);
        Ok(Some(window_counted(&self.reader(), req, known)?))
    }

    /// Every stored row counted by provider and verdict.
    pub fn counts(&self) -> Result<Counts, StoreError> {
        Ok(counts(&self.reader())?)
    }

    /// Ids of every row `query` keeps (all without one), newest first or oldest first.
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
        let f = Filter::of(&req);
        let order = if newest_first { "DESC" } else { "ASC" };
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT d.id FROM {} WHERE ({}) ORDER BY d.id {order}",
            f.from, f.cond
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(&f.params), |r| {
            Ok(r.get::<_, i64>(0)? as u64)
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Rows recorded as replays of `id`, oldest first.
    pub fn replays_of(&self, id: u64) -> Result<Vec<Summary>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM deliveries d WHERE d.replay_of = ?1 ORDER BY d.id"
        ))?;
        let rows = stmt.query_map([id as i64], summary)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A number that changes whenever another connection (this process's writer, or another
    /// process: an import, a replay, a second listener) committed to the database since the
    /// last call (`PRAGMA data_version` on the reader's connection): the change feed.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        let conn = self.reader();
        Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}
