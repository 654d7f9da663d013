use std::fmt;
use std::time::Duration;

use super::Retry;

/// Lets a probe through at the first call after the circuit opens.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::retries::{Always, Retry};
///
/// assert_eq!(Always.wait(3, 0.5), Some(Duration::ZERO));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Always;

impl Retry for Always {
    fn wait(&self, _reopens: u32, _draw: f64) -> Option<Duration> {
        Some(Duration::ZERO)
    }
}

impl fmt::Display for Always {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("always()")
    }
}
