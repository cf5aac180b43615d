//! Drawing: a pure function of the [`App`] state onto a ratatui frame. Only visible rows are
//! built; body views compute only the rows on screen.

mod body;
mod detail;
mod hints;
mod history;
mod list;
mod replay;
mod secrets;
mod setup;

use super::app::App;
use super::copy;
use super::fmt;
use super::keys::{Context, DETAIL_HINTS, LIST_HINTS, TABLE};
use super::layout::Areas;
use super::layout::Focus;
use super::overlays::Overlay;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

/// The layout step before drawing: what depends on the frame's size (the detail's scroll and
/// body views, the help's and the setup card's scroll) is sized and clamped here, so that
/// [`render`] only reads.
pub fn layout(app: &mut App) {
    let a = app.areas();
    detail::layout(app, &a);
    match app.overlays.open() {
        Some(Overlay::Help) => {
            let (lines, r) = help_lines(app, app.size);
            let visible = r.height.saturating_sub(2) as usize;
            app.overlays.scroll = app.overlays.scroll.min(lines.len().saturating_sub(visible));
        }
        Some(Overlay::Setup) => setup::layout(app),
        _ => {}
    }
}

/// Draw the whole dashboard (after [`layout`]).
pub fn render(app: &App, f: &mut Frame) {
    let a = app.areas();
    if a.list.is_none() && a.detail.is_none() {
        f.render_widget(
            Paragraph::new("terminal too small for hookscope (needs 20×8)"),
            f.area(),
        );
        return;
    }
    header(app, f, a.header);
    if let Some(r) = a.list {
        list::list(app, f, r, &a);
    }
    if let Some(r) = a.skew {
        list::skew(app, f, r);
    }
    if let Some(r) = a.detail {
        detail::detail(app, f, r, &a);
    }
    if let Some(pane) = app.secrets.pane() {
        let r = match (a.list, a.detail) {
            (Some(_), Some(d)) => d,
            _ => Rect {
                y: a.header.bottom(),
                height: a.bottom.y.saturating_sub(a.header.bottom()),
                ..f.area()
            },
        };
        secrets::draw(app, pane, f, r);
    }
    if let Some(pane) = app.compare.pane() {
        let r = Rect {
            y: a.header.bottom(),
            height: a.bottom.y.saturating_sub(a.header.bottom()),
            ..f.area()
        };
        pane.draw(f, r, &app.theme);
    }
    bottom(app, f, &a);
    if app.rules.is_open() {
        app.rules.draw(f, f.area(), &app.theme);
    }
    match app.overlays.open() {
        Some(Overlay::Help) => help(app, f),
        Some(Overlay::CopyMenu) => copy_menu(app, f),
        Some(Overlay::ExportMenu) => history::export_menu(app, f),
        Some(Overlay::ConfirmClear) => history::confirm_clear(app, f),
        Some(Overlay::ConfirmDelete(id)) => history::confirm_delete(app, f, id),
        Some(Overlay::Setup) => setup::draw(app, f),
        None => {}
    }
}

fn header(app: &App, f: &mut Frame, r: Rect) {
    let t = &app.theme;
    let (total, failing) = app.list().counts();
    let keep = app
        .opts
        .keep
        .map(|k| format!("keep {} ", fmt::count(k as usize)));
    let counts_w = fmt::count(total).len()
        + fmt::count(failing).len()
        + 13
        + keep.as_ref().map_or(0, |k| k.len() + 2);
    let room = (r.width as usize).saturating_sub(counts_w + 1);
    // The full form, else a compact one (no labels, no `http://`), else the compact one without
    // its last parts, each dropped whole (never a `→` without its target).
    let mut groups: Vec<Vec<Span<'static>>> = Vec::new();
    for compact in [false, true] {
        let url = |u: &str| {
            if compact {
                u.trim_start_matches("http://").to_string()
            } else {
                u.to_string()
            }
        };
        let mut left = match &app.opts.attached {
            Some(place) => vec![
                Span::styled(" hookscope ", t.title),
                Span::styled(if compact { " " } else { " attached to " }, t.muted),
                Span::styled(place.clone(), t.accent),
            ],
            None => vec![
                Span::styled(" hookscope ", t.title),
                Span::styled(if compact { " " } else { " listening " }, t.muted),
                Span::styled(
                    url(&app.opts.listen_url),
                    if app.opts.non_loopback {
                        t.warn
                    } else {
                        t.accent
                    },
                ),
            ],
        };
        if app.opts.non_loopback {
            let warn = if compact {
                " (not loopback!)"
            } else {
                " (not loopback: reachable from the network)"
            };
            left.push(Span::styled(warn, t.warn));
        }
        groups = vec![left];
        if app.store_warning.is_some() {
            groups.push(vec![Span::styled(
                // Either not storing (senders get 503) or the file was reopened: the message
                // itself was shown as a notice and is in the log.
                if compact {
                    " ⚠ store failed"
                } else {
                    " ⚠ store failed (details in hookscope.log)"
                },
                t.warn,
            )]);
        }
        let tunnel = tunnel_spans(app, compact);
        if !tunnel.is_empty() {
            groups.push(tunnel);
        }
        if let Some(fw) = &app.opts.forward {
            groups.push(vec![
                Span::styled(if compact { " → " } else { " → forward " }, t.muted),
                Span::styled(url(fw), t.accent),
            ]);
        }
        if groups_width(&groups) <= room {
            break;
        }
    }
    while groups.len() > 1 && groups_width(&groups) > room {
        groups.pop();
    }
    let left: Vec<Span<'static>> = groups.into_iter().flatten().collect();
    let mut right = vec![
        Span::styled(fmt::count(total), t.text),
        Span::styled(" · ", t.muted),
        Span::styled(
            format!("{} failing ", fmt::count(failing)),
            if failing > 0 { t.bad } else { t.muted },
        ),
    ];
    if let Some(k) = keep {
        right.push(Span::styled("· ", t.muted));
        right.push(Span::styled(k, t.muted));
    }
    line_lr(f, r, left, right, t.text);
}

fn groups_width(groups: &[Vec<Span<'static>>]) -> usize {
    groups.iter().flatten().map(|s| s.content.width()).sum()
}

/// The tunnel in the header: its public URL when up, else its state (and why, in full form);
/// the HTTPS warning when a configured provider will not take its plain-HTTP URL.
fn tunnel_spans(app: &App, compact: bool) -> Vec<Span<'static>> {
    use crate::tunnel::TunnelState;
    let t = &app.theme;
    let Some(report) = &app.tunnel else {
        return Vec::new();
    };
    let s = &report.status;
    let mut out = vec![Span::styled(
        if compact { " ⇄ " } else { " ⇄ public " },
        t.muted,
    )];
    match (s.state, s.url()) {
        (TunnelState::Up, Some(url)) => out.push(Span::styled(url.to_string(), t.accent)),
        (TunnelState::Starting, _) => out.push(Span::styled(s.describe(), t.muted)),
        _ if compact => out.push(Span::styled(
            match s.state {
                TunnelState::Failed => format!("{} failed", s.kind),
                _ => format!("{} down", s.kind),
            },
            t.warn,
        )),
        _ => out.push(Span::styled(s.describe(), t.warn)),
    }
    if let Some(w) = &report.warning {
        let text = if compact {
            " ⚠ needs https".to_string()
        } else {
            format!(" ⚠ {w}")
        };
        out.push(Span::styled(text, t.warn));
    }
    out
}

/// Draw a line with a left part and a right-aligned part (the left part is cut first).
fn line_lr(
    f: &mut Frame,
    r: Rect,
    left: Vec<Span<'static>>,
    right: Vec<Span<'static>>,
    base: Style,
) {
    let rw: usize = right.iter().map(|s| s.content.width()).sum();
    let lw = (r.width as usize).saturating_sub(rw + 1);
    f.render_widget(
        Paragraph::new(Line::from(left)).style(base),
        Rect {
            width: lw as u16,
            ..r
        },
    );
    if rw < r.width as usize {
        let x = r.right() - rw as u16;
        f.render_widget(
            Paragraph::new(Line::from(right)),
            Rect {
                x,
                width: rw as u16,
                ..r
            },
        );
    }
}

fn bottom(app: &App, f: &mut Frame, a: &Areas) {
    let t = &app.theme;
    let r = a.bottom;
    if app.filter.editing() {
        let mut spans = vec![Span::styled("/", t.key)];
        spans.extend(input_spans(
            t,
            app.filter.input(),
            false,
            Span::styled("█", t.accent),
        ));
        spans.push(Span::raw("  "));
        spans.extend(match_info(app));
        spans.push(Span::styled("  enter keep · esc clear", t.muted));
        f.render_widget(Paragraph::new(Line::from(spans)), r);
        return;
    }
    if let Some(s) = app.status() {
        let mut spans = vec![Span::styled(format!(" {s}"), t.accent)];
        if app.status_stays() {
            spans.push(Span::styled("  esc dismiss", t.muted));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), r);
        return;
    }
    let hints = if app.focus == Focus::Detail {
        DETAIL_HINTS
    } else {
        LIST_HINTS
    };
    let spans = hints::spans(hints, &app.keys, t, r.width as usize);
    f.render_widget(Paragraph::new(Line::from(spans)), r);
}

/// `12 of 1,204 match` (+ how much body text was searched).
fn match_info(app: &App) -> Vec<Span<'static>> {
    let t = &app.theme;
    if let Some(e) = app.filter().error() {
        return vec![Span::styled(e.to_string(), t.warn)];
    }
    let (total, _) = app.list().counts();
    // A running body search: what it found so far, never shown as the result.
    if let Some((matched, scanned, of)) = app.list().search_progress() {
        let pct = (scanned * 100).checked_div(of).unwrap_or(100);
        return vec![Span::styled(
            format!(
                "searching the store… {} so far ({pct}% of {})",
                fmt::count(matched),
                fmt::count(total)
            ),
            t.muted,
        )];
    }
    let mut v = vec![Span::styled(
        format!(
            "{} of {} match",
            fmt::count(app.list().len()),
            fmt::count(total)
        ),
        if app.list().is_empty() && app.filter.query().is_some() {
            t.warn
        } else {
            t.text
        },
    )];
    if app.list().waiting() {
        v.push(Span::styled(" (searching the store…)", t.muted));
    }
    v
}

/// A text input with its cursor: the char under it highlighted, or `at_end` after the text.
/// `masked` shows every char as `•` (a secret).
pub(super) fn input_spans(
    t: &super::theme::Theme,
    input: &super::text_input::TextInput,
    masked: bool,
    at_end: Span<'static>,
) -> Vec<Span<'static>> {
    let shown = |s: &str| {
        if masked {
            "•".repeat(s.chars().count())
        } else {
            s.to_string()
        }
    };
    let (before, under, after) = input.split();
    let cursor = match under {
        Some(c) => Span::styled(shown(&c.to_string()), t.selected),
        None => at_end,
    };
    vec![
        Span::styled(shown(before), t.text),
        cursor,
        Span::styled(shown(after), t.text),
    ]
}

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The help overlay's groups, in order.
const CONTEXTS: [Context; 5] = [
    Context::Global,
    Context::List,
    Context::Detail,
    Context::Replay,
    Context::Secrets,
];

/// The help's lines and where it is drawn in a frame of `area`.
fn help_lines(app: &App, area: Rect) -> (Vec<Line<'static>>, Rect) {
    let t = &app.theme;
    let kw = TABLE
        .iter()
        .map(|b| app.keys.label(b.action).width())
        .max()
        .unwrap_or(6)
        .max(6);
    let nw = TABLE.iter().map(|b| b.name.len()).max().unwrap_or(4);
    // One group per context, each row: keys, the action's name in `[keys]`, what it does.
    let mut lines: Vec<Line> = Vec::new();
    for context in CONTEXTS {
        lines.push(Line::from(Span::styled(
            format!(" {}", context.title()),
            t.header,
        )));
        lines.extend(TABLE.iter().filter(|b| b.context == context).map(|b| {
            Line::from(vec![
                Span::styled(format!("  {:<kw$}  ", app.keys.label(b.action)), t.key),
                Span::styled(format!("{:<nw$}  ", b.name), t.muted),
                Span::styled(b.description, t.text),
            ])
        }));
    }
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<kw$}  {:<nw$}  ", "ctrl-c", ""), t.key),
        Span::styled("quit, always", t.text),
    ]));
    lines.push(Line::from(Span::styled(
        " remap by action name in the config file: [keys] down = \"ctrl-n\"",
        t.muted,
    )));
    let width = lines.iter().map(Line::width).max().unwrap_or(40) as u16 + 3;
    let r = centered(area, width, lines.len() as u16 + 2);
    (lines, r)
}

fn help(app: &App, f: &mut Frame) {
    let t = &app.theme;
    let (lines, r) = help_lines(app, f.area());
    let visible = r.height.saturating_sub(2) as usize;
    let scroll = app.overlays.scroll;
    let more = scroll + visible < lines.len();
    let title = if more || scroll > 0 {
        " keys · j/k scroll · esc close "
    } else {
        " keys · esc close "
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).scroll((scroll as u16, 0)).block(
            Block::bordered()
                .border_style(t.accent)
                .title(Span::styled(title, t.title)),
        ),
        r,
    );
}

fn copy_menu(app: &App, f: &mut Frame) {
    let t = &app.theme;
    let lines: Vec<Line> = copy::MENU
        .iter()
        .map(|(k, _, label)| {
            Line::from(vec![
                Span::styled(format!(" {k}  "), t.key),
                Span::styled(*label, t.text),
            ])
        })
        .collect();
    let r = centered(f.area(), 40, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .border_style(t.accent)
                .title(Span::styled(" copy · esc close ", t.title)),
        ),
        r,
    );
}

/// The pane block, its border highlighted when it has the focus.
fn pane(app: &App, title: Line<'static>, focused: bool) -> Block<'static> {
    let t = &app.theme;
    Block::bordered()
        .border_style(if focused { t.accent } else { t.border })
        .title(title)
}
