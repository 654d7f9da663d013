use std::fmt;
use std::time::Duration;

use super::Permit;
use crate::error::{ConfigError, check_probability};

/// Admits each call with a fixed probability.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::permits::{Permit, Random};
///
/// let permit = Random::new(0.25)?;
/// assert_eq!(permit.probability(Duration::from_secs(90)), 0.25);
/// assert!(Random::new(1.5).is_err());
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Random {
    probability: f64,
}

impl Random {
    /// Creates a permit that admits calls with `probability`.
    ///
    /// # Errors
    ///
    /// Returns an error unless `0 <= probability <= 1`.
    pub fn new(probability: f64) -> Result<Random, ConfigError> {
        let probability = check_probability("random", "probability", probability)?;
        Ok(Random { probability })
    }
}

impl Permit for Random {
    fn probability(&self, _elapsed: Duration) -> f64 {
        self.probability
    }
}

impl fmt::Display for Random {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "random({})", self.probability)
    }
}
