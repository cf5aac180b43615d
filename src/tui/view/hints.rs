//! The hint bar: the context's hint entries that fit the width. When some must go, the keys that
//! matter most stay (help, moving, replay, secrets, export, quit) and `?` says "more": the help
//! overlay lists the rest (docs/dashboard.md, "Keys").

use super::super::keys::{Action, KeyMap};
use super::super::theme::Theme;
use ratatui::text::Span;
use unicode_width::UnicodeWidthStr;

/// Entries kept first when not every entry fits, most important first.
const MATTERS: &[Action] = &[
    Action::Help,
    Action::Down,
    Action::Replay,
    Action::Secrets,
    Action::Export,
    Action::Quit,
];

/// The spans of the hint bar for `entries` in `width` cells.
pub(super) fn spans(
    entries: &[(&[Action], &str)],
    keys: &KeyMap,
    t: &Theme,
    width: usize,
) -> Vec<Span<'static>> {
    // (keys, label) of every entry with a bound key, in table order.
    let all: Vec<(String, String, &[Action])> = entries
        .iter()
        .map(|(actions, label)| (keys.short_label(actions), label.to_string(), *actions))
        .filter(|(k, _, _)| !k.is_empty())
        .collect();
    let cost = |k: &str, l: &str| 1 + k.width() + 1 + l.width() + 1;
    let total: usize = all.iter().map(|(k, l, _)| cost(k, l)).sum();
    let mut keep = vec![true; all.len()];
    let mut more = false;
    if total > width {
        more = all.iter().any(|(_, _, a)| a.contains(&Action::Help));
        keep = vec![false; all.len()];
        let rank = |a: &[Action]| {
            MATTERS
                .iter()
                .position(|m| a.contains(m))
                .unwrap_or(MATTERS.len())
        };
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&i| rank(all[i].2));
        let mut used = 0;
        for i in order {
            let (k, l, a) = &all[i];
            let label = if more && a.contains(&Action::Help) {
                "more"
            } else {
                l
            };
            let c = cost(k, label);
            if used + c <= width {
                used += c;
                keep[i] = true;
            }
        }
    }
    let mut out = Vec::new();
    for (i, (k, l, a)) in all.into_iter().enumerate() {
        if !keep[i] {
            continue;
        }
        let label = if more && a.contains(&Action::Help) {
            "more".to_string()
        } else {
            l
        };
        out.push(Span::raw(" "));
        out.push(Span::styled(k, t.key));
        out.push(Span::styled(format!(" {label} "), t.muted));
    }
    out
}
