use std::fmt;

use super::Tracker;

/// Counts every error as a failure. The default tracker.
///
/// # Examples
///
/// ```
/// use fluxgate::trackers::{All, Tracker};
///
/// assert!(All.is_failure("any error"));
/// assert_eq!(All.to_string(), "all()");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct All;

impl<E: ?Sized> Tracker<E> for All {
    fn is_failure(&self, _error: &E) -> bool {
        true
    }
}

impl fmt::Display for All {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("all()")
    }
}

crate::impl_operators!(All);
