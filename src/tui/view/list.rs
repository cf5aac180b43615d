//! The list pane (only visible rows are built) and the skew panel.

use super::super::app::App;
use super::super::fmt;
use super::super::key_table::Action;
use super::super::layout::Areas;
use super::super::layout::Focus;
use super::{match_info, pane};
use crate::delivery::Summary;
use crate::verify::Verdict;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Column widths for a list width.
struct Cols {
    time: bool,
    provider: usize,
    path: usize,
}

const METHOD_W: usize = 6;
const SIZE_W: usize = 5;
const STATUS_W: usize = 3;

fn cols(width: usize) -> Cols {
    // glyph + space, method + space, " size status"
    let base = 2 + METHOD_W + 1 + 1 + SIZE_W + 1 + STATUS_W;
    let time = width >= base + 9 + 12;
    let fixed = base + if time { 9 } else { 0 };
    let provider = if width >= fixed + 11 + 12 { 11 } else { 0 };
    let path = width.saturating_sub(fixed + provider).max(4);
    Cols {
        time,
        provider,
        path,
    }
}

/// Cut `s` to `w` cells, marking a cut with `…`; pad to `w`.
fn fit(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    if s.width() <= w {
        out.push_str(s);
        used = s.width();
    } else {
        for c in s.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw + 1 > w {
                break;
            }
            out.push(c);
            used += cw;
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

fn glyph(app: &App, v: Verdict) -> Span<'static> {
    let t = &app.theme;
    match v {
        Verdict::Verified => Span::styled("✓", t.ok),
        Verdict::Failed => Span::styled("✗", t.bad),
        Verdict::Unverified => Span::styled("?", t.warn),
    }
}

fn row_line(app: &App, s: &Summary, c: &Cols, selected: bool) -> Line<'static> {
    let t = &app.theme;
    let mark = if app.compare.marked() == Some(s.id) {
        Span::styled("◆", t.key)
    } else {
        Span::raw(" ")
    };
    let mut spans = vec![glyph(app, s.verdict), mark];
    if c.time {
        spans.push(Span::styled(
            format!("{} ", fmt::clock(s.received_at_ms, &app.opts.time_zone)),
            t.muted,
        ));
    }
    spans.push(Span::styled(
        format!("{} ", fit(&s.method, METHOD_W)),
        t.text,
    ));
    let path = fmt::escaped_line(s.path.as_bytes(), Style::new(), Style::new()).to_string();
    let path = match s.replay_of {
        Some(of) => format!("↻#{of} {path}"),
        None => path,
    };
    spans.push(Span::styled(fit(&path, c.path), t.text));
    if c.provider > 0 {
        let p = s.provider.as_deref().unwrap_or("-");
        spans.push(Span::styled(
            format!(" {}", fit(p, c.provider - 1)),
            t.accent,
        ));
    }
    spans.push(Span::styled(
        format!(" {:>SIZE_W$}", fmt::size(s.body_size)),
        t.muted,
    ));
    let status = fmt::status_cell(s.status);
    let st = match s.status {
        Some(n) if s.rejected || n >= 400 || n == 0 => t.bad,
        Some(_) => t.text,
        None => t.muted,
    };
    spans.push(Span::styled(format!(" {status:>STATUS_W$}"), st));
    let line = Line::from(spans);
    if selected {
        line.style(t.selected)
    } else {
        line
    }
}

/// Draw the list pane.
pub(super) fn list(app: &App, f: &mut Frame, r: Rect, a: &Areas) {
    let t = &app.theme;
    let (total, _) = app.list().counts();
    let mut title = vec![Span::styled(
        format!(" {} deliveries ", fmt::count(total)),
        t.title,
    )];
    title.push(match (app.list.follow(), app.list.following()) {
        (true, true) => Span::styled("· following ", t.muted),
        // Follow mode, but the user looks at an older row: new rows do not move the selection.
        (true, false) => Span::styled(
            format!(
                "· paused: {} follows ",
                app.keys.short_label(&[Action::Bottom])
            ),
            t.warn,
        ),
        (false, _) => Span::styled("· newest first ", t.muted),
    });
    if let Some(p) = &app.reverifying {
        title.push(Span::styled(
            format!(
                "· re-verifying {} of {} ",
                fmt::count(p.done as usize),
                fmt::count(p.total as usize)
            ),
            t.warn,
        ));
    }
    if app.filter.query().is_some() && !app.filter.editing() {
        title.push(Span::styled(
            format!("· /{} ", app.filter().input().text()),
            t.key,
        ));
        title.extend(match_info(app).into_iter().take(1));
        title.push(Span::raw(" "));
    }
    f.render_widget(pane(app, Line::from(title), app.focus == Focus::List), r);

    let width = a.list_rows.width as usize;
    let c = cols(width);
    let mut head = String::from("  ");
    if c.time {
        head.push_str("time     ");
    }
    head.push_str(&format!("{} ", fit("method", METHOD_W)));
    head.push_str(&fit("path", c.path));
    if c.provider > 0 {
        head.push_str(&format!(" {}", fit("provider", c.provider - 1)));
    }
    head.push_str(&format!(" {:>SIZE_W$} {:>STATUS_W$}", "size", "st"));
    f.render_widget(Paragraph::new(Span::styled(head, t.header)), a.list_head);

    if app.list().is_empty() {
        empty(app, f, a.list_rows);
        return;
    }
    let h = a.list_rows.height as usize;
    let lines: Vec<Line> = (app.list.offset()..app.list.offset() + h)
        .map_while(|pos| app.list().row_at(pos))
        .map(|s| row_line(app, s, &c, app.selected() == Some(s.id)))
        .collect();
    f.render_widget(Paragraph::new(lines), a.list_rows);
}

fn empty(app: &App, f: &mut Frame, r: Rect) {
    let t = &app.theme;
    let lines = if app.filter.query().is_some() {
        vec![
            Line::from(""),
            Line::from(Span::styled(
                format!("  no delivery matches /{}", app.filter().input().text()),
                t.warn,
            )),
            Line::from(Span::styled("  esc clears the filter", t.muted)),
        ]
    } else if let Some(place) = &app.opts.attached {
        vec![
            Line::from(""),
            Line::from(Span::styled("  waiting for deliveries…", t.text)),
            Line::from(""),
            Line::from(Span::styled(
                format!("  they appear here when a listener stores them in {place}"),
                t.muted,
            )),
        ]
    } else {
        vec![
            Line::from(""),
            Line::from(Span::styled("  waiting for deliveries…", t.text)),
            Line::from(""),
            Line::from(Span::styled(
                "  point a provider or a script at the listener, e.g.",
                t.muted,
            )),
            Line::from(Span::styled(
                format!(
                    "  curl -X POST {}/hooks/test -d '{{}}'",
                    app.opts.listen_url
                ),
                t.accent,
            )),
        ]
    };
    f.render_widget(Paragraph::new(lines), r);
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Draw the skew panel: per provider, a sparkline of recent skews and verdict counts.
pub(super) fn skew(app: &App, f: &mut Frame, r: Rect) {
    let t = &app.theme;
    f.render_widget(
        pane(
            app,
            Line::from(Span::styled(" skew per provider ", t.title)),
            false,
        ),
        r,
    );
    let inner = super::super::layout::inset(r);
    let stats = app.provider_stats();
    let mut lines = Vec::new();
    if stats.is_empty() {
        lines.push(Line::from(Span::styled(
            "no provider deliveries yet",
            t.muted,
        )));
    }
    let name_w = stats.keys().map(|k| k.width()).max().unwrap_or(0).min(14);
    let rows = inner.height as usize;
    // All providers when they fit; else a page of them from `skew_offset` and a line saying
    // which (`p` pages on).
    let (first, shown) = if stats.len() > rows {
        let first = if app.skew_offset < stats.len() {
            app.skew_offset
        } else {
            0
        };
        // A one-row panel has no room for the line: it shows one provider per page.
        (
            first,
            rows.saturating_sub(1).max(1).min(stats.len() - first),
        )
    } else {
        (0, stats.len())
    };
    for (name, st) in stats.iter().skip(first).take(shown) {
        let mut spans = vec![Span::styled(format!("{} ", fit(name, name_w)), t.accent)];
        // Room for the name, the counts and the last skew; the sparkline takes the rest.
        let spark_w = (inner.width as usize)
            .saturating_sub(name_w + 1 + 12 + 20)
            .clamp(6, super::super::stats::SKEW_SAMPLES);
        if st.skews.is_empty() {
            let why = if st.no_timestamp {
                "signs no timestamp"
            } else {
                "no live samples yet"
            };
            spans.push(Span::styled(fit(why, spark_w.max(why.len())), t.muted));
        } else {
            let scale = st
                .tolerance
                .unwrap_or_else(|| {
                    st.skews
                        .iter()
                        .map(|s| s.saturating_abs())
                        .max()
                        .unwrap_or(1)
                })
                .max(1);
            let mut bar = String::new();
            // The most recent samples that fit, newest on the right.
            for s in st.skews.iter().skip(st.skews.len().saturating_sub(spark_w)) {
                let scale = scale.unsigned_abs();
                let level = (s.unsigned_abs().saturating_mul(7).saturating_add(scale / 2) / scale)
                    .min(7) as usize;
                bar.push(BARS[level]);
            }
            let over = st
                .tolerance
                .is_some_and(|tol| st.skews.back().is_some_and(|s| s.saturating_abs() > tol));
            spans.push(Span::styled(
                fit(&bar, spark_w),
                if over { t.bad } else { t.ok },
            ));
        }
        spans.push(Span::styled(format!(" ✓{}", st.verified), t.ok));
        spans.push(Span::styled(
            format!(" ✗{}", st.failed),
            if st.failed > 0 { t.bad } else { t.muted },
        ));
        spans.push(Span::styled(format!(" ?{}", st.unverified), t.muted));
        if let Some(last) = st.skews.back() {
            let tol = st
                .tolerance
                .map(|x| format!(" (±{x}s)"))
                .unwrap_or_default();
            spans.push(Span::styled(
                format!("  last {}{tol}", fmt::skew(*last)),
                t.muted,
            ));
        }
        lines.push(Line::from(spans));
    }
    if shown < stats.len() && rows > 1 {
        let key = app.keys.short_label(&[Action::SkewPage]);
        let next = if first + shown < stats.len() {
            format!("{key} more")
        } else {
            format!("{key} back to the first")
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{}–{} of {} providers · ",
                    first + 1,
                    first + shown,
                    stats.len()
                ),
                t.muted,
            ),
            Span::styled(next, t.key),
        ]));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
