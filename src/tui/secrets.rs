//! The secrets pane (`s`): every provider seen in the captures or named in the config, its
//! secrets (masked, fingerprinted), tolerance and routes. Add, edit, remove and reorder secrets;
//! reveal one on an explicit key. Saving hands the changed providers to the event loop as
//! [`Effect::SaveSecrets`]; nothing here does I/O.
//!
//! The pane's keys are the key table's `secrets` context (remappable in `[keys]`, with the
//! global moves: j/k, g/G, PgUp/PgDn, home/end); the text input's keys are those of every
//! [`TextInput`] (arrows, home/end, ctrl-a/e, backspace/delete, ctrl-w word, ctrl-u, paste).

use super::events::{Effect, Handled};
use super::keys::{Action, Key};
use super::stats::ProviderStats;
use super::text_input::TextInput;
use crate::checker::Checker;
use crate::secret::Secret;
use crate::secret_lint;
use crossterm::event::{KeyCode, KeyModifiers};
use std::collections::{BTreeMap, BTreeSet};

pub use super::events::SecretMap;

/// The secrets pane while it is open, and what the dashboard keeps about secrets between
/// openings: saves not in force yet, and which secrets come from the environment.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    pane: Option<SecretsPane>,
    /// Saved secrets whose re-verification has not come back yet.
    pending: Option<SecretMap>,
    /// Secrets from `HOOKSCOPE_SECRET_*` (the pane marks them).
    env: SecretMap,
}

impl Secrets {
    /// The pane, while open.
    pub fn pane(&self) -> Option<&SecretsPane> {
        self.pane.as_ref()
    }

    /// The secrets that come from `HOOKSCOPE_SECRET_*`.
    pub fn set_env(&mut self, env: SecretMap) {
        self.env = env;
    }

    /// Open the pane over the checker's secrets and the providers seen.
    pub fn open(&mut self, checker: &Checker, stats: &BTreeMap<String, ProviderStats>) {
        let pane = SecretsPane::open(checker, self.pending.as_ref(), stats, &self.env);
        self.pane = Some(pane);
    }

    /// A key while open (see [`SecretsPane::key`]); a close drops the pane, a save is kept as
    /// pending until the new checker is in force.
    pub fn key(
        &mut self,
        key: Key,
        action: Option<Action>,
        checker: &Checker,
        page: usize,
    ) -> Handled {
        let Some(pane) = &mut self.pane else {
            return Handled::Ignored;
        };
        let h = pane.key(key, action, checker, page);
        match &h {
            Handled::Close => self.pane = None,
            Handled::Effects(fx) => {
                for e in fx {
                    if let Effect::SaveSecrets { changes } = e {
                        let pending = self.pending.get_or_insert_with(Default::default);
                        pending.extend(changes.clone());
                    }
                }
            }
            _ => {}
        }
        h
    }

    /// A paste, into the open pane; `false` when it is closed.
    pub fn paste(&mut self, text: &str) -> bool {
        self.pane.as_mut().map(|p| p.paste(text)).is_some()
    }

    /// The saved secrets are in force (a new checker came).
    pub fn in_force(&mut self) {
        self.pending = None;
    }

    /// A save failed: `in_force` is what holds again.
    pub fn save_failed(&mut self, in_force: &SecretMap) {
        self.pending = None;
        if let Some(p) = &mut self.pane {
            p.unsaved(in_force);
        }
    }
}

/// One provider in the pane.
#[derive(Clone, Debug)]
pub struct ProviderRow {
    pub name: String,
    /// Display title (the name when the provider is unknown to the registry).
    pub title: String,
    pub secrets: Vec<Secret>,
    /// Effective tolerance: the config's override, else the scheme's; `None` = none applied.
    pub tolerance: Option<i64>,
    /// Whether the scheme signs a timestamp at all.
    pub timestamped: bool,
    /// Paths pinned to this provider.
    pub routes: Vec<String>,
}

/// A selectable line: a secret, or the "add a secret" line of a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Secret(usize, usize),
    Add(usize),
}

/// A secret being typed.
#[derive(Clone, Debug)]
pub struct Edit {
    pub provider: usize,
    /// The secret replaced, or `None` for a new one.
    pub index: Option<usize>,
    pub input: TextInput,
    /// Show the typed text in clear (ctrl-r); masked otherwise.
    pub show: bool,
}

/// The pane's state; dropped on close, so a revealed secret is hidden again.
#[derive(Clone, Debug)]
pub struct SecretsPane {
    pub providers: Vec<ProviderRow>,
    /// The secrets as last saved, to tell what changed.
    saved: SecretMap,
    pub selected: usize,
    /// The one secret shown in clear.
    pub revealed: Option<(usize, usize)>,
    pub edit: Option<Edit>,
    /// The next close discards unsaved changes.
    confirm_discard: bool,
    /// A one-line message inside the pane (what just happened, or why not).
    pub message: Option<String>,
    /// Secrets that come from `HOOKSCOPE_SECRET_*`: in force, never written to the file.
    env: SecretMap,
}

impl SecretsPane {
    /// The pane over a checker's secrets (with `pending` saves overlaid) and the providers seen.
    pub fn open(
        checker: &Checker,
        pending: Option<&SecretMap>,
        stats: &BTreeMap<String, ProviderStats>,
        env: &SecretMap,
    ) -> SecretsPane {
        let mut secrets = checker.secrets().clone();
        for (p, list) in pending.into_iter().flatten() {
            secrets.insert(p.clone(), list.clone());
        }
        let mut names: BTreeSet<String> = stats.keys().cloned().collect();
        names.extend(secrets.keys().cloned());
        names.extend(checker.routes().iter().map(|r| r.provider.clone()));
        names.extend(checker.configured_providers().cloned());
        let providers = names
            .into_iter()
            .map(|name| {
                let scheme = checker.registry().get(&name);
                let ts = scheme.and_then(|p| p.variants[0].spec.timestamp.as_ref());
                let tolerance = checker
                    .settings(&name)
                    .and_then(|s| s.tolerance_secs)
                    .or_else(|| ts.and_then(|t| t.tolerance_secs));
                ProviderRow {
                    title: scheme.map_or_else(|| name.clone(), |p| p.title.clone()),
                    secrets: secrets.get(&name).cloned().unwrap_or_default(),
                    tolerance,
                    timestamped: ts.is_some(),
                    routes: checker
                        .routes()
                        .iter()
                        .filter(|r| r.provider == name)
                        .map(|r| r.path.clone())
                        .collect(),
                    name,
                }
            })
            .collect::<Vec<_>>();
        let saved = providers
            .iter()
            .map(|p| (p.name.clone(), p.secrets.clone()))
            .collect();
        SecretsPane {
            providers,
            saved,
            selected: 0,
            revealed: None,
            edit: None,
            confirm_discard: false,
            message: None,
            env: env.clone(),
        }
    }

    /// The environment variable a provider's secret comes from, when it is one of the
    /// `HOOKSCOPE_SECRET_*` secrets rather than the config file's.
    pub fn env_source(&self, provider: usize, secret: usize) -> Option<String> {
        let p = self.providers.get(provider)?;
        let s = p.secrets.get(secret)?;
        self.env
            .get(&p.name)
            .is_some_and(|list| list.contains(s))
            .then(|| format!("HOOKSCOPE_SECRET_{}", crate::verify::env_name(&p.name)))
    }

    /// A save failed: what is in force again is `saved`, so the edits show as unsaved.
    pub fn unsaved(&mut self, saved: &SecretMap) {
        self.saved = self
            .providers
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    saved.get(&p.name).cloned().unwrap_or_default(),
                )
            })
            .collect();
        self.message = Some("not saved (see below); w tries again".into());
    }

    /// Every selectable line, in display order.
    pub fn items(&self) -> Vec<Item> {
        let mut out = Vec::new();
        for (pi, p) in self.providers.iter().enumerate() {
            out.extend((0..p.secrets.len()).map(|si| Item::Secret(pi, si)));
            out.push(Item::Add(pi));
        }
        out
    }

    /// The selected line.
    pub fn current(&self) -> Option<Item> {
        self.items().get(self.selected).copied()
    }

    fn select(&mut self, item: Item) {
        if let Some(i) = self.items().iter().position(|x| *x == item) {
            self.selected = i;
        }
    }

    /// Providers whose secrets differ from the last save.
    pub fn changes(&self) -> SecretMap {
        self.providers
            .iter()
            .filter(|p| self.saved.get(&p.name) != Some(&p.secrets))
            .map(|p| (p.name.clone(), p.secrets.clone()))
            .collect()
    }

    /// The lint of the secret being typed: warnings for one line, the whitespace note last
    /// (it is fixed on confirmation; the others need the user).
    pub fn edit_warnings(&self, checker: &Checker) -> Vec<String> {
        let Some(e) = &self.edit else {
            return Vec::new();
        };
        if e.input.text().is_empty() {
            return Vec::new();
        }
        match checker.registry().get(&self.providers[e.provider].name) {
            Some(p) => {
                let mut l = secret_lint::lint(p, e.input.text());
                if l.had_whitespace {
                    l.warnings.rotate_left(1);
                }
                l.warnings
            }
            None => Vec::new(),
        }
    }

    /// Text pasted (bracketed paste): into the input when typing, else ignored with a message.
    pub fn paste(&mut self, text: &str) {
        match &mut self.edit {
            Some(e) => e.input.paste(text),
            None => self.message = Some("to paste a secret, press a (add) or enter (edit)".into()),
        }
    }

    /// Handle a key: `action` is what the key table says it means in the pane, `page` the rows
    /// a page key moves.
    pub fn key(
        &mut self,
        key: Key,
        action: Option<Action>,
        checker: &Checker,
        page: usize,
    ) -> Handled {
        if self.edit.is_some() {
            self.edit_key(key, checker);
            return Handled::Consumed;
        }
        let Some(action) = action else {
            return Handled::Consumed;
        };
        let discard = std::mem::take(&mut self.confirm_discard);
        self.message = None;
        let last = self.items().len().saturating_sub(1);
        let page = page.max(2) - 1;
        match action {
            Action::Down => self.move_to((self.selected + 1).min(last)),
            Action::Up => self.move_to(self.selected.saturating_sub(1)),
            Action::PageDown => self.move_to((self.selected + page).min(last)),
            Action::PageUp => self.move_to(self.selected.saturating_sub(page)),
            Action::Top => self.move_to(0),
            Action::Bottom => self.move_to(last),
            Action::SecretAdd => {
                if let Some(Item::Secret(p, _) | Item::Add(p)) = self.current() {
                    self.start_edit(p, None);
                }
            }
            Action::SecretEdit => match self.current() {
                Some(Item::Secret(p, s)) => self.start_edit(p, Some(s)),
                Some(Item::Add(p)) => self.start_edit(p, None),
                None => {}
            },
            Action::SecretRemove => {
                if let Some(Item::Secret(p, s)) = self.current() {
                    self.providers[p].secrets.remove(s);
                    self.revealed = None;
                    self.message = Some(format!(
                        "removed secret #{} of {} (w saves)",
                        s + 1,
                        self.providers[p].name
                    ));
                    self.selected = self.selected.min(self.items().len() - 1);
                }
            }
            Action::SecretMoveUp | Action::SecretMoveDown => self.reorder(action),
            Action::SecretReveal => match self.current() {
                Some(Item::Secret(p, s)) if self.revealed == Some((p, s)) => self.revealed = None,
                Some(Item::Secret(p, s)) => self.revealed = Some((p, s)),
                _ => self.message = Some("select a secret to reveal it".into()),
            },
            Action::SecretSave => {
                let changes = self.changes();
                if changes.is_empty() {
                    self.message = Some("nothing to save: no secret changed".into());
                } else {
                    for (p, list) in &changes {
                        self.saved.insert(p.clone(), list.clone());
                    }
                    self.message = Some("saved; every delivery is re-verified".into());
                    return Handled::Effects(vec![Effect::SaveSecrets { changes }]);
                }
            }
            Action::Back | Action::Quit => {
                if self.changes().is_empty() || discard {
                    return Handled::Close;
                }
                self.confirm_discard = true;
                self.message =
                    Some("unsaved changes: w saves them, esc again discards them".into());
            }
            _ => {}
        }
        Handled::Consumed
    }

    fn move_to(&mut self, i: usize) {
        if i != self.selected {
            self.selected = i;
            self.revealed = None;
        }
    }

    fn reorder(&mut self, action: Action) {
        let Some(Item::Secret(p, s)) = self.current() else {
            return;
        };
        let list = &mut self.providers[p].secrets;
        let to = match action {
            Action::SecretMoveUp if s > 0 => s - 1,
            Action::SecretMoveDown if s + 1 < list.len() => s + 1,
            _ => return,
        };
        list.swap(s, to);
        if let Some((rp, rs)) = self.revealed
            && rp == p
            && (rs == s || rs == to)
        {
            self.revealed = Some((p, if rs == s { to } else { s }));
        }
        self.select(Item::Secret(p, to));
        self.message = Some(format!(
            "{}: secrets are tried in this order (w saves)",
            self.providers[p].name
        ));
    }

    fn start_edit(&mut self, provider: usize, index: Option<usize>) {
        let text = index.map_or(String::new(), |i| {
            self.providers[provider].secrets[i].expose().to_string()
        });
        let show = index.is_some() && self.revealed == Some((provider, index.unwrap_or(0)));
        self.edit = Some(Edit {
            provider,
            index,
            input: TextInput::new(&text),
            show,
        });
    }

    fn edit_key(&mut self, key: Key, checker: &Checker) {
        let Some(e) = &mut self.edit else { return };
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.edit = None;
                self.message = Some("edit cancelled".into());
            }
            KeyCode::Enter => self.confirm(checker),
            KeyCode::Char('r') if ctrl => e.show = !e.show,
            _ => {
                e.input.key(key);
            }
        }
    }

    /// Enter in the input: trim, check, and put the secret in place.
    fn confirm(&mut self, checker: &Checker) {
        let Some(e) = self.edit.take() else { return };
        let raw = e.input.text();
        let trimmed = match checker.registry().get(&self.providers[e.provider].name) {
            Some(p) => secret_lint::lint(p, raw).trimmed,
            None => raw.trim().to_string(),
        };
        let p = &mut self.providers[e.provider];
        if trimmed.is_empty() {
            self.message = Some("the secret is empty: type or paste one, or esc to cancel".into());
            self.edit = Some(e);
            return;
        }
        let secret = Secret::new(trimmed.clone());
        if let Some(dup) = p
            .secrets
            .iter()
            .position(|s| *s == secret)
            .filter(|d| Some(*d) != e.index)
        {
            self.message = Some(format!("that secret is already #{} of {}", dup + 1, p.name));
            self.edit = Some(e);
            return;
        }
        let at = match e.index {
            Some(i) => {
                p.secrets[i] = secret;
                i
            }
            None => {
                p.secrets.push(secret);
                p.secrets.len() - 1
            }
        };
        let trimmed_note = if trimmed != raw {
            "surrounding whitespace trimmed; "
        } else {
            ""
        };
        self.message = Some(format!(
            "{trimmed_note}{} secret #{} set (w saves)",
            p.name,
            at + 1
        ));
        if self.revealed.is_some_and(|(rp, _)| rp == e.provider) {
            self.revealed = None;
        }
        self.select(Item::Secret(e.provider, at));
    }
}
