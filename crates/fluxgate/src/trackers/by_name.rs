use std::fmt;

use super::Tracker;

/// Names each error with a function and passes the name to an inner
/// tracker.
///
/// [`Kind`](super::Kind) and parsed policy trackers read an error's kind
/// name through [`KindName`](super::KindName), which an error type of
/// another crate cannot implement here (the orphan rule). `ByName` gives
/// such an error a kind name from a function instead: the function
/// returns the name, and the inner tracker, which matches plain names,
/// decides. `Display` shows the inner tracker.
///
/// # Examples
///
/// ```
/// use std::num::{IntErrorKind, ParseIntError};
/// use fluxgate::trackers::{ByName, Kind, Tracker};
///
/// let tracker = ByName::new(
///     |error: &ParseIntError| match error.kind() {
///         IntErrorKind::Empty => "Empty",
///         IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "Overflow",
///         _ => "Invalid",
///     },
///     Kind::new(["Empty", "Overflow"])?,
/// );
/// assert!(tracker.is_failure(&"".parse::<u8>().unwrap_err()));
/// assert!(tracker.is_failure(&"300".parse::<u8>().unwrap_err()));
/// assert!(!tracker.is_failure(&"x".parse::<u8>().unwrap_err()));
/// assert_eq!(tracker.to_string(), r#"kind("Empty", "Overflow")"#);
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Clone, Copy)]
pub struct ByName<F, T> {
    name: F,
    tracker: T,
}

impl<F, T> ByName<F, T> {
    /// Creates a tracker that names errors with `name` and passes the
    /// names to `tracker`.
    pub const fn new(name: F, tracker: T) -> Self {
        ByName { name, tracker }
    }

    /// Returns the tracker that judges the names.
    pub const fn tracker(&self) -> &T {
        &self.tracker
    }
}

impl<E, F, N, T> Tracker<E> for ByName<F, T>
where
    E: ?Sized,
    F: Fn(&E) -> N + Send + Sync,
    N: AsRef<str>,
    T: Tracker<str>,
{
    fn is_failure(&self, error: &E) -> bool {
        self.tracker.is_failure((self.name)(error).as_ref())
    }
}

impl<F, T: fmt::Debug> fmt::Debug for ByName<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ByName").field(&self.tracker).finish()
    }
}

impl<F, T: fmt::Display> fmt::Display for ByName<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.tracker, f)
    }
}

crate::impl_operators!(ByName<F, T>);
