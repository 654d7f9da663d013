//! Trippers in the policy language and their combinations.

use std::fmt;
use std::time::Duration;

use super::error::{Located, PolicyError};
use super::resolve;
use super::signature::{ArgKind, Args, Function, Param};
use super::syntax::ComponentKind;
use crate::ops::{And, Not, Or};
use crate::trippers::{
    AvgLatency, Closed, Context, FailureRate, FailureStreak, HalfOpened, MinRequests, SlowRate,
    Tripper,
};

/// A tripper read from a policy: a tree of the core's trippers.
///
/// It decides exactly as the same tree built in code does, reports the
/// same cause, and gives the breaker the same slow-call thresholds to
/// count.
/// `&`, `|` and `!` combine it with other trippers into a `PolicyTripper`
/// again.
///
/// # Examples
///
/// ```
/// use fluxgate::policy::{PolicyTripper, parse_tripper};
/// use fluxgate::trippers::{FailureRate, FailureStreak, MinRequests};
///
/// let parsed = parse_tripper("failure_streak(5) | min_requests(20) & failure_rate(50%)")?;
/// let built = PolicyTripper::from(FailureStreak::new(5)?)
///     | (PolicyTripper::from(MinRequests::new(20)?) & FailureRate::new(0.5)?);
/// assert_eq!(parsed, built);
/// assert_eq!(parsed.to_string(), "failure_streak(5) | min_requests(20) & failure_rate(0.5)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyTripper {
    /// `closed()`.
    Closed(Closed),
    /// `half_open()`.
    HalfOpen(HalfOpened),
    /// `min_requests(count)`.
    MinRequests(MinRequests),
    /// `failure_rate(ratio)`.
    FailureRate(FailureRate),
    /// `avg_latency(threshold)`.
    AvgLatency(AvgLatency),
    /// `slow_rate(ratio, threshold)`.
    SlowRate(SlowRate),
    /// `failure_streak(count)`.
    FailureStreak(FailureStreak),
    /// `a & b`.
    And(And<Box<PolicyTripper>, Box<PolicyTripper>>),
    /// `a | b`.
    Or(Or<Box<PolicyTripper>, Box<PolicyTripper>>),
    /// `!a`.
    Not(Not<Box<PolicyTripper>>),
}

impl PolicyTripper {
    /// Returns the core tripper this variant wraps.
    fn as_tripper(&self) -> &dyn Tripper {
        match self {
            PolicyTripper::Closed(tripper) => tripper,
            PolicyTripper::HalfOpen(tripper) => tripper,
            PolicyTripper::MinRequests(tripper) => tripper,
            PolicyTripper::FailureRate(tripper) => tripper,
            PolicyTripper::AvgLatency(tripper) => tripper,
            PolicyTripper::SlowRate(tripper) => tripper,
            PolicyTripper::FailureStreak(tripper) => tripper,
            PolicyTripper::And(tripper) => tripper,
            PolicyTripper::Or(tripper) => tripper,
            PolicyTripper::Not(tripper) => tripper,
        }
    }
}

impl Default for PolicyTripper {
    /// Returns `min_requests(100) & failure_rate(0.5)`, the breaker's
    /// default tripper.
    fn default() -> Self {
        let (volume, rate) = crate::breaker::default_tripper_parts();
        PolicyTripper::from(volume) & rate
    }
}

impl Tripper for PolicyTripper {
    fn trips(&self, context: &Context<'_>) -> bool {
        self.as_tripper().trips(context)
    }

    fn cause(&self, context: &Context<'_>) -> String {
        self.as_tripper().cause(context)
    }

    fn visit_slow_thresholds(&self, visit: &mut dyn FnMut(Duration)) {
        self.as_tripper().visit_slow_thresholds(visit);
    }

    fn needs_durations(&self) -> bool {
        self.as_tripper().needs_durations()
    }
}

impl fmt::Display for PolicyTripper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The formatter passes on the precision through which combinators
        // decide where parentheses go.
        fmt::Display::fmt(self.as_tripper(), f)
    }
}

impl_from_components!(PolicyTripper {
    Closed(Closed),
    HalfOpen(HalfOpened),
    MinRequests(MinRequests),
    FailureRate(FailureRate),
    AvgLatency(AvgLatency),
    SlowRate(SlowRate),
    FailureStreak(FailureStreak),
});

impl_policy_operators!(PolicyTripper);

const COUNT: &[Param] = &[Param::required("count", ArgKind::Count)];

pub(crate) const TRIPPERS: &[Function<PolicyTripper>] = &[
    Function::new("closed", &[], |_| Ok(PolicyTripper::Closed(Closed))),
    Function::new("half_open", &[], |_| {
        Ok(PolicyTripper::HalfOpen(HalfOpened))
    }),
    Function::new("min_requests", COUNT, min_requests),
    Function::new(
        "failure_rate",
        &[Param::required("ratio", ArgKind::Ratio)],
        failure_rate,
    ),
    Function::new(
        "avg_latency",
        &[Param::required("threshold", ArgKind::Duration)],
        avg_latency,
    ),
    Function::new(
        "slow_rate",
        &[
            Param::required("ratio", ArgKind::Ratio),
            Param::required("threshold", ArgKind::Duration),
        ],
        slow_rate,
    ),
    Function::new("failure_streak", COUNT, failure_streak),
];

fn min_requests(args: &Args<'_, '_>) -> Result<PolicyTripper, Located> {
    let count = args.count(0)?;
    args.check(MinRequests::new(count)).map(PolicyTripper::from)
}

fn failure_rate(args: &Args<'_, '_>) -> Result<PolicyTripper, Located> {
    let ratio = args.real(0)?;
    args.check(FailureRate::new(ratio)).map(PolicyTripper::from)
}

fn avg_latency(args: &Args<'_, '_>) -> Result<PolicyTripper, Located> {
    let threshold = args.duration(0)?;
    args.check(AvgLatency::new(threshold))
        .map(PolicyTripper::from)
}

fn slow_rate(args: &Args<'_, '_>) -> Result<PolicyTripper, Located> {
    let ratio = args.real(0)?;
    let threshold = args.duration(1)?;
    args.check(SlowRate::new(ratio, threshold))
        .map(PolicyTripper::from)
}

fn failure_streak(args: &Args<'_, '_>) -> Result<PolicyTripper, Located> {
    let count = args.count(0)?;
    args.check(FailureStreak::new(count))
        .map(PolicyTripper::from)
}

/// Parses a tripper expression such as
/// `failure_streak(5) | (min_requests(20) & failure_rate(50%))`.
///
/// # Errors
///
/// Returns an error, located in `text`, when the expression is malformed,
/// names an unknown function or argument, or gives a value of the wrong
/// type or out of range.
///
/// # Examples
///
/// ```
/// use fluxgate::policy::parse_tripper;
///
/// let tripper = parse_tripper("min_requests(20) & (failure_rate(0.5) | slow_rate(30%, 1s))")?;
/// assert_eq!(
///     tripper.to_string(),
///     "min_requests(20) & (failure_rate(0.5) | slow_rate(0.3, 1s))"
/// );
/// # Ok::<(), fluxgate::policy::PolicyError>(())
/// ```
pub fn parse_tripper(text: &str) -> Result<PolicyTripper, PolicyError> {
    resolve::parse_with(text, ComponentKind::Tripper, |expr| {
        resolve::combined(expr, TRIPPERS, ComponentKind::Tripper)
    })
}

impl_from_str!(PolicyTripper, parse_tripper);
