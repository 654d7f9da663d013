//! The `replay` and `check` commands, from parsed arguments to output.

use std::fmt::Display;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::Duration;

use fluxgate::policy::{Policy, PolicyFile};
use fluxgate::trackers::Tracker;
use fluxgate::{Builder, CircuitBreaker};

use crate::cli::{CheckArgs, Cli, CliCommand, OutputArg, ReplayArgs};
use crate::error::Error;
use crate::plot::{InjectedBand, PlotLabels, render_svg};
use crate::replay::{JsonlEvents, NoEvents, ReplayResult, Replayer};
use crate::report::{InputStats, PolicySummary, Report, counted};
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
    let Some(path) = &args.policy else {
        return replay_with(
            CircuitBreaker::builder(),
            "the default policy".to_owned(),
            args,
        );
    };
    let file = load_policy_file(path)?;
    let (name, policy) = select_breaker(&file, args.breaker.as_deref())?;
    let builder = policy.builder().name(name);
    replay_with(builder, path.display().to_string(), args)
}

/// Loads a policy file that defines at least one breaker.
///
/// The library reads a file without breakers as "every key takes its
/// default", but checking or replaying such a file tests no rule of it, so
/// the command rejects it.
fn load_policy_file(path: &Path) -> Result<PolicyFile, Error> {
    let file = PolicyFile::load(path).map_err(|error| Error::Policy(error.to_string()))?;
    if file.is_empty() {
        return Err(Error::Policy(format!(
            "error: the policy file defines no breakers\n --> {}\n  = add keys such as \
             `tripper = \"failure_streak(5)\"` at the top level for a breaker named \
             `default`, or a `[breaker.NAME]` table",
            path.display()
        )));
    }
    Ok(file)
}

/// Picks the breaker to replay: the one named, else `default`, else the
/// file's only breaker.
fn select_breaker<'f>(
    file: &'f PolicyFile,
    requested: Option<&str>,
) -> Result<(&'f str, &'f Policy), Error> {
    let names = || {
        let quoted: Vec<String> = file.iter().map(|(name, _)| format!("{name:?}")).collect();
        quoted.join(", ")
    };
    if let Some(name) = requested {
        return file
            .iter()
            .find(|(candidate, _)| *candidate == name)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "the policy file has no breaker named {name:?} (it has: {})",
                    names()
                ))
            });
    }
    if let Some(found) = file.iter().find(|(name, _)| *name == "default") {
        return Ok(found);
    }

    let mut breakers = file.iter();
    match (breakers.next(), breakers.next()) {
        (Some(only), None) => Ok(only),
        _ => Err(Error::Usage(format!(
            "the policy file has several breakers and none named \"default\"; \
             pick one with --breaker (it has: {})",
            names()
        ))),
    }
}

fn check(args: &CheckArgs) -> Result<(), Error> {
    let file = load_policy_file(&args.file)?;
    let mut stdout = BufWriter::new(io::stdout().lock());
    let written = file
        .iter()
        .enumerate()
        .try_for_each(|(index, (name, policy))| {
            write_breaker_rules(&mut stdout, index, name, policy)
        });
    written.and_then(|()| stdout.flush()).map_err(Error::stdout)
}

/// Writes one breaker's rules, indented under its name, with a blank line
/// before every breaker but the first.
fn write_breaker_rules(
    out: &mut impl Write,
    index: usize,
    name: &str,
    policy: &Policy,
) -> io::Result<()> {
    if index > 0 {
        writeln!(out)?;
    }
    // Escaped as the report escapes it, so that a name with a quote or a
    // line break cannot pass for another breaker's header.
    writeln!(out, "breaker {name:?}")?;
    for rule in policy.to_string().lines() {
        writeln!(out, "  {rule}")?;
    }
    Ok(())
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
        // Standard output holds only events, so the malformed lines that
        // the other outputs report go to standard error.
        if let Some(warning) = stats.malformed_warning() {
            eprintln!("{warning}");
        }
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
            &plot_labels(&policy, &result, &stats, args),
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
        .map_err(|error| Error::Policy(format!("error: invalid policy: {error}")))
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

fn plot_labels(
    policy: &PolicySummary,
    result: &ReplayResult,
    stats: &InputStats,
    args: &ReplayArgs,
) -> PlotLabels {
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
        "input: {} · {}, {} rejected, {}",
        inputs.join(", "),
        counted(result.counts.calls, "call"),
        result.counts.rejected,
        counted(result.transition_count, "transition")
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
        injections: injected_bands(stats),
    }
}

/// Returns the injected spans that were resolved, for the plot to mark.
fn injected_bands(stats: &InputStats) -> Vec<InjectedBand> {
    stats
        .injections
        .iter()
        .filter_map(|span| {
            let label = span.error.clone().unwrap_or_else(|| "successes".to_owned());
            Some(InjectedBand {
                start: Duration::from_secs_f64(span.start?),
                end: Duration::from_secs_f64(span.end?),
                label,
            })
        })
        .collect()
}
