//! The `hookscope` binary: parse the command line, run a command, map errors to exit codes.

use clap::Parser;
use hookscope::cli::Cli;

fn main() {
    let cli = Cli::parse();
    let code = hookscope::commands::run(cli);
    std::process::exit(code);
}
