//! The windows over everything as one component: help, the setup card, the copy and export
//! menus and the delete/clear confirmations. It owns which is open and the help's scroll, and
//! turns a key into a [`Picked`] that the router carries out (it needs the list and the detail).

use super::copy::{self, CopyKind};
use super::events::Handled;
use super::history;
use super::key_table::Action;
use super::keys::Key;
use crate::export::Format;
use crossterm::event::KeyCode;

/// A window over everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help,
    CopyMenu,
    ExportMenu,
    /// "Delete all deliveries? y/n".
    ConfirmClear,
    /// "Delete #N? y/n".
    ConfirmDelete(u64),
    /// The setup card of the selected delivery's provider (`hookscope setup`).
    Setup,
}

/// What a key in an overlay chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    /// Copy this text of the detail.
    Copy(CopyKind),
    /// Export in this format: the shown list (`true`) or the selected delivery.
    Export(Format, bool),
    /// `y` to "delete all".
    Clear,
    /// `y` to "delete #N".
    Delete(u64),
    /// Anything else at a confirmation: nothing is deleted (the message says so).
    Kept(String),
}

/// What the dashboard has for the overlays to act on.
#[derive(Clone, Copy, Debug)]
pub struct Offer {
    pub selected: Option<u64>,
    /// The selected delivery is loaded (something to copy).
    pub detail: bool,
    /// Rows shown (something to export).
    pub rows: usize,
    /// Rows stored (something to clear).
    pub stored: usize,
}

/// The open overlay and the help's scroll.
#[derive(Clone, Debug, Default)]
pub struct Overlays {
    open: Option<Overlay>,
    /// Help and setup card scroll (clamped by the layout step before drawing).
    pub(crate) scroll: usize,
}

impl Overlays {
    /// The open overlay.
    pub fn open(&self) -> Option<Overlay> {
        self.open
    }

    /// Open an overlay (help and the setup card start at the top).
    pub fn show(&mut self, o: Overlay) {
        self.open = Some(o);
        self.scroll = 0;
    }

    /// Close whatever is open.
    pub fn close(&mut self) {
        self.open = None;
    }

    /// An action that opens an overlay (help, setup card, copy, export, delete, clear), or says
    /// why there is nothing to open it on; `Ignored` for any other action.
    pub fn action(&mut self, action: Action, offer: Offer) -> Handled {
        let nothing = |what: &str| Handled::Notice(format!("nothing to {what}"));
        match action {
            Action::Help => self.show(Overlay::Help),
            Action::Setup => self.show(Overlay::Setup),
            Action::Copy if !offer.detail => return nothing("copy: no delivery selected"),
            Action::Copy => self.show(Overlay::CopyMenu),
            Action::Export if offer.rows == 0 => return nothing("export: the list is empty"),
            Action::Export => self.show(Overlay::ExportMenu),
            Action::Delete => match offer.selected {
                Some(id) => self.show(Overlay::ConfirmDelete(id)),
                None => return nothing("delete: no delivery selected"),
            },
            Action::Clear if offer.stored == 0 => return nothing("clear: no deliveries"),
            Action::Clear => self.show(Overlay::ConfirmClear),
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    /// A key while an overlay is open (`page` rows a page key scrolls); it always takes it.
    pub fn key(&mut self, key: Key, action: Option<Action>, page: usize) -> Option<Picked> {
        let open = self.open?;
        let char_key = match key.code {
            KeyCode::Char(c) => Some(c),
            _ => None,
        };
        match open {
            Overlay::Help | Overlay::Setup => {
                match action {
                    Some(Action::Down) => self.scroll += 1,
                    Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
                    Some(Action::PageDown) => self.scroll += page,
                    Some(Action::PageUp) => self.scroll = self.scroll.saturating_sub(page),
                    Some(Action::Top) => self.scroll = 0,
                    Some(Action::Bottom) => self.scroll = usize::MAX,
                    Some(Action::Help | Action::Setup | Action::Back | Action::Quit) => {
                        self.close()
                    }
                    _ => {}
                }
                None
            }
            Overlay::CopyMenu => {
                if matches!(action, Some(Action::Back | Action::Copy | Action::Quit)) {
                    self.close();
                    return None;
                }
                let (_, kind, _) = copy::MENU.iter().find(|(k, _, _)| Some(*k) == char_key)?;
                self.close();
                Some(Picked::Copy(*kind))
            }
            Overlay::ExportMenu => {
                if matches!(action, Some(Action::Back | Action::Export | Action::Quit)) {
                    self.close();
                    return None;
                }
                let c = char_key?;
                let (_, format, _) = history::MENU
                    .iter()
                    .find(|(k, _, _)| *k == c.to_ascii_lowercase())?;
                self.close();
                Some(Picked::Export(*format, c.is_ascii_uppercase()))
            }
            Overlay::ConfirmClear => {
                self.close();
                Some(if char_key == Some('y') {
                    Picked::Clear
                } else {
                    Picked::Kept("clear cancelled: nothing was deleted".into())
                })
            }
            Overlay::ConfirmDelete(id) => {
                self.close();
                Some(if char_key == Some('y') {
                    Picked::Delete(id)
                } else {
                    Picked::Kept(format!("#{id} kept: nothing was deleted"))
                })
            }
        }
    }
}
