//! The command line, as `clap` parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::StatusSet;
use crate::inject::Injection;
use crate::input::Format;

/// The seed a replay uses unless `--seed` gives one.
pub const DEFAULT_SEED: u64 = 0;

const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success (a closed pipe on standard output counts as success)
  1  an input could not be read or its format recognised, an output could not
     be written, or under --strict a line is malformed
  2  invalid arguments, or an invalid policy file or breaker name";

const CHECK_HELP: &str = "\
Exit status:
  0  the policy file is valid
  2  the policy file could not be read, is invalid, or defines no breakers;
     the message shows the line and column of the error";

/// Replays recorded traffic through a circuit-breaker policy.
#[derive(Debug, Parser)]
#[command(name = "fluxgate", version, after_help = EXIT_STATUS_HELP)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: CliCommand,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Runs recorded calls through a policy and reports what the breaker
    /// would have done.
    #[command(after_help = REPLAY_HELP)]
    Replay(Box<ReplayArgs>),
    /// Validates a policy file and prints each breaker's rules in
    /// canonical form.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
}

const REPLAY_HELP: &str = "\
Each input line is one call, admitted and completed at its time t. Lines run in
input order, and a line earlier than the newest one runs at its own time and
is counted as out of order.

Formats: JSON Lines, such as {\"t\": 12.5, \"error\": \"Timeout\", \"duration\": 0.18}
or {\"t\": 60, \"op\": \"force_open\"}. CSV with a header naming the columns t,
duration, error and op. Access logs in the Common or Combined Log Format, with
an optional last field giving the request time in seconds.

Exit status:
  0  success (a closed pipe on standard output counts as success)
  1  an input could not be read or its format recognised, an output could not
     be written, or under --strict a line is malformed
  2  invalid arguments, or an invalid policy file or breaker name";

/// The arguments of `fluxgate replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Policy file (TOML) to replay; without it, the default policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Breaker of the policy file to replay [default: "default", or the
    /// file's only breaker].
    #[arg(long, value_name = "NAME", requires = "policy")]
    pub breaker: Option<String>,

    /// Input format; auto detects it from each input's first non-empty
    /// lines.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,

    /// HTTP statuses counted as errors of kind http_<status> in access logs
    /// and in --inject, as a list of statuses and ranges. Other statuses
    /// are successes.
    #[arg(long, value_name = "LIST", default_value = "500-599")]
    pub error_status: StatusSet,

    /// Output on standard output: a readable report, one JSON event per
    /// line, or the report as one JSON document. The readable report is
    /// the default whether or not standard output is a terminal.
    #[arg(long, value_enum, default_value_t = OutputArg::Text)]
    pub output: OutputArg,

    /// Also write an SVG timeline of states, rates and rejections to FILE.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,

    /// Seed of the breaker's random numbers (half-open permits, jitter);
    /// the fixed default makes runs reproducible.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED)]
    pub seed: u64,

    /// Stop at the first malformed line, with exit status 1, instead of
    /// counting it and going on.
    #[arg(long)]
    pub strict: bool,

    /// Give every call from START up to END the outcome of STATUS: an
    /// error of kind http_STATUS when --error-status lists STATUS, such as
    /// 503, and a success otherwise, such as 200 to simulate a recovery.
    /// START and END are seconds after the first line's time, or RFC 3339
    /// times. May be repeated.
    // A negative START, as in `--inject -1..3=503`, is taken as the value
    // so that it gets the option's own message rather than clap's.
    #[arg(long, value_name = "START..END=STATUS", allow_hyphen_values = true)]
    pub inject: Vec<Injection>,

    /// Input files, replayed one after the other as one stream; `-` reads
    /// standard input. Gzip-compressed input is detected and decompressed.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
}

/// The arguments of `fluxgate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Policy file (TOML) to validate.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// The `--format` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Detect each input's format from its first non-empty lines.
    Auto,
    /// JSON Lines.
    Jsonl,
    /// CSV with a header.
    Csv,
    /// Common or Combined Log Format.
    Clf,
}

impl FormatArg {
    /// Returns the format, or `None` for detection.
    pub fn format(self) -> Option<Format> {
        match self {
            FormatArg::Auto => None,
            FormatArg::Jsonl => Some(Format::Jsonl),
            FormatArg::Csv => Some(Format::Csv),
            FormatArg::Clf => Some(Format::AccessLog),
        }
    }
}

/// The `--output` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    /// A readable report.
    Text,
    /// One JSON event per line, then a summary line.
    Jsonl,
    /// The report as one JSON document.
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn replay_defaults() {
        let cli = Cli::try_parse_from(["fluxgate", "replay", "access.log"]).unwrap();
        let CliCommand::Replay(args) = cli.command else {
            panic!("not a replay")
        };
        assert_eq!(args.format, FormatArg::Auto);
        assert_eq!(args.output, OutputArg::Text);
        assert_eq!(args.seed, DEFAULT_SEED);
        assert_eq!(args.error_status.to_string(), "500-599");
        assert!(!args.strict);
        assert!(args.inject.is_empty());
    }

    #[test]
    fn invalid_values_are_usage_errors() {
        let cases: [&[&str]; 5] = [
            &["fluxgate", "replay"],
            &["fluxgate", "replay", "--format", "xml", "a.log"],
            &["fluxgate", "replay", "--error-status", "5xx", "a.log"],
            &["fluxgate", "replay", "--inject", "10..5=503", "a.log"],
            &["fluxgate", "replay", "--breaker", "payments", "a.log"],
        ];
        for arguments in cases {
            let error = Cli::try_parse_from(arguments).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{arguments:?}");
        }
    }
}
