//! The `fluxgate` binary.

use std::process::ExitCode;

use clap::Parser;
use fluxgate_cli::cli::Cli;

fn main() -> ExitCode {
    // Usage errors exit here with status 2, and --help with 0.
    let cli = Cli::parse();
    match fluxgate_cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is_broken_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            let _ = error.write_message(&mut std::io::stderr());
            ExitCode::from(error.exit_code())
        }
    }
}
