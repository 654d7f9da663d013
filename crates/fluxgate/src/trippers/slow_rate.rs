use std::fmt;
use std::time::Duration;

use super::{Context, Tripper, rate_reaches};
use crate::duration::DisplayDuration;
use crate::error::{ConfigError, check_positive, check_rate};

/// True when at least `ratio` of the outcomes in the window took
/// `threshold` or longer.
///
/// A call is slow whether it succeeded or failed. The breaker collects the
/// thresholds of every `SlowRate` in its tripper when it is built, times
/// every call, and keeps one slow count per distinct threshold, up to
/// [`MAX_SLOW_THRESHOLDS`](crate::MAX_SLOW_THRESHOLDS).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::trippers::SlowRate;
///
/// let tripper = SlowRate::new(0.3, Duration::from_secs(1))?;
/// assert_eq!(tripper.to_string(), "slow_rate(0.3, 1s)");
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlowRate {
    ratio: f64,
    threshold: Duration,
}

impl SlowRate {
    /// Creates a tripper for a share of `ratio` or more of calls that took
    /// `threshold` or longer.
    ///
    /// # Errors
    ///
    /// Returns an error unless `0 < ratio <= 1` and `threshold` is longer
    /// than zero.
    pub fn new(ratio: f64, threshold: Duration) -> Result<SlowRate, ConfigError> {
        let ratio = check_rate("slow_rate", "ratio", ratio)?;
        let threshold = check_positive("slow_rate", "threshold", threshold)?;
        Ok(SlowRate { ratio, threshold })
    }

    /// Returns the share of slow calls at which the tripper becomes true.
    pub const fn ratio(&self) -> f64 {
        self.ratio
    }

    /// Returns the duration from which a call is slow.
    pub const fn threshold(&self) -> Duration {
        self.threshold
    }
}

impl Tripper for SlowRate {
    fn trips(&self, context: &Context<'_>) -> bool {
        let metric = context.metric();
        let slow = metric.slow_count(self.threshold).unwrap_or(0);
        rate_reaches(slow, metric.total_count(), self.ratio)
    }

    fn visit_slow_thresholds(&self, visit: &mut dyn FnMut(Duration)) {
        visit(self.threshold);
    }
}

impl fmt::Display for SlowRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "slow_rate({}, {})",
            self.ratio,
            DisplayDuration(self.threshold)
        )
    }
}

crate::impl_operators!(SlowRate);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Metric, State};

    #[test]
    fn share_at_ratio_trips() {
        let tripper = SlowRate::new(0.3, Duration::from_secs(1)).unwrap();
        let trips = |slow| {
            let metric = Metric::new(10, 0).with_slow_count(Duration::from_secs(1), slow);
            tripper.trips(&Context::new(&metric, State::Closed, 0))
        };
        assert!(trips(3));
        assert!(!trips(2));
    }

    #[test]
    fn untracked_threshold_never_trips() {
        let tripper = SlowRate::new(0.1, Duration::from_secs(2)).unwrap();
        let metric = Metric::new(10, 0).with_slow_count(Duration::from_secs(1), 10);
        assert!(!tripper.trips(&Context::new(&metric, State::Closed, 0)));
    }

    #[test]
    fn each_parameter_is_checked() {
        assert_eq!(
            SlowRate::new(0.5, Duration::ZERO).unwrap_err().to_string(),
            "invalid threshold for slow_rate: 0s (allowed: longer than 0)"
        );
        assert_eq!(
            SlowRate::new(2.0, Duration::from_secs(1))
                .unwrap_err()
                .parameter(),
            "ratio"
        );
    }
}
