use std::fmt;
use std::time::Duration;

use super::Permit;
use crate::duration::DisplayDuration;
use crate::error::{ConfigError, check_positive, check_rate};

/// Admits calls with a probability that rises linearly from `initial` to
/// `final` over `duration` after the circuit goes half-open, then stays at
/// `final`.
///
/// A recovering dependency first sees a trickle of probes, then more as
/// they succeed.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::permits::{Permit, RampUp};
///
/// let permit = RampUp::new(0.1, 1.0, Duration::from_secs(60))?;
/// assert_eq!(permit.probability(Duration::ZERO), 0.1);
/// assert_eq!(permit.probability(Duration::from_secs(30)), 0.55);
/// assert_eq!(permit.probability(Duration::from_secs(600)), 1.0);
/// assert_eq!(permit.to_string(), "ramp_up(0.1, 1, 1m)");
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RampUp {
    initial: f64,
    last: f64,
    duration: Duration,
}

impl RampUp {
    /// Creates a permit ramping from `initial` to `last` over `duration`.
    ///
    /// # Errors
    ///
    /// Returns an error unless `0 < initial <= last <= 1` and `duration` is
    /// longer than zero.
    pub fn new(initial: f64, last: f64, duration: Duration) -> Result<RampUp, ConfigError> {
        let initial = check_rate("ramp_up", "initial", initial)?;
        let last = check_rate("ramp_up", "final", last)?;
        if last < initial {
            return Err(ConfigError::new(
                "ramp_up",
                "final",
                last,
                "at least initial and at most 1",
            ));
        }
        let duration = check_positive("ramp_up", "duration", duration)?;
        Ok(RampUp {
            initial,
            last,
            duration,
        })
    }

    /// Returns the probability at the start of the half-open period.
    pub const fn initial(&self) -> f64 {
        self.initial
    }

    /// Returns the probability once the ramp is over.
    pub const fn last(&self) -> f64 {
        self.last
    }

    /// Returns the length of the ramp.
    pub const fn duration(&self) -> Duration {
        self.duration
    }
}

impl Permit for RampUp {
    fn probability(&self, elapsed: Duration) -> f64 {
        if elapsed >= self.duration {
            return self.last;
        }
        let progress = elapsed.as_secs_f64() / self.duration.as_secs_f64();
        self.initial + (self.last - self.initial) * progress
    }
}

impl fmt::Display for RampUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ramp_up({}, {}, {})",
            self.initial,
            self.last,
            DisplayDuration(self.duration)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked() {
        let minute = Duration::from_secs(60);
        assert_eq!(
            RampUp::new(0.0, 1.0, minute).unwrap_err().to_string(),
            "invalid initial for ramp_up: 0 (allowed: greater than 0 and at most 1)"
        );
        assert_eq!(
            RampUp::new(0.6, 0.5, minute).unwrap_err().to_string(),
            "invalid final for ramp_up: 0.5 (allowed: at least initial and at most 1)"
        );
        assert_eq!(
            RampUp::new(0.1, 1.0, Duration::ZERO)
                .unwrap_err()
                .parameter(),
            "duration"
        );
        assert!(RampUp::new(0.5, 0.5, minute).is_ok());
    }

    #[test]
    fn probability_is_final_at_and_after_duration() {
        let permit = RampUp::new(0.2, 0.8, Duration::from_secs(10)).unwrap();
        assert_eq!(permit.probability(Duration::from_secs(10)), 0.8);
        let before = permit.probability(Duration::from_millis(9_999));
        assert!(before < 0.8 && before > 0.79);
    }
}
