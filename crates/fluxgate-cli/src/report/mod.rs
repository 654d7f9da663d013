//! The report of a replay, as one value that prints as text or serializes
//! as JSON.

mod text;

use std::time::Duration;

use serde::Serialize;

use crate::replay::{CallCounts, ReplayResult, TransitionRow};

/// The maximum number of malformed lines a report lists with their
/// reasons.
pub const MAX_LISTED_MALFORMED: usize = 5;

/// Statistics of the lines read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InputStats {
    /// The inputs in replay order, with the format each was read as.
    pub inputs: Vec<InputFile>,
    /// Lines read, empty ones included.
    pub lines: u64,
    /// Empty lines, skipped.
    pub empty_lines: u64,
    /// Lines that could not be read as a call or a command.
    pub malformed: u64,
    /// The first malformed lines, at most [`MAX_LISTED_MALFORMED`].
    pub first_malformed: Vec<MalformedLine>,
    /// Lines earlier than the newest line before them.
    pub out_of_order: u64,
    /// The largest step back in time, in seconds.
    pub max_step_back_seconds: f64,
    /// The `--inject` spans, in the order given.
    pub injections: Vec<InjectedSpan>,
}

impl InputStats {
    /// Returns the counts of lines read, empty and malformed, as the text
    /// report words them: `30 lines: 0 empty, 24 malformed`.
    pub fn line_counts(&self) -> String {
        format!(
            "{}: {} empty, {} malformed",
            counted(self.lines, "line"),
            self.empty_lines,
            self.malformed
        )
    }

    /// Returns a one-line warning about malformed lines for standard
    /// error, or `None` when there are none.
    pub fn malformed_warning(&self) -> Option<String> {
        if self.malformed == 0 {
            return None;
        }
        let locations: Vec<&str> = self
            .first_malformed
            .iter()
            .map(|line| line.location.as_str())
            .collect();
        let listed = match locations.as_slice() {
            [] => String::new(),
            [only] => format!(", at {only}"),
            [first @ .., last] if self.malformed == locations.len() as u64 => {
                format!(", at {} and {last}", first.join(", "))
            }
            all => format!(", first at {}", all.join(", ")),
        };
        Some(format!(
            "warning: {}{listed}. --output text or json gives the reasons.",
            self.line_counts()
        ))
    }
}

/// Returns a count with its noun, singular for 1: `1 call`, `2 calls`.
pub(crate) fn counted(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// One `--inject` span and the calls it changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InjectedSpan {
    /// The span as the option writes it, such as `86400..88200=503`.
    pub injection: String,
    /// The first time in the span, in seconds on the input's scale. It is
    /// `None` when no line was replayed, because offsets then have no
    /// origin.
    pub start: Option<f64>,
    /// The time the span ends, excluded, in seconds on the input's scale.
    pub end: Option<f64>,
    /// The error kind the span gives its calls, such as `http_503`.
    pub error: Option<String>,
    /// The calls inside the span, whose outcome it set.
    pub calls: u64,
}

/// One input and its format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// The path as given, or `-` for standard input.
    pub path: String,
    /// The format it was read as.
    pub format: &'static str,
}

/// A line that was not a valid record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MalformedLine {
    /// The input and line number, as `path:line`.
    pub location: String,
    /// The reason the line is invalid.
    pub reason: String,
}

/// Seconds spent in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StateTimes {
    /// In `closed`.
    pub closed: f64,
    /// In `open`.
    pub open: f64,
    /// In `half_open`.
    pub half_open: f64,
    /// In `metrics_only`.
    pub metrics_only: f64,
    /// In `disabled`.
    pub disabled: f64,
    /// In `forced_open`.
    pub forced_open: f64,
}

impl StateTimes {
    fn from_durations(times: [Duration; 6]) -> StateTimes {
        let [closed, open, half_open, metrics_only, disabled, forced_open] =
            times.map(|time| time.as_secs_f64());
        StateTimes {
            closed,
            open,
            half_open,
            metrics_only,
            disabled,
            forced_open,
        }
    }

    /// Returns each state's name with its seconds, in [`fluxgate::State::ALL`]
    /// order.
    pub fn entries(&self) -> [(&'static str, f64); 6] {
        [
            ("closed", self.closed),
            ("open", self.open),
            ("half_open", self.half_open),
            ("metrics_only", self.metrics_only),
            ("disabled", self.disabled),
            ("forced_open", self.forced_open),
        ]
    }
}

/// The policy a replay ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicySummary {
    /// The policy's source: a file path, or `the default policy`.
    pub source: String,
    /// The breaker's name.
    pub breaker: String,
    /// The rules in canonical form, one `key = expression` per line.
    pub rules: Vec<String>,
    /// The seed of the breaker's random numbers.
    pub seed: u64,
}

/// Everything `fluxgate replay` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The policy that ran.
    pub policy: PolicySummary,
    /// `true` when times are seconds since the Unix epoch.
    pub times_are_dates: bool,
    /// The earliest line time, in seconds, which is the first line's
    /// unless a later line goes back before it.
    pub start: Option<f64>,
    /// The latest line time, in seconds.
    pub end: Option<f64>,
    /// The first transitions, in order.
    pub transitions: Vec<TransitionRow>,
    /// The number of transitions in all.
    pub transition_count: u64,
    /// The state at the end of the input.
    pub final_state: &'static str,
    /// Seconds spent in each state, measured on the newest time seen.
    pub time_in_state: StateTimes,
    /// Counts of the calls by outcome.
    pub calls: CallCounts,
    /// Statistics of the lines read.
    pub input: InputStats,
}

impl Report {
    /// Assembles the report of a finished replay.
    pub fn new(policy: PolicySummary, result: &ReplayResult, mut input: InputStats) -> Report {
        input.out_of_order = result.ordering.out_of_order;
        input.max_step_back_seconds = result.ordering.max_step_back.as_secs_f64();
        Report {
            policy,
            times_are_dates: result.times_are_dates,
            start: result.earliest_time.map(|(seconds, _)| seconds),
            end: result.newest_time.map(|(seconds, _)| seconds),
            transitions: result.transitions.clone(),
            transition_count: result.transition_count,
            final_state: result.final_state.as_str(),
            time_in_state: StateTimes::from_durations(result.time_in_state),
            calls: result.counts,
            input,
        }
    }

    /// Writes the report as readable text.
    ///
    /// # Errors
    ///
    /// Returns the error of writing.
    pub fn write_text(&self, writer: &mut impl std::io::Write) -> std::io::Result<()> {
        text::write_report(self, writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(malformed: u64, listed: usize) -> InputStats {
        InputStats {
            lines: 30,
            empty_lines: 1,
            malformed,
            first_malformed: (1..=listed)
                .map(|line| MalformedLine {
                    location: format!("in.jsonl:{line}"),
                    reason: "invalid JSON".to_owned(),
                })
                .collect(),
            ..InputStats::default()
        }
    }

    #[test]
    fn malformed_warning_lists_first_lines() {
        let cases = [
            (stats(0, 0), None),
            (
                stats(1, 1),
                Some("warning: 30 lines: 1 empty, 1 malformed, at in.jsonl:1."),
            ),
            (
                stats(3, 3),
                Some(
                    "warning: 30 lines: 1 empty, 3 malformed, at in.jsonl:1, in.jsonl:2 and in.jsonl:3.",
                ),
            ),
            (
                stats(24, 5),
                Some(
                    "warning: 30 lines: 1 empty, 24 malformed, first at in.jsonl:1, in.jsonl:2, \
                     in.jsonl:3, in.jsonl:4, in.jsonl:5.",
                ),
            ),
        ];
        for (stats, expected) in cases {
            let expected =
                expected.map(|start| format!("{start} --output text or json gives the reasons."));
            assert_eq!(stats.malformed_warning(), expected, "{}", stats.malformed);
        }
    }

    #[test]
    fn line_counts_use_singular_for_one() {
        let mut stats = stats(0, 0);
        stats.lines = 1;
        stats.empty_lines = 0;
        assert_eq!(stats.line_counts(), "1 line: 0 empty, 0 malformed");
    }
}
