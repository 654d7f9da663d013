use std::fmt;
use std::time::Duration;

use super::{Context, Tripper};
use crate::duration::DisplayDuration;
use crate::error::{ConfigError, check_positive};

/// True when the mean duration of the outcomes in the window is at least
/// `threshold`.
///
/// The mean includes failures, with the time they took: a call that timed
/// out after 5 s counts as a 5 s call. A breaker with this tripper times
/// every call.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::trippers::AvgLatency;
///
/// let tripper = AvgLatency::new(Duration::from_millis(800))?;
/// assert_eq!(tripper.to_string(), "avg_latency(800ms)");
/// assert!(AvgLatency::new(Duration::ZERO).is_err());
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AvgLatency {
    threshold: Duration,
}

impl AvgLatency {
    /// Creates a tripper for a mean duration of `threshold` or more.
    ///
    /// # Errors
    ///
    /// Returns an error if `threshold` is zero.
    pub fn new(threshold: Duration) -> Result<AvgLatency, ConfigError> {
        let threshold = check_positive("avg_latency", "threshold", threshold)?;
        Ok(AvgLatency { threshold })
    }

    /// Returns the mean duration at which the tripper becomes true.
    pub const fn threshold(&self) -> Duration {
        self.threshold
    }
}

impl Tripper for AvgLatency {
    fn trips(&self, context: &Context<'_>) -> bool {
        context
            .metric()
            .avg_duration()
            .is_some_and(|average| average >= self.threshold)
    }

    fn needs_durations(&self) -> bool {
        true
    }
}

impl fmt::Display for AvgLatency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "avg_latency({})", DisplayDuration(self.threshold))
    }
}

crate::impl_operators!(AvgLatency);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Metric, State};

    fn trips(metric: Metric) -> bool {
        let tripper = AvgLatency::new(Duration::from_millis(500)).unwrap();
        tripper.trips(&Context::new(&metric, State::Closed, 0))
    }

    #[test]
    fn mean_at_threshold_trips() {
        assert!(trips(
            Metric::new(4, 0).with_durations(4, Duration::from_secs(2))
        ));
        assert!(!trips(
            Metric::new(4, 0).with_durations(4, Duration::from_millis(1999))
        ));
    }

    #[test]
    fn untimed_or_empty_window_never_trips() {
        assert!(!trips(Metric::new(4, 4)));
        assert!(!trips(Metric::default()));
    }
}
