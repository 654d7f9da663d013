//! Retries in the policy language: `always()`, `never()`, `cooldown(...)`
//! and `backoff(...)`.

use std::fmt;
use std::time::Duration;

use super::error::{Located, PolicyError};
use super::resolve;
use super::signature::{ArgKind, Args, Function, Param};
use super::syntax::ComponentKind;
use crate::retries::{Always, Backoff, Cooldown, Never, Retry};

/// A retry strategy read from a policy: one of the core's strategies.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::policy::{PolicyRetry, parse_retry};
/// use fluxgate::retries::Backoff;
///
/// let retry = parse_retry("backoff(initial=30s, max=10m, jitter=10%)")?;
/// let built = Backoff::new(Duration::from_secs(30))?
///     .with_max(Duration::from_secs(600))?
///     .with_jitter(0.1)?;
/// assert_eq!(retry, PolicyRetry::Backoff(built));
/// assert_eq!(retry.to_string(), "backoff(initial=30s, multiplier=2, max=10m, jitter=0.1)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyRetry {
    /// `always()`.
    Always(Always),
    /// `never()`.
    Never(Never),
    /// `cooldown(duration, [jitter])`.
    Cooldown(Cooldown),
    /// `backoff(initial, [multiplier], [max], [jitter])`.
    Backoff(Backoff),
}

impl PolicyRetry {
    /// Returns the core strategy this variant wraps.
    fn as_retry(&self) -> &dyn Retry {
        match self {
            PolicyRetry::Always(retry) => retry,
            PolicyRetry::Never(retry) => retry,
            PolicyRetry::Cooldown(retry) => retry,
            PolicyRetry::Backoff(retry) => retry,
        }
    }
}

impl Default for PolicyRetry {
    /// Returns `cooldown(60s)`, the breaker's default retry.
    fn default() -> Self {
        PolicyRetry::Cooldown(crate::breaker::default_retry())
    }
}

impl Retry for PolicyRetry {
    fn wait(&self, reopens: u32, draw: f64) -> Option<Duration> {
        self.as_retry().wait(reopens, draw)
    }
}

impl fmt::Display for PolicyRetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_retry(), f)
    }
}

impl_from_components!(PolicyRetry {
    Always(Always),
    Never(Never),
    Cooldown(Cooldown),
    Backoff(Backoff),
});

const JITTER: Param = Param::optional("jitter", ArgKind::Ratio);

pub(crate) const RETRIES: &[Function<PolicyRetry>] = &[
    Function::new("always", &[], |_| Ok(PolicyRetry::Always(Always))),
    Function::new("never", &[], |_| Ok(PolicyRetry::Never(Never))),
    Function::new(
        "cooldown",
        &[Param::required("duration", ArgKind::Duration), JITTER],
        cooldown,
    ),
    Function::new(
        "backoff",
        &[
            Param::required("initial", ArgKind::Duration),
            Param::optional("multiplier", ArgKind::Factor),
            Param::optional("max", ArgKind::Duration),
            JITTER,
        ],
        backoff,
    ),
];

fn cooldown(args: &Args<'_, '_>) -> Result<PolicyRetry, Located> {
    let mut retry = args.check(Cooldown::new(args.duration(0)?))?;
    if let Some(jitter) = args.optional_real(1)? {
        retry = args.check(retry.with_jitter(jitter))?;
    }
    Ok(PolicyRetry::Cooldown(retry))
}

/// Builds a backoff, leaving every parameter not written at the core's
/// default.
fn backoff(args: &Args<'_, '_>) -> Result<PolicyRetry, Located> {
    let mut retry = args.check(Backoff::new(args.duration(0)?))?;
    if let Some(multiplier) = args.optional_real(1)? {
        retry = args.check(retry.with_multiplier(multiplier))?;
    }
    if let Some(max) = args.optional_duration(2)? {
        retry = args.check(retry.with_max(max))?;
    }
    if let Some(jitter) = args.optional_real(3)? {
        retry = args.check(retry.with_jitter(jitter))?;
    }
    Ok(PolicyRetry::Backoff(retry))
}

/// Parses a retry expression such as `cooldown(30s, jitter=0.1)` or
/// `backoff(initial=10s, max=10m)`.
///
/// # Errors
///
/// Returns an error, located in `text`, when the expression is malformed,
/// combines retries with `&`, `|` or `!`, or gives a value of the wrong
/// type or out of range.
///
/// # Examples
///
/// ```
/// use fluxgate::policy::parse_retry;
/// use fluxgate::retries::Retry;
///
/// let retry = parse_retry("backoff(10s)")?;
/// assert_eq!(retry.wait(2, 0.5).map(|wait| wait.as_secs()), Some(40));
/// # Ok::<(), fluxgate::policy::PolicyError>(())
/// ```
pub fn parse_retry(text: &str) -> Result<PolicyRetry, PolicyError> {
    resolve::parse_with(text, ComponentKind::Retry, |expr| {
        resolve::single(expr, RETRIES, ComponentKind::Retry)
    })
}

impl_from_str!(PolicyRetry, parse_retry);
