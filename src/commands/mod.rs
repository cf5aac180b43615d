//! The subcommands. Each returns a process exit code; errors are one plain sentence on stderr.

use crate::cli::{Cli, Command};

/// Run the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Some(Command::Listen(_)) | None => {
            eprintln!("hookscope: the listener is not built yet");
            2
        }
        Some(Command::Verify(_)) | Some(Command::Sign(_)) | Some(Command::Providers(_)) => {
            eprintln!("hookscope: not built yet");
            2
        }
    }
}
