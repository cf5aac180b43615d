//! The secrets pane: providers with their masked secrets, tolerance and routes; the input
//! while a secret is typed, with the paste checks on one line; the pane's keys at the bottom.

use super::super::app::App;
use super::super::keys::SECRETS_HINTS;
use super::super::secrets::{Item, SecretsPane};
use crate::secret::Secret;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

/// Draw the pane in `r` (the detail area, or the whole middle on narrow terminals).
pub fn draw(app: &App, pane: &SecretsPane, f: &mut Frame, r: Rect) {
    let t = &app.theme;
    let mut hints: Vec<Span> = Vec::new();
    for (actions, label) in SECRETS_HINTS {
        let keys = app.keys.short_label(actions);
        if keys.is_empty() {
            continue;
        }
        hints.push(Span::styled(format!(" {keys}"), t.key));
        hints.push(Span::styled(format!(" {label} "), t.muted));
    }
    let block = Block::bordered()
        .border_style(t.accent)
        .title(Span::styled(
            " secrets · saving re-verifies every delivery ",
            t.title,
        ))
        .title_bottom(Line::from(hints));
    let inner = block.inner(r);
    f.render_widget(Clear, r);
    f.render_widget(block, r);

    let footer = footer(app, pane);
    let list_h = inner.height.saturating_sub(footer.len() as u16) as usize;
    let (lines, selected_line) = provider_lines(app, pane);
    // Keep the selected line visible.
    let top = selected_line.saturating_sub(list_h.saturating_sub(1));
    f.render_widget(
        Paragraph::new(lines).scroll((top as u16, 0)),
        Rect {
            height: list_h as u16,
            ..inner
        },
    );
    f.render_widget(
        Paragraph::new(footer.clone()),
        Rect {
            y: inner.y + list_h as u16,
            height: inner.height - list_h as u16,
            ..inner
        },
    );
}

fn provider_lines(app: &App, pane: &SecretsPane) -> (Vec<Line<'static>>, usize) {
    let t = &app.theme;
    let current = pane.current();
    let mut lines = Vec::new();
    let mut selected_line = 0;
    if pane.providers.is_empty() {
        lines.push(Line::from(Span::styled(
            " no provider yet: deliveries that arrive, or [providers.NAME] in the config, show here",
            t.muted,
        )));
    }
    for (pi, p) in pane.providers.iter().enumerate() {
        let tolerance = match (p.timestamped, p.tolerance) {
            (false, _) => "no signed timestamp".to_string(),
            (true, Some(s)) => format!("tolerance {s} s"),
            (true, None) => "timestamp not checked for age".to_string(),
        };
        let routes = if p.routes.is_empty() {
            "no route".to_string()
        } else {
            format!("route {}", p.routes.join(", "))
        };
        // Live counts: they change with a save's re-verification.
        let (ok, bad, unk) = app
            .provider_stats()
            .get(&p.name)
            .map_or((0, 0, 0), |s| (s.verified, s.failed, s.unverified));
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", p.name), t.title),
            Span::styled(format!("{} · {tolerance} · {routes}  ", p.title), t.muted),
            Span::styled(format!("{ok} ✓ "), t.ok),
            Span::styled(format!("{bad} ✗ "), t.bad),
            Span::styled(format!("{unk} ?"), t.warn),
        ]));
        for (si, s) in p.secrets.iter().enumerate() {
            let sel = current == Some(Item::Secret(pi, si));
            if sel {
                selected_line = lines.len();
            }
            let mut spans = vec![
                Span::styled(if sel { "  ▸ " } else { "    " }, t.accent),
                Span::styled(format!("#{} ", si + 1), t.muted),
            ];
            if pane.revealed == Some((pi, si)) {
                spans.push(Span::styled(s.expose().to_string(), t.warn));
                spans.push(Span::styled(
                    format!("  (fp {}) revealed · r hides", s.fingerprint()),
                    t.muted,
                ));
            } else {
                spans.push(Span::styled(s.masked(), t.text));
            }
            if let Some(var) = pane.env_source(pi, si) {
                spans.push(Span::styled(
                    format!("  from {var} · not written to the config"),
                    t.muted,
                ));
            }
            let line = Line::from(spans);
            lines.push(if sel { line.style(t.selected) } else { line });
        }
        let sel = current == Some(Item::Add(pi));
        if sel {
            selected_line = lines.len();
        }
        let add = Line::from(vec![
            Span::styled(if sel { "  ▸ " } else { "    " }, t.accent),
            Span::styled(
                if p.secrets.is_empty() {
                    "no secret · + add one"
                } else {
                    "+ add a secret"
                },
                t.muted,
            ),
        ]);
        lines.push(if sel { add.style(t.selected) } else { add });
    }
    (lines, selected_line)
}

fn footer(app: &App, pane: &SecretsPane) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = vec![Line::default()];
    if let Some(e) = &pane.edit {
        let p = &pane.providers[e.provider];
        let what = match e.index {
            Some(i) => format!(" secret #{} of {}: ", i + 1, p.name),
            None => format!(" new secret for {}: ", p.name),
        };
        let mut spans = vec![Span::styled(what, t.title)];
        spans.extend(super::input_spans(
            t,
            &e.input,
            !e.show,
            Span::styled(" ", t.selected),
        ));
        if !e.input.text().is_empty() {
            spans.push(Span::styled(
                format!("  fp {}", Secret::new(e.input.text().trim()).fingerprint()),
                t.muted,
            ));
        }
        out.push(Line::from(spans));
        let warnings = pane.edit_warnings(app.checker());
        out.push(if warnings.is_empty() {
            Line::default()
        } else {
            Line::from(Span::styled(format!(" ⚠ {}", warnings.join(" · ")), t.warn))
        });
        out.push(Line::from(Span::styled(
            format!(
                " enter confirm · esc cancel · ctrl-w delete word · ctrl-u clear · ctrl-r {}",
                if e.show { "hide" } else { "show" }
            ),
            t.muted,
        )));
    }
    if let Some(m) = &pane.message {
        out.push(Line::from(Span::styled(format!(" {m}"), t.accent)));
    }
    let changes = pane.changes();
    if !changes.is_empty() {
        let names: Vec<&str> = changes.keys().map(String::as_str).collect();
        out.push(Line::from(Span::styled(
            format!(" unsaved: {} (w saves)", names.join(", ")),
            t.warn,
        )));
    }
    out
}
