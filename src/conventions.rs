//! The command line's process-wide conventions: `--color auto|always|never` (with `NO_COLOR`
//! honoured under `auto`) and `--quiet` / `-v` for the log level. Set once by `commands::run`.

use std::sync::OnceLock;

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set (and not empty).
    #[default]
    Auto,
    Always,
    Never,
}

/// What the command line asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Conventions {
    pub color: ColorChoice,
    /// `--quiet`: errors only.
    pub quiet: bool,
    /// `-v` count: 1 info, 2 debug, 3+ trace.
    pub verbose: u8,
}

static SET: OnceLock<Conventions> = OnceLock::new();

/// Record the conventions (the first call wins).
pub fn set(c: Conventions) {
    let _ = SET.set(c);
}

fn get() -> Conventions {
    SET.get().copied().unwrap_or_default()
}

/// Whether to colour output going to a stream that `is_terminal` or not.
pub fn color(is_terminal: bool) -> bool {
    match get().color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && !crate::tui::theme::no_color_env(),
    }
}

/// Whether colour is turned off for the dashboard (`--color never`, or `NO_COLOR` under auto).
pub fn dashboard_plain() -> bool {
    match get().color {
        ColorChoice::Always => false,
        ColorChoice::Never => true,
        ColorChoice::Auto => crate::tui::theme::no_color_env(),
    }
}

/// The log level: `default`, or errors only with `--quiet`, or more with each `-v`.
pub fn log_level(default: tracing::Level) -> tracing::Level {
    let c = get();
    if c.quiet {
        return tracing::Level::ERROR;
    }
    let steps = [
        tracing::Level::ERROR,
        tracing::Level::WARN,
        tracing::Level::INFO,
        tracing::Level::DEBUG,
        tracing::Level::TRACE,
    ];
    let at = steps.iter().position(|l| *l == default).unwrap_or(1);
    steps[(at + usize::from(c.verbose)).min(steps.len() - 1)]
}
