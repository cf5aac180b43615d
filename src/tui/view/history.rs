//! The export menu and the clear confirmation.

use super::centered;
use crate::tui::app::App;
use crate::tui::history::MENU;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

/// `x`: lower-case keys export the selected delivery, upper-case ones the shown list.
pub(super) fn export_menu(app: &App, f: &mut Frame) {
    let t = &app.theme;
    let mut lines: Vec<Line> = MENU
        .iter()
        .map(|(k, _, label)| {
            Line::from(vec![
                Span::styled(format!(" {k}/{}  ", k.to_ascii_uppercase()), t.key),
                Span::styled(*label, t.text),
            ])
        })
        .collect();
    let selected = app
        .selected()
        .map_or("no delivery selected".to_string(), |id| format!("#{id}"));
    lines.push(Line::from(Span::styled(
        format!(" lower case: {selected}"),
        t.muted,
    )));
    lines.push(Line::from(Span::styled(
        format!(
            " upper case: {}",
            crate::tui::history::shown_label(app.list().len(), app.filter().query().is_some())
        ),
        t.muted,
    )));
    let width = lines.iter().map(Line::width).max().unwrap_or(40) as u16 + 3;
    let r = centered(f.area(), width, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .border_style(t.accent)
                .title(Span::styled(" export · esc close ", t.title)),
        ),
        r,
    );
}

/// `z`: "delete all N deliveries? y/n".
pub(super) fn confirm_clear(app: &App, f: &mut Frame) {
    let (total, _) = app.list().counts();
    let question = format!(
        " Delete all {} stored deliveries? ",
        crate::tui::fmt::count(total)
    );
    confirm(app, f, question, "delete all", " clear ");
}

/// "Delete #N?" before `d` deletes one delivery.
pub(super) fn confirm_delete(app: &App, f: &mut Frame, id: u64) {
    confirm(
        app,
        f,
        format!(" Delete delivery #{id} from the store? "),
        "delete",
        " delete ",
    );
}

fn confirm(app: &App, f: &mut Frame, question: String, yes: &str, title: &'static str) {
    let t = &app.theme;
    let lines = vec![
        Line::from(Span::styled(question, t.text)),
        Line::from(vec![
            Span::styled(" y ", t.key),
            Span::styled(format!("{yes}   "), t.bad),
            Span::styled("any other key ", t.key),
            Span::styled("cancel", t.muted),
        ]),
    ];
    let width = lines.iter().map(Line::width).max().unwrap_or(40) as u16 + 3;
    let r = centered(f.area(), width, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .border_style(t.bad)
                .title(Span::styled(title, t.title)),
        ),
        r,
    );
}
