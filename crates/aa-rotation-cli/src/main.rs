//! `aa-rotation`: the command line of the aa-rotation core. It parses,
//! prompts, prints and chooses exit codes; every rotation decision is the
//! core's.

mod check;
mod cli;
mod commands;
mod config;
mod daemon;
mod demo;
mod failure;
mod logging;
mod output;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // Usage errors exit with 3 (unknown), not clap's usual 2, which
            // `check` reserves for a critical secret.
            return match error.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(failure::UNKNOWN),
            };
        }
    };
    if let Err(failure) = logging::init(cli.verbose) {
        eprintln!("error: {failure}");
        return ExitCode::from(failure.exit_code());
    }
    ExitCode::from(commands::dispatch(cli))
}
