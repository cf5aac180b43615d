//! The subcommands. Each returns a process exit code; errors are one plain sentence on stderr.

mod crash;
mod diff;
mod export;
mod import;
pub mod listen;
mod providers;
mod replay;
mod request;
mod setup;
mod sign;
mod verify;

use crate::cli::{Cli, Command};

/// A command failure: the exit code and one plain sentence.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    /// Usage or input error (exit 2).
    pub fn input(message: impl Into<String>) -> Self {
        CliError {
            code: 2,
            message: message.into(),
        }
    }

    /// The command ran but its check failed (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        CliError {
            code: 1,
            message: message.into(),
        }
    }
}

/// Run the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Some(Command::Verify(a)) => verify::run(&a),
        Some(Command::Sign(a)) => sign::run(&a),
        Some(Command::Providers(a)) => providers::run(&a),
        Some(Command::Listen(args)) => Ok(listen::run(args)),
        Some(Command::Replay(a)) => replay::run(&a),
        None => Ok(listen::run(cli.listen)),
        Some(Command::Export(a)) => export::run(&a),
        Some(Command::Import(a)) => import::run(&a),
        Some(Command::Diff(a)) => diff::run(&a),
        Some(Command::Setup(a)) => setup::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hookscope: {}", e.message);
            e.code
        }
    }
}

/// Print a line on stdout; when the reader has gone (`| head`), end quietly instead of panicking.
pub fn out(line: impl AsRef<str>) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if writeln!(o, "{}", line.as_ref())
        .and_then(|_| o.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

/// The HTTP client of `sign --send` and replays (no timeout of its own; callers set one). It
/// follows redirects only within the same origin.
pub fn http_client() -> Result<reqwest::Client, CliError> {
    crate::http_text::client_builder()
        .redirect(crate::http_text::same_origin_redirects())
        .build()
        .map_err(|e| CliError::input(format!("cannot build the HTTP client: {e}")))
}
