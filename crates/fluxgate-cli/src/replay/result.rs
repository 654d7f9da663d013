//! The result of a replay: call counts, transitions and time accounts.

use std::time::Duration;

use fluxgate::State;
use serde::Serialize;

use super::Timeline;

/// The maximum number of transitions a report lists; later ones are only
/// counted.
pub const MAX_LISTED_TRANSITIONS: usize = 1000;

/// Counts of the replayed calls by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CallCounts {
    /// Call lines replayed.
    pub calls: u64,
    /// Calls the breaker admitted.
    pub admitted: u64,
    /// Admitted calls that succeeded.
    pub successes: u64,
    /// Admitted calls whose error the tracker counts as a failure.
    pub failures: u64,
    /// Admitted calls whose error the tracker ignores.
    pub ignored: u64,
    /// Calls the breaker rejected.
    pub rejected: u64,
    /// Rejected calls that the input shows as failures: rejecting them
    /// cost nothing.
    pub saved: u64,
    /// Rejected calls that the input shows as successes: work lost to the
    /// breaker.
    pub lost: u64,
    /// Rejected calls whose error the tracker ignores.
    pub rejected_ignored: u64,
    /// Manual command lines replayed.
    pub commands: u64,
}

/// One transition as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionRow {
    /// The line time, in seconds.
    pub t: f64,
    /// The state before.
    pub from: &'static str,
    /// The state after.
    pub to: &'static str,
    /// The cause, in words.
    pub reason: String,
}

/// The time order of the replayed lines.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ordering {
    /// Lines earlier than the newest line before them.
    pub out_of_order: u64,
    /// The largest step back in time.
    pub max_step_back: Duration,
}

/// Everything a replay found, once its input has run out.
#[derive(Debug, Clone)]
pub struct ReplayResult {
    /// Counts of the calls by outcome.
    pub counts: CallCounts,
    /// The first transitions, at most [`MAX_LISTED_TRANSITIONS`].
    pub transitions: Vec<TransitionRow>,
    /// The number of transitions in all.
    pub transition_count: u64,
    /// Time spent in each state, indexed like [`State::ALL`].
    pub time_in_state: [Duration; 6],
    /// The first line's time, in seconds and as a clock reading.
    pub first_time: Option<(f64, Duration)>,
    /// The earliest line time, in seconds and as a clock reading.
    pub earliest_time: Option<(f64, Duration)>,
    /// The newest line's time, in seconds and as a clock reading.
    pub newest_time: Option<(f64, Duration)>,
    /// `true` when the first line gave a date rather than plain seconds.
    pub times_are_dates: bool,
    /// Lines out of time order.
    pub ordering: Ordering,
    /// The timeline for the plot, when one was asked for.
    pub timeline: Option<Timeline>,
    /// The state at the end.
    pub final_state: State,
}
