//! The dashboard: a router over pane components. No I/O: [`App::update`] takes an [`Input`]
//! and returns [`Effect`]s that the event loop performs (load a delivery, copy, quit). The clock
//! comes in through [`Input::Tick`], so tests drive it with fixed times.
//!
//! Each pane and overlay owns its state and answers a key or a paste ([`ListPane`],
//! [`DetailPane`], [`FilterBar`], [`ReplayPane`], [`SecretsPane`], [`Overlays`], [`Compare`],
//! [`RulesPane`]); the router holds them, the focus and what the panes share (the checker, the
//! clock, the size), looks keys up in the key table for the pane that has them, and carries out
//! what needs more than one pane (docs/architecture.md, "Who owns what").

use super::copy;
use super::detail_pane::{Detail, DetailPane};
use super::diff_pane::Compare;
use super::events::{Effect, Handled, Input};
use super::filter_bar::FilterBar;
use super::history;
use super::keys::{Action, Context, Key, KeyMap};
use super::layout::{self, Areas, Focus, Hit, Tab};
use super::list_pane::{Fit, ListPane};
pub use super::options::AppOptions;
use super::overlays::{Offer, Overlay, Overlays, Picked};
use super::replay_pane::{ReplayCtx, ReplayPane};
use super::rules_pane::{RuleRow, RulesPane};
use super::secrets::{SecretMap, Secrets, SecretsPane};
use super::stats::{self, Stats};
use super::status::Status;
use super::theme::Theme;
use crate::checker::Checker;
use crate::reverify::Progress;
use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

/// Rows a mouse wheel notch moves.
const WHEEL: isize = 3;

/// The dashboard: its components and what they share.
pub struct App {
    pub(crate) opts: AppOptions,
    pub(crate) theme: Theme,
    pub(crate) keys: KeyMap,
    checker: Checker,
    pub(crate) list: ListPane,
    pub(crate) filter: FilterBar,
    pub(crate) detail: DetailPane,
    pub(crate) overlays: Overlays,
    /// The Replay tab.
    pub(crate) replay: ReplayPane,
    /// The secrets pane and pending saves.
    pub(crate) secrets: Secrets,
    /// The diff mark and pane (`m`, `D`).
    pub(crate) compare: Compare,
    /// The response-rules overlay (`a`).
    pub(crate) rules: RulesPane,
    pub(crate) focus: Focus,
    pub(crate) status: Status,
    /// Per provider: the store's counts and live skew samples.
    pub(crate) stats: Stats,
    /// Re-verification under way (shown above the list), if any.
    pub(crate) reverifying: Option<Progress>,
    pub(crate) store_warning: Option<String>,
    /// The tunnel's latest state, with `--tunnel`.
    pub(crate) tunnel: Option<crate::tunnel::TunnelReport>,
    pub(crate) now_ms: i64,
    pub(crate) size: Rect,
    /// The skew panel's first provider shown (`p` pages through them).
    pub(crate) skew_offset: usize,
    /// The selected failing delivery's verified twin, asked of the store once.
    pub(crate) twin: super::twin::TwinLookup,
    dirty: bool,
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
            list: ListPane::default(),
            filter: FilterBar::default(),
            detail: DetailPane::default(),
            overlays: Overlays::default(),
            replay: ReplayPane::default(),
            secrets: Secrets::default(),
            compare: Compare::default(),
            rules: RulesPane::default(),
            focus: Focus::List,
            status: Status::default(),
            stats: Stats::new(),
            skew_offset: 0,
            twin: Default::default(),
            reverifying: None,
            store_warning: None,
            tunnel: None,
            now_ms: 0,
            size: Rect::default(),
            dirty: true,
        }
    }

    // ----- read access (views and tests) -----

    /// The list: selection, rows, counts, follow mode.
    pub fn list(&self) -> &ListPane {
        &self.list
    }

    /// The filter bar.
    pub fn filter(&self) -> &FilterBar {
        &self.filter
    }

    /// The selected delivery's id.
    pub fn selected(&self) -> Option<u64> {
        self.list.selected()
    }

    /// The loaded detail, if it is the selected delivery's.
    pub fn detail(&self) -> Option<&Detail> {
        self.detail.get(self.list.selected())
    }

    /// The detail pane: its tab and body view.
    pub fn detail_pane(&self) -> &DetailPane {
        &self.detail
    }

    /// Which pane has the keys.
    pub fn focus(&self) -> Focus {
        self.focus
    }

    /// The open overlay.
    pub fn overlay(&self) -> Option<Overlay> {
        self.overlays.open()
    }

    /// The status message, if one is showing.
    pub fn status(&self) -> Option<&str> {
        self.status.text()
    }

    /// Whether the status message is a result that stays until dismissed.
    pub fn status_stays(&self) -> bool {
        self.status.stays()
    }

    /// Per-provider statistics.
    pub fn provider_stats(&self) -> &Stats {
        &self.stats
    }

    /// The diff mark and pane.
    pub fn compare(&self) -> &Compare {
        &self.compare
    }

    /// The response-rules overlay.
    pub fn rules_pane(&self) -> &RulesPane {
        &self.rules
    }

    /// The Replay tab's state.
    pub fn replay_pane(&self) -> &ReplayPane {
        &self.replay
    }

    /// The secrets pane, while open.
    pub fn secrets_pane(&self) -> Option<&SecretsPane> {
        self.secrets.pane()
    }

    /// Where replays go: the URL typed in the pane, else the forward target.
    pub fn replay_target(&self) -> Option<&str> {
        self.replay.target(self.opts.forward.as_deref())
    }

    /// The checker verifying the detail.
    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Where a curl command or replay goes: the forward target, else the listener.
    pub fn target_url(&self) -> &str {
        self.opts
            .forward
            .as_deref()
            .unwrap_or(&self.opts.listen_url)
    }

    /// Whether something changed since the last call (the loop draws only then).
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    pub(crate) fn areas(&self) -> Areas {
        let skew_lines = self.stats.len().clamp(1, 4) as u16;
        layout::areas(self.size, self.focus == Focus::Detail, skew_lines)
    }

    fn fit(&self) -> Fit {
        Fit {
            height: (self.areas().list_rows.height as usize).max(1),
            query: self.filter.query().cloned(),
        }
    }

    fn content_height(&self) -> usize {
        (layout::areas(self.size, true, 1).content.height as usize).max(1)
    }

    // ----- changes -----

    /// The response rules the overlay shows and switches (the listener's, at start).
    pub fn set_rules(&mut self, rows: Vec<RuleRow>) {
        self.rules.set_rows(rows);
        self.dirty = true;
    }

    /// The editor for `e` (`$EDITOR`); without one, `e` edits inline.
    pub fn set_editor(&mut self, editor: Option<String>) {
        self.replay.set_editor(editor);
    }

    /// The secrets that come from `HOOKSCOPE_SECRET_*`, for the secrets pane to mark.
    pub fn set_env_secrets(&mut self, env: SecretMap) {
        self.secrets.set_env(env);
    }

    /// Replace the checker (e.g. after secrets changed): the loaded detail re-verifies at once;
    /// the list's verdicts are the store's, which re-verification brings up to date.
    pub fn set_checker(&mut self, checker: Checker) {
        self.checker = checker;
        self.detail.rejudge(&self.checker);
        self.dirty = true;
    }

    fn notice(&mut self, text: String) {
        self.status.notice(text, self.now_ms);
        self.dirty = true;
    }

    fn result(&mut self, text: String) {
        self.status.result(text);
        self.dirty = true;
    }

    /// Handle one input; returns the work for the loop.
    pub fn update(&mut self, input: Input) -> Vec<Effect> {
        let mut fx = Vec::new();
        let selected = self.list.selected();
        // Whether the screen changes (a tick that expires nothing does not redraw).
        let mut changed = true;
        match input {
            Input::Key(k) if k.kind != KeyEventKind::Release => self.key(k, &mut fx),
            Input::Key(_) => changed = false,
            Input::Mouse(m) => changed = self.mouse(m, &mut fx),
            Input::Resize { width, height } => {
                self.size = Rect::new(0, 0, width, height);
                let fit = self.fit();
                self.list.keep_visible(fit.height);
                self.list.ask(self.list.anchor(), true, &fit, &mut fx);
            }
            Input::Tick { now_ms } => {
                let second = now_ms.div_euclid(1000) != self.now_ms.div_euclid(1000);
                self.now_ms = now_ms;
                // The Signature tab shows a live countdown.
                let countdown = second && self.detail.tab == Tab::Signature;
                changed = self.status.tick(now_ms) || (countdown && self.detail.is_loaded());
            }
            Input::Delivery(c) => {
                stats::sample(&mut self.stats, &c.verification);
                self.detail.updated(&c.delivery, &self.checker);
                // The list shows it once the store answers (the new row is already committed).
                let fit = self.fit();
                self.list.ask(self.list.anchor(), false, &fit, &mut fx);
            }
            Input::Detail {
                id,
                delivery,
                replays,
            } if self.list.selected() == Some(id) => {
                if let Err(why) = self.detail.loaded(id, delivery, replays, &self.checker) {
                    self.notice(why);
                }
            }
            Input::Detail { .. } => {}
            Input::Window(w) => {
                let fit = self.fit();
                if self.list.answered(*w, &fit, &mut fx) {
                    stats::set_counts(&mut self.stats, self.list.model().counts());
                    if self.list.selected().is_none() {
                        self.detail.forget();
                    }
                }
            }
            Input::StoreChanged => {
                let fit = self.fit();
                self.list.store_changed(&fit, &mut fx);
                self.detail.store_changed();
            }
            Input::Reverifying(p) if p.finished => {
                self.reverifying = None;
                if let Some(text) = super::status::reverified(&p) {
                    self.result(text);
                }
            }
            Input::Reverifying(p) => self.reverifying = Some(p),
            Input::CheckerChanged { checker, notice } => {
                self.secrets.in_force();
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
            } => self.list.searching(seq, matched, scanned, of),
            Input::Deleted { id, result } => self.result(super::status::deleted(id, result)),
            Input::Cleared(result) => self.result(super::status::cleared(result)),
            Input::Replayed(a) => {
                if let Some(e) = &a.store_error {
                    self.notice(e.clone());
                }
                if self.replay.replayed(*a) {
                    // The replay is a new stored row: the list and the detail's history follow
                    // the store, and the selection stays on the original.
                    let fit = self.fit();
                    self.list.store_changed_keeping_selection(&fit, &mut fx);
                    self.detail.store_changed();
                }
            }
            Input::Edited { original, text } => {
                self.detail.set_tab(Tab::Replay);
                self.with_replay(&mut fx, |pane, cx| pane.edited(original, text, cx));
            }
            Input::Paste(text) => self.paste(&text, &mut fx),
            Input::SaveFailed(why) => {
                self.secrets.save_failed(self.checker.secrets());
                self.result(format!("secrets not saved: {why}"));
            }
            Input::StoreWarning(text) => {
                self.result(format!("store: {text}"));
                self.store_warning = Some(text);
            }
            Input::StoreFeed(Some(why)) => {
                self.result(format!("store: {why}; the list shows what was last read"));
                self.store_warning = Some(why);
            }
            Input::StoreFeed(None) => {
                self.store_warning = None;
                self.result("store: reconnected; the list is read again".into());
                let fit = self.fit();
                self.list.store_changed(&fit, &mut fx);
                self.detail.store_changed();
            }
            Input::DiffLoaded { left, right, rows } => self.compare.loaded(left, right, rows),
            Input::Tunnel(report) => self.tunnel = Some(report),
            Input::Twin { id, twin } => self.twin.answered(id, twin),
        }
        if self.list.selected() != selected {
            self.detail.selection_changed();
        }
        self.dirty |= changed;
        fx.extend(self.detail.load(self.list.selected()));
        if let Some(d) = self.detail.get(self.list.selected())
            && let Some(q) = self.twin.ask(&d.delivery, &d.verification, &self.checker)
        {
            fx.push(Effect::FindTwin(q));
        }
        fx
    }

    /// Route a key to the component that has the keys.
    fn key(&mut self, k: KeyEvent, fx: &mut Vec<Effect>) {
        let key = Key::of(&k);
        if key.is_ctrl_c() {
            fx.push(Effect::Quit);
        } else if self.secrets.pane().is_some() {
            let action = self.keys.action_in(Context::Secrets, key);
            let page = (self.size.height as usize).saturating_sub(8);
            let h = self.secrets.key(key, action, &self.checker, page);
            self.handled(h, fx);
        } else if self.filter.editing() {
            if self.filter.key(key) {
                self.filter_changed(fx);
            }
        } else if self.replay.input.is_some() {
            self.with_replay(fx, |pane, cx| pane.input_key(key, cx));
        } else {
            let action = self.keys.action_in(Context::List, key);
            if self.compare.is_open() {
                self.compare.key(action, self.content_height());
            } else if self.rules.is_open() {
                let h = self.rules.key(key, action);
                self.handled(h, fx);
            } else if self.overlays.open().is_some() {
                if let Some(p) = self.overlays.key(key, action, self.content_height()) {
                    self.picked(p, fx);
                }
            } else if let Some(action) = action {
                self.action(action, fx);
            }
        }
    }

    /// A dashboard action (list or detail focus).
    fn action(&mut self, action: Action, fx: &mut Vec<Effect>) {
        let detail = self.focus == Focus::Detail;
        let page = if detail {
            self.content_height()
        } else {
            self.fit().height
        } as isize;
        if self.detail.action(action, detail, page) {
            return;
        }
        let fit = self.fit();
        let offer = Offer {
            selected: self.list.selected(),
            detail: self.detail().is_some(),
            rows: self.list.len(),
            stored: self.list.counts().0,
        };
        let h = match self.list.action(action, page, &fit, fx) {
            Handled::Ignored => self.overlays.action(action, offer),
            h => h,
        };
        if h != Handled::Ignored {
            return self.handled(h, fx);
        }
        match action {
            Action::Quit => fx.push(Effect::Quit),
            Action::Suspend => fx.push(Effect::Suspend),
            Action::Open if self.list.selected().is_some() => self.focus = Focus::Detail,
            Action::Back if self.status.stays() => self.status.dismiss(),
            Action::Back if detail => self.focus = Focus::List,
            Action::Back if self.filter.clear() => self.filter_changed(fx),
            Action::Filter => self.filter.open(),
            a if a.context() == Context::Replay => {
                self.detail.set_tab(Tab::Replay);
                self.with_replay(fx, |pane, cx| pane.action(action, cx));
            }
            Action::Secrets => self.secrets.open(&self.checker, &self.stats),
            Action::Mark => {
                let msg = self.compare.toggle_mark(self.list.selected());
                self.notice(msg);
            }
            Action::Diff => {
                let selected = match self.detail() {
                    Some(d) => Some((d.delivery.id, d.delivery.replay_of)),
                    None => self.list.selected_row().map(|s| (s.id, s.replay_of)),
                };
                match self.compare.open(selected) {
                    Ok(load) => fx.push(load),
                    Err(why) => self.notice(why),
                }
            }
            Action::Rules => {
                if let Err(why) = self.rules.open() {
                    self.notice(why);
                }
            }
            Action::SkewPage => {
                let rows = self
                    .areas()
                    .skew
                    .map_or(0, |r| layout::inset(r).height as usize);
                self.skew_offset = layout::next_skew_page(self.skew_offset, self.stats.len(), rows);
            }
            // Taken by the detail pane above, or not this context's (the secrets pane's keys).
            _ => {}
        }
    }

    /// Carry out what an overlay's key chose.
    fn picked(&mut self, p: Picked, fx: &mut Vec<Effect>) {
        match p {
            Picked::Copy(kind) => {
                let Some(d) = self.detail() else { return };
                match copy::text(kind, &d.delivery, &d.verification, self.target_url()) {
                    Ok(text) => fx.push(Effect::Copy { what: kind, text }),
                    Err(why) => self.notice(format!("cannot copy the {}: {why}", kind.label())),
                }
            }
            Picked::Export(format, shown) => {
                let shown = shown.then(|| history::Selection::Shown {
                    query: self.filter.query().cloned(),
                    newest_first: !self.list.follow(),
                });
                let selected = self.list.selected();
                match history::job(format, shown, selected, self.now_ms, self.target_url()) {
                    Ok(job) => fx.push(Effect::Export(job)),
                    Err(why) => self.notice(why),
                }
            }
            Picked::Delete(id) => {
                self.list.deleting(id);
                self.detail.forget();
                self.result(format!("deleting #{id}…"));
                fx.push(Effect::Delete(id));
            }
            Picked::Clear => {
                let n = self.list.counts().0;
                self.result(format!("clearing {} deliveries…", super::fmt::count(n)));
                self.list.clear();
                self.detail.forget();
                self.focus = Focus::List;
                fx.push(Effect::Clear);
            }
            Picked::Kept(why) => self.notice(why),
        }
    }

    /// A paste goes to the input that has the keys.
    fn paste(&mut self, text: &str, fx: &mut Vec<Effect>) {
        if self.secrets.paste(text) {
            return;
        }
        if self.filter.editing() {
            if self.filter.paste(text) {
                self.filter_changed(fx);
            }
        } else if self.replay.input.is_some() {
            self.with_replay(fx, |pane, _| pane.paste(text));
        }
    }

    /// Run a replay-pane handler with what it needs to know, and act on its answer.
    fn with_replay(
        &mut self,
        fx: &mut Vec<Effect>,
        f: impl FnOnce(&mut ReplayPane, &ReplayCtx) -> Handled,
    ) {
        let cx = ReplayCtx {
            delivery: self.detail.get(self.list.selected()).map(|d| &d.delivery),
            checker: &self.checker,
            now_ms: self.now_ms,
            forward: self.opts.forward.as_deref(),
        };
        let h = f(&mut self.replay, &cx);
        self.handled(h, fx);
    }

    /// Act on a component's answer (closing is the caller's: it knows what closes).
    fn handled(&mut self, h: Handled, fx: &mut Vec<Effect>) {
        match h {
            Handled::Ignored | Handled::Consumed | Handled::Close => {}
            Handled::Effects(v) => {
                if v.iter().any(|e| matches!(e, Effect::Replay(_))) {
                    self.detail.scroll = 0;
                }
                fx.extend(v);
            }
            Handled::Notice(text) => self.notice(text),
        }
    }

    /// The applied filter changed: the selection stays if it matches; otherwise its nearest
    /// neighbour is selected.
    fn filter_changed(&mut self, fx: &mut Vec<Effect>) {
        let fit = self.fit();
        self.list.ask(self.list.anchor(), true, &fit, fx);
    }

    /// A click or a wheel notch; returns whether anything changed.
    fn mouse(&mut self, m: MouseEvent, fx: &mut Vec<Effect>) -> bool {
        let fit = self.fit();
        let wheel = if m.kind == MouseEventKind::ScrollDown {
            WHEEL
        } else {
            -WHEEL
        };
        let wheeled = matches!(
            m.kind,
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
        );
        let click = m.kind == MouseEventKind::Down(MouseButton::Left);
        match layout::hit(&self.areas(), m.column, m.row) {
            _ if click && self.overlays.open().is_some() => self.overlays.close(),
            Hit::Detail | Hit::Tab(_) if wheeled => self.detail.scroll_by(wheel),
            Hit::List | Hit::ListRow(_) if wheeled => self.list.move_by(wheel, &fit, fx),
            Hit::ListRow(row) if click => {
                self.focus = Focus::List;
                self.list.click(row, &fit, fx);
            }
            Hit::Tab(t) if click => self.detail.set_tab(t),
            Hit::Detail if click => self.focus = Focus::Detail,
            Hit::List if click => self.focus = Focus::List,
            _ => return false,
        }
        true
    }
}
