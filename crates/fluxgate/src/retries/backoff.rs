use std::fmt;
use std::time::Duration;

use super::{Retry, apply_jitter, write_jitter};
use crate::duration::DisplayDuration;
use crate::error::{ConfigError, check_jitter, check_positive};

/// Waits longer after each reopen: `min(initial · multiplier^reopens, max)`,
/// optionally jittered.
///
/// # Default
///
/// Multiplier 2, no jitter, and a maximum of 5 minutes or `initial`,
/// whichever is longer.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::retries::{Backoff, Retry};
///
/// let retry = Backoff::new(Duration::from_secs(10))?.with_max(Duration::from_secs(60))?;
/// let waits: Vec<_> = (0..5).map(|reopens| retry.wait(reopens, 0.5).unwrap().as_secs()).collect();
/// assert_eq!(waits, [10, 20, 40, 60, 60]);
/// assert_eq!(retry.to_string(), "backoff(initial=10s, multiplier=2, max=1m)");
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    initial: Duration,
    multiplier: f64,
    max: Duration,
    jitter: f64,
}

impl Backoff {
    /// The default growth factor per reopen.
    pub const DEFAULT_MULTIPLIER: f64 = 2.0;

    /// The default cap, unless `initial` is longer.
    pub const DEFAULT_MAX: Duration = Duration::from_secs(300);

    /// Creates a backoff that first waits `initial`.
    ///
    /// # Errors
    ///
    /// Returns an error if `initial` is zero.
    pub fn new(initial: Duration) -> Result<Backoff, ConfigError> {
        let initial = check_positive("backoff", "initial", initial)?;
        Ok(Backoff {
            initial,
            multiplier: Self::DEFAULT_MULTIPLIER,
            max: initial.max(Self::DEFAULT_MAX),
            jitter: 0.0,
        })
    }

    /// Returns the backoff with each wait `multiplier` times the last.
    ///
    /// # Errors
    ///
    /// Returns an error unless `multiplier` is finite and greater than 1.
    pub fn with_multiplier(self, multiplier: f64) -> Result<Backoff, ConfigError> {
        if multiplier > 1.0 && multiplier.is_finite() {
            Ok(Backoff { multiplier, ..self })
        } else {
            Err(ConfigError::new(
                "backoff",
                "multiplier",
                multiplier,
                "greater than 1",
            ))
        }
    }

    /// Returns the backoff with waits capped at `max`.
    ///
    /// # Errors
    ///
    /// Returns an error if `max` is shorter than `initial`.
    pub fn with_max(self, max: Duration) -> Result<Backoff, ConfigError> {
        if max >= self.initial {
            Ok(Backoff { max, ..self })
        } else {
            Err(ConfigError::new(
                "backoff",
                "max",
                DisplayDuration(max),
                "at least initial",
            ))
        }
    }

    /// Returns the backoff with waits jittered by up to `jitter` of the
    /// wait either way.
    ///
    /// # Errors
    ///
    /// Returns an error unless `0 <= jitter < 1`.
    pub fn with_jitter(self, jitter: f64) -> Result<Backoff, ConfigError> {
        let jitter = check_jitter("backoff", jitter)?;
        Ok(Backoff { jitter, ..self })
    }

    /// Returns the first wait.
    pub const fn initial(&self) -> Duration {
        self.initial
    }

    /// Returns the growth factor per reopen.
    pub const fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// Returns the cap on the wait, before jitter.
    pub const fn max(&self) -> Duration {
        self.max
    }

    /// Returns the jitter ratio.
    pub const fn jitter(&self) -> f64 {
        self.jitter
    }
}

impl Retry for Backoff {
    fn wait(&self, reopens: u32, draw: f64) -> Option<Duration> {
        let growth = self.multiplier.powi(reopens.min(i32::MAX as u32) as i32);
        let base = Duration::try_from_secs_f64(self.initial.as_secs_f64() * growth)
            .map_or(self.max, |grown| grown.min(self.max));
        Some(apply_jitter(base, self.jitter, draw))
    }
}

impl fmt::Display for Backoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "backoff(initial={}, multiplier={}, max={}",
            DisplayDuration(self.initial),
            self.multiplier,
            DisplayDuration(self.max)
        )?;
        write_jitter(f, self.jitter)?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_capped() {
        let retry = Backoff::new(Duration::from_secs(1))
            .unwrap()
            .with_multiplier(3.0)
            .unwrap()
            .with_max(Duration::from_secs(20))
            .unwrap();
        let waits: Vec<u64> = (0..4)
            .map(|reopens| retry.wait(reopens, 0.5).unwrap().as_secs())
            .collect();
        assert_eq!(waits, [1, 3, 9, 20]);
        assert_eq!(retry.wait(u32::MAX, 0.5), Some(Duration::from_secs(20)));
    }

    #[test]
    fn default_max_is_five_minutes_or_initial() {
        let short = Backoff::new(Duration::from_secs(10)).unwrap();
        assert_eq!(short.max(), Duration::from_secs(300));
        let long = Backoff::new(Duration::from_secs(600)).unwrap();
        assert_eq!(long.max(), Duration::from_secs(600));
    }

    #[test]
    fn invalid_parameters_are_named() {
        let retry = Backoff::new(Duration::from_secs(10)).unwrap();
        assert_eq!(
            retry.with_multiplier(1.0).unwrap_err().to_string(),
            "invalid multiplier for backoff: 1 (allowed: greater than 1)"
        );
        assert_eq!(
            retry
                .with_max(Duration::from_secs(5))
                .unwrap_err()
                .to_string(),
            "invalid max for backoff: 5s (allowed: at least initial)"
        );
        assert_eq!(retry.with_jitter(1.0).unwrap_err().parameter(), "jitter");
        assert_eq!(
            Backoff::new(Duration::ZERO).unwrap_err().parameter(),
            "initial"
        );
    }

    #[test]
    fn jitter_applies_after_the_cap() {
        let retry = Backoff::new(Duration::from_secs(10))
            .unwrap()
            .with_max(Duration::from_secs(10))
            .unwrap()
            .with_jitter(0.5)
            .unwrap();
        assert_eq!(retry.wait(4, 0.0), Some(Duration::from_secs(5)));
    }
}
