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
    /// The first line's time, in seconds.
    pub start: Option<f64>,
    /// The newest line's time, in seconds.
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
            start: result.first_time.map(|(seconds, _)| seconds),
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
