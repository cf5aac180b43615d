//! The dashboard's list as the store answers it: one window of rows around the viewport, the
//! number of rows the filter keeps, and the per-provider, per-verdict counts — never a copy of
//! every row (docs/dashboard.md, "What the counts mean"). The store answers in SQL
//! (`store::list`); [`window_of`] answers the same question over rows held in memory.

use crate::delivery::Summary;
use crate::tui::filter::Query;
use crate::verify::Verdict;
use std::collections::BTreeMap;

/// Which row the window is built around.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The newest matching row (the bottom in follow mode, the top otherwise).
    Newest,
    /// A display position (0 = top), clamped to the rows there are.
    Pos(usize),
    /// A delivery id: that row if it still matches, else its nearest older neighbour.
    Id(u64),
}

/// One question to the store about the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRequest {
    /// Answers carry it back; a newer request makes older answers moot.
    pub seq: u64,
    /// The filter (`None`: every row).
    pub query: Option<Query>,
    /// Display order: newest at the top (`true`) or at the bottom (follow mode).
    pub newest_first: bool,
    /// Where the selection is.
    pub anchor: Anchor,
    /// How many rows to return around the anchor.
    pub len: usize,
}

/// Stored rows per verdict for one provider (or for all).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerdictCounts {
    pub verified: u64,
    pub failed: u64,
    pub unverified: u64,
}

impl VerdictCounts {
    /// All rows.
    pub fn total(&self) -> u64 {
        self.verified + self.failed + self.unverified
    }

    /// Add `n` rows of verdict `v`.
    pub fn add(&mut self, v: Verdict, n: u64) {
        match v {
            Verdict::Verified => self.verified += n,
            Verdict::Failed => self.failed += n,
            Verdict::Unverified => self.unverified += n,
        }
    }
}

/// What the store holds, counted: every stored row, whatever the filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// All rows by verdict.
    pub all: VerdictCounts,
    /// Rows attributed to each provider, by verdict (rows without a provider are only in `all`).
    pub by_provider: BTreeMap<String, VerdictCounts>,
}

impl Counts {
    /// Count one row.
    pub fn add(&mut self, provider: Option<&str>, v: Verdict, n: u64) {
        self.all.add(v, n);
        if let Some(p) = provider.filter(|p| !p.is_empty()) {
            self.by_provider.entry(p.to_string()).or_default().add(v, n);
        }
    }
}

/// The store's answer to a [`ListRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListWindow {
    /// The request's `seq`.
    pub seq: u64,
    /// Display position of `rows[0]`.
    pub start: usize,
    /// Rows in display order.
    pub rows: Vec<Summary>,
    /// Rows the filter keeps (all rows without a filter).
    pub matching: usize,
    /// The anchor's row, when any row matches.
    pub selected: Option<u64>,
    /// Every stored row, counted.
    pub counts: Counts,
}

/// Where the window starts so that it holds `pos` with about half of `len` on each side.
pub fn window_start(pos: usize, len: usize, matching: usize) -> usize {
    pos.saturating_sub(len / 2)
        .min(matching.saturating_sub(len))
}

/// Answer `req` over `rows` (ascending id); `body` gives a row's body for body terms.
pub fn window_of(
    rows: &[Summary],
    body: &dyn Fn(u64) -> Option<bytes::Bytes>,
    req: &ListRequest,
) -> ListWindow {
    let mut counts = Counts::default();
    for s in rows {
        counts.add(s.provider.as_deref(), s.verdict, 1);
    }
    let keep = |s: &Summary| {
        req.query.as_ref().is_none_or(|q| {
            let b = if q.searches_bodies() {
                body(s.id)
            } else {
                None
            };
            q.matches(s, b.as_deref())
        })
    };
    let mut kept: Vec<&Summary> = rows.iter().filter(|s| keep(s)).collect();
    if req.newest_first {
        kept.reverse();
    }
    let matching = kept.len();
    let pos = match req.anchor {
        Anchor::Newest if req.newest_first => 0,
        Anchor::Newest => matching.saturating_sub(1),
        Anchor::Pos(p) => p.min(matching.saturating_sub(1)),
        Anchor::Id(id) => {
            // Rows with a higher id than the anchor, in display order.
            let newer = kept.iter().filter(|s| s.id > id).count();
            let at_or_older = matching - newer;
            if req.newest_first {
                newer.min(matching.saturating_sub(1))
            } else {
                at_or_older.saturating_sub(1)
            }
        }
    };
    let start = window_start(pos, req.len, matching);
    let end = (start + req.len).min(matching);
    ListWindow {
        seq: req.seq,
        start,
        rows: kept[start..end].iter().map(|s| (*s).clone()).collect(),
        matching,
        selected: kept.get(pos).map(|s| s.id),
        counts,
    }
}
