//! Retries: how long an open circuit waits before it lets a probe through.
//!
//! | retry | waits | policy |
//! |---|---|---|
//! | [`Always`] | not at all | `always()` |
//! | [`Never`] | forever; only `reset()` closes the circuit | `never()` |
//! | [`Cooldown`] | `d · (1 + u)` | `cooldown(30s, jitter=0.1)` |
//! | [`Backoff`] | `min(initial · multiplier^reopens, max) · (1 + u)` | `backoff(initial=10s, max=10m)` |
//!
//! `reopens` counts how often a half-open circuit failed its probes and
//! opened again since it last closed. `u` is the jitter: drawn uniformly
//! from `[-jitter, +jitter]` once, when the circuit opens, and kept for the
//! whole open period. Drawing afresh at every call would let the earliest
//! of many draws win, shortening the wait; drawing once spreads many
//! instances of a service evenly around `d`.
//!
//! The move to `HalfOpen` is made by the first call after the wait. The
//! default is `cooldown(60s)`.

mod always;
mod backoff;
mod cooldown;
mod never;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use always::Always;
pub use backoff::Backoff;
pub use cooldown::Cooldown;
pub use never::Never;

/// Decides how long an open circuit waits before a probe may pass.
///
/// The `Display` text shows in the breaker's description; write it as a
/// policy expression.
pub trait Retry: fmt::Display + Send + Sync {
    /// Returns the wait for an open period that follows `reopens` reopens,
    /// or `None` when the circuit should stay open until reset.
    ///
    /// `draw` is uniform in `[0, 1)`, drawn once for the open period; a
    /// strategy with jitter `j` scales its wait by `1 + j · (2 · draw - 1)`.
    fn wait(&self, reopens: u32, draw: f64) -> Option<Duration>;
}

impl<T: Retry + ?Sized> Retry for Box<T> {
    fn wait(&self, reopens: u32, draw: f64) -> Option<Duration> {
        (**self).wait(reopens, draw)
    }
}

impl<T: Retry + ?Sized> Retry for Arc<T> {
    fn wait(&self, reopens: u32, draw: f64) -> Option<Duration> {
        (**self).wait(reopens, draw)
    }
}

/// Scales `base` by `1 + u`, with `u = jitter · (2 · draw - 1)`.
fn apply_jitter(base: Duration, jitter: f64, draw: f64) -> Duration {
    if jitter == 0.0 {
        return base;
    }
    let factor = 1.0 + jitter * (2.0 * draw - 1.0);
    Duration::try_from_secs_f64(base.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

/// Writes `, jitter=j` unless the jitter is zero.
fn write_jitter(f: &mut fmt::Formatter<'_>, jitter: f64) -> fmt::Result {
    if jitter == 0.0 {
        Ok(())
    } else {
        write!(f, ", jitter={jitter}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_spans_both_sides() {
        let base = Duration::from_secs(100);
        assert_eq!(apply_jitter(base, 0.1, 0.0), Duration::from_secs(90));
        assert_eq!(apply_jitter(base, 0.1, 0.5), Duration::from_secs(100));
        let high = apply_jitter(base, 0.1, 0.999_999);
        assert!(high < Duration::from_secs(110) && high > Duration::from_secs(109));
        assert_eq!(apply_jitter(base, 0.0, 0.9), base);
    }
}
