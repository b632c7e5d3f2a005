//! Tracing output on standard error.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::failure::Failure;

/// The variable that contains a tracing filter, such as `aa_rotation=debug`.
pub const LOG_VARIABLE: &str = "AA_ROTATION_LOG";

/// Installs the tracing subscriber. `AA_ROTATION_LOG` wins over the
/// `--verbose` count; without either, only warnings and errors are shown.
pub fn init(verbose: u8) -> Result<(), Failure> {
    let filter = match std::env::var(LOG_VARIABLE) {
        Ok(text) if !text.trim().is_empty() => EnvFilter::try_new(text.trim()).map_err(|error| {
            Failure::Config(format!(
                "{LOG_VARIABLE} is not a valid tracing filter ({error}); use a level such as `debug` or \
                 directives such as `aa_rotation=debug,warn`"
            ))
        })?,
        _ => EnvFilter::new(default_directives(verbose)),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in log files.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    Ok(())
}

/// Filter directives for a `-v` count. Up to `-vv` only this project's crates
/// get more detail, because the HTTP libraries are noisy; `-vvv` traces all.
/// The target `aa_rotation` covers the core library and this binary, whose
/// crate is also named `aa_rotation` after the binary.
fn default_directives(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn",
        1 => "warn,aa_rotation=info,aa_rotation_sim=info",
        2 => "info,aa_rotation=debug,aa_rotation_sim=debug",
        _ => "trace",
    }
}
