//! The errors of guarded calls and of configuration.

use std::fmt;
use std::time::Duration;

use crate::State;
use crate::duration::DisplayDuration;

/// The error of a call made through a breaker.
///
/// Either the breaker rejected the call, so the protected function never
/// ran, or the function ran and returned its own error, which comes back
/// untouched.
///
/// # Examples
///
/// ```
/// use fluxgate::{CircuitBreaker, Error, State};
///
/// let breaker = CircuitBreaker::builder().build()?;
/// breaker.force_open();
///
/// match breaker.call(|| Ok::<_, std::io::Error>("value")) {
///     Err(Error::Rejected(rejected)) => assert_eq!(rejected.state(), State::ForcedOpen),
///     other => panic!("expected a rejection, got {other:?}"),
/// }
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error<E> {
    /// The breaker rejected the call; the protected function did not run.
    Rejected(Rejected),
    /// The protected function ran and returned this error.
    Inner(E),
}

impl<E> Error<E> {
    /// Returns `true` when the breaker rejected the call.
    pub const fn is_rejected(&self) -> bool {
        matches!(self, Error::Rejected(_))
    }

    /// Returns the rejection, if the breaker rejected the call.
    pub const fn rejected(&self) -> Option<&Rejected> {
        match self {
            Error::Rejected(rejected) => Some(rejected),
            Error::Inner(_) => None,
        }
    }

    /// Returns a reference to the call's own error, if the call ran.
    pub const fn inner(&self) -> Option<&E> {
        match self {
            Error::Rejected(_) => None,
            Error::Inner(error) => Some(error),
        }
    }

    /// Returns the call's own error, if the call ran.
    pub fn into_inner(self) -> Option<E> {
        match self {
            Error::Rejected(_) => None,
            Error::Inner(error) => Some(error),
        }
    }

    /// Converts the call's own error with `f`, keeping a rejection as it is.
    pub fn map_inner<F, T>(self, f: F) -> Error<T>
    where
        F: FnOnce(E) -> T,
    {
        match self {
            Error::Rejected(rejected) => Error::Rejected(rejected),
            Error::Inner(error) => Error::Inner(f(error)),
        }
    }
}

impl<E> From<Rejected> for Error<E> {
    fn from(rejected: Rejected) -> Self {
        Error::Rejected(rejected)
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Rejected(rejected) => rejected.fmt(f),
            Error::Inner(error) => error.fmt(f),
        }
    }
}

impl<E> std::error::Error for Error<E>
where
    E: std::error::Error + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Rejected(_) => None,
            Error::Inner(error) => Some(error),
        }
    }
}

/// A call the breaker did not let through.
///
/// It carries the state that rejected the call and, when the breaker knows
/// it, how long until a call may pass: an open circuit whose retry strategy
/// has a finite wait knows; a half-open circuit out of probe slots, a forced
/// open one, or one that never retries does not.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::{CircuitBreaker, ManualClock, State};
/// use fluxgate::retries::Cooldown;
/// use fluxgate::trippers::FailureStreak;
///
/// let clock = ManualClock::new();
/// let breaker = CircuitBreaker::builder()
///     .tripper(FailureStreak::new(1)?)
///     .retry(Cooldown::new(Duration::from_secs(30))?)
///     .clock(clock.clone())
///     .build()?;
/// let _ = breaker.call(|| Err::<(), _>("down"));
///
/// clock.advance(Duration::from_secs(10));
/// let rejected = breaker.call(|| Ok::<_, &str>(())).unwrap_err();
/// let rejected = rejected.rejected().unwrap();
/// assert_eq!(rejected.state(), State::Open);
/// assert_eq!(rejected.retry_after(), Some(Duration::from_secs(20)));
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    // The wait in nanoseconds, or `UNKNOWN_WAIT`. One word rather than an
    // `Option<Duration>` makes a rejection 16 bytes instead of 24, and so
    // every `Result` that carries one is smaller to move.
    retry_after_nanos: u64,
    state: State,
}

/// The `retry_after_nanos` of a rejection whose wait is unknown. The
/// breaker's clock readings are nanoseconds in a `u64` and its "never"
/// deadline is `u64::MAX`, so no known wait reaches this value.
const UNKNOWN_WAIT: u64 = u64::MAX;

impl Rejected {
    /// Creates a rejection with no known wait.
    pub(crate) const fn new(state: State) -> Self {
        Rejected {
            retry_after_nanos: UNKNOWN_WAIT,
            state,
        }
    }

    /// Creates a rejection after which a call may pass in `nanos`
    /// nanoseconds.
    pub(crate) const fn after_nanos(state: State, nanos: u64) -> Self {
        Rejected {
            retry_after_nanos: nanos,
            state,
        }
    }

    /// Returns the state that rejected the call.
    ///
    /// A half-open circuit rejects a call when its permit does not admit it
    /// or when every probe slot is taken; the rejection does not say which.
    pub const fn state(&self) -> State {
        self.state
    }

    /// Returns how long after the rejection a call may pass, when known.
    ///
    /// This is the value for an HTTP `Retry-After` header. It is an earliest
    /// time, not a promise: the call that comes then may still be rejected
    /// by the half-open permit or probe limit.
    pub const fn retry_after(&self) -> Option<Duration> {
        if self.retry_after_nanos == UNKNOWN_WAIT {
            None
        } else {
            Some(Duration::from_nanos(self.retry_after_nanos))
        }
    }
}

impl fmt::Debug for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("state", &self.state)
            .field("retry_after", &self.retry_after())
            .finish()
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::HalfOpen => "half-open and did not admit this call as a probe",
            State::ForcedOpen => "forced open",
            _ => "open",
        };
        write!(f, "call not permitted: the circuit breaker is {state}")?;
        if let Some(wait) = self.retry_after() {
            // Whole milliseconds, rounded up, so the message never invites a
            // retry before the wait is over.
            let millis = u64::try_from(wait.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX);
            write!(
                f,
                "; retry in {}",
                DisplayDuration(Duration::from_millis(millis))
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejected {}

/// An invalid configuration value, rejected when it is constructed.
///
/// The message names the component, the parameter, the rejected value and
/// the allowed range. Nothing is ever clamped into range.
///
/// # Examples
///
/// ```
/// use fluxgate::trippers::FailureRate;
///
/// let error = FailureRate::new(1.5).unwrap_err();
/// assert_eq!(error.component(), "failure_rate");
/// assert_eq!(error.parameter(), "ratio");
/// assert_eq!(error.value(), "1.5");
/// assert_eq!(
///     error.to_string(),
///     "invalid ratio for failure_rate: 1.5 (allowed: greater than 0 and at most 1)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    component: &'static str,
    parameter: &'static str,
    value: String,
    allowed: &'static str,
}

impl ConfigError {
    pub(crate) fn new(
        component: &'static str,
        parameter: &'static str,
        value: impl fmt::Display,
        allowed: &'static str,
    ) -> Self {
        ConfigError {
            component,
            parameter,
            value: value.to_string(),
            allowed,
        }
    }

    /// Returns the component whose value was rejected, as named in policies
    /// (`failure_rate`, `count`, `breaker`).
    pub const fn component(&self) -> &'static str {
        self.component
    }

    /// Returns the parameter whose value was rejected (`ratio`, `size`).
    pub const fn parameter(&self) -> &'static str {
        self.parameter
    }

    /// Returns the rejected value as written in the message.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Returns the allowed range, in words.
    pub const fn allowed(&self) -> &'static str {
        self.allowed
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} for {}: {} (allowed: {})",
            self.parameter, self.component, self.value, self.allowed
        )
    }
}

impl std::error::Error for ConfigError {}

/// Checks that a ratio lies in `0 < ratio <= 1`.
pub(crate) fn check_rate(
    component: &'static str,
    parameter: &'static str,
    ratio: f64,
) -> Result<f64, ConfigError> {
    if ratio > 0.0 && ratio <= 1.0 {
        Ok(ratio)
    } else {
        Err(ConfigError::new(
            component,
            parameter,
            ratio,
            "greater than 0 and at most 1",
        ))
    }
}

/// Checks that a probability lies in `0 <= probability <= 1`.
pub(crate) fn check_probability(
    component: &'static str,
    parameter: &'static str,
    probability: f64,
) -> Result<f64, ConfigError> {
    if (0.0..=1.0).contains(&probability) {
        Ok(probability)
    } else {
        Err(ConfigError::new(
            component,
            parameter,
            probability,
            "from 0 to 1",
        ))
    }
}

/// Checks that a jitter ratio lies in `0 <= jitter < 1`.
pub(crate) fn check_jitter(component: &'static str, jitter: f64) -> Result<f64, ConfigError> {
    if (0.0..1.0).contains(&jitter) {
        Ok(jitter)
    } else {
        Err(ConfigError::new(
            component,
            "jitter",
            jitter,
            "at least 0 and less than 1",
        ))
    }
}

/// Checks that a duration is longer than zero.
pub(crate) fn check_positive(
    component: &'static str,
    parameter: &'static str,
    duration: Duration,
) -> Result<Duration, ConfigError> {
    if duration.is_zero() {
        Err(ConfigError::new(
            component,
            parameter,
            DisplayDuration(duration),
            "longer than 0",
        ))
    } else {
        Ok(duration)
    }
}

/// Checks that a count is at least 1.
pub(crate) fn check_count(
    component: &'static str,
    parameter: &'static str,
    count: u32,
) -> Result<u32, ConfigError> {
    if count == 0 {
        Err(ConfigError::new(component, parameter, count, "at least 1"))
    } else {
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_debug_shows_wait() {
        let open = Rejected::after_nanos(State::Open, 1_500_000_000);
        assert_eq!(
            format!("{open:?}"),
            "Rejected { state: Open, retry_after: Some(1.5s) }"
        );
        let forced = Rejected::new(State::ForcedOpen);
        assert_eq!(
            format!("{forced:?}"),
            "Rejected { state: ForcedOpen, retry_after: None }"
        );
    }

    #[test]
    fn rejection_result_fits_two_words() {
        assert_eq!(size_of::<Rejected>(), 16);
        assert_eq!(
            size_of::<Result<u64, Error<std::convert::Infallible>>>(),
            16
        );
    }
}
