//! The list as the dashboard shows it: the store's latest answer for the rows around the
//! viewport ([`ListWindow`]), and the bookkeeping to ask again (docs/dashboard.md, "What the
//! counts mean"). It holds no row the store did not give it, and counts nothing by itself.

use crate::delivery::Summary;
use crate::listing::{Anchor, Counts, ListRequest, ListWindow};
use crate::tui::filter::Query;

/// Rows asked for beyond the viewport, on each side, so moving a few rows needs no query.
const MARGIN: usize = 64;

/// The store's answer and the questions under way.
#[derive(Clone, Debug, Default)]
pub struct ListModel {
    window: ListWindow,
    /// The newest request's number.
    seq: u64,
    /// A request is being answered.
    in_flight: bool,
    /// Something changed while a request was under way: ask again when it is answered.
    again: Option<Anchor>,
}

impl ListModel {
    /// Rows the filter keeps (all rows without a filter).
    pub fn matching(&self) -> usize {
        self.window.matching
    }

    /// Every stored row, counted.
    pub fn counts(&self) -> &Counts {
        &self.window.counts
    }

    /// The row at a display position, when it is in the window.
    pub fn row_at(&self, pos: usize) -> Option<&Summary> {
        pos.checked_sub(self.window.start)
            .and_then(|i| self.window.rows.get(i))
    }

    /// The display position of a row in the window.
    pub fn position_of(&self, id: u64) -> Option<usize> {
        self.window
            .rows
            .iter()
            .position(|s| s.id == id)
            .map(|i| i + self.window.start)
    }

    /// Whether the window holds every row of positions `from..to` that exists.
    pub fn covers(&self, from: usize, to: usize) -> bool {
        let to = to.min(self.window.matching);
        from >= self.window.start && to <= self.window.start + self.window.rows.len() || from >= to
    }

    /// Whether the answer to the newest request has not come yet.
    pub fn waiting(&self) -> bool {
        self.in_flight || self.again.is_some()
    }

    /// A request for the window around `anchor`, or `None` while one is under way (it is asked
    /// again when that one is answered). `force` (the filter or the order changed) asks at
    /// once: the answer under way no longer fits and will be dropped.
    pub fn request(
        &mut self,
        anchor: Anchor,
        query: Option<&Query>,
        newest_first: bool,
        height: usize,
        force: bool,
    ) -> Option<ListRequest> {
        if self.in_flight && !force {
            self.again = Some(anchor);
            return None;
        }
        self.again = None;
        self.in_flight = true;
        self.seq += 1;
        Some(ListRequest {
            seq: self.seq,
            query: query.cloned(),
            newest_first,
            anchor,
            len: height + 2 * MARGIN,
        })
    }

    /// The user moved to `anchor` while an answer is under way: that answer's selection is out
    /// of date, so it keeps the user's row (when it holds it) and the window is asked again.
    pub fn moved_meanwhile(&mut self, anchor: Anchor) {
        if self.in_flight {
            self.again = Some(anchor);
        }
    }

    /// Take an answer. Returns whether it is the newest (older ones are dropped) and, when a
    /// change came in meanwhile, the anchor to ask about again.
    pub fn answer(&mut self, w: ListWindow) -> (bool, Option<Anchor>) {
        if w.seq != self.seq {
            return (false, None);
        }
        self.in_flight = false;
        self.window = w;
        (true, self.again.take())
    }

    /// The anchor row of the latest answer.
    pub fn answered_selection(&self) -> Option<u64> {
        self.window.selected
    }

    /// Forget the rows (the list was cleared); counts wait for the next answer.
    pub fn clear(&mut self) {
        self.window.rows.clear();
        self.window.matching = 0;
        self.window.counts = Counts::default();
    }
}
