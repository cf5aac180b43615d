//! The response-rules overlay (`a`): each `[[responses]]` rule (and `--respond`) in order with
//! its conditions and answer; `space`/`enter` switches the selected one on or off.
//!
//! Self-contained: [`RulesPane`] owns the rows and the selection, turns keys into a
//! [`Handled`] and draws from `&self`. Switching is [`Effect::SetRule`], which the loop applies
//! to the listener's rules; the pane shows the new state at once.

use super::events::{Effect, Handled};
use super::keys::{Action, Key};
use super::theme::Theme;
use crate::respond::Rules;
use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

/// One rule as the overlay shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRow {
    pub name: String,
    /// `POST /hooks/** zoom failed`.
    pub when: String,
    /// `401`, `drop the connection after 2000 ms`.
    pub answer: String,
    /// Also answers handshakes / even when forwarding.
    pub flags: String,
    pub enabled: bool,
}

impl RuleRow {
    /// The rows of the listener's rules, in order.
    pub fn of(rules: &Rules) -> Vec<RuleRow> {
        rules
            .all()
            .iter()
            .map(|r| {
                let mut flags = Vec::new();
                if r.handshakes {
                    flags.push("handshakes too");
                }
                if r.override_forward {
                    flags.push("instead of forwarding");
                }
                RuleRow {
                    name: r.name.clone(),
                    when: r.when.describe(),
                    answer: r.describe_answer(),
                    flags: flags.join(", "),
                    enabled: r.enabled(),
                }
            })
            .collect()
    }
}

/// The overlay's state.
#[derive(Clone, Debug, Default)]
pub struct RulesPane {
    rows: Vec<RuleRow>,
    selected: usize,
    open: bool,
}

impl RulesPane {
    /// Replace the rows (at start, from the listener's rules).
    pub fn set_rows(&mut self, rows: Vec<RuleRow>) {
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// The rows, in order.
    pub fn rows(&self) -> &[RuleRow] {
        &self.rows
    }

    /// Whether the overlay is open (it then has the keys).
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Open the overlay; `Err` says why not (there are no rules).
    pub fn open(&mut self) -> Result<(), String> {
        if self.rows.is_empty() {
            return Err(
                "no response rules: add [[responses]] to the config, or start with --respond STATUS"
                    .into(),
            );
        }
        self.open = true;
        Ok(())
    }

    /// A key while open.
    pub fn key(&mut self, key: Key, action: Option<Action>) -> Handled {
        if matches!(key.code, KeyCode::Char(' ') | KeyCode::Enter) {
            let Some(row) = self.rows.get_mut(self.selected) else {
                return Handled::Consumed;
            };
            row.enabled = !row.enabled;
            return Handled::Effects(vec![Effect::SetRule {
                index: self.selected,
                enabled: row.enabled,
            }]);
        }
        match action {
            Some(Action::Down) => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1))
            }
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Top | Action::PageUp) => self.selected = 0,
            Some(Action::Bottom | Action::PageDown) => {
                self.selected = self.rows.len().saturating_sub(1)
            }
            Some(Action::Back | Action::Quit | Action::Rules) => {
                self.open = false;
                return Handled::Close;
            }
            _ => {}
        }
        Handled::Consumed
    }

    /// Draw the overlay centred in `area`.
    pub fn draw(&self, f: &mut Frame, area: Rect, t: &Theme) {
        let mut lines = Vec::new();
        for (i, r) in self.rows.iter().enumerate() {
            let (mark, style) = if r.enabled {
                ("[on] ", t.ok)
            } else {
                ("[off]", t.muted)
            };
            let mut spans = vec![
                Span::styled(if i == self.selected { "▸ " } else { "  " }, t.key),
                Span::styled(mark, style),
                Span::styled(format!(" {}", r.name), t.accent),
                Span::styled(format!("  when {} → {}", r.when, r.answer), t.text),
            ];
            if !r.flags.is_empty() {
                spans.push(Span::styled(format!(" ({})", r.flags), t.muted));
            }
            let line = Line::from(spans);
            lines.push(if i == self.selected {
                line.style(t.selected)
            } else {
                line
            });
        }
        lines.push(Line::from(Span::styled(
            "  the first rule that is on and matches answers; handshakes and forwarding win unless a rule says otherwise",
            t.muted,
        )));
        let width = lines.iter().map(Line::width).max().unwrap_or(40) as u16 + 2;
        let w = width.min(area.width.saturating_sub(2));
        let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
        let r = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        f.render_widget(Clear, r);
        f.render_widget(
            Paragraph::new(lines).block(Block::bordered().border_style(t.accent).title(
                Span::styled(" response rules · space on/off · esc close ", t.title),
            )),
            r,
        );
    }
}
