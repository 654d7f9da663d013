//! Trippers: when the circuit opens, and when a half-open one closes.
//!
//! | tripper | true when | policy |
//! |---|---|---|
//! | [`Closed`] / [`HalfOpened`] | the state under evaluation is that state | `closed()`, `half_open()` |
//! | [`MinRequests`] | the window holds at least `n` outcomes | `min_requests(20)` |
//! | [`FailureRate`] | at least `ratio` of the window failed | `failure_rate(0.5)` |
//! | [`AvgLatency`] | the mean duration is at least `d` | `avg_latency(2s)` |
//! | [`SlowRate`] | at least `ratio` of the window took `d` or longer | `slow_rate(0.3, 1s)` |
//! | [`FailureStreak`] | the last `n` outcomes all failed | `failure_streak(5)` |
//! | `a & b`, `a \| b`, `!a` | and, or, not, short-circuit from the left | the same |
//!
//! The breaker evaluates its tripper after every recorded outcome. In
//! `Closed`, a true tripper opens the circuit. In `HalfOpen`, a success
//! after which the tripper is false closes it, and a failure after which
//! it is true opens it again.
//!
//! The default is `min_requests(100) & failure_rate(0.5)`.
//!
//! # Examples
//!
//! Open on five failures in a row, or on half of at least twenty calls:
//!
//! ```
//! use fluxgate::trippers::{FailureRate, FailureStreak, MinRequests};
//!
//! let tripper = FailureStreak::new(5)? | (MinRequests::new(20)? & FailureRate::new(0.5)?);
//! # Ok::<(), fluxgate::ConfigError>(())
//! ```
//!
//! Ask for five good probes before closing: while half-open and short of
//! five outcomes, `!min_requests(5)` keeps the tripper true, so a success
//! does not close the circuit and a failure reopens it.
//!
//! ```
//! use fluxgate::trippers::{Closed, FailureRate, HalfOpened, MinRequests};
//!
//! let tripper = (Closed & MinRequests::new(20)? & FailureRate::new(0.5)?)
//!     | (HalfOpened & (!MinRequests::new(5)? | FailureRate::new(0.2)?));
//! # Ok::<(), fluxgate::ConfigError>(())
//! ```

mod avg_latency;
mod failure_rate;
mod failure_streak;
mod min_requests;
mod slow_rate;
mod state;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use avg_latency::AvgLatency;
pub use failure_rate::FailureRate;
pub use failure_streak::FailureStreak;
pub use min_requests::MinRequests;
pub use slow_rate::SlowRate;
pub use state::{Closed, HalfOpened};

use crate::metric::Metric;
use crate::ops::{And, Not, Or};
use crate::state::State;

/// What a tripper judges: the window's metric, the state being evaluated
/// (`Closed` or `HalfOpen`) and the number of consecutive failures.
///
/// # Examples
///
/// ```
/// use fluxgate::{Metric, State};
/// use fluxgate::trippers::{Context, FailureRate, Tripper};
///
/// let metric = Metric::new(10, 5);
/// let context = Context::new(&metric, State::Closed, 2);
/// assert!(FailureRate::new(0.5)?.trips(&context));
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    metric: &'a Metric,
    state: State,
    consecutive_failures: u64,
}

impl<'a> Context<'a> {
    /// Creates a context, as the breaker does before each evaluation.
    pub const fn new(metric: &'a Metric, state: State, consecutive_failures: u64) -> Self {
        Context {
            metric,
            state,
            consecutive_failures,
        }
    }

    /// Returns the window's metric.
    pub const fn metric(&self) -> &'a Metric {
        self.metric
    }

    /// Returns the state under evaluation.
    pub const fn state(&self) -> State {
        self.state
    }

    /// Returns the number of failures since the last success or since the
    /// circuit last closed or went half-open.
    pub const fn consecutive_failures(&self) -> u64 {
        self.consecutive_failures
    }
}

/// Decides, from a [`Context`], whether the circuit should be open.
///
/// Implement it for rules the built-in trippers can't express, then call
/// [`impl_operators!`](crate::impl_operators) on the type to combine it
/// with `&`, `|` and `!`. The `Display` text shows in transition events
/// and in the breaker's description; write it as a policy expression.
pub trait Tripper: fmt::Display + Send + Sync {
    /// Returns `true` when the circuit should be open.
    fn trips(&self, context: &Context<'_>) -> bool;

    /// Describes the part of the tripper that made it true, for the
    /// transition event. Called only when [`trips`](Self::trips) returned
    /// `true` for the same context.
    ///
    /// The default is the whole tripper. `a | b` answers with the branch
    /// that was true.
    fn cause(&self, context: &Context<'_>) -> String {
        let _ = context;
        self.to_string()
    }

    /// Calls `visit` with each slow-call threshold the tripper reads from
    /// the metric, so the breaker times every call and counts the calls
    /// that reach each threshold.
    fn visit_slow_thresholds(&self, visit: &mut dyn FnMut(Duration)) {
        let _ = visit;
    }

    /// Returns `true` when the tripper reads the durations themselves (their
    /// total or mean), so the breaker must time every call and its window
    /// must keep each duration.
    fn needs_durations(&self) -> bool {
        false
    }
}

impl<A: Tripper, B: Tripper> Tripper for And<A, B> {
    fn trips(&self, context: &Context<'_>) -> bool {
        self.left().trips(context) && self.right().trips(context)
    }

    fn visit_slow_thresholds(&self, visit: &mut dyn FnMut(Duration)) {
        self.left().visit_slow_thresholds(visit);
        self.right().visit_slow_thresholds(visit);
    }

    fn needs_durations(&self) -> bool {
        self.left().needs_durations() || self.right().needs_durations()
    }
}

impl<A: Tripper, B: Tripper> Tripper for Or<A, B> {
    fn trips(&self, context: &Context<'_>) -> bool {
        self.left().trips(context) || self.right().trips(context)
    }

    fn cause(&self, context: &Context<'_>) -> String {
        if self.left().trips(context) {
            self.left().cause(context)
        } else {
            self.right().cause(context)
        }
    }

    fn visit_slow_thresholds(&self, visit: &mut dyn FnMut(Duration)) {
        self.left().visit_slow_thresholds(visit);
        self.right().visit_slow_thresholds(visit);
    }

    fn needs_durations(&self) -> bool {
        self.left().needs_durations() || self.right().needs_durations()
    }
}

impl<A: Tripper> Tripper for Not<A> {
    fn trips(&self, context: &Context<'_>) -> bool {
        !self.inner().trips(context)
    }

    fn visit_slow_thresholds(&self, visit: &mut dyn FnMut(Duration)) {
        self.inner().visit_slow_thresholds(visit);
    }

    fn needs_durations(&self) -> bool {
        self.inner().needs_durations()
    }
}

macro_rules! forward_tripper {
    ($($pointer:ident),+) => {$(
        impl<T: Tripper + ?Sized> Tripper for $pointer<T> {
            fn trips(&self, context: &Context<'_>) -> bool {
                (**self).trips(context)
            }

            fn cause(&self, context: &Context<'_>) -> String {
                (**self).cause(context)
            }

            fn visit_slow_thresholds(&self, visit: &mut dyn FnMut(Duration)) {
                (**self).visit_slow_thresholds(visit);
            }

            fn needs_durations(&self) -> bool {
                (**self).needs_durations()
            }
        }
    )+};
}

forward_tripper!(Box, Arc);

/// Returns `part / whole >= threshold`, false for an empty window.
fn rate_reaches(part: u64, whole: u64, threshold: f64) -> bool {
    whole > 0 && part as f64 / whole as f64 >= threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn or_cause_names_the_true_branch() {
        let tripper = FailureStreak::new(3).unwrap()
            | (MinRequests::new(4).unwrap() & FailureRate::new(0.5).unwrap());
        let metric = Metric::new(4, 2);

        let streak = Context::new(&metric, State::Closed, 3);
        assert_eq!(tripper.cause(&streak), "failure_streak(3)");

        let rate = Context::new(&metric, State::Closed, 1);
        assert_eq!(tripper.cause(&rate), "min_requests(4) & failure_rate(0.5)");
    }

    #[test]
    fn slow_thresholds_are_visited_through_combinators() {
        let tripper = SlowRate::new(0.3, Duration::from_secs(1)).unwrap()
            | !(AvgLatency::new(Duration::from_millis(200)).unwrap()
                & SlowRate::new(0.1, Duration::from_secs(5)).unwrap());
        let mut seen = Vec::new();
        tripper.visit_slow_thresholds(&mut |threshold| seen.push(threshold));
        assert_eq!(seen, [Duration::from_secs(1), Duration::from_secs(5)]);
        assert!(tripper.needs_durations());
        assert!(
            !SlowRate::new(0.5, Duration::from_secs(1))
                .unwrap()
                .needs_durations()
        );
        assert!(!(FailureStreak::new(1).unwrap() & Closed).needs_durations());
    }

    #[test]
    fn several_probes_recipe() {
        let tripper = (Closed & MinRequests::new(20).unwrap() & FailureRate::new(0.5).unwrap())
            | (HalfOpened & (!MinRequests::new(5).unwrap() | FailureRate::new(0.2).unwrap()));
        let half_open = |total, failures| {
            let metric = Metric::new(total, failures);
            tripper.trips(&Context::new(&metric, State::HalfOpen, 0))
        };
        assert!(half_open(4, 0), "four probes keep it half-open");
        assert!(!half_open(5, 0), "five good probes close it");
        assert!(half_open(5, 1), "one failure in five reopens it");
        assert!(!half_open(10, 1), "10% failed is below 20%");
    }
}
