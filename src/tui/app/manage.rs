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

    /// What the upper-case menu keys export: "the 3 filtered deliveries" / "all 7 deliveries".
    pub fn shown_label(&self) -> String {
        let n = crate::tui::fmt::count(self.visible_len());
        match (self.filter.query(), self.visible_len()) {
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
            history::Selection::Shown {
                query: self.filter.query().cloned(),
                newest_first: !self.follow,
            }
        } else {
            match self.selected() {
                Some(id) => history::Selection::Ids(vec![id]),
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

    /// `d`: ask before deleting the selected delivery.
    pub(super) fn ask_delete(&mut self) {
        match self.selected() {
            Some(id) => self.overlay = Some(Overlay::ConfirmDelete(id)),
            None => self.notice("nothing to delete: no delivery selected".into()),
        }
    }

    /// `y` deletes the delivery from the store (the list follows the store's answer).
    pub(super) fn confirm_delete_key(&mut self, id: u64, key: Key, fx: &mut Vec<Effect>) {
        self.overlay = None;
        if key.code != KeyCode::Char('y') {
            self.notice(format!("#{id} kept: nothing was deleted"));
            return;
        }
        if let Some(pos) = self.position_of(id) {
            // The row below takes its place once the store answers.
            self.pending_pos = Some(pos);
        }
        self.selected = None;
        self.result(format!("deleting #{id}…"));
        self.detail = None;
        self.requested = None;
        self.scroll = 0;
        fx.push(Effect::Delete(id));
    }

    /// `z`: ask before clearing everything.
    pub(super) fn ask_clear(&mut self) {
        if self.counts().0 == 0 {
            self.notice("nothing to clear: no deliveries".into());
        } else {
            self.overlay = Some(Overlay::ConfirmClear);
        }
    }

    pub(super) fn confirm_clear_key(&mut self, key: Key, fx: &mut Vec<Effect>) {
        self.overlay = None;
        if key.code == KeyCode::Char('y') {
            let n = self.counts().0;
            self.result(format!(
                "clearing {} deliveries…",
                crate::tui::fmt::count(n)
            ));
            self.list.clear();
            self.selected = None;
            self.detail = None;
            self.requested = None;
            self.focus = Focus::List;
            self.offset = 0;
            fx.push(Effect::Clear);
        } else {
            self.notice("clear cancelled: nothing was deleted".into());
        }
    }
}
