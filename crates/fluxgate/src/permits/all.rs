use std::fmt;
use std::time::Duration;

use super::Permit;

/// Admits every call, up to the probe-slot limit.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::permits::{All, Permit};
///
/// assert_eq!(All.probability(Duration::ZERO), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct All;

impl Permit for All {
    fn probability(&self, _elapsed: Duration) -> f64 {
        1.0
    }
}

impl fmt::Display for All {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("all()")
    }
}
