use std::fmt;

use super::{Context, Tripper};
use crate::error::{ConfigError, check_count};

/// True when the last `count` recorded outcomes all failed.
///
/// The streak resets on every success and whenever the circuit closes or
/// goes half-open. It reacts at once to a dependency that is plainly down,
/// before a rate rule has enough calls to judge.
///
/// # Examples
///
/// ```
/// use fluxgate::trippers::FailureStreak;
///
/// let tripper = FailureStreak::new(5)?;
/// assert_eq!(tripper.to_string(), "failure_streak(5)");
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FailureStreak {
    count: u32,
}

impl FailureStreak {
    /// Creates a tripper for `count` consecutive failures.
    ///
    /// # Errors
    ///
    /// Returns an error if `count` is 0.
    pub fn new(count: u32) -> Result<FailureStreak, ConfigError> {
        let count = check_count("failure_streak", "count", count)?;
        Ok(FailureStreak { count })
    }

    /// Returns the number of consecutive failures needed.
    pub const fn count(&self) -> u32 {
        self.count
    }
}

impl Tripper for FailureStreak {
    fn trips(&self, context: &Context<'_>) -> bool {
        context.consecutive_failures() >= u64::from(self.count)
    }
}

impl fmt::Display for FailureStreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failure_streak({})", self.count)
    }
}

crate::impl_operators!(FailureStreak);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Metric, State};

    #[test]
    fn trips_at_count() {
        let tripper = FailureStreak::new(3).unwrap();
        let metric = Metric::default();
        assert!(!tripper.trips(&Context::new(&metric, State::Closed, 2)));
        assert!(tripper.trips(&Context::new(&metric, State::Closed, 3)));
    }
}
