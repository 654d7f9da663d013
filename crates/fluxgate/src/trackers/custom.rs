use std::fmt;

use super::Tracker;

/// Counts an error as a failure when a function of it returns `true`.
///
/// # Examples
///
/// ```
/// use std::io;
/// use fluxgate::trackers::{Custom, Tracker};
///
/// let timeouts = Custom::new(|error: &io::Error| error.kind() == io::ErrorKind::TimedOut);
/// assert!(timeouts.is_failure(&io::Error::from(io::ErrorKind::TimedOut)));
/// assert!(!timeouts.is_failure(&io::Error::from(io::ErrorKind::NotFound)));
/// ```
#[derive(Clone, Copy)]
pub struct Custom<F> {
    predicate: F,
}

impl<F> Custom<F> {
    /// Creates a tracker from a predicate on the error.
    pub const fn new(predicate: F) -> Self {
        Custom { predicate }
    }
}

impl<E: ?Sized, F> Tracker<E> for Custom<F>
where
    F: Fn(&E) -> bool + Send + Sync,
{
    fn is_failure(&self, error: &E) -> bool {
        (self.predicate)(error)
    }
}

impl<F> fmt::Debug for Custom<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Custom")
    }
}

impl<F> fmt::Display for Custom<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("custom()")
    }
}

crate::impl_operators!(Custom<F>);
