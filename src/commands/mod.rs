//! The subcommands. Each returns a process exit code; errors are one plain sentence on stderr.

mod attach;
mod crash;
mod diff;
mod export;
mod import;
pub mod listen;
mod location;
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
    crate::conventions::set(crate::conventions::Conventions {
        color: cli.color,
        quiet: cli.quiet,
        verbose: cli.verbose,
    });
    // `hookscope --addr …` means listen; listen's options before another command are a mistake.
    // `store` is left out: `HOOKSCOPE_STORE` in the environment fills it for every command.
    let mut listen_given = cli.listen.clone();
    listen_given.location.store = None;
    if cli.command.is_some() && listen_given != crate::cli::ListenArgs::default() {
        eprintln!(
            "hookscope: listen options go with `hookscope` or `hookscope listen`, not before another command"
        );
        return 2;
    }
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
        Some(Command::Completions { shell }) => Ok(completions(shell)),
        Some(Command::Man) => man(),
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

/// Most of an answer's body printed by `sign --send` and `replay`.
pub const PRINTED_BODY_LIMIT: usize = 64 * 1024;

/// The app's answer as `curl -i` shows it: status line, headers, a blank line, the body (up to
/// [`PRINTED_BODY_LIMIT`] bytes, and a note when there was more).
pub fn print_answer(status: u16, headers: &[(String, String)], body: &[u8]) {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|c| c.canonical_reason())
        .unwrap_or("");
    let mut text = format!("HTTP {status} {reason}").trim_end().to_string();
    text.push('\n');
    for (n, v) in headers {
        text.push_str(&format!("{n}: {v}\n"));
    }
    if !body.is_empty() {
        text.push('\n');
        let shown = &body[..body.len().min(PRINTED_BODY_LIMIT)];
        text.push_str(&String::from_utf8_lossy(shown));
        if body.len() > PRINTED_BODY_LIMIT {
            text.push_str(&format!(
                "\n[{} more bytes not shown]",
                body.len() - PRINTED_BODY_LIMIT
            ));
        }
    }
    out(text.trim_end_matches('\n'));
}

/// `hookscope completions SHELL`: the completion script on stdout.
fn completions(shell: clap_complete::Shell) -> i32 {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "hookscope", &mut script);
    out(String::from_utf8_lossy(&script).trim_end());
    0
}

/// `hookscope man`: the man page (roff) on stdout.
fn man() -> Result<i32, CliError> {
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut page)
        .map_err(|e| CliError::failed(format!("cannot render the man page: {e}")))?;
    out(String::from_utf8_lossy(&page).trim_end());
    Ok(0)
}
