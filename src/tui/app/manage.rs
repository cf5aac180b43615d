//! History management on the App: the `x` export menu, `d` delete and `z` clear (with its
//! confirmation). The store work is an [`Effect`] the loop performs.

use super::{App, Effect, Focus, Overlay};
use crate::export::Format;
use crate::tui::history::{self, ExportJob};
use crate::tui::keys::{Action, Key};
use crossterm::event::KeyCode;

impl App {
    /// `x`: open the export menu (needs a selected delivery or a non-empty list).
    pub(super) fn open_export_menu(&mut self) {
        if self.visible_len() == 0 {
            self.notice("nothing to export: the list is empty".into());
        } else {
            self.overlay = Some(Overlay::ExportMenu);
        }
    }

    /// Ids of the rows shown (all, or the filter's matches), in list order.
    pub fn shown_ids(&self) -> Vec<u64> {
        (0..self.visible_len())
            .filter_map(|p| self.row_at(p).map(|s| s.id))
            .collect()
    }

    /// What the upper-case menu keys export: "the 3 filtered deliveries" / "all 7 deliveries".
    pub fn shown_label(&self) -> String {
        let n = crate::tui::fmt::count(self.visible_len());
        match (&self.filter.query, self.visible_len()) {
            (Some(_), 1) => "the 1 filtered delivery".into(),
            (Some(_), _) => format!("the {n} filtered deliveries"),
            (None, 1) => "the 1 delivery".into(),
            (None, _) => format!("all {n} deliveries"),
        }
    }

    pub(super) fn export_key(&mut self, key: Key, action: Option<Action>, fx: &mut Vec<Effect>) {
        if matches!(action, Some(Action::Back | Action::Export | Action::Quit)) {
            self.overlay = None;
            return;
        }
        let KeyCode::Char(c) = key.code else { return };
        let Some(&(_, format, _)) = history::MENU
            .iter()
            .find(|(k, _, _)| *k == c.to_ascii_lowercase())
        else {
            return;
        };
        self.overlay = None;
        let ids = if c.is_ascii_uppercase() {
            self.shown_ids()
        } else {
            match self.selected() {
                Some(id) => vec![id],
                None => {
                    self.notice("nothing to export: no delivery selected".into());
                    return;
                }
            }
        };
        let file = (format != Format::Curl).then(|| history::file_name(format, self.now_ms));
        fx.push(Effect::Export(ExportJob {
            format,
            ids,
            file,
            base: self.target_url().to_string(),
        }));
    }

    /// `d`: remove the selected delivery from the list (the loop deletes it from the store);
    /// the selection moves to the row that takes its place.
    pub(super) fn delete_selected(&mut self, fx: &mut Vec<Effect>) {
        let Some(id) = self.selected() else {
            self.notice("nothing to delete: no delivery selected".into());
            return;
        };
        let pos = self.position_of(id).unwrap_or(0);
        if let Ok(i) = self.rows.binary_search_by_key(&id, |s| s.id) {
            let old = self.rows.remove(i);
            super::count_row(&mut self.failing, &mut self.stats, &old, false);
            self.refilter();
        }
        self.selected = None;
        self.detail = None;
        self.requested = None;
        self.scroll = 0;
        let n = self.visible_len();
        if n == 0 {
            self.focus = Focus::List;
        } else {
            self.select_pos(pos.min(n - 1));
        }
        self.keep_visible();
        self.notice(format!("deleted #{id}"));
        fx.push(Effect::Delete(id));
    }

    /// `z`: ask before clearing everything.
    pub(super) fn ask_clear(&mut self) {
        if self.rows.is_empty() {
            self.notice("nothing to clear: no deliveries".into());
        } else {
            self.overlay = Some(Overlay::ConfirmClear);
        }
    }

    pub(super) fn confirm_clear_key(&mut self, key: Key, fx: &mut Vec<Effect>) {
        self.overlay = None;
        if key.code == KeyCode::Char('y') {
            let n = self.rows.len();
            self.replace_rows(Vec::new());
            self.detail = None;
            self.requested = None;
            self.focus = Focus::List;
            self.offset = 0;
            self.notice(format!("cleared {} deliveries", crate::tui::fmt::count(n)));
            fx.push(Effect::Clear);
        } else {
            self.notice("clear cancelled: nothing was deleted".into());
        }
    }
}
