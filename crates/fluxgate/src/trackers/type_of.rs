use std::error::Error;
use std::fmt;
use std::marker::PhantomData;

use super::Tracker;

/// Counts an error as a failure when it is a `T`, or when a `T` is among
/// its causes (walking [`Error::source`]).
///
/// # Examples
///
/// ```
/// use std::{fmt, io};
/// use fluxgate::trackers::{Tracker, TypeOf};
///
/// #[derive(Debug)]
/// struct FetchError(io::Error);
///
/// impl fmt::Display for FetchError {
///     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
///         f.write_str("fetch failed")
///     }
/// }
///
/// impl std::error::Error for FetchError {
///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
///         Some(&self.0)
///     }
/// }
///
/// let tracker = TypeOf::<io::Error>::new();
/// let error = FetchError(io::Error::from(io::ErrorKind::TimedOut));
/// assert!(tracker.is_failure(&error));
/// assert!(!TypeOf::<fmt::Error>::new().is_failure(&error));
/// ```
pub struct TypeOf<T> {
    // `fn() -> T` keeps the tracker `Send + Sync` whatever `T` is.
    marker: PhantomData<fn() -> T>,
}

impl<T> TypeOf<T> {
    /// Creates a tracker for errors of type `T` and errors caused by one.
    pub const fn new() -> Self {
        TypeOf {
            marker: PhantomData,
        }
    }
}

impl<T> Default for TypeOf<T> {
    fn default() -> Self {
        TypeOf::new()
    }
}

impl<T> Clone for TypeOf<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for TypeOf<T> {}

impl<T> PartialEq for TypeOf<T> {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl<T> Eq for TypeOf<T> {}

impl<T> fmt::Debug for TypeOf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TypeOf<{}>", std::any::type_name::<T>())
    }
}

impl<T> fmt::Display for TypeOf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "type_of({})", std::any::type_name::<T>())
    }
}

impl<T, E> Tracker<E> for TypeOf<T>
where
    T: Error + 'static,
    E: Error + 'static,
{
    fn is_failure(&self, error: &E) -> bool {
        let mut current: Option<&(dyn Error + 'static)> = Some(error);
        while let Some(error) = current {
            if error.is::<T>() {
                return true;
            }
            current = error.source();
        }
        false
    }
}

crate::impl_operators!(TypeOf<T>);
