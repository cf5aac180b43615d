//! Comparing two deliveries in the dashboard: `m` marks one, `D` opens the diff of the marked
//! delivery (left) and the selected one (right); a replay's default partner is its original.
//!
//! Self-contained: [`Compare`] owns the mark and the open pane, turns keys into a
//! [`Handled`], asks the event loop for the comparison with [`Effect::LoadDiff`] and draws
//! from `&self`. The loop loads both deliveries from the store and compares them with
//! [`compare_stored`] off the drawing thread (two 10 MiB bodies take a while), answering with
//! [`Input::DiffLoaded`]; the pane keeps the comparison's rows, never the deliveries.

pub use super::events::Compared;
use super::events::{Effect, Handled};
use super::fmt;
use super::keys::Action;
use super::source::DeliverySource;
use super::theme::Theme;
use crate::checker::Checker;
use crate::diff::render::{self, Row, Tone};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

/// Load deliveries `left` and `right` from the store and compare them, each judged as stored
/// (at its arrival time, by `checker`) for the signed strings and verdicts.
pub fn compare_stored(
    source: &dyn DeliverySource,
    checker: &Checker,
    left: u64,
    right: u64,
) -> Compared {
    let get = |id| match source.get(id) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(format!("delivery #{id} is no longer stored")),
        Err(e) => Err(format!("cannot load delivery #{id} to compare: {e:#}")),
    };
    let (a, b) = (get(left)?, get(right)?);
    let (va, vb) = (checker.check_stored(&a), checker.check_stored(&b));
    Ok(render::rows(&crate::diff::compare((&a, &va), (&b, &vb))))
}

/// The mark and the diff pane.
#[derive(Clone, Debug, Default)]
pub struct Compare {
    mark: Option<u64>,
    pane: Option<DiffPane>,
}

/// The open diff pane.
#[derive(Clone, Debug)]
pub struct DiffPane {
    pub left: u64,
    pub right: u64,
    state: State,
    /// Top row shown (clamped when drawn).
    scroll: usize,
}

#[derive(Clone, Debug)]
enum State {
    Loading,
    Ready(Vec<Row>),
    Failed(String),
}

impl Compare {
    /// The marked delivery.
    pub fn marked(&self) -> Option<u64> {
        self.mark
    }

    /// The open pane.
    pub fn pane(&self) -> Option<&DiffPane> {
        self.pane.as_ref()
    }

    /// Whether the pane is open (it then has the keys).
    pub fn is_open(&self) -> bool {
        self.pane.is_some()
    }

    /// `m`: mark the selected delivery (again: unmark). Returns the status line.
    pub fn toggle_mark(&mut self, selected: Option<u64>) -> String {
        match (selected, self.mark) {
            (None, _) => "nothing to mark: no delivery selected".into(),
            (Some(id), Some(m)) if m == id => {
                self.mark = None;
                format!("#{id} unmarked")
            }
            (Some(id), _) => {
                self.mark = Some(id);
                format!("#{id} marked: select another delivery and press D to compare")
            }
        }
    }

    /// `D`: compare the marked delivery (else a replay's original) with the selected one,
    /// given as its id and the original it replays, if it is a replay. Returns the load to
    /// perform, or why there is nothing to compare.
    pub fn open(&mut self, selected: Option<(u64, Option<u64>)>) -> Result<Effect, String> {
        let Some((id, replay_of)) = selected else {
            return Err("nothing to compare: no delivery selected".into());
        };
        let left = match (self.mark, replay_of) {
            (Some(m), _) if m != id => m,
            (_, Some(original)) => original,
            (Some(_), None) => {
                return Err(format!(
                    "#{id} is the marked delivery: select another one to compare with it"
                ));
            }
            (None, None) => {
                return Err("press m on one delivery, select another, then D".into());
            }
        };
        self.pane = Some(DiffPane {
            left,
            right: id,
            state: State::Loading,
            scroll: 0,
        });
        Ok(Effect::LoadDiff { left, right: id })
    }

    /// The loop's answer to [`Effect::LoadDiff`]. An answer for another pair (the pane was
    /// closed or reopened) is dropped.
    pub fn loaded(&mut self, left: u64, right: u64, compared: Compared) {
        if let Some(pane) = self
            .pane
            .as_mut()
            .filter(|p| (p.left, p.right) == (left, right))
        {
            pane.state = match compared {
                Ok(rows) => State::Ready(rows),
                Err(why) => State::Failed(why),
            };
        }
    }

    /// A key while the pane is open (`page`: rows per page).
    pub fn key(&mut self, action: Option<Action>, page: usize) -> Handled {
        let Some(pane) = self.pane.as_mut() else {
            return Handled::Close;
        };
        let page = page.max(2);
        match action {
            Some(Action::Down) => pane.scroll += 1,
            Some(Action::Up) => pane.scroll = pane.scroll.saturating_sub(1),
            Some(Action::PageDown) => pane.scroll += page - 1,
            Some(Action::PageUp) => pane.scroll = pane.scroll.saturating_sub(page - 1),
            Some(Action::Top) => pane.scroll = 0,
            Some(Action::Bottom) => pane.scroll = usize::MAX,
            Some(Action::Back | Action::Quit | Action::Diff) => {
                self.pane = None;
                return Handled::Close;
            }
            _ => {}
        }
        // Rows only grow when wrapped, so this keeps `k` working at once after `G`.
        pane.scroll = pane.scroll.min(pane.rows());
        Handled::Consumed
    }
}

impl DiffPane {
    fn rows(&self) -> usize {
        match &self.state {
            State::Ready(rows) => rows.len(),
            _ => 0,
        }
    }

    /// The comparison's rows as plain text (empty while loading).
    pub fn text(&self) -> Vec<String> {
        match &self.state {
            State::Ready(rows) => rows
                .iter()
                .map(|r| r.iter().map(|(_, s)| s.as_str()).collect())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Draw the pane over `r`.
    pub fn draw(&self, f: &mut Frame, r: Rect, t: &Theme) {
        let block = Block::bordered()
            .border_style(t.accent)
            .title(Span::styled(
                format!(" diff #{} ↔ #{} ", self.left, self.right),
                t.title,
            ))
            .title_bottom(Line::from(vec![
                Span::styled(" j/k", t.key),
                Span::styled(" scroll ", t.muted),
                Span::styled(" esc", t.key),
                Span::styled(" close ", t.muted),
            ]));
        let inner = block.inner(r);
        f.render_widget(Clear, r);
        f.render_widget(block, r);
        let lines: Vec<Line<'static>> = match &self.state {
            State::Loading => vec![Line::from(Span::styled(
                format!("loading #{} and #{}…", self.left, self.right),
                t.muted,
            ))],
            State::Failed(why) => vec![Line::from(Span::styled(why.clone(), t.warn))],
            State::Ready(rows) => rows
                .iter()
                .flat_map(|row| {
                    let line = Line::from(
                        row.iter()
                            .map(|(tone, s)| Span::styled(s.clone(), style(*tone, t)))
                            .collect::<Vec<_>>(),
                    );
                    fmt::wrap(line, inner.width as usize, 4)
                })
                .collect(),
        };
        let h = inner.height as usize;
        let top = self.scroll.min(lines.len().saturating_sub(h));
        f.render_widget(
            Paragraph::new(lines.into_iter().skip(top).take(h).collect::<Vec<_>>()),
            inner,
        );
    }
}

fn style(tone: Tone, t: &Theme) -> Style {
    match tone {
        Tone::Title => t.title,
        Tone::Label => t.header,
        Tone::Text => t.text,
        Tone::Muted => t.muted,
        Tone::Removed | Tone::Bad => t.bad,
        Tone::Added | Tone::Ok => t.ok,
        Tone::Changed => t.warn,
    }
}
