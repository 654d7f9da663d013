use std::fmt;

use super::{Context, Tripper};
use crate::error::{ConfigError, check_count};

/// True when the window holds at least `count` outcomes.
///
/// On its own it opens on volume; combined with `&` it keeps a rate rule
/// from judging too few calls.
///
/// # Examples
///
/// ```
/// use fluxgate::trippers::MinRequests;
///
/// let tripper = MinRequests::new(20)?;
/// assert_eq!(tripper.count(), 20);
/// assert!(MinRequests::new(0).is_err());
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MinRequests {
    count: u32,
}

impl MinRequests {
    /// Creates a tripper that needs `count` outcomes in the window.
    ///
    /// # Errors
    ///
    /// Returns an error if `count` is 0.
    pub fn new(count: u32) -> Result<MinRequests, ConfigError> {
        let count = check_count("min_requests", "count", count)?;
        Ok(MinRequests { count })
    }

    /// Returns the number of outcomes needed.
    pub const fn count(&self) -> u32 {
        self.count
    }
}

impl Tripper for MinRequests {
    fn trips(&self, context: &Context<'_>) -> bool {
        context.metric().total_count() >= u64::from(self.count)
    }
}

impl fmt::Display for MinRequests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "min_requests({})", self.count)
    }
}

crate::impl_operators!(MinRequests);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Metric, State};

    #[test]
    fn one_short_then_exactly_enough() {
        let tripper = MinRequests::new(20).unwrap();
        let short = Metric::new(19, 19);
        let enough = Metric::new(20, 0);
        assert!(!tripper.trips(&Context::new(&short, State::Closed, 0)));
        assert!(tripper.trips(&Context::new(&enough, State::Closed, 0)));
    }

    #[test]
    fn zero_is_rejected_with_range() {
        assert_eq!(
            MinRequests::new(0).unwrap_err().to_string(),
            "invalid count for min_requests: 0 (allowed: at least 1)"
        );
    }
}
