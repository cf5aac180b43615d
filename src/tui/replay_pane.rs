//! The Replay tab as a component: target URL, re-sign on/off, timestamp shift, repeat count,
//! the inline editor, and the answers of this session's replays per original delivery. It owns
//! that state, turns actions, keys and pastes into a [`Handled`], and the view draws it from
//! `&self`.
//!
//! The pane prepares each request itself (`replay::prepare` is pure) and verifies what it is
//! about to send with the current checker; the loop only sends, records and answers with
//! [`super::Input::Replayed`]. Blame is computed when the answer comes back.

use super::events::{Effect, Handled};
pub use super::events::{ReplayAnswer, ReplayJob};
use super::keys::{Action, Key};
use super::text_input::TextInput;
use crate::checker::Checker;
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
    Target(TextInput),
    /// Headers, a blank line, the body (inline editor, when `$EDITOR` is unset; enter adds a
    /// line).
    Edit { original: u64, text: TextInput },
}

/// What the pane needs from the dashboard to act on a key.
pub struct ReplayCtx<'a> {
    /// The loaded delivery of the selection.
    pub delivery: Option<&'a Delivery>,
    pub checker: &'a Checker,
    /// The clock, unix milliseconds.
    pub now_ms: i64,
    /// The forward target (`--forward`), used when no target was typed.
    pub forward: Option<&'a str>,
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

impl ReplayPane {
    /// Where replays go: the URL typed in the pane, else the forward target.
    pub fn target<'a>(&'a self, forward: Option<&'a str>) -> Option<&'a str> {
        self.target.as_deref().or(forward)
    }

    /// The editor for `e` (`$EDITOR`); without one, `e` edits inline.
    pub fn set_editor(&mut self, editor: Option<String>) {
        self.editor = editor.filter(|e| !e.trim().is_empty());
    }

    /// A replay action (`r`, `R`, `e`, `t`, `o`, `+`, `-`, `]`, `[`).
    pub fn action(&mut self, action: Action, cx: &ReplayCtx) -> Handled {
        let Some(d) = cx.delivery else {
            return Handled::Notice("nothing to replay: no delivery selected".into());
        };
        match action {
            Action::Replay => return self.send(d, self.resign, false, cx),
            Action::ReplayResigned => return self.send(d, true, false, cx),
            Action::ReplayEdit => {
                let text = edit_text(d);
                if self.editor.is_some() {
                    return Handled::Effects(vec![Effect::Edit {
                        original: d.id,
                        text,
                    }]);
                }
                self.input = Some(PaneInput::Edit {
                    original: d.id,
                    text: TextInput::new(&text),
                });
            }
            Action::ReplayTarget => {
                let current = self.target(cx.forward).unwrap_or("http://");
                self.input = Some(PaneInput::Target(TextInput::new(current)));
            }
            Action::ReplayToggleResign => self.resign = !self.resign,
            Action::ReplayShiftUp => self.shift_secs += SHIFT_STEP,
            Action::ReplayShiftDown => self.shift_secs -= SHIFT_STEP,
            Action::ReplayRepeatUp => self.repeat = (self.repeat + 1).min(MAX_REPEAT),
            Action::ReplayRepeatDown => self.repeat = self.repeat.saturating_sub(1).max(1),
            _ => return Handled::Ignored,
        }
        Handled::Consumed
    }

    /// Prepare `repeat` requests from `d` for the loop; a refusal is shown in the pane.
    fn send(&mut self, d: &Delivery, resign: bool, edited: bool, cx: &ReplayCtx) -> Handled {
        let original = d.id;
        let Some(target) = self.target(cx.forward).map(str::to_string) else {
            self.refused = Some((
                original,
                "no replay target: press t to type a URL (or start hookscope with --forward URL)"
                    .into(),
            ));
            return Handled::Consumed;
        };
        let now = cx.now_ms.div_euclid(1000);
        let mode = if resign {
            Mode::Resign {
                shift_secs: self.shift_secs,
            }
        } else {
            Mode::AsCaptured
        };
        let mut fx = Vec::new();
        for _ in 0..self.repeat {
            let prepared = match replay::prepare(d, cx.checker, mode, &target, now) {
                Ok(p) => p,
                Err(e) => {
                    self.refused = Some((original, e.to_string()));
                    return Handled::Consumed;
                }
            };
            let sent = cx.checker.check(&prepared.request, now);
            let seq = self.next_seq;
            self.next_seq += 1;
            let (verdict, provider) = (sent.verdict, sent.provider.clone());
            self.pending.insert(seq, sent);
            fx.push(Effect::Replay(Box::new(ReplayJob {
                original,
                seq,
                resigned: resign,
                shift_secs: self.shift_secs,
                edited,
                prepared,
                verdict,
                provider,
            })));
        }
        self.refused = None;
        Handled::Effects(fx)
    }

    /// Pasted text, into the open input (a target keeps one line).
    pub fn paste(&mut self, text: &str) -> Handled {
        match &mut self.input {
            Some(PaneInput::Target(t)) => t.paste(text.trim_matches(['\r', '\n'])),
            Some(PaneInput::Edit { text: t, .. }) => t.paste(&text.replace("\r\n", "\n")),
            None => return Handled::Ignored,
        }
        Handled::Consumed
    }

    /// Keys while the pane's text input is open.
    pub fn input_key(&mut self, key: Key, cx: &ReplayCtx) -> Handled {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        match (&mut self.input, key.code) {
            (None, _) => return Handled::Ignored,
            (Some(_), KeyCode::Esc) => self.input = None,
            (Some(PaneInput::Edit { text, .. }), KeyCode::Enter) => text.insert('\n'),
            (Some(PaneInput::Edit { .. }), KeyCode::Char('s')) if ctrl => {
                if let Some(PaneInput::Edit { original, text }) = self.input.take() {
                    return self.edited(original, Ok(text.text().to_string()), cx);
                }
            }
            (Some(PaneInput::Target(text)), KeyCode::Enter) => {
                let t = text.text().trim().to_string();
                if t.is_empty() {
                    self.target = None;
                    self.input = None;
                    return Handled::Consumed;
                }
                let probe = Delivery::default();
                match replay::prepare(&probe, cx.checker, Mode::AsCaptured, &t, 0) {
                    Ok(_) => {
                        self.target = Some(t);
                        self.input = None;
                    }
                    Err(e) => return Handled::Notice(e.to_string()),
                }
            }
            (Some(PaneInput::Target(text) | PaneInput::Edit { text, .. }), _) => {
                text.key(key);
            }
        }
        Handled::Consumed
    }

    /// Edited text came back (from `$EDITOR` or the inline editor): replay it re-signed.
    pub fn edited(
        &mut self,
        original: u64,
        text: Result<String, String>,
        cx: &ReplayCtx,
    ) -> Handled {
        let Some(d) = cx.delivery.filter(|d| d.id == original) else {
            return Handled::Notice(format!(
                "edit of #{original} dropped: another delivery is selected"
            ));
        };
        match text.and_then(|t| apply_edit(d, &t)) {
            Ok(edited) => self.send(&edited, true, true, cx),
            Err(why) => {
                self.refused = Some((original, why));
                Handled::Consumed
            }
        }
    }

    /// A replay's answer: blame it and keep it with its original. Returns whether the replay
    /// was stored (a new row the list shows).
    pub fn replayed(&mut self, a: ReplayAnswer) -> bool {
        let blame = self
            .pending
            .remove(&a.job.seq)
            .and_then(|sent| replay::blame(&sent, &a.answer, a.job.mode()));
        let replay_id = (a.replay.id != 0).then_some(a.replay.id);
        self.outcomes
            .entry(a.job.original)
            .or_default()
            .push(Outcome {
                job: a.job,
                answer: a.answer,
                replay_id,
                blame,
            });
        replay_id.is_some()
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
