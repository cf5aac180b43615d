//! The Replay tab's state and keys: target URL, re-sign on/off, timestamp shift, repeat count,
//! the inline editor, and the answers of this session's replays per original delivery.
//!
//! The app prepares each request itself (`replay::prepare` is pure) and verifies what it is about
//! to send with the current checker; the loop only sends, records and answers with
//! [`Input::Replayed`]. Blame is computed when the answer comes back.

use super::app::App;
use super::events::Effect;
pub use super::events::{ReplayAnswer, ReplayJob};
use super::keys::{Action, Key};
use super::layout::Tab;
use crate::delivery::{Delivery, ResponseRecord};
use crate::replay::{self, Mode};
use crate::verify::Verification;
use crossterm::event::{KeyCode, KeyModifiers};
use std::collections::BTreeMap;

/// Seconds one `+`/`-` press moves the timestamp shift.
pub const SHIFT_STEP: i64 = 60;
/// Largest repeat count.
pub const MAX_REPEAT: u32 = 50;

/// One replay of this session, as the pane shows it.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub job: ReplayJob,
    pub answer: ResponseRecord,
    pub replay_id: Option<u64>,
    pub blame: Option<String>,
}

/// Text being typed in the pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaneInput {
    /// The target URL.
    Target(String),
    /// Headers, a blank line, the body (inline editor, when `$EDITOR` is unset).
    Edit { original: u64, text: String },
}

/// The Replay tab's state.
#[derive(Clone, Debug)]
pub struct ReplayPane {
    /// The target typed in the pane; `None` = the forward URL.
    pub target: Option<String>,
    /// `r` re-signs too.
    pub resign: bool,
    /// Added to the fresh timestamp of a re-signed replay.
    pub shift_secs: i64,
    /// Replays sent per key press.
    pub repeat: u32,
    pub input: Option<PaneInput>,
    /// Why the last replay could not be prepared.
    pub refused: Option<(u64, String)>,
    /// The editor command (`$EDITOR`); `None` edits inline.
    pub editor: Option<String>,
    pending: BTreeMap<u64, Verification>,
    next_seq: u64,
    outcomes: BTreeMap<u64, Vec<Outcome>>,
}

impl Default for ReplayPane {
    fn default() -> Self {
        ReplayPane {
            target: None,
            resign: false,
            shift_secs: 0,
            repeat: 1,
            input: None,
            refused: None,
            editor: None,
            pending: BTreeMap::new(),
            next_seq: 1,
            outcomes: BTreeMap::new(),
        }
    }
}

impl ReplayPane {
    /// This session's replays of a delivery, oldest first.
    pub fn outcomes(&self, original: u64) -> &[Outcome] {
        self.outcomes.get(&original).map_or(&[], Vec::as_slice)
    }

    /// Replays sent and not answered yet.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }
}

/// The editor text of a delivery: `name: value` lines, a blank line, the body.
pub fn edit_text(d: &Delivery) -> String {
    let mut s = String::new();
    for (n, v) in &d.headers {
        s.push_str(n);
        s.push_str(": ");
        s.push_str(&String::from_utf8_lossy(v));
        s.push('\n');
    }
    s.push('\n');
    s.push_str(&String::from_utf8_lossy(&d.body));
    s
}

/// Apply edited text to a delivery. An editor's added final newline is dropped when the
/// original body had none, so an unchanged body stays byte-exact.
pub fn apply_edit(d: &Delivery, text: &str) -> Result<Delivery, String> {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
    let mut headers = Vec::new();
    for (i, line) in head.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (n, v) = line.split_once(':').ok_or_else(|| {
            format!(
                "edited line {} is not a `Name: value` header: {line:?}",
                i + 1
            )
        })?;
        let n = n.trim();
        if n.is_empty() || n.contains(' ') {
            return Err(format!(
                "edited line {} has no header name: {line:?}",
                i + 1
            ));
        }
        headers.push((n.to_ascii_lowercase(), v.trim().as_bytes().to_vec()));
    }
    let mut body = body.to_string();
    if !d.body.ends_with(b"\n") && body.ends_with('\n') {
        body.pop();
    }
    let body = if body == String::from_utf8_lossy(&d.body) {
        d.body.clone()
    } else {
        bytes::Bytes::from(body)
    };
    Ok(Delivery {
        headers,
        body_size: body.len() as u64,
        body,
        ..d.clone()
    })
}

impl App {
    /// Where replays go: the URL typed in the pane, else the forward target.
    pub fn replay_target(&self) -> Option<&str> {
        self.replay
            .target
            .as_deref()
            .or(self.opts.forward.as_deref())
    }

    /// The Replay tab's state.
    pub fn replay_pane(&self) -> &ReplayPane {
        &self.replay
    }

    /// The editor for `e` (`$EDITOR`); without one, `e` edits inline.
    pub fn set_editor(&mut self, editor: Option<String>) {
        self.replay.editor = editor.filter(|e| !e.trim().is_empty());
    }

    /// A replay key (`r`, `R`, `e`, `t`, `o`, `+`, `-`, `]`, `[`): switches to the Replay tab.
    pub(crate) fn replay_action(&mut self, action: Action, fx: &mut Vec<Effect>) {
        self.set_tab(Tab::Replay);
        let Some(d) = self.detail().map(|d| d.delivery.clone()) else {
            self.notice("nothing to replay: no delivery selected".into());
            return;
        };
        match action {
            Action::Replay => self.replay_send(&d, self.replay.resign, false, fx),
            Action::ReplayResigned => self.replay_send(&d, true, false, fx),
            Action::ReplayEdit => {
                let text = edit_text(&d);
                match &self.replay.editor {
                    Some(_) => fx.push(Effect::Edit {
                        original: d.id,
                        text,
                    }),
                    None => {
                        self.replay.input = Some(PaneInput::Edit {
                            original: d.id,
                            text,
                        })
                    }
                }
            }
            Action::ReplayTarget => {
                let current = self.replay_target().unwrap_or("http://").to_string();
                self.replay.input = Some(PaneInput::Target(current));
            }
            Action::ReplayToggleResign => self.replay.resign = !self.replay.resign,
            Action::ReplayShiftUp => self.replay.shift_secs += SHIFT_STEP,
            Action::ReplayShiftDown => self.replay.shift_secs -= SHIFT_STEP,
            Action::ReplayRepeatUp => {
                self.replay.repeat = (self.replay.repeat + 1).min(MAX_REPEAT);
            }
            Action::ReplayRepeatDown => {
                self.replay.repeat = self.replay.repeat.saturating_sub(1).max(1);
            }
            _ => {}
        }
    }

    /// Prepare `repeat` requests from `d` and hand them to the loop; a refusal is shown in the pane.
    fn replay_send(&mut self, d: &Delivery, resign: bool, edited: bool, fx: &mut Vec<Effect>) {
        let original = d.id;
        let Some(target) = self.replay_target().map(str::to_string) else {
            self.replay.refused = Some((
                original,
                "no replay target: press t to type a URL (or start hookscope with --forward URL)"
                    .into(),
            ));
            return;
        };
        let now = self.now_ms.div_euclid(1000);
        let mode = if resign {
            Mode::Resign {
                shift_secs: self.replay.shift_secs,
            }
        } else {
            Mode::AsCaptured
        };
        for _ in 0..self.replay.repeat {
            let prepared = match replay::prepare(d, self.checker(), mode, &target, now) {
                Ok(p) => p,
                Err(e) => {
                    self.replay.refused = Some((original, e.to_string()));
                    return;
                }
            };
            let sent = self.checker().check(&prepared.request, now);
            let seq = self.replay.next_seq;
            self.replay.next_seq += 1;
            let (verdict, provider) = (sent.verdict, sent.provider.clone());
            self.replay.pending.insert(seq, sent);
            fx.push(Effect::Replay(Box::new(ReplayJob {
                original,
                seq,
                resigned: resign,
                edited,
                prepared,
                verdict,
                provider,
            })));
        }
        self.replay.refused = None;
        self.scroll = 0;
    }

    /// Keys while the pane's text input is open.
    pub(crate) fn replay_input_key(&mut self, key: Key, fx: &mut Vec<Effect>) {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        let Some(input) = self.replay.input.as_mut() else {
            return;
        };
        let is_target = matches!(input, PaneInput::Target(_));
        let text = match input {
            PaneInput::Target(t) | PaneInput::Edit { text: t, .. } => t,
        };
        match key.code {
            KeyCode::Esc => self.replay.input = None,
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if ctrl && is_target => text.clear(),
            KeyCode::Enter if !is_target => text.push('\n'),
            KeyCode::Enter => {
                let t = text.trim().to_string();
                if t.is_empty() {
                    self.replay.target = None;
                    self.replay.input = None;
                    return;
                }
                let probe = Delivery::default();
                match replay::prepare(&probe, self.checker(), Mode::AsCaptured, &t, 0) {
                    Ok(_) => {
                        self.replay.target = Some(t);
                        self.replay.input = None;
                    }
                    Err(e) => self.notice(e.to_string()),
                }
            }
            KeyCode::Char('s') if ctrl => {
                if let Some(PaneInput::Edit { original, text }) = self.replay.input.take() {
                    self.update_edited(original, Ok(text), fx);
                }
            }
            KeyCode::Char(c) if !ctrl && !key.mods.contains(KeyModifiers::ALT) => text.push(c),
            _ => {}
        }
    }

    /// Edited text came back (from `$EDITOR` or the inline editor): replay it re-signed.
    pub(crate) fn update_edited(
        &mut self,
        original: u64,
        text: Result<String, String>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(d) = self
            .detail()
            .filter(|d| d.delivery.id == original)
            .map(|d| d.delivery.clone())
        else {
            self.notice(format!(
                "edit of #{original} dropped: another delivery is selected"
            ));
            return;
        };
        let edited = match text.and_then(|t| apply_edit(&d, &t)) {
            Ok(e) => e,
            Err(why) => {
                self.replay.refused = Some((original, why));
                return;
            }
        };
        self.set_tab(Tab::Replay);
        self.replay_send(&edited, true, true, fx);
    }

    /// A replay's answer: blame it, keep it with its original, list the stored replay.
    pub(crate) fn update_replayed(&mut self, a: ReplayAnswer) {
        let blame = self
            .replay
            .pending
            .remove(&a.job.seq)
            .and_then(|sent| replay::blame(&sent, &a.answer));
        if let Some(e) = &a.store_error {
            self.notice(e.clone());
        }
        let replay_id = (a.replay.id != 0).then_some(a.replay.id);
        if replay_id.is_some() {
            // The replay is a new stored row: the list and the detail's history follow the
            // store, and the selection stays on the original.
            self.store_changed_keeping_selection();
        }
        self.replay
            .outcomes
            .entry(a.job.original)
            .or_default()
            .push(Outcome {
                job: a.job,
                answer: a.answer,
                replay_id,
                blame,
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_edit_keeps_the_body_byte_exact() {
        let d = Delivery {
            headers: vec![("content-type".into(), b"application/json".to_vec())],
            body: bytes::Bytes::from_static(b"{\"a\": 1}"),
            body_size: 8,
            ..Delivery::default()
        };
        // Editors add a final newline on save.
        let e = apply_edit(&d, &(edit_text(&d) + "\n")).unwrap();
        assert_eq!(e.body, d.body);
        assert_eq!(e.headers, d.headers);
        let e = apply_edit(&d, "X-A: 1\n\n{\"a\":2}").unwrap();
        assert_eq!(&e.body[..], b"{\"a\":2}");
        assert_eq!(e.headers, vec![("x-a".to_string(), b"1".to_vec())]);
        assert_eq!(e.body_size, 7);
    }

    #[test]
    fn a_malformed_header_line_is_named() {
        let d = Delivery::default();
        let e = apply_edit(&d, "not a header\n\nbody").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
    }
}
