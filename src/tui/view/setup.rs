//! The setup card overlay (`u`): [`crate::setup::card`] for the selected delivery's provider,
//! with the tunnel's URL and the secrets in force.

use super::super::app::App;
use super::centered;
use crate::setup::{CardContext, card};
use crate::tunnel::is_https;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// The provider whose card is shown: the selected delivery's, else the first with a secret.
fn provider_name(app: &App) -> Option<String> {
    let selected = app.selected();
    app.rows
        .iter()
        .find(|r| Some(r.id) == selected)
        .and_then(|r| r.provider.clone())
        .or_else(|| app.checker().secrets().keys().next().cloned())
}

/// The card's text for the current state.
pub(crate) fn text(app: &App) -> String {
    let checker = app.checker();
    let Some(p) = provider_name(app).and_then(|n| checker.registry().get(&n)) else {
        return "no provider yet: select a delivery from one, or run `hookscope setup NAME`"
            .to_string();
    };
    let status = app.tunnel.as_ref().map(|r| &r.status);
    let public_url = status.and_then(|s| s.url()).map(str::to_string);
    let ctx = CardContext {
        https: is_https(public_url.as_deref(), None),
        public_url,
        tunnel: status.map(|s| s.kind.to_string()),
        fingerprints: checker
            .secrets_for(&p.name)
            .iter()
            .map(|s| s.fingerprint())
            .collect(),
        answer_challenges: checker.live().answer_challenges,
    };
    card(p, &ctx)
}

/// Draw the overlay (scrolls with j/k like the help).
pub(super) fn draw(app: &mut App, f: &mut Frame) {
    let t = app.theme.clone();
    let text = text(app);
    let lines: Vec<Line> = text
        .lines()
        .map(|l| {
            let style = if l.contains('⚠') { t.warn } else { t.text };
            Line::from(Span::styled(format!(" {l}"), style))
        })
        .collect();
    let area = f.area();
    let width = area.width.saturating_sub(4).min(110);
    let r = centered(area, width, area.height.saturating_sub(2));
    let visible = r.height.saturating_sub(2) as usize;
    app.help_scroll = app.help_scroll.min(lines.len().saturating_sub(1));
    let title = if lines.len() > visible {
        " setup · j/k scroll · esc close "
    } else {
        " setup · esc close "
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.help_scroll as u16, 0))
            .block(
                Block::bordered()
                    .border_style(t.accent)
                    .title(Span::styled(title, t.title)),
            ),
        r,
    );
}
