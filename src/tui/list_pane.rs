//! The delivery list as a component: the store's window ([`ListModel`]), the selection, the top
//! visible row, follow mode and the row a deletion leaves the selection at. Moving asks the store
//! for a new window when the viewport leaves the one it holds; every question is an
//! [`Effect::Query`] the router passes on. It holds no row the store did not give it
//! (docs/dashboard.md, "What the counts mean").

use super::events::{Effect, Handled};
use super::filter::Query;
use super::key_table::Action;
use super::list_model::ListModel;
use crate::delivery::Summary;
use crate::listing::{Anchor, ListWindow};

/// What the list needs to know about the screen and the filter to ask the store.
#[derive(Clone, Debug)]
pub struct Fit {
    /// Rows the list shows.
    pub height: usize,
    /// The applied filter.
    pub query: Option<Query>,
}

/// The list's state.
#[derive(Clone, Debug)]
pub struct ListPane {
    model: ListModel,
    follow: bool,
    selected: Option<u64>,
    /// Display position of the top visible row.
    offset: usize,
    /// Where the selection goes once the store answers (the row that took a deleted one's place).
    pending_pos: Option<usize>,
    /// The running body search's progress: (request, matched so far, ids scanned, ids in all).
    searching: Option<(u64, usize, u64, u64)>,
}

impl Default for ListPane {
    fn default() -> Self {
        ListPane {
            model: ListModel::default(),
            follow: true,
            selected: None,
            offset: 0,
            pending_pos: None,
            searching: None,
        }
    }
}

impl ListPane {
    /// The store's window and counts.
    pub fn model(&self) -> &ListModel {
        &self.model
    }

    /// The selected delivery's id.
    pub fn selected(&self) -> Option<u64> {
        self.selected
    }

    /// Follow mode (newest at the bottom, auto-scroll) or newest first.
    pub fn follow(&self) -> bool {
        self.follow
    }

    /// Display position of the top visible row.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// (stored rows, failing stored rows): the store's counts, whatever the filter.
    pub fn counts(&self) -> (usize, usize) {
        let all = self.model.counts().all;
        (all.total() as usize, all.failed as usize)
    }

    /// Whether an answer from the store is awaited (the filter bar says "searching…").
    pub fn waiting(&self) -> bool {
        self.model.waiting()
    }

    /// Rows shown (all, or the filter's matches).
    pub fn len(&self) -> usize {
        self.model.matching()
    }

    /// Whether no row is shown.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row at a display position, when the store's window holds it.
    pub fn row_at(&self, pos: usize) -> Option<&Summary> {
        self.model.row_at(pos)
    }

    /// The selected row, when the store's window holds it.
    pub fn selected_row(&self) -> Option<&Summary> {
        self.selected
            .and_then(|id| self.position_of(id))
            .and_then(|p| self.row_at(p))
    }

    /// The display position of a row id, if it is in the store's window.
    pub fn position_of(&self, id: u64) -> Option<usize> {
        self.model.position_of(id)
    }

    /// While a body search runs: rows matched so far, ids scanned, ids in all.
    pub fn search_progress(&self) -> Option<(usize, u64, u64)> {
        self.searching
            .filter(|_| self.model.waiting())
            .map(|(_, m, s, o)| (m, s, o))
    }

    /// How far a body search has counted.
    pub fn searching(&mut self, seq: u64, matched: usize, scanned: u64, of: u64) {
        self.searching = Some((seq, matched, scanned, of));
    }

    /// Where the next window should be: the newest row while following it, else the selection.
    pub fn anchor(&self) -> Anchor {
        match self.selected {
            Some(id) if !self.at_newest() => Anchor::Id(id),
            _ => Anchor::Newest,
        }
    }

    /// Whether the list follows new deliveries right now: follow mode with the newest row
    /// selected (or nothing yet). Moving off the newest row pauses it until it is selected again.
    pub fn following(&self) -> bool {
        self.follow && (self.selected.is_none() || self.at_newest())
    }

    /// Whether the selection is the newest matching row (follow mode keeps it there).
    fn at_newest(&self) -> bool {
        self.follow && self.selected.is_some() && self.selected == self.newest_visible()
    }

    fn newest_visible(&self) -> Option<u64> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        self.row_at(if self.follow { n - 1 } else { 0 })
            .map(|s| s.id)
    }

    /// Ask the store for the window around `anchor` (see [`ListModel::request`]).
    pub fn ask(&mut self, anchor: Anchor, force: bool, fit: &Fit, fx: &mut Vec<Effect>) {
        let req = self
            .model
            .request(anchor, fit.query.as_ref(), !self.follow, fit.height, force);
        fx.extend(req.map(Effect::Query));
    }

    /// The store changed: ask for the window again (at the row that took a deleted one's place,
    /// else where the list is).
    pub fn store_changed(&mut self, fit: &Fit, fx: &mut Vec<Effect>) {
        let anchor = self.pending_pos.take().map_or(self.anchor(), Anchor::Pos);
        self.ask(anchor, false, fit, fx);
    }

    /// As [`ListPane::store_changed`], but the selection stays where it is even in follow mode
    /// (a replay recorded from this dashboard).
    pub fn store_changed_keeping_selection(&mut self, fit: &Fit, fx: &mut Vec<Effect>) {
        let anchor = self.selected.map_or(Anchor::Newest, Anchor::Id);
        self.ask(anchor, false, fit, fx);
    }

    /// The store answered: show its window, select its anchor row, and ask again if something
    /// changed meanwhile. Returns whether it was the newest answer (older ones are dropped).
    pub fn answered(&mut self, w: ListWindow, fit: &Fit, fx: &mut Vec<Effect>) -> bool {
        self.searching = None;
        let (newest, again) = self.model.answer(w);
        if !newest {
            return false;
        }
        // A row the user moved to while this answer was under way stays selected.
        self.selected = match again {
            Some(Anchor::Id(id)) if self.position_of(id).is_some() => Some(id),
            _ => self.model.answered_selection(),
        };
        self.keep_visible(fit.height);
        if let Some(a) = again {
            self.ask(a, false, fit, fx);
        } else if !self.model.covers(self.offset, self.offset + fit.height) {
            self.ask(self.anchor(), false, fit, fx);
        }
        true
    }

    /// Scroll so the selection is visible (and no blank space is left at the end).
    pub fn keep_visible(&mut self, h: usize) {
        let n = self.len();
        if let Some(pos) = self.selected.and_then(|id| self.position_of(id)) {
            if pos < self.offset {
                self.offset = pos;
            } else if pos >= self.offset + h {
                self.offset = pos + 1 - h;
            }
        }
        self.offset = self.offset.min(n.saturating_sub(h));
    }

    /// Select the row at a display position (asking the store when it is not in the window).
    pub fn select_pos(&mut self, pos: usize, fit: &Fit, fx: &mut Vec<Effect>) {
        match self.row_at(pos).map(|s| s.id) {
            Some(id) => {
                self.selected = Some(id);
                self.model.moved_meanwhile(Anchor::Id(id));
                self.keep_visible(fit.height);
                if !self.model.covers(self.offset, self.offset + fit.height) {
                    self.ask(Anchor::Id(id), false, fit, fx);
                }
            }
            // Not in the window: the store's answer selects it.
            None if pos < self.len() => self.ask(Anchor::Pos(pos), false, fit, fx),
            None => {}
        }
    }

    /// A row of the visible part, clicked (0 = the top visible row).
    pub fn click(&mut self, row: usize, fit: &Fit, fx: &mut Vec<Effect>) {
        self.select_pos(self.offset + row, fit, fx);
    }

    /// Move the selection by `delta` rows, stopping at either end.
    pub fn move_by(&mut self, delta: isize, fit: &Fit, fx: &mut Vec<Effect>) {
        let n = self.len();
        if n == 0 {
            return;
        }
        let cur = self.selected.and_then(|id| self.position_of(id));
        let pos = match cur {
            Some(p) => (p as isize + delta).clamp(0, n as isize - 1) as usize,
            None if delta < 0 => n - 1,
            None => 0,
        };
        self.select_pos(pos, fit, fx);
    }

    /// The first and the last row.
    pub fn top(&mut self, fit: &Fit, fx: &mut Vec<Effect>) {
        self.select_pos(0, fit, fx);
    }

    pub fn bottom(&mut self, fit: &Fit, fx: &mut Vec<Effect>) {
        self.select_pos(self.len().saturating_sub(1), fit, fx);
    }

    /// Move by `delta` matches, wrapping at either end (`n`/`N`); `false` when nothing matches.
    pub fn move_wrapping(&mut self, delta: isize, fit: &Fit, fx: &mut Vec<Effect>) -> bool {
        let n = self.len() as isize;
        if n == 0 {
            return false;
        }
        let cur = self
            .selected
            .and_then(|id| self.position_of(id))
            .map_or(-1, |p| p as isize);
        self.select_pos((cur + delta).rem_euclid(n) as usize, fit, fx);
        true
    }

    /// A list action: the moves (`page` rows a page), `n`/`N` over the filter's matches,
    /// follow mode. `Ignored` for any other action.
    pub fn action(
        &mut self,
        action: Action,
        page: isize,
        fit: &Fit,
        fx: &mut Vec<Effect>,
    ) -> Handled {
        match action {
            Action::Down => self.move_by(1, fit, fx),
            Action::Up => self.move_by(-1, fit, fx),
            Action::PageDown => self.move_by(page, fit, fx),
            Action::PageUp => self.move_by(-page, fit, fx),
            Action::Top => self.top(fit, fx),
            Action::Bottom => self.bottom(fit, fx),
            Action::NextMatch | Action::PrevMatch if fit.query.is_none() => {
                return Handled::Notice("no filter: press / to filter".into());
            }
            Action::NextMatch | Action::PrevMatch => {
                let delta = if action == Action::NextMatch { 1 } else { -1 };
                if !self.move_wrapping(delta, fit, fx) {
                    return Handled::Notice("no match".into());
                }
            }
            Action::Follow => {
                self.toggle_follow(fit, fx);
                return Handled::Notice(if self.follow {
                    "follow: newest at the bottom, the list follows new deliveries".into()
                } else {
                    "newest first; the selection stays put".into()
                });
            }
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    /// Switch follow mode; the store is asked for the list in the new order.
    pub fn toggle_follow(&mut self, fit: &Fit, fx: &mut Vec<Effect>) {
        self.follow = !self.follow;
        self.offset = 0;
        let anchor = if self.follow {
            Anchor::Newest
        } else {
            self.selected.map_or(Anchor::Newest, Anchor::Id)
        };
        self.ask(anchor, true, fit, fx);
    }

    /// The selected row is being deleted: the row below takes its place once the store answers.
    pub fn deleting(&mut self, id: u64) {
        if let Some(pos) = self.position_of(id) {
            self.pending_pos = Some(pos);
        }
        self.selected = None;
    }

    /// Everything is being deleted: forget the rows (counts wait for the store's answer).
    pub fn clear(&mut self) {
        self.model.clear();
        self.selected = None;
        self.offset = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::Summary;

    fn store(n: u64) -> Vec<Summary> {
        (1..=n)
            .map(|id| Summary {
                id,
                ..Default::default()
            })
            .collect()
    }

    fn answer(rows: &[Summary], fx: Vec<Effect>) -> ListWindow {
        let Some(Effect::Query(req)) = fx.into_iter().next() else {
            panic!("no query asked");
        };
        crate::listing::window_of(rows, &|_| None, &req)
    }

    #[test]
    fn a_move_while_an_answer_is_under_way_is_not_undone_by_it() {
        let fit = Fit {
            height: 10,
            query: None,
        };
        let rows = store(7);
        let mut list = ListPane::default();
        let mut fx = Vec::new();
        list.ask(Anchor::Newest, false, &fit, &mut fx);
        list.answered(answer(&rows, fx), &fit, &mut Vec::new());
        assert_eq!(list.selected(), Some(7), "follow mode selects the newest");
        // A change arrives and its window is asked for; before the answer, the user goes to #1.
        let mut fx = Vec::new();
        list.store_changed(&fit, &mut fx);
        let late = answer(&rows, fx);
        list.top(&fit, &mut Vec::new());
        assert_eq!(list.selected(), Some(1));
        let mut again = Vec::new();
        list.answered(late, &fit, &mut again);
        assert_eq!(
            list.selected(),
            Some(1),
            "the late answer kept the user's row"
        );
        list.answered(answer(&rows, again), &fit, &mut Vec::new());
        assert_eq!(list.selected(), Some(1));
    }
}
