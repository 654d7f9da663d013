use std::fmt;

use super::{Context, Tripper, rate_reaches};
use crate::error::{ConfigError, check_rate};

/// True when at least `ratio` of the outcomes in the window failed.
///
/// # Examples
///
/// ```
/// use fluxgate::trippers::FailureRate;
///
/// let tripper = FailureRate::new(0.5)?;
/// assert_eq!(tripper.ratio(), 0.5);
/// assert!(FailureRate::new(0.0).is_err());
/// assert!(FailureRate::new(1.01).is_err());
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailureRate {
    ratio: f64,
}

impl FailureRate {
    /// Creates a tripper for a failure rate of `ratio` or more.
    ///
    /// # Errors
    ///
    /// Returns an error unless `0 < ratio <= 1`.
    pub fn new(ratio: f64) -> Result<FailureRate, ConfigError> {
        let ratio = check_rate("failure_rate", "ratio", ratio)?;
        Ok(FailureRate { ratio })
    }

    /// Returns the failure rate at which the tripper becomes true.
    pub const fn ratio(&self) -> f64 {
        self.ratio
    }
}

impl Tripper for FailureRate {
    fn trips(&self, context: &Context<'_>) -> bool {
        let metric = context.metric();
        rate_reaches(metric.failure_count(), metric.total_count(), self.ratio)
    }
}

impl fmt::Display for FailureRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failure_rate({})", self.ratio)
    }
}

crate::impl_operators!(FailureRate);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Metric, State};

    fn trips(ratio: f64, total: u64, failures: u64) -> bool {
        let metric = Metric::new(total, failures);
        FailureRate::new(ratio)
            .unwrap()
            .trips(&Context::new(&metric, State::Closed, 0))
    }

    #[test]
    fn exactly_at_threshold_trips() {
        assert!(trips(0.5, 10, 5));
        assert!(trips(0.3, 10, 3));
        assert!(!trips(0.5, 10, 4));
        assert!(trips(1.0, 3, 3));
        assert!(!trips(1.0, 3, 2));
    }

    #[test]
    fn empty_window_never_trips() {
        assert!(!trips(0.01, 0, 0));
    }

    #[test]
    fn out_of_range_and_nan_are_rejected() {
        for ratio in [0.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            assert!(FailureRate::new(ratio).is_err(), "{ratio}");
        }
        assert_eq!(
            FailureRate::new(0.0).unwrap_err().to_string(),
            "invalid ratio for failure_rate: 0 (allowed: greater than 0 and at most 1)"
        );
    }
}
