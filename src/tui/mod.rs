//! The live dashboard (ratatui): a list of deliveries, detail tabs (Overview, Headers, Body,
//! Signature), a skew panel, a filter, themes, a copy menu and mouse support.
//!
//! Ownership: [`App`] owns all UI state and does no I/O; [`run_dashboard`]'s loop owns the
//! terminal, the clipboard, the [`DeliverySource`] and the event channel, and performs the
//! [`Effect`]s the app returns.
//!
//! Modules: `app` (state, `update`), `keys` (the one key table), `layout` (pane areas),
//! `view` (drawing), `body` (body views), `filter` (the `/` query), `list_model` (the store's window of the list), `copy` (copy texts, curl),
//! `clipboard` (arboard + OSC 52), `theme` (themes), `fmt` (formatting), `source` (stored
//! deliveries), `run` (event loop), `secrets` (the secrets pane's state), `save` (performing a save:
//! config file, listener checker, re-verification), `text_input` (a one-line input),
//! `diff_pane` (mark and compare two deliveries), `rules_pane` (switch response rules).

pub mod app;
pub mod body;
pub mod clipboard;
pub mod copy;
pub mod diff_pane;
pub mod events;
pub mod filter;
pub mod filter_bar;
pub mod fmt;
pub mod history;
pub mod key_table;
pub mod keys;
pub mod layout;
pub mod list_model;
pub mod replay_pane;
mod replayer;
pub mod rules_pane;
pub mod run;
pub mod save;
pub mod secrets;
pub mod source;
mod terminal;
pub mod text_input;
pub mod theme;
mod view;

pub use app::{App, AppOptions, Focus, Overlay};
pub use body::BodyView;
pub use copy::CopyKind;
pub use events::{Effect, Input};
pub use keys::{Action, KeyMap};
pub use layout::Tab;
pub use replay_pane::{Outcome, PaneInput, ReplayAnswer, ReplayJob, ReplayPane};
pub use run::{DashboardOptions, run_dashboard};
pub use source::DeliverySource;
pub use theme::Theme;

impl App {
    /// Draw the dashboard into a frame (the loop and snapshot tests call this).
    pub fn render(&mut self, frame: &mut ratatui::Frame) {
        view::render(self, frame);
    }
}
