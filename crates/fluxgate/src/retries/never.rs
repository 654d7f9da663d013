use std::fmt;
use std::time::Duration;

use super::Retry;

/// Keeps the circuit open until a manual command changes the state.
///
/// # Examples
///
/// ```
/// use fluxgate::retries::{Never, Retry};
///
/// assert_eq!(Never.wait(0, 0.5), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Never;

impl Retry for Never {
    fn wait(&self, _reopens: u32, _draw: f64) -> Option<Duration> {
        None
    }
}

impl fmt::Display for Never {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("never()")
    }
}
