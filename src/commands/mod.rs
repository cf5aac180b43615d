//! The subcommands. Each returns a process exit code; errors are one plain sentence on stderr.

pub mod listen;

use crate::cli::{Cli, Command};

/// Run the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Some(Command::Listen(args)) => listen::run(args),
        None => listen::run(cli.listen),
        Some(Command::Verify(_)) | Some(Command::Sign(_)) | Some(Command::Providers(_)) => {
            eprintln!("hookscope: not built yet");
            2
        }
    }
}
