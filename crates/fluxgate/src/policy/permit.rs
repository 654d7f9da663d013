//! Permits in the policy language: `all()`, `random(p)` and
//! `ramp_up(initial, final, duration)`.

use std::fmt;
use std::time::Duration;

use super::error::{Located, PolicyError};
use super::resolve;
use super::signature::{ArgKind, Args, Function, Param};
use super::syntax::ComponentKind;
use crate::permits::{All, Permit, RampUp, Random};

/// A half-open permit read from a policy: one of the core's permits.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::permits::{Permit, RampUp};
/// use fluxgate::policy::{PolicyPermit, parse_permit};
///
/// let permit = parse_permit("ramp_up(10%, 1, 1m)")?;
/// assert_eq!(permit, PolicyPermit::RampUp(RampUp::new(0.1, 1.0, Duration::from_secs(60))?));
/// assert_eq!(permit.probability(Duration::from_secs(30)), 0.55);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyPermit {
    /// `all()`.
    All(All),
    /// `random(probability)`.
    Random(Random),
    /// `ramp_up(initial, final, duration)`.
    RampUp(RampUp),
}

impl PolicyPermit {
    /// Returns the core permit this variant wraps.
    fn as_permit(&self) -> &dyn Permit {
        match self {
            PolicyPermit::All(permit) => permit,
            PolicyPermit::Random(permit) => permit,
            PolicyPermit::RampUp(permit) => permit,
        }
    }
}

impl Default for PolicyPermit {
    /// Returns `ramp_up(0.1, 1, 1m)`, the breaker's default permit.
    fn default() -> Self {
        PolicyPermit::RampUp(crate::breaker::default_permit())
    }
}

impl Permit for PolicyPermit {
    fn probability(&self, elapsed: Duration) -> f64 {
        self.as_permit().probability(elapsed)
    }
}

impl fmt::Display for PolicyPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_permit(), f)
    }
}

impl_from_components!(PolicyPermit {
    All(All),
    Random(Random),
    RampUp(RampUp),
});

pub(crate) const PERMITS: &[Function<PolicyPermit>] = &[
    Function::new("all", &[], |_| Ok(PolicyPermit::All(All))),
    Function::new(
        "random",
        &[Param::required("probability", ArgKind::Ratio)],
        random,
    ),
    Function::new(
        "ramp_up",
        &[
            Param::required("initial", ArgKind::Ratio),
            Param::required("final", ArgKind::Ratio),
            Param::required("duration", ArgKind::Duration),
        ],
        ramp_up,
    ),
];

fn random(args: &Args<'_, '_>) -> Result<PolicyPermit, Located> {
    let probability = args.real(0)?;
    args.check(Random::new(probability))
        .map(PolicyPermit::Random)
}

fn ramp_up(args: &Args<'_, '_>) -> Result<PolicyPermit, Located> {
    let initial = args.real(0)?;
    let last = args.real(1)?;
    let duration = args.duration(2)?;
    args.check(RampUp::new(initial, last, duration))
        .map(PolicyPermit::RampUp)
}

/// Parses a permit expression such as `ramp_up(0.1, 1, 60s)`.
///
/// # Errors
///
/// Returns an error, located in `text`, when the expression is malformed,
/// combines permits with `&`, `|` or `!`, or gives a value of the wrong
/// type or out of range.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::permits::Permit;
/// use fluxgate::policy::parse_permit;
///
/// let permit = parse_permit("random(probability=25%)")?;
/// assert_eq!(permit.probability(Duration::ZERO), 0.25);
/// # Ok::<(), fluxgate::policy::PolicyError>(())
/// ```
pub fn parse_permit(text: &str) -> Result<PolicyPermit, PolicyError> {
    resolve::parse_with(text, ComponentKind::Permit, |expr| {
        resolve::single(expr, PERMITS, ComponentKind::Permit)
    })
}

impl_from_str!(PolicyPermit, parse_permit);
