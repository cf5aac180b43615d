//! The detail pane as a component: the loaded delivery with its verification by the current
//! checker, the active tab, the body view and the scroll. Loading is asked for with
//! [`Effect::LoadDetail`]; the answer comes back through [`DetailPane::loaded`].

use super::body::{BodyChoice, BodyDocs, BodyView};
use super::events::Effect;
use super::key_table::Action;
use super::layout::Tab;
use crate::checker::Checker;
use crate::delivery::{Delivery, Summary};
use crate::verify::Verification;

/// The selected delivery, loaded, with its verification by the current checker.
#[derive(Clone, Debug)]
pub struct Detail {
    pub delivery: Delivery,
    pub verification: Verification,
    /// Stored replays of this delivery, oldest first.
    pub replays: Vec<Summary>,
    pub(crate) body: BodyDocs,
}

/// The pane's state.
#[derive(Clone, Debug, Default)]
pub struct DetailPane {
    detail: Option<Detail>,
    /// The delivery asked for (no second request while it loads).
    requested: Option<u64>,
    /// The loaded detail may be out of date (the store changed): load it again.
    stale: bool,
    pub(crate) tab: Tab,
    /// The body view the user picked for a delivery (else its content type's).
    pub(crate) body_choice: BodyChoice,
    /// Scroll, in rows (clamped by the layout step before drawing).
    pub(crate) scroll: usize,
}

fn judge(checker: &Checker, d: &Delivery) -> Verification {
    checker.check(d, d.received_at_ms.div_euclid(1000))
}

impl DetailPane {
    /// The loaded detail, if it is `selected`'s.
    pub fn get(&self, selected: Option<u64>) -> Option<&Detail> {
        self.detail
            .as_ref()
            .filter(|d| Some(d.delivery.id) == selected)
    }

    /// The active tab.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// The body view mode.
    pub fn body_view(&self) -> BodyView {
        self.body_choice
            .current(self.detail.as_ref().map(|d| &d.delivery))
    }

    /// The loaded detail, whoever's it is (the layout step sizes its body views).
    pub(crate) fn loaded_mut(&mut self) -> Option<&mut Detail> {
        self.detail.as_mut()
    }

    /// Whether a detail is loaded.
    pub fn is_loaded(&self) -> bool {
        self.detail.is_some()
    }

    /// Switch tab (the scroll starts at the top).
    pub fn set_tab(&mut self, t: Tab) {
        if self.tab != t {
            self.tab = t;
            self.scroll = 0;
        }
    }

    /// Scroll by `delta` rows.
    pub fn scroll_by(&mut self, delta: isize) {
        self.scroll = (self.scroll as isize + delta).max(0) as usize;
    }

    /// A detail action (tabs, the body view); with the focus, the moves scroll (`page` rows a
    /// page). Returns whether it was one.
    pub fn action(&mut self, action: Action, focused: bool, page: isize) -> bool {
        let n = Tab::ALL.len();
        match action {
            Action::Down if focused => self.scroll_by(1),
            Action::Up if focused => self.scroll_by(-1),
            Action::PageDown if focused => self.scroll_by(page - 1),
            Action::PageUp if focused => self.scroll_by(1 - page),
            Action::Top if focused => self.scroll = 0,
            Action::Bottom if focused => self.scroll = usize::MAX,
            Action::NextTab => self.set_tab(Tab::ALL[(self.tab.index() + 1) % n]),
            Action::PrevTab => self.set_tab(Tab::ALL[(self.tab.index() + n - 1) % n]),
            Action::Tab1 => self.set_tab(Tab::Overview),
            Action::Tab2 => self.set_tab(Tab::Headers),
            Action::Tab3 => self.set_tab(Tab::Body),
            Action::Tab4 => self.set_tab(Tab::Signature),
            Action::Tab5 => self.set_tab(Tab::Replay),
            Action::BodyView => {
                if self.tab == Tab::Body {
                    let next = self.body_view().next();
                    let id = self.detail.as_ref().map(|d| d.delivery.id);
                    self.body_choice.pick(id, next);
                } else {
                    self.tab = Tab::Body;
                }
                self.scroll = 0;
            }
            _ => return false,
        }
        true
    }

    /// The selection changed: the new delivery starts at the top.
    pub fn selection_changed(&mut self) {
        self.scroll = 0;
    }

    /// Forget the loaded delivery (deleted, cleared, nothing selected).
    pub fn forget(&mut self) {
        self.detail = None;
        self.requested = None;
    }

    /// The store changed: load the detail again (its replays or its answer may have changed).
    pub fn store_changed(&mut self) {
        self.requested = None;
        self.stale = true;
    }

    /// The load to ask for, when `selected` is not the loaded (or is a stale) detail.
    pub fn load(&mut self, selected: Option<u64>) -> Option<Effect> {
        let id = selected?;
        let current = self.detail.as_ref().map(|d| d.delivery.id) == Some(id);
        if (current && !self.stale) || self.requested == Some(id) {
            return None;
        }
        self.requested = Some(id);
        self.stale = false;
        Some(Effect::LoadDetail(id))
    }

    /// The store's answer to a load; `Err` says the delivery is gone.
    pub fn loaded(
        &mut self,
        id: u64,
        delivery: Option<Box<Delivery>>,
        replays: Vec<Summary>,
        checker: &Checker,
    ) -> Result<(), String> {
        match delivery {
            Some(d) => {
                let v = judge(checker, &d);
                self.set(*d, v, replays);
                Ok(())
            }
            None => {
                self.detail = None;
                Err(format!("delivery #{id} is no longer stored"))
            }
        }
    }

    /// A newer version of a delivery arrived (e.g. the app's answer): take it if it is shown.
    pub fn updated(&mut self, d: &Delivery, checker: &Checker) {
        if self.detail.as_ref().is_some_and(|x| x.delivery.id == d.id) {
            let replays = self.detail.take().map(|x| x.replays).unwrap_or_default();
            self.set(d.clone(), judge(checker, d), replays);
        }
    }

    /// The checker changed: judge the loaded delivery again.
    pub fn rejudge(&mut self, checker: &Checker) {
        if let Some(d) = self.detail.take() {
            let v = judge(checker, &d.delivery);
            self.set(d.delivery, v, d.replays);
        }
    }

    /// Make a loaded delivery the detail.
    fn set(&mut self, d: Delivery, v: Verification, replays: Vec<Summary>) {
        self.requested = Some(d.id);
        let body = match &self.detail {
            // Same bytes: keep the lazily built views (and their scroll state).
            Some(x) if x.delivery.id == d.id && x.delivery.body == d.body => x.body.clone(),
            _ => BodyDocs::new(d.body.clone()),
        };
        self.detail = Some(Detail {
            body,
            delivery: d,
            verification: v,
            replays,
        });
    }
}
