//! A [`Comparison`] as rows of tagged text: `hookscope diff` prints them, the dashboard's diff
//! pane colours them by [`Tone`]. One layout for both, so they always say the same.

use super::{BodyChanges, Comparison, HeaderChange, Side, SignatureSide};
use crate::headless::rfc3339_millis;
use crate::verify::Verdict;

/// What a piece of text is, for colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Title,
    Label,
    Text,
    Muted,
    /// Only on the left.
    Removed,
    /// Only on the right.
    Added,
    /// On both sides, different.
    Changed,
    Ok,
    Bad,
}

/// One row: pieces of text and their tone.
pub type Row = Vec<(Tone, String)>;

/// Width of the label column.
const LABEL: usize = 11;
/// Values and excerpts are cut to about this many characters.
const VALUE_MAX: usize = 160;
/// Byte ranges shown (the JSON output lists more).
const SHOWN_RANGES: usize = 20;

/// The rows of a comparison.
pub fn rows(c: &Comparison) -> Vec<Row> {
    let mut out = Vec::new();
    let title = format!(
        "#{} {} {}  ↔  #{} {} {}",
        c.left.id, c.left.method, c.left.path, c.right.id, c.right.method, c.right.path
    );
    out.push(vec![(Tone::Title, title)]);
    out.push(side_row("left", &c.left, None));
    out.push(side_row(
        "right",
        &c.right,
        Some(c.right.received_at_ms - c.left.received_at_ms),
    ));
    out.push(Vec::new());
    request(c, &mut out);
    out.push(Vec::new());
    headers(c, &mut out);
    out.push(Vec::new());
    body(c, &mut out);
    if let Some(s) = &c.signature {
        out.push(Vec::new());
        out.push(label_row(
            "signature",
            vec![(Tone::Text, s.provider.clone())],
        ));
        let (l, r) = (&s.left, &s.right);
        out.push(pair_row(
            "status",
            l.status.to_string(),
            r.status.to_string(),
        ));
        out.push(pair_row(
            "received",
            l.received.clone().unwrap_or_else(|| "-".into()),
            r.received.clone().unwrap_or_else(|| "-".into()),
        ));
        timestamps(l, r, s.timestamp_delta_secs, &mut out);
        match (&l.signed, &r.signed, s.signed_first_difference) {
            (Some(ls), Some(rs), Some(at)) => {
                out.push(label_row(
                    "signed",
                    vec![(Tone::Changed, format!("first difference at byte {at}"))],
                ));
                out.push(excerpt_row(Tone::Removed, "-", ls, at));
                out.push(excerpt_row(Tone::Added, "+", rs, at));
            }
            (Some(ls), Some(_), None) => {
                out.push(label_row(
                    "signed",
                    vec![(Tone::Muted, "the same on both sides".into())],
                ));
                out.push(excerpt_row(Tone::Text, " ", ls, 0));
            }
            _ => out.push(label_row(
                "signed",
                vec![(Tone::Muted, "not built (no secret, or no signature)".into())],
            )),
        }
    }
    out
}

/// The rows as plain text, one line each.
pub fn text(c: &Comparison) -> String {
    let mut s = String::new();
    for row in rows(c) {
        for (_, piece) in row {
            s.push_str(&piece);
        }
        s.truncate(s.trim_end_matches(' ').len());
        s.push('\n');
    }
    s
}

fn label_row(label: &str, mut rest: Row) -> Row {
    let mut row = vec![(Tone::Label, format!("{label:<LABEL$}"))];
    row.append(&mut rest);
    row
}

fn verdict(v: Verdict) -> (Tone, String) {
    match v {
        Verdict::Verified => (Tone::Ok, "✓ verified".into()),
        Verdict::Failed => (Tone::Bad, "✗ failed".into()),
        Verdict::Unverified => (Tone::Muted, "? unverified".into()),
    }
}

fn side_row(label: &str, s: &Side, apart_ms: Option<i64>) -> Row {
    let mut rest = vec![
        (Tone::Text, format!("#{} ", s.id)),
        (
            Tone::Muted,
            format!("{}  ", rfc3339_millis(s.received_at_ms)),
        ),
        (
            Tone::Text,
            format!("{}  ", s.provider.as_deref().unwrap_or("no provider")),
        ),
        verdict(s.verdict),
        (Tone::Muted, format!("  {} bytes", s.body_bytes)),
    ];
    if let Some(of) = s.replay_of {
        rest.push((Tone::Muted, format!("  replay of #{of}")));
    }
    if let Some(ms) = apart_ms {
        rest.push((Tone::Muted, format!("  ({} after left)", seconds(ms))));
    }
    label_row(label, rest)
}

fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "+" };
    let ms = ms.unsigned_abs();
    format!("{sign}{}.{:03} s", ms / 1000, ms % 1000)
}

fn pair_row(label: &str, left: String, right: String) -> Row {
    if left == right {
        label_row(label, vec![(Tone::Text, cut(&left))])
    } else {
        label_row(
            label,
            vec![
                (Tone::Removed, cut(&left)),
                (Tone::Muted, " → ".into()),
                (Tone::Added, cut(&right)),
            ],
        )
    }
}

fn request(c: &Comparison, out: &mut Vec<Row>) {
    if c.request.is_empty() {
        out.push(label_row(
            "request",
            vec![(Tone::Muted, "same method, path and query".into())],
        ));
    }
    for (i, f) in c.request.iter().enumerate() {
        out.push(pair_row(
            if i == 0 { "request" } else { "" },
            format!("{} {}", f.field, f.left),
            f.right.clone(),
        ));
    }
}

fn headers(c: &Comparison, out: &mut Vec<Row>) {
    let count = |want: fn(&HeaderChange) -> bool| c.headers.iter().filter(|h| want(h)).count();
    let changed = count(|h| {
        matches!(
            h,
            HeaderChange::Changed { .. } | HeaderChange::Recased { .. }
        )
    });
    let removed = count(|h| matches!(h, HeaderChange::Removed { .. }));
    let added = count(|h| matches!(h, HeaderChange::Added { .. }));
    let summary = if c.headers.is_empty() {
        format!("all {} the same", c.headers_same)
    } else {
        format!(
            "{} same · {changed} changed · {removed} removed · {added} added",
            c.headers_same
        )
    };
    out.push(label_row("headers", vec![(Tone::Muted, summary)]));
    for h in &c.headers {
        out.push(match h {
            HeaderChange::Removed { name, value } => vec![
                (Tone::Removed, format!("  - {name}: ")),
                (Tone::Removed, cut(&escape(value))),
            ],
            HeaderChange::Added { name, value } => vec![
                (Tone::Added, format!("  + {name}: ")),
                (Tone::Added, cut(&escape(value))),
            ],
            HeaderChange::Changed { name, left, right } => vec![
                (Tone::Changed, format!("  ~ {name}: ")),
                (Tone::Removed, cut(&escape(left))),
                (Tone::Muted, " → ".into()),
                (Tone::Added, cut(&escape(right))),
            ],
            HeaderChange::Recased { left, right, value } => vec![
                (Tone::Changed, "  ~ ".into()),
                (Tone::Removed, left.clone()),
                (Tone::Muted, " → ".into()),
                (Tone::Added, right.clone()),
                (
                    Tone::Changed,
                    format!(": {} (name case only)", cut(&escape(value))),
                ),
            ],
        });
    }
}

fn body(c: &Comparison, out: &mut Vec<Row>) {
    let b = &c.body;
    let mut head = vec![(
        Tone::Text,
        if b.left_bytes == b.right_bytes {
            format!("{} bytes each", b.left_bytes)
        } else {
            format!("{} → {} bytes", b.left_bytes, b.right_bytes)
        },
    )];
    match b.first_difference {
        Some(at) => head.push((
            Tone::Changed,
            format!(" · first difference at byte {at} (0x{at:x})"),
        )),
        None => head.push((Tone::Muted, " · identical".into())),
    }
    out.push(label_row("body", head));
    match &b.changes {
        BodyChanges::Identical => {}
        BodyChanges::Json { changes, more } => {
            if changes.is_empty() {
                out.push(vec![(
                    Tone::Changed,
                    "  JSON: the same values, written differently (re-serialized)".into(),
                )]);
            } else {
                out.push(vec![(
                    Tone::Muted,
                    format!("  JSON: {} values differ", changes.len() + more),
                )]);
            }
            for ch in changes {
                let show = |v: &Option<serde_json::Value>| {
                    v.as_ref().map(|v| cut(&v.to_string())).unwrap_or_default()
                };
                let pointer = if ch.pointer.is_empty() {
                    "(document)"
                } else {
                    &ch.pointer
                };
                out.push(match (&ch.left, &ch.right) {
                    (Some(_), Some(_)) => vec![
                        (Tone::Changed, format!("  ~ {pointer}: ")),
                        (Tone::Removed, show(&ch.left)),
                        (Tone::Muted, " → ".into()),
                        (Tone::Added, show(&ch.right)),
                    ],
                    (Some(_), None) => vec![
                        (Tone::Removed, format!("  - {pointer}: ")),
                        (Tone::Removed, show(&ch.left)),
                    ],
                    _ => vec![
                        (Tone::Added, format!("  + {pointer}: ")),
                        (Tone::Added, show(&ch.right)),
                    ],
                });
            }
            if *more > 0 {
                out.push(vec![(Tone::Muted, format!("  … {more} more"))]);
            }
        }
        BodyChanges::Lines {
            hunks,
            added,
            removed,
            more,
        } => {
            out.push(vec![(
                Tone::Muted,
                format!("  lines: {removed} removed · {added} added"),
            )]);
            for h in hunks {
                out.push(vec![(
                    Tone::Muted,
                    format!(
                        "  @@ left line {} · right line {}",
                        h.left_line, h.right_line
                    ),
                )]);
                for l in &h.lines {
                    let tone = match l.tag {
                        "-" => Tone::Removed,
                        "+" => Tone::Added,
                        _ => Tone::Text,
                    };
                    out.push(vec![(
                        tone,
                        format!("  {} {}", l.tag, cut(&escape(&l.text))),
                    )]);
                }
            }
            if *more > 0 {
                out.push(vec![(Tone::Muted, format!("  … {more} more lines"))]);
            }
        }
        BodyChanges::Bytes { ranges, more } => {
            let total = ranges.len() + more;
            out.push(vec![(
                Tone::Muted,
                format!(
                    "  bytes: {total} range{} differ{}",
                    if total == 1 { "" } else { "s" },
                    if total == 1 { "s" } else { "" }
                ),
            )]);
            for r in ranges.iter().take(SHOWN_RANGES) {
                out.push(vec![(
                    Tone::Changed,
                    format!(
                        "  at {} (0x{:x}): {} byte{} → {} byte{}",
                        r.left_offset,
                        r.left_offset,
                        r.left_len,
                        if r.left_len == 1 { "" } else { "s" },
                        r.right_len,
                        if r.right_len == 1 { "" } else { "s" },
                    ),
                )]);
                out.push(vec![
                    (Tone::Muted, "    left  ".into()),
                    (Tone::Removed, r.left_hex.clone()),
                ]);
                out.push(vec![
                    (Tone::Muted, "    right ".into()),
                    (Tone::Added, r.right_hex.clone()),
                ]);
            }
            if total > SHOWN_RANGES {
                out.push(vec![(
                    Tone::Muted,
                    format!("  … {} more ranges", total - SHOWN_RANGES),
                )]);
            }
        }
    }
}

fn timestamps(l: &SignatureSide, r: &SignatureSide, delta: Option<i64>, out: &mut Vec<Row>) {
    let ts = |s: &SignatureSide| s.timestamp.map_or_else(|| "-".into(), |t| t.to_string());
    let mut row = pair_row("timestamp", ts(l), ts(r));
    if let Some(d) = delta.filter(|d| *d != 0) {
        row.push((Tone::Muted, format!(" ({d:+} s)")));
    }
    out.push(row);
    let skew = |s: &SignatureSide| s.skew_secs.map_or_else(|| "-".into(), |k| format!("{k} s"));
    out.push(pair_row("skew", skew(l), skew(r)));
}

/// A line of a signed string around byte `at`, escaped and cut.
fn excerpt_row(tone: Tone, tag: &str, s: &str, at: usize) -> Row {
    let start = at.saturating_sub(40);
    let start = (0..=start)
        .rev()
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0);
    let mut text = String::new();
    if start > 0 {
        text.push('…');
    }
    text.push_str(&cut(&escape(&s[start..])));
    vec![(tone, format!("  {tag} {text}"))]
}

/// Control characters shown as escapes, so one value stays on one row.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// At most [`VALUE_MAX`] characters, `…` marking a cut.
fn cut(s: &str) -> String {
    if s.chars().count() <= VALUE_MAX {
        return s.to_string();
    }
    let mut out: String = s.chars().take(VALUE_MAX - 1).collect();
    out.push('…');
    out
}
