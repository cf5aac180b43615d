//! The Body tab: the layout step sizes the body's text view to the pane and clamps the scroll;
//! drawing then reads the rows it indexed.

use super::super::body::{self, BodyView};
use super::super::detail_pane::Detail;
use super::super::fmt;
use super::super::theme::Theme;
use ratatui::text::{Line, Span};

/// Size the body's text view to the pane and clamp the scroll (`usize::MAX` is the bottom).
pub(super) fn layout(d: &mut Detail, view: BodyView, w: usize, h: usize, scroll: &mut usize) {
    let len = d.body.bytes().len();
    let h = h.saturating_sub(1);
    if len == 0 {
        *scroll = 0;
        return;
    }
    if view == BodyView::Hex {
        *scroll = (*scroll).min(body::hex_rows(len).saturating_sub(h));
        return;
    }
    match d.body.doc(view) {
        Ok(doc) => {
            doc.set_width(w);
            if *scroll == usize::MAX {
                doc.ensure(usize::MAX - 1);
            } else {
                doc.ensure(*scroll + h);
            }
            let rows = doc.known_rows();
            if doc.is_complete() {
                *scroll = (*scroll).min(rows.saturating_sub(h));
            } else {
                *scroll = (*scroll).min(rows.saturating_sub(1));
            }
        }
        Err(_) => *scroll = 0,
    }
}

/// The Body tab's rows from `scroll` (sized and clamped by [`layout`]).
pub(super) fn rows(
    d: &Detail,
    view: BodyView,
    t: &Theme,
    h: usize,
    scroll: usize,
) -> Vec<Line<'static>> {
    let len = d.body.bytes().len();
    let mut out = vec![Line::from(vec![
        Span::styled(view.label(), t.tab_active),
        Span::styled(
            format!(
                "  {} bytes · v: raw → pretty JSON → form → hex{}",
                fmt::count(len),
                if view != BodyView::Raw && view != BodyView::Hex {
                    " · display only"
                } else {
                    ""
                }
            ),
            t.muted,
        ),
    ])];
    let h = h.saturating_sub(1);
    if len == 0 {
        let why = d
            .delivery
            .rejected
            .as_ref()
            .map(|r| format!(" (rejected: {r})"))
            .unwrap_or_default();
        out.push(Line::from(Span::styled(
            format!("empty body{why}"),
            t.muted,
        )));
        return out;
    }
    if view == BodyView::Hex {
        let rows = body::hex_rows(len);
        let bytes = d.body.bytes();
        out.extend((scroll..(scroll + h).min(rows)).map(|i| body::hex_row(bytes, i, t)));
        return out;
    }
    match d.body.built(view) {
        Ok(doc) => {
            let rows = doc.known_rows();
            out.extend((scroll..(scroll + h).min(rows)).map(|i| doc.row(i, t)));
        }
        Err(why) => {
            out.push(Line::from(Span::styled(why.to_string(), t.warn)));
            out.push(Line::from(Span::styled(
                "press v for the next view",
                t.muted,
            )));
        }
    }
    out
}
