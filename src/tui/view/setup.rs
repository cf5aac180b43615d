//! The setup card overlay (`u`): [`crate::setup::card`] for the selected delivery's provider,
//! with the tunnel's URL and the secrets in force.

use super::super::app::App;
use super::centered;
use crate::setup::{CardContext, card};
use crate::tunnel::is_https;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The provider whose card is shown: the selected delivery's, else the first with a secret.
fn provider_name(app: &App) -> Option<String> {
    app.selected()
        .and_then(|id| app.list().position_of(id))
        .and_then(|pos| app.list().row_at(pos))
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

/// The card's lines for a terminal of `area`'s size, and the card's width.
fn lines(app: &App, area: ratatui::layout::Rect) -> (Vec<Line<'static>>, u16) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4).min(110);
    let room = (width as usize).saturating_sub(3).max(20);
    let lines = text(app)
        .lines()
        .flat_map(|l| {
            let style = if l.contains('⚠') { t.warn } else { t.text };
            hanging(l, room)
                .into_iter()
                .map(move |part| Line::from(Span::styled(format!(" {part}"), style)))
        })
        .collect();
    (lines, width)
}

/// The layout step: the scroll stops at the card's last line.
pub(super) fn layout(app: &mut App) {
    let n = lines(app, app.size).0.len();
    app.overlays.scroll = app.overlays.scroll.min(n.saturating_sub(1));
}

/// Draw the overlay (scrolls with j/k like the help).
pub(super) fn draw(app: &App, f: &mut Frame) {
    let t = &app.theme;
    let area = f.area();
    let (lines, width) = lines(app, area);
    let r = centered(area, width, area.height.saturating_sub(2));
    let visible = r.height.saturating_sub(2) as usize;
    let title = if lines.len() > visible {
        " setup · j/k scroll · esc close "
    } else {
        " setup · esc close "
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines)
            .scroll((app.overlays.scroll as u16, 0))
            .block(
                Block::bordered()
                    .border_style(t.accent)
                    .title(Span::styled(title, t.title)),
            ),
        r,
    );
}

/// Column where a card line's text starts (after `1 endpoint URL  ` or `  paste it in   `).
const INDENT: usize = 16;

/// `line` cut at spaces to `room` columns; continuation lines start at [`INDENT`].
fn hanging(line: &str, room: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.to_string();
    loop {
        if rest.width() <= room {
            out.push(rest);
            return out;
        }
        // The last space that fits, past the label (or the indent).
        let (mut cut, mut w) = (None, 0);
        for (i, c) in rest.char_indices() {
            w += UnicodeWidthChar::width(c).unwrap_or(0);
            if w > room {
                break;
            }
            if c == ' ' && i > INDENT {
                cut = Some(i);
            }
        }
        let Some(i) = cut else {
            out.push(rest);
            return out;
        };
        out.push(rest[..i].trim_end().to_string());
        rest = format!("{}{}", " ".repeat(INDENT), rest[i..].trim_start());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_card_lines_wrap_under_their_text() {
        let l = "  paste it in   Zoom App Marketplace → Develop → your app → Features";
        let parts = hanging(l, 40);
        assert_eq!(parts[0], "  paste it in   Zoom App Marketplace →");
        assert!(
            parts[1..]
                .iter()
                .all(|p| p.starts_with(&" ".repeat(INDENT))),
            "{parts:?}"
        );
        assert!(parts.iter().all(|p| p.width() <= 40), "{parts:?}");
        assert_eq!(hanging("", 40), [""]);
        assert_eq!(hanging("short", 40), ["short"]);
    }
}
