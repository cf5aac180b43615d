//! Small formatting helpers shared by the views: sizes, counts, times, durations, escaping.

use jiff::tz::TimeZone;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// A byte size in 4 characters or so: `310B`, `2.1K`, `14K`, `1.2M`.
pub fn size(n: u64) -> String {
    const K: f64 = 1024.0;
    let f = n as f64;
    if n < 1024 {
        format!("{n}B")
    } else if f < 10.0 * K {
        format!("{:.1}K", f / K)
    } else if f < K * K {
        format!("{:.0}K", f / K)
    } else if f < 10.0 * K * K {
        format!("{:.1}M", f / K / K)
    } else if f < K * K * K {
        format!("{:.0}M", f / K / K)
    } else {
        format!("{:.1}G", f / K / K / K)
    }
}

/// A count with thousands separators: `1,204`.
pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `HH:MM:SS` of a unix-millisecond instant in a time zone.
pub fn clock(ms: i64, tz: &TimeZone) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.to_zoned(tz.clone()).strftime("%H:%M:%S").to_string(),
        Err(_) => "??:??:??".to_string(),
    }
}

/// `2026-11-22 10:00:01.123 UTC` of a unix-millisecond instant in a time zone.
pub fn datetime(ms: i64, tz: &TimeZone) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M:%S%.3f %Z")
            .to_string(),
        Err(_) => format!("{ms} ms (out of range)"),
    }
}

/// A duration in seconds as `4m 12s`, `2h 03m`, `3d 4h`, `9s`.
pub fn duration(secs: i64) -> String {
    let s = secs.unsigned_abs();
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}d {}h", s / 86_400, (s % 86_400) / 3600)
    }
}

/// A signed skew: `-2s`, `+15s`, `-4m 12s`, `0s`.
pub fn skew(secs: i64) -> String {
    match secs.signum() {
        0 => "0s".to_string(),
        -1 => format!("-{}", duration(secs)),
        _ => format!("+{}", duration(secs)),
    }
}

/// An answer's status in a list column: `200`, `-` before any answer, `err` when none came (a
/// refused or dropped connection, a timeout; recorded as status 0).
pub fn status_cell(status: Option<u16>) -> String {
    match status {
        None => "-".to_string(),
        Some(0) => "err".to_string(),
        Some(n) => n.to_string(),
    }
}

/// One displayable unit of a byte string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A printable character and its display width.
    Char(char, usize),
    /// A byte or character shown as an escape (`\t`, `\x00`, `\u{feff}`).
    Escape(EscapeKind),
    /// A line feed: shown as `↵`, then the line ends.
    Newline,
}

/// What an escape unit stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscapeKind {
    Tab,
    Cr,
    Byte(u8),
    Char(char),
}

impl EscapeKind {
    /// The escape text.
    pub fn text(self) -> String {
        match self {
            EscapeKind::Tab => "\\t".into(),
            EscapeKind::Cr => "\\r".into(),
            EscapeKind::Byte(b) => format!("\\x{b:02x}"),
            EscapeKind::Char(c) => format!("\\u{{{:04x}}}", c as u32),
        }
    }

    /// Its display width.
    pub fn width(self) -> usize {
        match self {
            EscapeKind::Tab | EscapeKind::Cr => 2,
            EscapeKind::Byte(_) => 4,
            EscapeKind::Char(c) => format!("{:04x}", c as u32).len() + 4,
        }
    }
}

impl Unit {
    /// Display width of the unit.
    pub fn width(self) -> usize {
        match self {
            Unit::Char(_, w) => w,
            Unit::Escape(e) => e.width(),
            Unit::Newline => 1,
        }
    }
}

/// The unit starting at `b[0]` and how many bytes it covers. Invalid UTF-8, control characters
/// and zero-width characters (BOM, zero-width space, combining marks) become escapes: nothing is
/// dropped silently.
pub fn unit(b: &[u8]) -> (Unit, usize) {
    let first = b[0];
    match first {
        b'\n' => return (Unit::Newline, 1),
        b'\t' => return (Unit::Escape(EscapeKind::Tab), 1),
        b'\r' => return (Unit::Escape(EscapeKind::Cr), 1),
        0x20..=0x7e => return (Unit::Char(first as char, 1), 1),
        0x00..=0x1f | 0x7f => return (Unit::Escape(EscapeKind::Byte(first)), 1),
        _ => {}
    }
    let n = match first {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (Unit::Escape(EscapeKind::Byte(first)), 1),
    };
    let Some(c) = b
        .get(..n)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.chars().next())
    else {
        return (Unit::Escape(EscapeKind::Byte(first)), 1);
    };
    match c.width() {
        Some(w) if w > 0 && !c.is_control() => (Unit::Char(c, w), n),
        _ => (Unit::Escape(EscapeKind::Char(c)), n),
    }
}

/// Bytes as one line of spans, non-printables escaped (`\n` shown as `\n` too).
pub fn escaped_line(b: &[u8], text: Style, escape: Style) -> Line<'static> {
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut i = 0;
    while i < b.len() {
        let (u, n) = unit(&b[i..]);
        match u {
            Unit::Char(c, _) => run.push(c),
            Unit::Escape(e) => {
                if !run.is_empty() {
                    spans.push(Span::styled(std::mem::take(&mut run), text));
                }
                spans.push(Span::styled(e.text(), escape));
            }
            Unit::Newline => {
                if !run.is_empty() {
                    spans.push(Span::styled(std::mem::take(&mut run), text));
                }
                spans.push(Span::styled("\\n", escape));
            }
        }
        i += n;
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, text));
    }
    Line::from(spans)
}

/// Wrap a line to `width` cells: break after a space when one is in the second half of the row,
/// else anywhere; continuation rows start with `indent` spaces.
pub fn wrap(line: Line<'static>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    let indent = if indent * 2 > width { 0 } else { indent };
    if line.width() <= width {
        return vec![line];
    }
    let base = line.style;
    let cells: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
        .collect();
    let mut rows = Vec::new();
    let mut start = 0;
    let mut first = true;
    while start < cells.len() {
        let avail = if first { width } else { width - indent };
        let mut w = 0;
        let mut end = start;
        let mut last_space = None;
        while end < cells.len() {
            let cw = cells[end].0.width().unwrap_or(0);
            if w + cw > avail {
                break;
            }
            w += cw;
            if cells[end].0 == ' ' {
                last_space = Some(end);
            }
            end += 1;
        }
        if end == start {
            end = start + 1;
        } else if end < cells.len()
            && let Some(sp) = last_space
            && (sp - start) * 2 >= avail.min(end - start)
        {
            end = sp + 1;
        }
        let mut spans: Vec<Span<'static>> = Vec::new();
        if !first && indent > 0 {
            spans.push(Span::raw(" ".repeat(indent)));
        }
        let fixed = spans.len();
        for &(c, st) in &cells[start..end] {
            if spans.len() > fixed && spans.last().is_some_and(|l| l.style == st) {
                spans
                    .last_mut()
                    .expect("non-empty")
                    .content
                    .to_mut()
                    .push(c);
            } else {
                spans.push(Span::styled(c.to_string(), st));
            }
        }
        rows.push(Line::from(spans).style(base));
        start = end;
        first = false;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_counts_durations() {
        assert_eq!(size(310), "310B");
        assert_eq!(size(2150), "2.1K");
        assert_eq!(size(14 * 1024), "14K");
        assert_eq!(size(10 * 1024 * 1024), "10M");
        assert_eq!(count(0), "0");
        assert_eq!(count(1204), "1,204");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(duration(252), "4m 12s");
        assert_eq!(skew(-2), "-2s");
        assert_eq!(skew(7500), "+2h 05m");
    }

    #[test]
    fn times_in_a_fixed_zone() {
        let ms = 1_763_805_601_123; // 2025-11-22T10:00:01.123Z
        assert_eq!(clock(ms, &TimeZone::UTC), "10:00:01");
        assert_eq!(datetime(ms, &TimeZone::UTC), "2025-11-22 10:00:01.123 UTC");
    }

    #[test]
    fn escapes_never_drop_bytes() {
        let b = b"a\tb\r\n\x00\xff\xef\xbb\xbf\xc3\xa9";
        let l = escaped_line(b, Style::new(), Style::new());
        assert_eq!(l.to_string(), "a\\tb\\r\\n\\x00\\xff\\u{feff}é");
    }

    #[test]
    fn wrap_prefers_spaces_and_indents() {
        let rows = wrap(
            Line::from("hint      would verify if the body were compact JSON"),
            30,
            10,
        );
        let text: Vec<String> = rows.iter().map(|l| l.to_string()).collect();
        assert_eq!(
            text,
            vec![
                "hint      would verify if the ",
                "          body were compact ",
                "          JSON"
            ]
        );
        let rows = wrap(Line::from("x".repeat(20)), 8, 0);
        assert_eq!(rows.len(), 3);
    }
}
