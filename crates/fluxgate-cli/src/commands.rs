//! The `replay` and `check` commands, from parsed arguments to output.

use std::fmt::Display;
use std::fs;
use std::io::{self, BufWriter, Write};

use fluxgate::trackers::Tracker;
use fluxgate::{Builder, CircuitBreaker};

use crate::cli::{CheckArgs, Cli, CliCommand, OutputArg, ReplayArgs};
use crate::error::Error;
use crate::plot::{PlotLabels, render_svg};
use crate::replay::{JsonlEvents, NoEvents, ReplayResult, Replayer};
use crate::report::{InputStats, PolicySummary, Report};
use crate::run::{InputOptions, read_inputs};

const OUTPUT_BUFFER_BYTES: usize = 64 << 10;

/// Runs the command the arguments name.
///
/// # Errors
///
/// Returns the command's error; [`Error::exit_code`] gives its exit status.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        CliCommand::Replay(args) => replay(&args),
        CliCommand::Check(args) => check(&args),
    }
}

fn replay(args: &ReplayArgs) -> Result<(), Error> {
    match &args.policy {
        None => replay_with(
            CircuitBreaker::builder(),
            "the default policy".to_owned(),
            args,
        ),
        Some(path) => Err(Error::Usage(format!(
            "cannot load {}: this build has no policy-file support yet",
            path.display()
        ))),
    }
}

fn check(args: &CheckArgs) -> Result<(), Error> {
    Err(Error::Usage(format!(
        "cannot check {}: this build has no policy-file support yet",
        args.file.display()
    )))
}

/// Replays the inputs through the breaker `builder` makes; `source` names
/// where its policy came from.
fn replay_with<K>(builder: Builder<K>, source: String, args: &ReplayArgs) -> Result<(), Error>
where
    K: Tracker<String> + Display,
{
    let options = InputOptions {
        paths: args.inputs.clone(),
        format: args.format.format(),
        error_statuses: args.error_status.clone(),
        injections: args.inject.clone(),
        strict: args.strict,
    };
    let plot = args.plot.is_some();
    let mut stdout = BufWriter::with_capacity(OUTPUT_BUFFER_BYTES, io::stdout().lock());

    let (policy, result, stats) = if args.output == OutputArg::Jsonl {
        let events = JsonlEvents::new(&mut stdout);
        let mut replayer = new_replayer(builder, args.seed, events, plot)?;
        let policy = summarize_policy(replayer.breaker(), source, args.seed);
        let stats = read_inputs(&options, &mut replayer)?;
        let (result, events) = replayer.finish();
        let counts = result.counts;
        events
            .finish(counts.calls, counts.rejected, result.transition_count)
            .map_err(Error::stdout)?;
        (policy, result, stats)
    } else {
        let mut replayer = new_replayer(builder, args.seed, NoEvents, plot)?;
        let policy = summarize_policy(replayer.breaker(), source, args.seed);
        let stats = read_inputs(&options, &mut replayer)?;
        let (result, _) = replayer.finish();
        (policy, result, stats)
    };

    if let Some(path) = &args.plot {
        let svg = render_svg(
            result.timeline.as_ref().expect("a plot keeps a timeline"),
            &plot_labels(&policy, &result, args),
        );
        fs::write(path, svg).map_err(|source| Error::Output {
            target: path.display().to_string(),
            source,
        })?;
    }
    match args.output {
        OutputArg::Jsonl => Ok(()),
        OutputArg::Text => write_report(&mut stdout, policy, &result, stats, false),
        OutputArg::Json => write_report(&mut stdout, policy, &result, stats, true),
    }
}

fn new_replayer<K, S>(
    builder: Builder<K>,
    seed: u64,
    events: S,
    plot: bool,
) -> Result<Replayer<K, S>, Error>
where
    K: Tracker<String>,
    S: crate::replay::EventSink,
{
    Replayer::new(builder, seed, events, plot)
        .map_err(|error| Error::Policy(format!("invalid policy: {error}")))
}

fn summarize_policy<K: Display>(
    breaker: &CircuitBreaker<K>,
    source: String,
    seed: u64,
) -> PolicySummary {
    PolicySummary {
        source,
        breaker: breaker.name().to_owned(),
        rules: breaker.to_string().lines().map(str::to_owned).collect(),
        seed,
    }
}

fn write_report(
    stdout: &mut impl Write,
    policy: PolicySummary,
    result: &ReplayResult,
    stats: InputStats,
    json: bool,
) -> Result<(), Error> {
    let report = Report::new(policy, result, stats);
    let written = if json {
        serde_json::to_writer_pretty(&mut *stdout, &report)
            .map_err(io::Error::from)
            .and_then(|()| stdout.write_all(b"\n"))
    } else {
        report.write_text(stdout)
    };
    written.and_then(|()| stdout.flush()).map_err(Error::stdout)
}

fn plot_labels(policy: &PolicySummary, result: &ReplayResult, args: &ReplayArgs) -> PlotLabels {
    let rule = |key: &str| {
        policy
            .rules
            .iter()
            .find(|rule| rule.starts_with(key))
            .cloned()
            .unwrap_or_default()
    };
    let mut subtitles = vec![
        rule("tripper ="),
        format!(
            "{} · {} · {} · {}",
            rule("window ="),
            rule("tracker ="),
            rule("retry ="),
            rule("permit =")
        ),
    ];
    let inputs: Vec<String> = args
        .inputs
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    let mut replayed = format!(
        "input: {} · {} calls, {} rejected, {} transitions",
        inputs.join(", "),
        result.counts.calls,
        result.counts.rejected,
        result.transition_count
    );
    for injection in &args.inject {
        replayed.push_str(&format!(" · injected: {injection}"));
    }
    subtitles.push(replayed);
    PlotLabels {
        title: format!(
            "fluxgate replay: breaker \"{}\" of {}",
            policy.breaker, policy.source
        ),
        subtitles,
        times_are_dates: result.times_are_dates,
    }
}
