//! The readable form of a report.

use std::io::{self, Write};
use std::time::Duration;

use fluxgate::DisplayDuration;

use super::{InjectedSpan, Report, counted};
use crate::input::DisplayDate;

pub(super) fn write_report(report: &Report, out: &mut impl Write) -> io::Result<()> {
    write_policy(report, out)?;
    write_input(report, out)?;
    write_transitions(report, out)?;
    write_time_in_state(report, out)?;
    write_calls(report, out)
}

fn write_policy(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let policy = &report.policy;
    writeln!(
        out,
        "Policy: breaker {:?} of {} (seed {})",
        policy.breaker, policy.source, policy.seed
    )?;
    for rule in &policy.rules {
        writeln!(out, "  {rule}")?;
    }
    writeln!(out)
}

fn write_input(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let input = &report.input;
    writeln!(out, "Input")?;
    for file in &input.inputs {
        writeln!(out, "  {} ({})", file.path, file.format)?;
    }
    writeln!(out, "  {}", input.line_counts())?;
    for line in &input.first_malformed {
        writeln!(out, "    {}: {}", line.location, line.reason)?;
    }
    if input.malformed > input.first_malformed.len() as u64 {
        writeln!(
            out,
            "    ... and {} more",
            input.malformed - input.first_malformed.len() as u64
        )?;
    }
    match input.out_of_order {
        0 => writeln!(out, "  0 lines earlier than a line before them")?,
        1 => writeln!(
            out,
            "  1 line earlier than a line before it, {} back",
            span(input.max_step_back_seconds)
        )?,
        count => writeln!(
            out,
            "  {count} lines earlier than a line before them, at most {} back",
            span(input.max_step_back_seconds)
        )?,
    }
    if let (Some(start), Some(end)) = (report.start, report.end) {
        writeln!(
            out,
            "  from {} to {} ({})",
            time(report, start),
            time(report, end),
            span(end - start)
        )?;
    }
    for injected in &input.injections {
        write_injection(report, injected, out)?;
    }
    writeln!(out)
}

/// Writes where an `--inject` span falls and what it did to the calls in
/// it.
fn write_injection(
    report: &Report,
    injected: &InjectedSpan,
    out: &mut impl Write,
) -> io::Result<()> {
    write!(out, "  injected {}: ", injected.injection)?;
    let (Some(start), Some(end)) = (injected.start, injected.end) else {
        return writeln!(out, "not applied, because no line was replayed");
    };
    let calls = counted(injected.calls, "call");
    let outcome = match &injected.error {
        Some(kind) => format!("errors of kind {kind}"),
        None => "successes".to_owned(),
    };
    writeln!(
        out,
        "from {} to {}, {calls} turned into {outcome}",
        time(report, start),
        time(report, end)
    )
}

fn write_transitions(report: &Report, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "Transitions: {}", report.transition_count)?;
    if !report.transitions.is_empty() {
        let width = report
            .transitions
            .iter()
            .map(|row| time(report, row.t).len())
            .max()
            .unwrap_or(4)
            .max(4);
        writeln!(
            out,
            "  {:<width$}  {:<12}  {:<12}  reason",
            "time", "from", "to"
        )?;
        for row in &report.transitions {
            writeln!(
                out,
                "  {:<width$}  {:<12}  {:<12}  {}",
                time(report, row.t),
                row.from,
                row.to,
                row.reason
            )?;
        }
    }
    let unlisted = report.transition_count - report.transitions.len() as u64;
    if unlisted > 0 {
        writeln!(
            out,
            "  ... and {unlisted} more (--output jsonl lists every transition)"
        )?;
    }
    writeln!(out, "  final state: {}", report.final_state)?;
    writeln!(out)
}

fn write_time_in_state(report: &Report, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "Time in state")?;
    let entries = report.time_in_state.entries();
    let total: f64 = entries.iter().map(|(_, seconds)| seconds).sum();
    for (state, seconds) in entries {
        if seconds == 0.0 {
            continue;
        }
        let share = 100.0 * seconds / total;
        writeln!(out, "  {state:<12}  {:>14}  {share:5.1}%", span(seconds))?;
    }
    writeln!(out)
}

fn write_calls(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let calls = &report.calls;
    writeln!(out, "Calls: {}", calls.calls)?;
    writeln!(
        out,
        "  admitted  {:>10}  ({} succeeded, {} failed, {} ignored by the tracker)",
        calls.admitted,
        calls.successes,
        calls.failures,
        counted(calls.ignored, "error")
    )?;
    writeln!(out, "  rejected  {:>10}", calls.rejected)?;
    writeln!(
        out,
        "    saved   {:>10}  rejected calls the input shows as failures",
        calls.saved
    )?;
    writeln!(
        out,
        "    lost    {:>10}  rejected calls the input shows as successes",
        calls.lost
    )?;
    if calls.rejected_ignored > 0 {
        writeln!(
            out,
            "    other   {:>10}  rejected calls with errors the tracker ignores",
            calls.rejected_ignored
        )?;
    }
    writeln!(out, "  manual commands: {}", calls.commands)
}

/// Writes a line time as a UTC date when times are dates, else as seconds.
fn time(report: &Report, seconds: f64) -> String {
    if report.times_are_dates {
        DisplayDate(Duration::from_secs_f64(seconds)).to_string()
    } else {
        format!("{seconds}s")
    }
}

/// Writes a length of time rounded to the millisecond, as `1h2m3s`.
fn span(seconds: f64) -> String {
    let millis = (seconds.max(0.0) * 1000.0).round() as u64;
    DisplayDuration(Duration::from_millis(millis)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::{CallCounts, TransitionRow};
    use crate::report::{
        InjectedSpan, InputFile, InputStats, MalformedLine, PolicySummary, StateTimes,
    };

    fn sample_report() -> Report {
        Report {
            policy: PolicySummary {
                source: "demo.toml".into(),
                breaker: "default".into(),
                rules: vec!["window = count(100)".into(), "tracker = all()".into()],
                seed: 0,
            },
            times_are_dates: true,
            start: Some(1_431_857_103.0),
            end: Some(1_431_860_703.0),
            transitions: vec![TransitionRow {
                t: 1_431_857_403.0,
                from: "closed",
                to: "open",
                reason: "tripped: failure_streak(2)".into(),
            }],
            transition_count: 3,
            final_state: "open",
            time_in_state: StateTimes {
                closed: 300.0,
                open: 3300.0,
                ..StateTimes::default()
            },
            calls: CallCounts {
                calls: 10,
                admitted: 7,
                successes: 5,
                failures: 2,
                rejected: 3,
                saved: 2,
                lost: 1,
                ..CallCounts::default()
            },
            input: InputStats {
                inputs: vec![InputFile {
                    path: "access.log".into(),
                    format: "clf",
                }],
                lines: 12,
                empty_lines: 1,
                malformed: 6,
                first_malformed: vec![MalformedLine {
                    location: "access.log:4".into(),
                    reason: "expected the date in brackets after the user field".into(),
                }],
                out_of_order: 2,
                max_step_back_seconds: 58.0,
                injections: vec![InjectedSpan {
                    injection: "60..120=503".into(),
                    start: Some(1_431_857_163.0),
                    end: Some(1_431_857_223.0),
                    error: Some("http_503".into()),
                    calls: 1,
                }],
            },
        }
    }

    #[test]
    fn text_report_layout() {
        let mut output = Vec::new();
        sample_report().write_text(&mut output).unwrap();
        let expected = "\
Policy: breaker \"default\" of demo.toml (seed 0)
  window = count(100)
  tracker = all()

Input
  access.log (clf)
  12 lines: 1 empty, 6 malformed
    access.log:4: expected the date in brackets after the user field
    ... and 5 more
  2 lines earlier than a line before them, at most 58s back
  from 2015-05-17 10:05:03Z to 2015-05-17 11:05:03Z (1h)
  injected 60..120=503: from 2015-05-17 10:06:03Z to 2015-05-17 10:07:03Z, 1 call turned into errors of kind http_503

Transitions: 3
  time                  from          to            reason
  2015-05-17 10:10:03Z  closed        open          tripped: failure_streak(2)
  ... and 2 more (--output jsonl lists every transition)
  final state: open

Time in state
  closed                    5m    8.3%
  open                     55m   91.7%

Calls: 10
  admitted           7  (5 succeeded, 2 failed, 0 errors ignored by the tracker)
  rejected           3
    saved            2  rejected calls the input shows as failures
    lost             1  rejected calls the input shows as successes
  manual commands: 0
";
        assert_eq!(String::from_utf8(output).unwrap(), expected);
    }

    #[test]
    fn injections_say_what_they_changed() {
        let mut report = sample_report();
        report.times_are_dates = false;
        report.input.injections = vec![
            InjectedSpan {
                injection: "5..7.5=502".into(),
                start: Some(15.0),
                end: Some(17.5),
                error: Some("http_502".into()),
                calls: 3,
            },
            InjectedSpan {
                injection: "8..9=200".into(),
                start: Some(18.0),
                end: Some(19.0),
                error: None,
                calls: 0,
            },
            InjectedSpan {
                injection: "1..2=503".into(),
                start: None,
                end: None,
                error: Some("http_503".into()),
                calls: 0,
            },
        ];
        let mut output = Vec::new();
        write_input(&report, &mut output).unwrap();
        let output = String::from_utf8(output).unwrap();
        let lines: Vec<&str> = output
            .lines()
            .filter(|line| line.starts_with("  injected"))
            .collect();
        assert_eq!(
            lines,
            [
                "  injected 5..7.5=502: from 15s to 17.5s, 3 calls turned into errors of kind \
                 http_502",
                "  injected 8..9=200: from 18s to 19s, 0 calls turned into successes",
                "  injected 1..2=503: not applied, because no line was replayed",
            ]
        );
    }

    /// Returns the lines of the text report that start with `prefix`.
    fn lines_starting(report: &Report, prefix: &str) -> Vec<String> {
        let mut output = Vec::new();
        report.write_text(&mut output).unwrap();
        String::from_utf8(output)
            .unwrap()
            .lines()
            .filter(|line| line.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn counts_of_one_are_singular() {
        let mut report = sample_report();
        report.input.lines = 1;
        report.input.out_of_order = 1;
        report.calls.ignored = 1;
        assert_eq!(
            lines_starting(&report, "  1 line"),
            [
                "  1 line: 1 empty, 6 malformed",
                "  1 line earlier than a line before it, 58s back",
            ]
        );
        assert_eq!(
            lines_starting(&report, "  admitted"),
            ["  admitted           7  (5 succeeded, 2 failed, 1 error ignored by the tracker)"]
        );
    }

    #[test]
    fn lines_in_order_give_no_step_back() {
        let mut report = sample_report();
        report.input.out_of_order = 0;
        report.input.max_step_back_seconds = 0.0;
        assert_eq!(
            lines_starting(&report, "  0 lines"),
            ["  0 lines earlier than a line before them"]
        );
    }

    #[test]
    fn plain_seconds_print_with_unit() {
        let mut report = sample_report();
        report.times_are_dates = false;
        assert_eq!(time(&report, 12.5), "12.5s");
        assert_eq!(span(0.0004), "0s");
        assert_eq!(span(90.25), "1m30s250ms");
    }
}
