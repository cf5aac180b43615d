//! The live dashboard (ratatui): a list of deliveries, detail tabs (Overview, Headers, Body,
//! Signature), a skew panel, a filter, themes, a copy menu and mouse support.
//!
//! Ownership: [`App`] is a router over pane components that own their state, and does no I/O;
//! [`run_dashboard`]'s loop owns the terminal, the clipboard, the [`DeliverySource`] and the
//! event channel, and performs the [`Effect`]s the app returns (docs/architecture.md).
//!
//! Modules: `events` (Input, Effect, the loop's messages), `app` (the router, `update`),
//! components: `list_pane` (over `list_model`, the store's window of the list), `detail_pane`,
//! `filter_bar` (over `filter`, the `/` query), `replay_pane`, `secrets`, `overlays` (help,
//! menus, confirmations), `diff_pane`, `rules_pane`; shared pieces: `key_table` and `keys` (the
//! one key table, per context), `text_input` (the one line editor), `status`, `stats`; `layout`
//! (pane areas), `view` (drawing from `&App` after a layout step), `body` (body views), `copy`
//! (copy texts, curl), `clipboard` (arboard + OSC 52), `theme`, `fmt`, `source` (stored
//! deliveries), `run` (event loop), `terminal` (modes, suspend), `save` (performing a save:
//! config file, listener checker, re-verification), `history` (export).

pub mod app;
pub mod body;
mod change_feed;
pub mod clipboard;
pub mod contrast;
pub mod copy;
pub mod detail_pane;
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
pub mod list_pane;
pub mod options;
pub mod overlays;
pub mod replay_pane;
mod replayer;
pub mod rules_pane;
pub mod run;
pub mod save;
pub mod secrets;
pub mod source;
pub mod stats;
pub mod status;
mod terminal;
pub mod text_input;
pub mod theme;
pub mod twin;
mod view;

pub use app::App;
pub use body::BodyView;
pub use copy::CopyKind;
pub use events::{Effect, Input};
pub use keys::{Action, KeyMap};
pub use layout::Focus;
pub use layout::Tab;
pub use options::AppOptions;
pub use overlays::Overlay;
pub use replay_pane::{Outcome, PaneInput, ReplayAnswer, ReplayJob, ReplayPane};
pub use run::{DashboardOptions, run_dashboard};
pub use source::DeliverySource;
pub use theme::Theme;

/// Draw the dashboard into a frame (the loop and snapshot tests call this): the layout step
/// sizes and clamps what depends on the frame (scrolls, body views), then drawing reads `&App`.
pub fn draw(app: &mut App, frame: &mut ratatui::Frame) {
    app.size = frame.area();
    view::layout(app);
    view::render(app, frame);
}
