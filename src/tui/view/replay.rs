//! The Replay tab: options (target, re-sign, shift, repeat), the text being typed, the latest
//! answer with its blame, and the replay history of the selected delivery.

use super::super::app::App;
use super::super::fmt;
use super::super::key_table::Action;
use super::super::replay_pane::{Outcome, PaneInput};
use super::super::theme::Theme;
use crate::delivery::{Delivery, ResponseRecord};
use crate::replay::{self, Mode};
use ratatui::text::{Line, Span};

const LABEL: usize = 11;

fn kv(label: &str, t: &Theme, value: Vec<Span<'static>>) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{label:<LABEL$}"), t.header)];
    spans.extend(value);
    Line::from(spans)
}

/// The keys of `actions` as the key table binds them (remapping included).
fn key_hint(app: &App, actions: &[Action]) -> Span<'static> {
    Span::styled(
        format!("  {}", app.keys.short_label(actions)),
        app.theme.key,
    )
}

/// `202 Accepted`, or why no answer came.
pub fn status_text(r: &ResponseRecord) -> String {
    if r.status == 0 {
        return format!(
            "no answer: {}",
            r.error.as_deref().unwrap_or("unknown error")
        );
    }
    let reason = reqwest::StatusCode::from_u16(r.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{} {reason}", r.status).trim_end().to_string()
}

/// The logical lines of the Replay tab for the loaded delivery `d`.
pub(super) fn lines(app: &App, d: &Delivery) -> Vec<Line<'static>> {
    let t = &app.theme;
    let p = app.replay_pane();
    let mut out = Vec::new();
    if let Some(of) = d.replay_of {
        out.push(kv(
            "replay of",
            t,
            vec![Span::styled(format!("#{of}"), t.accent)],
        ));
    }
    match &p.input {
        Some(PaneInput::Target(text)) => {
            let mut v = super::input_spans(t, text, false, Span::styled("█", t.accent));
            v.push(Span::styled(
                "  enter keep · esc cancel · ctrl-u clear",
                t.muted,
            ));
            out.push(kv("target", t, v));
        }
        _ => {
            let target = match (&p.target, app.replay_target()) {
                (Some(typed), _) => vec![Span::styled(typed.clone(), t.accent)],
                (None, Some(fw)) => vec![
                    Span::styled(fw.to_string(), t.accent),
                    Span::styled(" (forward)", t.muted),
                ],
                (None, None) => vec![Span::styled("none: press t to type a URL", t.warn)],
            };
            let mut v = target;
            v.push(key_hint(app, &[Action::ReplayTarget]));
            out.push(kv("target", t, v));
        }
    }
    out.push(kv(
        "re-sign",
        t,
        vec![
            Span::styled(
                if p.resign {
                    "on · r re-signs too"
                } else {
                    "off · r sends as captured"
                },
                t.text,
            ),
            key_hint(app, &[Action::ReplayToggleResign]),
        ],
    ));
    out.push(kv(
        "shift",
        t,
        vec![
            Span::styled(format!("{:+} s", p.shift_secs), t.text),
            Span::styled(" on the fresh timestamp of re-signed replays", t.muted),
            key_hint(app, &[Action::ReplayShiftUp, Action::ReplayShiftDown]),
        ],
    ));
    out.push(kv(
        "repeat",
        t,
        vec![
            Span::styled(p.repeat.to_string(), t.text),
            key_hint(app, &[Action::ReplayRepeatDown, Action::ReplayRepeatUp]),
        ],
    ));
    // Say up front when this delivery cannot be re-signed, and why.
    let probe = app.replay_target().unwrap_or("http://localhost");
    if let Err(e) = replay::prepare(
        d,
        app.checker(),
        Mode::Resign { shift_secs: 0 },
        probe,
        app.now_ms / 1000,
    ) && !matches!(e, replay::ReplayError::BadTarget(_))
    {
        out.push(kv("re-sign", t, vec![Span::styled(e.to_string(), t.warn)]));
    }
    out.push(kv(
        "keys",
        t,
        vec![
            Span::styled(app.keys.short_label(&[Action::Replay]), t.key),
            Span::styled(" replay · ", t.muted),
            Span::styled(app.keys.short_label(&[Action::ReplayResigned]), t.key),
            Span::styled(" re-signed · ", t.muted),
            Span::styled(app.keys.short_label(&[Action::ReplayEdit]), t.key),
            Span::styled(" edit, then replay re-signed", t.muted),
        ],
    ));
    if let Some((id, why)) = &p.refused
        && *id == d.id
    {
        out.push(kv("not sent", t, vec![Span::styled(why.clone(), t.bad)]));
    }
    if let Some(PaneInput::Edit { original, text }) = &p.input {
        out.push(Line::from(""));
        out.push(Line::from(vec![
            Span::styled(format!("editing #{original}"), t.header),
            Span::styled(
                "  headers, a blank line, the body · ctrl-s replay re-signed · esc cancel",
                t.muted,
            ),
        ]));
        // The lines of the text, the cursor on its line (a line break under it shows as the
        // end-of-line block).
        let (before, under, after) = text.split();
        let mut lines: Vec<Vec<Span<'static>>> = vec![vec![Span::styled("  ", t.text)]];
        let push_text = |lines: &mut Vec<Vec<Span<'static>>>, s: &str| {
            for (i, part) in s.split('\n').enumerate() {
                if i > 0 {
                    lines.push(vec![Span::styled("  ", t.text)]);
                }
                if !part.is_empty() {
                    lines
                        .last_mut()
                        .expect("one line")
                        .push(Span::styled(part.to_string(), t.text));
                }
            }
        };
        push_text(&mut lines, before);
        let cursor = match under {
            Some(c) if c != '\n' => Span::styled(c.to_string(), t.selected),
            _ => Span::styled("█", t.accent),
        };
        lines.last_mut().expect("one line").push(cursor);
        if under == Some('\n') {
            lines.push(vec![Span::styled("  ", t.text)]);
        }
        push_text(&mut lines, after);
        out.extend(lines.into_iter().map(Line::from));
        return out;
    }
    if p.in_flight() > 0 {
        out.push(kv(
            "sending",
            t,
            vec![Span::styled(
                format!("{} replay(s) waiting for the app…", p.in_flight()),
                t.warn,
            )],
        ));
    }
    let outcomes = p.outcomes(d.id);
    if let Some(last) = outcomes.last() {
        out.push(Line::from(""));
        answer(last, t, &mut out);
    }
    history(app, d.id, outcomes, &mut out);
    out
}

fn answer(o: &Outcome, t: &Theme, out: &mut Vec<Line<'static>>) {
    let a = &o.answer;
    let style = match a.status {
        200..=299 => t.ok,
        0 | 400.. => t.bad,
        _ => t.warn,
    };
    let mut v = vec![Span::styled(status_text(a), style)];
    if let Some(ms) = a.latency_ms {
        v.push(Span::styled(format!(" · {ms} ms"), t.text));
    }
    v.push(Span::styled(format!(" · {}", mode_label(o)), t.muted));
    if let Some(id) = o.replay_id {
        v.push(Span::styled(format!(" · stored as #{id}"), t.muted));
    }
    out.push(kv("answer", t, v));
    out.push(kv(
        "sent to",
        t,
        vec![Span::styled(
            format!("{} {}", o.job.prepared.request.method, o.job.prepared.url),
            t.text,
        )],
    ));
    if let Some(b) = &o.blame {
        out.push(kv("blame", t, vec![Span::styled(b.clone(), t.warn)]));
    }
    if !a.headers.is_empty() {
        out.push(Line::from(Span::styled("headers", t.header)));
        for (n, v) in &a.headers {
            out.push(Line::from(vec![
                Span::styled(format!("  {n}: "), t.muted),
                Span::styled(v.clone(), t.text),
            ]));
        }
    }
    if !a.body.is_empty() {
        out.push(Line::from(Span::styled("body", t.header)));
        for l in a.body.lines() {
            let mut line = fmt::escaped_line(l.as_bytes(), t.text, t.escape);
            line.spans.insert(0, Span::raw("  "));
            out.push(line);
        }
    }
}

fn mode_label(o: &Outcome) -> &'static str {
    match (o.job.edited, o.job.resigned) {
        (true, _) => "edited, re-signed",
        (false, true) => "re-signed",
        (false, false) => "as captured",
    }
}

/// Every stored replay of `id` (they survive restart), with this session's modes.
fn history(app: &App, id: u64, outcomes: &[Outcome], out: &mut Vec<Line<'static>>) {
    let t = &app.theme;
    let rows: Vec<_> = app
        .detail()
        .map(|d| {
            d.replays
                .iter()
                .filter(|s| s.replay_of == Some(id))
                .collect()
        })
        .unwrap_or_default();
    let unstored = outcomes.iter().filter(|o| o.replay_id.is_none()).count();
    if rows.is_empty() && unstored == 0 {
        out.push(Line::from(""));
        out.push(kv(
            "history",
            t,
            vec![Span::styled("no replays of this delivery yet", t.muted)],
        ));
        return;
    }
    out.push(Line::from(""));
    out.push(kv(
        "history",
        t,
        vec![Span::styled(
            format!("{} replay(s) of #{id}", rows.len() + unstored),
            t.text,
        )],
    ));
    for s in rows {
        let mode = outcomes
            .iter()
            .find(|o| o.replay_id == Some(s.id))
            .map_or("", mode_label);
        let status = fmt::status_cell(s.status);
        let st = match s.status {
            Some(200..=299) => t.ok,
            Some(_) => t.bad,
            None => t.muted,
        };
        out.push(Line::from(vec![
            Span::styled(format!("  ↻#{:<6}", s.id), t.accent),
            Span::styled(
                format!("{}  ", fmt::clock(s.received_at_ms, &app.opts.time_zone)),
                t.muted,
            ),
            Span::styled(format!("{status:>3}"), st),
            Span::styled(format!("  {mode}"), t.muted),
        ]));
    }
}
