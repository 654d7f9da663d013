use std::fmt;
use std::time::Duration;

use super::{Retry, apply_jitter, write_jitter};
use crate::duration::DisplayDuration;
use crate::error::{ConfigError, check_jitter, check_positive};

/// Waits a fixed time, optionally jittered, before a probe.
///
/// # Default
///
/// No jitter. The breaker's default retry is `Cooldown` of 60 seconds.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::retries::{Cooldown, Retry};
///
/// let retry = Cooldown::new(Duration::from_secs(30))?.with_jitter(0.1)?;
/// assert_eq!(retry.to_string(), "cooldown(30s, jitter=0.1)");
/// // The lowest draw waits 10% less, the middle one exactly 30 seconds.
/// assert_eq!(retry.wait(0, 0.0), Some(Duration::from_secs(27)));
/// assert_eq!(retry.wait(5, 0.5), Some(Duration::from_secs(30)));
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cooldown {
    duration: Duration,
    jitter: f64,
}

impl Cooldown {
    /// Creates a retry that waits `duration`.
    ///
    /// # Errors
    ///
    /// Returns an error if `duration` is zero.
    pub fn new(duration: Duration) -> Result<Cooldown, ConfigError> {
        let duration = check_positive("cooldown", "duration", duration)?;
        Ok(Cooldown {
            duration,
            jitter: 0.0,
        })
    }

    /// Returns the retry with waits jittered by up to `jitter` of the
    /// duration either way.
    ///
    /// # Errors
    ///
    /// Returns an error unless `0 <= jitter < 1`.
    pub fn with_jitter(self, jitter: f64) -> Result<Cooldown, ConfigError> {
        let jitter = check_jitter("cooldown", jitter)?;
        Ok(Cooldown { jitter, ..self })
    }

    /// Returns the wait before jitter.
    pub const fn duration(&self) -> Duration {
        self.duration
    }

    /// Returns the jitter ratio.
    pub const fn jitter(&self) -> f64 {
        self.jitter
    }
}

impl Retry for Cooldown {
    fn wait(&self, _reopens: u32, draw: f64) -> Option<Duration> {
        Some(apply_jitter(self.duration, self.jitter, draw))
    }
}

impl fmt::Display for Cooldown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cooldown({}", DisplayDuration(self.duration))?;
        write_jitter(f, self.jitter)?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_duration_and_bad_jitter_are_rejected() {
        assert_eq!(
            Cooldown::new(Duration::ZERO).unwrap_err().to_string(),
            "invalid duration for cooldown: 0s (allowed: longer than 0)"
        );
        let cooldown = Cooldown::new(Duration::from_secs(1)).unwrap();
        assert_eq!(
            cooldown.with_jitter(1.0).unwrap_err().to_string(),
            "invalid jitter for cooldown: 1 (allowed: at least 0 and less than 1)"
        );
        assert!(cooldown.with_jitter(-0.1).is_err());
        assert!(cooldown.with_jitter(0.0).is_ok());
    }

    #[test]
    fn jittered_waits_stay_in_bounds() {
        let retry = Cooldown::new(Duration::from_secs(60))
            .unwrap()
            .with_jitter(0.25)
            .unwrap();
        for step in 0..100 {
            let wait = retry.wait(0, f64::from(step) / 100.0).unwrap();
            assert!(wait >= Duration::from_secs(45), "{wait:?}");
            assert!(wait < Duration::from_secs(75), "{wait:?}");
        }
    }
}
