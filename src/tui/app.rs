//! The dashboard state. No I/O: [`App::update`] takes an [`Input`] and returns [`Effect`]s that
//! the event loop performs (load a delivery, copy, quit). The clock comes in through
//! [`Input::Tick`], so tests drive it with fixed times.

use super::body::{BodyDocs, BodyView};
use super::copy;
use super::diff_pane::Compare;
use super::events::Handled;
pub use super::events::{Effect, Input};
use super::filter_bar::FilterBar;
use super::keys::{Action, Context, Key, KeyMap};
use super::layout::{self, Areas, Tab};
use super::list_model::ListModel;
use super::replay_pane::{ReplayCtx, ReplayPane};
use super::rules_pane::{RuleRow, RulesOutcome, RulesPane};
use super::secrets::{Outcome, SecretMap, SecretsPane};
use super::theme::Theme;
use crate::checker::Checker;
use crate::delivery::{Delivery, Summary};
use crate::event::Captured;
use crate::listing::{Anchor, ListWindow};
use crate::reverify::Progress;
use crate::verify::Verification;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use jiff::tz::TimeZone;
use ratatui::layout::Rect;
use std::collections::{BTreeMap, VecDeque};

mod manage;

/// How long a status message stays (results of long work stay until dismissed).
const STATUS_MS: i64 = 5_000;
/// The expiry of a result line: never, until `esc` dismisses it.
const UNTIL_DISMISSED: i64 = i64::MAX;
/// Skew samples kept per provider for the sparkline.
pub const SKEW_SAMPLES: usize = 24;
/// Rows a mouse wheel notch moves.
const WHEEL: isize = 3;

/// Fixed facts the dashboard shows.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// The listener's URL, e.g. `http://127.0.0.1:4545`.
    pub listen_url: String,
    /// Where deliveries are forwarded, if anywhere.
    pub forward: Option<String>,
    /// The listener accepts connections from other machines (shown as a warning).
    pub non_loopback: bool,
    /// Zone for times in the list and detail.
    pub time_zone: TimeZone,
    /// Retention (`--keep`), shown in the header bar; `None` when not known.
    pub keep: Option<u64>,
}

/// Which pane has the keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    #[default]
    List,
    Detail,
}

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

/// The selected delivery, loaded, with its verification by the current checker.
#[derive(Clone, Debug)]
pub struct Detail {
    pub delivery: Delivery,
    pub verification: Verification,
    /// Stored replays of this delivery, oldest first.
    pub replays: Vec<Summary>,
    pub(crate) body: BodyDocs,
}

/// Per-provider figures for the skew panel: stored rows by verdict (the store's counts) and
/// live timestamp samples.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderStats {
    pub verified: usize,
    pub failed: usize,
    pub unverified: usize,
    /// Recent timestamp skews (seconds, at arrival) of deliveries captured while the dashboard runs.
    pub skews: VecDeque<i64>,
    /// The tolerance of the latest sample.
    pub tolerance: Option<i64>,
    /// A live delivery showed that this provider's scheme signs no timestamp.
    pub no_timestamp: bool,
}

/// The dashboard state.
pub struct App {
    pub(crate) opts: AppOptions,
    pub(crate) theme: Theme,
    pub(crate) keys: KeyMap,
    checker: Checker,
    /// The list: the store's window around the viewport and its counts.
    pub(crate) list: ListModel,
    pub(crate) filter: FilterBar,
    /// Re-verification under way (shown above the list), if any.
    pub(crate) reverifying: Option<Progress>,
    pub(crate) follow: bool,
    selected: Option<u64>,
    /// Display position of the top visible row.
    pub(crate) offset: usize,
    pub(crate) focus: Focus,
    pub(crate) tab: Tab,
    pub(crate) body_view: BodyView,
    /// Detail scroll, in rows (clamped when drawn).
    pub(crate) scroll: usize,
    pub(crate) help_scroll: usize,
    pub(crate) detail: Option<Detail>,
    requested: Option<u64>,
    /// Where the selection goes once the store answers (the row that took a deleted one's place).
    pending_pos: Option<usize>,
    /// The loaded detail may be out of date (the store changed): load it again.
    detail_stale: bool,
    /// Effects produced outside a key handler's own list (store questions), taken by `update`.
    queued: Vec<Effect>,
    pub(crate) now_ms: i64,
    pub(crate) size: Rect,
    pub(crate) overlay: Option<Overlay>,
    pub(crate) status: Option<(String, i64)>,
    pub(crate) stats: BTreeMap<String, ProviderStats>,
    pub(crate) store_warning: Option<String>,
    /// Secrets from `HOOKSCOPE_SECRET_*` (the secrets pane marks them).
    env_secrets: super::secrets::SecretMap,
    /// The running body search's progress: (request, matched so far, ids scanned, ids in all).
    searching: Option<(u64, usize, u64, u64)>,
    /// The tunnel's latest state, with `--tunnel`.
    pub(crate) tunnel: Option<crate::tunnel::TunnelReport>,
    dirty: bool,
    /// The Replay tab (owned here, driven by `replay_pane`).
    pub(crate) replay: ReplayPane,
    /// The secrets pane, while open.
    pub(crate) secrets: Option<SecretsPane>,
    /// Saved secrets whose re-verification has not come back yet.
    pending_secrets: Option<SecretMap>,
    /// The diff mark and pane (`m`, `D`).
    pub(crate) compare: Compare,
    /// The response-rules overlay (`a`).
    pub(crate) rules: RulesPane,
}

impl App {
    /// A dashboard whose list comes from the store: it starts empty and asks for its first
    /// window ([`Effect::Query`]) when it learns its size ([`Input::Resize`]).
    pub fn new(opts: AppOptions, checker: Checker, keys: KeyMap, theme: Theme) -> App {
        App {
            opts,
            theme,
            keys,
            checker,
            list: ListModel::default(),
            filter: FilterBar::default(),
            reverifying: None,
            follow: true,
            selected: None,
            offset: 0,
            focus: Focus::List,
            tab: Tab::Overview,
            body_view: BodyView::Raw,
            scroll: 0,
            help_scroll: 0,
            detail: None,
            requested: None,
            detail_stale: false,
            pending_pos: None,
            queued: Vec::new(),
            now_ms: 0,
            size: Rect::default(),
            overlay: None,
            status: None,
            stats: BTreeMap::new(),
            store_warning: None,
            env_secrets: Default::default(),
            searching: None,
            tunnel: None,
            dirty: true,
            replay: ReplayPane::default(),
            secrets: None,
            pending_secrets: None,
            compare: Compare::default(),
            rules: RulesPane::default(),
        }
    }

    // ----- read access (views and tests) -----

    /// The selected delivery's id.
    pub fn selected(&self) -> Option<u64> {
        self.selected
    }

    /// The loaded detail, if it is the selected delivery's.
    pub fn detail(&self) -> Option<&Detail> {
        self.detail
            .as_ref()
            .filter(|d| Some(d.delivery.id) == self.selected)
    }

    /// The active detail tab.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// Which pane has the keys.
    pub fn focus(&self) -> Focus {
        self.focus
    }

    /// Follow mode (newest at the bottom, auto-scroll) or newest first.
    pub fn follow(&self) -> bool {
        self.follow
    }

    /// The open overlay.
    pub fn overlay(&self) -> Option<Overlay> {
        self.overlay
    }

    /// The body view mode.
    pub fn body_view(&self) -> BodyView {
        self.body_view
    }

    /// The store's warning (capture continues in memory), if the store failed.
    pub fn store_warning(&self) -> Option<&str> {
        self.store_warning.as_deref()
    }

    /// The status message, if one is showing.
    pub fn status(&self) -> Option<&str> {
        self.status.as_ref().map(|(s, _)| s.as_str())
    }

    /// Whether the status message is a result that stays until dismissed.
    pub fn status_stays(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|(_, until)| *until == UNTIL_DISMISSED)
    }

    /// The filter text (typed or applied).
    pub fn filter_text(&self) -> &str {
        self.filter.input().text()
    }

    /// Why the filter text is not a query, when it is not (the filter bar says so).
    pub fn filter_error(&self) -> Option<&str> {
        self.filter.error()
    }

    /// Whether the filter input has the keys.
    pub fn filter_editing(&self) -> bool {
        self.filter.editing()
    }

    /// (stored rows, failing stored rows): the store's counts, whatever the filter.
    pub fn counts(&self) -> (usize, usize) {
        let all = self.list.counts().all;
        (all.total() as usize, all.failed as usize)
    }

    /// Rows shown (all, or the filter's matches).
    pub fn visible_len(&self) -> usize {
        self.list.matching()
    }

    /// The row at a display position (0 = top of the list), when the store's window holds it.
    pub fn row_at(&self, pos: usize) -> Option<&Summary> {
        self.list.row_at(pos)
    }

    /// The display position of a row id, if it is in the store's window.
    pub fn position_of(&self, id: u64) -> Option<usize> {
        self.list.position_of(id)
    }

    /// Whether an answer from the store is awaited (the filter bar says "searching…").
    pub fn list_waiting(&self) -> bool {
        self.list.waiting()
    }

    /// While a body search runs: rows matched so far, ids scanned, ids in all.
    pub fn search_progress(&self) -> Option<(usize, u64, u64)> {
        self.searching
            .filter(|_| self.list.waiting())
            .map(|(_, m, s, o)| (m, s, o))
    }

    /// Re-verification under way, if any.
    pub fn reverifying(&self) -> Option<&Progress> {
        self.reverifying.as_ref()
    }

    /// Per-provider statistics.
    pub fn provider_stats(&self) -> &BTreeMap<String, ProviderStats> {
        &self.stats
    }

    /// The diff mark and pane.
    pub fn compare(&self) -> &Compare {
        &self.compare
    }

    /// The response rules the overlay shows and switches (the listener's, at start).
    pub fn set_rules(&mut self, rows: Vec<RuleRow>) {
        self.rules.set_rows(rows);
        self.dirty = true;
    }

    /// The response-rules overlay.
    pub fn rules_pane(&self) -> &RulesPane {
        &self.rules
    }

    /// Where replays go: the URL typed in the pane, else the forward target.
    pub fn replay_target(&self) -> Option<&str> {
        self.replay.target(self.opts.forward.as_deref())
    }

    /// The Replay tab's state.
    pub fn replay_pane(&self) -> &ReplayPane {
        &self.replay
    }

    /// The editor for `e` (`$EDITOR`); without one, `e` edits inline.
    pub fn set_editor(&mut self, editor: Option<String>) {
        self.replay.set_editor(editor);
    }

    /// The checker verifying the detail.
    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Whether something changed since the last call (the loop draws only then).
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    pub(crate) fn areas(&self) -> Areas {
        let skew_lines = self.stats.len().clamp(1, 4) as u16;
        layout::areas(self.size, self.focus == Focus::Detail, skew_lines)
    }

    /// Where a curl command or replay goes: the forward target, else the listener.
    pub fn target_url(&self) -> &str {
        self.opts
            .forward
            .as_deref()
            .unwrap_or(&self.opts.listen_url)
    }

    // ----- changes -----

    /// Replace the checker (e.g. after secrets changed): the loaded detail re-verifies at once;
    /// the list's verdicts are the store's, which re-verification brings up to date.
    /// The secrets that come from `HOOKSCOPE_SECRET_*`, for the secrets pane to mark.
    pub fn set_env_secrets(&mut self, env: super::secrets::SecretMap) {
        self.env_secrets = env;
    }

    pub fn set_checker(&mut self, checker: Checker) {
        self.checker = checker;
        if let Some(d) = self.detail.take() {
            let v = self.verify(&d.delivery);
            self.set_detail(d.delivery, v, d.replays);
        }
        self.dirty = true;
    }

    fn verify(&self, d: &Delivery) -> Verification {
        self.checker.check(d, d.received_at_ms.div_euclid(1000))
    }

    /// Handle one input; returns the work for the loop.
    pub fn update(&mut self, input: Input) -> Vec<Effect> {
        let mut fx = Vec::new();
        match input {
            Input::Key(k) => {
                if k.kind != KeyEventKind::Release {
                    self.key(k, &mut fx);
                    self.dirty = true;
                }
            }
            Input::Mouse(m) => self.mouse(m),
            Input::Resize { width, height } => {
                self.size = Rect::new(0, 0, width, height);
                self.keep_visible();
                self.ask(self.anchor(), true);
                self.dirty = true;
            }
            Input::Tick { now_ms } => self.tick(now_ms),
            Input::Delivery(c) => self.add(&c),
            Input::Detail {
                id,
                delivery,
                replays,
            } => self.loaded(id, delivery, replays),
            Input::Window(w) => self.answered(*w),
            Input::StoreChanged => self.store_changed(),
            Input::Reverifying(p) => {
                if p.finished {
                    self.reverifying = None;
                    match &p.error {
                        Some(e) => self.result(format!("re-verifying stopped: {e}")),
                        None if p.total > 0 => self.result(format!(
                            "re-verified {} deliveries with the current secrets",
                            super::fmt::count(p.total as usize)
                        )),
                        None => {}
                    }
                } else {
                    self.reverifying = Some(p);
                }
                self.dirty = true;
            }
            Input::CheckerChanged { checker, notice } => {
                self.pending_secrets = None;
                self.set_checker(*checker);
                self.result(notice);
            }
            Input::Notice(text) => self.notice(text),
            Input::Result(text) => self.result(text),
            Input::Searching {
                seq,
                matched,
                scanned,
                of,
            } => {
                self.searching = Some((seq, matched, scanned, of));
                self.dirty = true;
            }
            Input::Deleted { id, result } => self.result(match result {
                Ok(true) => format!("deleted #{id}"),
                Ok(false) => format!("#{id} was already gone"),
                Err(e) => format!("#{id} not deleted: {e}"),
            }),
            Input::Cleared(result) => self.result(match result {
                Ok(n) => format!("cleared {} deliveries", super::fmt::count(n as usize)),
                Err(e) => format!("not cleared: {e}"),
            }),
            Input::Replayed(a) => {
                if let Some(e) = &a.store_error {
                    self.notice(e.clone());
                }
                if self.replay.replayed(*a) {
                    // The replay is a new stored row: the list and the detail's history follow
                    // the store, and the selection stays on the original.
                    self.store_changed_keeping_selection();
                }
                self.dirty = true;
            }
            Input::Edited { original, text } => {
                self.set_tab(Tab::Replay);
                self.with_replay(&mut fx, |pane, cx| pane.edited(original, text, cx));
                self.dirty = true;
            }
            Input::Paste(text) => self.paste(&text, &mut fx),
            Input::SaveFailed(why) => {
                self.pending_secrets = None;
                if let Some(p) = &mut self.secrets {
                    p.unsaved(self.checker.secrets());
                }
                self.result(format!("secrets not saved: {why}"));
            }
            Input::StoreWarning(text) => {
                self.store_warning = Some(text.clone());
                self.result(format!("store: {text}"));
            }
            Input::DiffLoaded { left, right, rows } => {
                self.compare.loaded(left, right, rows);
                self.dirty = true;
            }
            Input::Tunnel(report) => {
                self.tunnel = Some(report);
                self.dirty = true;
            }
        }
        fx.append(&mut self.queued);
        if let Some(id) = self.selected
            && (self.detail.as_ref().map(|d| d.delivery.id) != Some(id) || self.detail_stale)
            && self.requested != Some(id)
        {
            self.requested = Some(id);
            self.detail_stale = false;
            fx.push(Effect::LoadDetail(id));
        }
        fx
    }

    /// The store changed: ask for the window again, and reload the detail (its replays or its
    /// answer may have changed too).
    pub(crate) fn store_changed(&mut self) {
        let anchor = self.pending_pos.take().map_or(self.anchor(), Anchor::Pos);
        self.ask(anchor, false);
        self.requested = None;
        self.detail_stale = true;
    }

    /// As [`App::store_changed`], but the selection stays where it is even in follow mode (a
    /// replay recorded from this dashboard).
    pub(crate) fn store_changed_keeping_selection(&mut self) {
        let anchor = self.selected.map_or(Anchor::Newest, Anchor::Id);
        self.ask(anchor, false);
        self.requested = None;
        self.detail_stale = true;
    }

    /// Where the next window should be: the newest row while following it, else the selection.
    fn anchor(&self) -> Anchor {
        match self.selected {
            Some(id) if !self.at_newest() => Anchor::Id(id),
            _ => Anchor::Newest,
        }
    }

    /// Whether the selection is the newest matching row (follow mode keeps it there).
    fn at_newest(&self) -> bool {
        self.follow && self.selected.is_some() && self.selected == self.newest_visible()
    }

    /// Ask the store for the window around `anchor` (see [`ListModel::request`]).
    pub(crate) fn ask(&mut self, anchor: Anchor, force: bool) {
        let h = self.list_height();
        let q = self.filter.query();
        if let Some(req) = self.list.request(anchor, q, !self.follow, h, force) {
            self.queued.push(Effect::Query(req));
        }
    }

    /// The store answered: show its window, select its anchor row, and ask again if something
    /// changed meanwhile.
    fn answered(&mut self, w: ListWindow) {
        self.searching = None;
        let (newest, again) = self.list.answer(w);
        if !newest {
            return;
        }
        for st in self.stats.values_mut() {
            (st.verified, st.failed, st.unverified) = (0, 0, 0);
        }
        for (p, c) in &self.list.counts().by_provider {
            let st = self.stats.entry(p.clone()).or_default();
            (st.verified, st.failed, st.unverified) = (
                c.verified as usize,
                c.failed as usize,
                c.unverified as usize,
            );
        }
        let sel = self.list.answered_selection();
        if sel != self.selected {
            self.selected = sel;
            self.scroll = 0;
        }
        if self.selected.is_none() {
            self.detail = None;
            self.requested = None;
        }
        self.keep_visible();
        if let Some(a) = again {
            self.ask(a, false);
        } else if !self
            .list
            .covers(self.offset, self.offset + self.list_height())
        {
            self.ask(self.anchor(), false);
        }
        self.dirty = true;
    }

    pub(crate) fn notice(&mut self, text: String) {
        self.status = Some((text, self.now_ms + STATUS_MS));
        self.dirty = true;
    }

    /// A result of long work (export, re-verification, delete, clear, a reload): it stays on
    /// the status line until `esc` dismisses it or another message replaces it.
    pub(crate) fn result(&mut self, text: String) {
        self.status = Some((text, UNTIL_DISMISSED));
        self.dirty = true;
    }

    fn tick(&mut self, now_ms: i64) {
        let second_changed = now_ms.div_euclid(1000) != self.now_ms.div_euclid(1000);
        self.now_ms = now_ms;
        if self
            .status
            .as_ref()
            .is_some_and(|(_, until)| *until <= now_ms)
        {
            self.status = None;
            self.dirty = true;
        }
        // The Signature tab shows a live countdown.
        if second_changed && self.tab == Tab::Signature && self.detail.is_some() {
            self.dirty = true;
        }
    }

    fn add(&mut self, c: &Captured) {
        let d = &c.delivery;
        let v = &c.verification;
        if let Some(p) = &v.provider {
            let st = self.stats.entry(p.clone()).or_default();
            st.no_timestamp = v.timestamp.status == crate::verify::TsStatus::NotApplicable;
            if let Some(skew) = v.timestamp.skew_secs {
                st.skews.push_back(skew);
                if st.skews.len() > SKEW_SAMPLES {
                    st.skews.pop_front();
                }
                st.tolerance = v.timestamp.tolerance_secs;
            }
        }
        if self.detail.as_ref().is_some_and(|x| x.delivery.id == d.id) {
            // A newer version of the delivery on screen (e.g. the app's answer arrived).
            let v = self.verify(d);
            let replays = self.detail.take().map(|x| x.replays).unwrap_or_default();
            self.set_detail(d.clone(), v, replays);
        }
        // The list shows it once the store answers (the new row is already committed).
        self.ask(self.anchor(), false);
        self.dirty = true;
    }

    fn loaded(&mut self, id: u64, delivery: Option<Box<Delivery>>, replays: Vec<Summary>) {
        if self.selected != Some(id) {
            return;
        }
        match delivery {
            Some(d) => {
                let d = *d;
                let v = self.verify(&d);
                self.set_detail(d, v, replays);
            }
            None => {
                self.detail = None;
                self.notice(format!("delivery #{id} is no longer stored"));
            }
        }
        self.dirty = true;
    }

    /// Make a loaded delivery the detail, judged by the current checker.
    fn set_detail(&mut self, d: Delivery, v: Verification, replays: Vec<Summary>) {
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

    fn newest_visible(&self) -> Option<u64> {
        let n = self.visible_len();
        if n == 0 {
            return None;
        }
        self.row_at(if self.follow { n - 1 } else { 0 })
            .map(|s| s.id)
    }

    fn list_height(&self) -> usize {
        (self.areas().list_rows.height as usize).max(1)
    }

    fn content_height(&self) -> usize {
        let a = layout::areas(self.size, true, 1);
        (a.content.height as usize).max(1)
    }

    /// Scroll the list so the selection is visible (and no blank space is left at the end).
    fn keep_visible(&mut self) {
        let h = self.list_height();
        let n = self.visible_len();
        if let Some(pos) = self.selected.and_then(|id| self.position_of(id)) {
            if pos < self.offset {
                self.offset = pos;
            } else if pos >= self.offset + h {
                self.offset = pos + 1 - h;
            }
        }
        self.offset = self.offset.min(n.saturating_sub(h));
    }

    fn select_pos(&mut self, pos: usize) {
        match self.row_at(pos).map(|s| s.id) {
            Some(id) => {
                if self.selected != Some(id) {
                    self.selected = Some(id);
                    self.scroll = 0;
                }
                self.keep_visible();
                if !self
                    .list
                    .covers(self.offset, self.offset + self.list_height())
                {
                    self.ask(Anchor::Id(id), false);
                }
            }
            // Not in the window: the store's answer selects it.
            None if pos < self.visible_len() => self.ask(Anchor::Pos(pos), false),
            None => {}
        }
    }

    fn move_by(&mut self, delta: isize) {
        let n = self.visible_len();
        if n == 0 {
            return;
        }
        let cur = self.selected.and_then(|id| self.position_of(id));
        let pos = match cur {
            Some(p) => (p as isize + delta).clamp(0, n as isize - 1) as usize,
            None if delta < 0 => n - 1,
            None => 0,
        };
        self.select_pos(pos);
    }

    fn move_wrapping(&mut self, delta: isize) {
        let n = self.visible_len() as isize;
        if n == 0 {
            self.notice("no match".into());
            return;
        }
        let cur = self
            .selected
            .and_then(|id| self.position_of(id))
            .map_or(-1, |p| p as isize);
        self.select_pos((cur + delta).rem_euclid(n) as usize);
    }

    fn scroll_by(&mut self, delta: isize) {
        self.scroll = (self.scroll as isize + delta).max(0) as usize;
    }

    fn key(&mut self, k: KeyEvent, fx: &mut Vec<Effect>) {
        let key = Key::of(&k);
        if key.is_ctrl_c() {
            fx.push(Effect::Quit);
            return;
        }
        if self.secrets.is_some() {
            self.secrets_key(key, fx);
            return;
        }
        if self.filter.editing() {
            if self.filter.key(key) {
                self.filter_changed();
            }
            return;
        }
        if self.replay.input.is_some() {
            self.with_replay(fx, |pane, cx| pane.input_key(key, cx));
            return;
        }
        let action = self.keys.action(&k);
        if self.compare.is_open() {
            self.compare.key(action, self.content_height());
            return;
        }
        if self.rules.is_open() {
            if let RulesOutcome::Toggle { index, enabled } = self.rules.key(key, action) {
                fx.push(Effect::SetRule { index, enabled });
            }
            return;
        }
        match self.overlay {
            Some(Overlay::Help | Overlay::Setup) => {
                match action {
                    Some(Action::Down) => self.help_scroll += 1,
                    Some(Action::Up) => self.help_scroll = self.help_scroll.saturating_sub(1),
                    Some(Action::PageDown) => self.help_scroll += self.content_height(),
                    Some(Action::PageUp) => {
                        self.help_scroll = self.help_scroll.saturating_sub(self.content_height())
                    }
                    Some(Action::Top) => self.help_scroll = 0,
                    Some(Action::Bottom) => self.help_scroll = usize::MAX,
                    Some(Action::Help | Action::Setup | Action::Back | Action::Quit) => {
                        self.overlay = None
                    }
                    _ => {}
                }
                return;
            }
            Some(Overlay::CopyMenu) => {
                self.copy_key(key, action, fx);
                return;
            }
            Some(Overlay::ExportMenu) => {
                self.export_key(key, action, fx);
                return;
            }
            Some(Overlay::ConfirmClear) => {
                self.confirm_clear_key(key, fx);
                return;
            }
            Some(Overlay::ConfirmDelete(id)) => {
                self.confirm_delete_key(id, key, fx);
                return;
            }
            None => {}
        }
        let Some(action) = action else { return };
        let detail = self.focus == Focus::Detail;
        let page = if detail {
            self.content_height()
        } else {
            self.list_height()
        } as isize;
        match action {
            Action::Quit => fx.push(Effect::Quit),
            Action::Suspend => fx.push(Effect::Suspend),
            Action::Help => {
                self.overlay = Some(Overlay::Help);
                self.help_scroll = 0;
            }
            Action::Setup => {
                self.overlay = Some(Overlay::Setup);
                self.help_scroll = 0;
            }
            Action::Down if detail => self.scroll_by(1),
            Action::Up if detail => self.scroll_by(-1),
            Action::PageDown if detail => self.scroll_by(page - 1),
            Action::PageUp if detail => self.scroll_by(1 - page),
            Action::Top if detail => self.scroll = 0,
            Action::Bottom if detail => self.scroll = usize::MAX,
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::PageDown => self.move_by(page),
            Action::PageUp => self.move_by(-page),
            Action::Top => self.select_pos(0),
            Action::Bottom => self.select_pos(self.visible_len().saturating_sub(1)),
            Action::Open => {
                if self.selected.is_some() {
                    self.focus = Focus::Detail;
                }
            }
            Action::Back if self.status_stays() => {
                self.status = None;
                self.dirty = true;
            }
            Action::Back => {
                if detail {
                    self.focus = Focus::List;
                } else if self.filter.clear() {
                    self.filter_changed();
                }
            }
            Action::NextTab => self.set_tab(Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()]),
            Action::PrevTab => {
                let n = Tab::ALL.len();
                self.set_tab(Tab::ALL[(self.tab.index() + n - 1) % n])
            }
            Action::Tab1 => self.set_tab(Tab::Overview),
            Action::Tab2 => self.set_tab(Tab::Headers),
            Action::Tab3 => self.set_tab(Tab::Body),
            Action::Tab4 => self.set_tab(Tab::Signature),
            Action::BodyView => {
                if self.tab == Tab::Body {
                    self.body_view = self.body_view.next();
                } else {
                    self.tab = Tab::Body;
                }
                self.scroll = 0;
            }
            Action::Filter => self.filter.open(),
            Action::NextMatch | Action::PrevMatch => {
                if self.filter.query().is_none() {
                    self.notice("no filter: press / to filter".into());
                } else {
                    self.move_wrapping(if action == Action::NextMatch { 1 } else { -1 });
                }
            }
            Action::Follow => {
                self.follow = !self.follow;
                self.offset = 0;
                if self.follow {
                    self.ask(Anchor::Newest, true);
                    self.notice(
                        "follow: newest at the bottom, the list follows new deliveries".into(),
                    );
                } else {
                    let keep = self.selected.map_or(Anchor::Newest, Anchor::Id);
                    self.ask(keep, true);
                    self.notice("newest first; the selection stays put".into());
                }
            }
            Action::Copy => {
                if self.detail().is_some() {
                    self.overlay = Some(Overlay::CopyMenu);
                } else {
                    self.notice("nothing to copy: no delivery selected".into());
                }
            }
            Action::Tab5 => self.set_tab(Tab::Replay),
            Action::Replay
            | Action::ReplayResigned
            | Action::ReplayEdit
            | Action::ReplayTarget
            | Action::ReplayToggleResign
            | Action::ReplayShiftUp
            | Action::ReplayShiftDown
            | Action::ReplayRepeatUp
            | Action::ReplayRepeatDown => {
                self.set_tab(Tab::Replay);
                self.with_replay(fx, |pane, cx| pane.action(action, cx));
            }
            Action::Export => self.open_export_menu(),
            Action::Delete => self.ask_delete(),
            Action::Clear => self.ask_clear(),
            Action::Secrets => {
                self.secrets = Some(SecretsPane::open(
                    &self.checker,
                    self.pending_secrets.as_ref(),
                    &self.stats,
                    &self.env_secrets,
                ))
            }
            Action::Mark => {
                let msg = self.compare.toggle_mark(self.selected);
                self.notice(msg);
            }
            Action::Diff => {
                let selected = match self.detail() {
                    Some(d) => Some((d.delivery.id, d.delivery.replay_of)),
                    None => self
                        .selected
                        .and_then(|id| self.position_of(id))
                        .and_then(|p| self.row_at(p))
                        .map(|s| (s.id, s.replay_of)),
                };
                match self.compare.open(selected) {
                    Ok(load) => fx.push(load),
                    Err(why) => self.notice(why),
                }
            }
            // The secrets pane's own keys (its context): never looked up here.
            Action::SecretAdd
            | Action::SecretEdit
            | Action::SecretRemove
            | Action::SecretMoveUp
            | Action::SecretMoveDown
            | Action::SecretReveal
            | Action::SecretSave => {}
            Action::Rules => {
                if let Err(why) = self.rules.open() {
                    self.notice(why);
                }
            }
        }
    }

    /// The secrets pane, while open.
    pub fn secrets_pane(&self) -> Option<&SecretsPane> {
        self.secrets.as_ref()
    }

    fn secrets_key(&mut self, key: Key, fx: &mut Vec<Effect>) {
        let Some(pane) = &mut self.secrets else {
            return;
        };
        let action = self.keys.action_in(Context::Secrets, key);
        let page = (self.size.height as usize).saturating_sub(8);
        match pane.key(key, action, &self.checker, page) {
            Outcome::Stay => {}
            Outcome::Close => self.secrets = None,
            Outcome::Save(changes) => {
                let pending = self.pending_secrets.get_or_insert_with(Default::default);
                pending.extend(changes.clone());
                fx.push(Effect::SaveSecrets { changes });
            }
        }
    }

    /// A paste goes to the input that has the keys.
    fn paste(&mut self, text: &str, fx: &mut Vec<Effect>) {
        if let Some(p) = &mut self.secrets {
            p.paste(text);
        } else if self.filter.editing() {
            if self.filter.paste(text) {
                self.filter_changed();
            }
        } else if self.replay.input.is_some() {
            self.with_replay(fx, |pane, _| pane.paste(text));
        }
        self.dirty = true;
    }

    /// Run a replay-pane handler with what it needs to know, and act on its answer.
    fn with_replay(
        &mut self,
        fx: &mut Vec<Effect>,
        f: impl FnOnce(&mut ReplayPane, &ReplayCtx) -> Handled,
    ) {
        let delivery = self
            .detail
            .as_ref()
            .filter(|d| Some(d.delivery.id) == self.selected)
            .map(|d| &d.delivery);
        let cx = ReplayCtx {
            delivery,
            checker: &self.checker,
            now_ms: self.now_ms,
            forward: self.opts.forward.as_deref(),
        };
        let handled = f(&mut self.replay, &cx);
        self.handled(handled, fx);
    }

    /// Act on a component's answer.
    fn handled(&mut self, h: Handled, fx: &mut Vec<Effect>) {
        match h {
            Handled::Ignored | Handled::Consumed | Handled::Close => {}
            Handled::Effects(v) => {
                if v.iter().any(|e| matches!(e, Effect::Replay(_))) {
                    self.scroll = 0;
                }
                fx.extend(v);
            }
            Handled::Notice(text) => self.notice(text),
        }
    }

    pub(crate) fn set_tab(&mut self, t: Tab) {
        if self.tab != t {
            self.tab = t;
            self.scroll = 0;
        }
    }

    /// The applied filter changed: the selection stays if it matches; otherwise its nearest
    /// neighbour is selected.
    fn filter_changed(&mut self) {
        self.ask(self.anchor(), true);
    }

    fn copy_key(&mut self, key: Key, action: Option<Action>, fx: &mut Vec<Effect>) {
        if matches!(action, Some(Action::Back | Action::Copy | Action::Quit)) {
            self.overlay = None;
            return;
        }
        let KeyCode::Char(c) = key.code else { return };
        let Some(&(_, kind, _)) = copy::MENU.iter().find(|(k, _, _)| *k == c) else {
            return;
        };
        self.overlay = None;
        let Some(d) = self.detail() else { return };
        match copy::text(kind, &d.delivery, &d.verification, self.target_url()) {
            Ok(text) => fx.push(Effect::Copy { what: kind, text }),
            Err(why) => self.notice(format!("cannot copy the {}: {why}", kind.label())),
        }
    }

    fn mouse(&mut self, m: MouseEvent) {
        let a = self.areas();
        let (x, y) = (m.column, m.row);
        let in_list = a.list.is_some_and(|r| layout::contains(r, x, y));
        let in_detail = a.detail.is_some_and(|r| layout::contains(r, x, y));
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let d = if m.kind == MouseEventKind::ScrollDown {
                    WHEEL
                } else {
                    -WHEEL
                };
                if in_detail {
                    self.scroll_by(d);
                } else if in_list {
                    self.move_by(d);
                } else {
                    return;
                }
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if self.overlay.is_some() {
                    self.overlay = None;
                } else if layout::contains(a.list_rows, x, y) {
                    self.focus = Focus::List;
                    self.select_pos(self.offset + (y - a.list_rows.y) as usize);
                } else if layout::contains(a.tabs, x, y) {
                    if let Some(t) = layout::tab_at(a.tabs, x) {
                        self.set_tab(t);
                    }
                } else if in_detail {
                    self.focus = Focus::Detail;
                } else if in_list {
                    self.focus = Focus::List;
                } else {
                    return;
                }
            }
            _ => return,
        }
        self.dirty = true;
    }
}
