//! Trackers: which errors count as failures.
//!
//! | tracker | counts as a failure | policy |
//! |---|---|---|
//! | [`All`] | every error | `all()` |
//! | [`TypeOf<T>`] | an error that is a `T` or is caused by one | (code only) |
//! | [`Custom`] | an error for which a function returns `true` | (code only) |
//! | [`Kind`] | an error whose kind name matches a pattern | `kind("Timeout*")` |
//! | [`ByName`] | an error whose name, given by a function, the inner tracker counts | (code only) |
//! | `a & b`, `a \| b`, `!a` | and, or, not | the same |
//!
//! An error the tracker does not count is *ignored*: it goes back to the
//! caller untouched and is recorded neither as a success nor as a failure.
//!
//! # Examples
//!
//! ```
//! use std::io;
//! use fluxgate::trackers::{Custom, Tracker, TypeOf};
//!
//! // I/O errors count, except "not found".
//! let tracker = TypeOf::<io::Error>::new()
//!     & !Custom::new(|error: &io::Error| error.kind() == io::ErrorKind::NotFound);
//! assert!(tracker.is_failure(&io::Error::from(io::ErrorKind::TimedOut)));
//! assert!(!tracker.is_failure(&io::Error::from(io::ErrorKind::NotFound)));
//! ```

mod all;
mod by_name;
mod custom;
mod kind;
mod type_of;

use std::sync::Arc;

pub use all::All;
pub use by_name::ByName;
pub use custom::Custom;
pub use kind::{Kind, KindName};
pub use type_of::TypeOf;

use crate::ops::{And, Not, Or};

/// Decides whether an error counts as a failure.
///
/// Implement it for rules the built-in trackers can't express, then call
/// [`impl_operators!`](crate::impl_operators) on the type to combine it
/// with `&`, `|` and `!`. The `Display` text shows in the breaker's
/// description; write it as a policy expression would be written.
pub trait Tracker<E: ?Sized>: std::fmt::Display + Send + Sync {
    /// Returns `true` when `error` counts as a failure.
    fn is_failure(&self, error: &E) -> bool;
}

impl<E: ?Sized, A: Tracker<E>, B: Tracker<E>> Tracker<E> for And<A, B> {
    fn is_failure(&self, error: &E) -> bool {
        self.left().is_failure(error) && self.right().is_failure(error)
    }
}

impl<E: ?Sized, A: Tracker<E>, B: Tracker<E>> Tracker<E> for Or<A, B> {
    fn is_failure(&self, error: &E) -> bool {
        self.left().is_failure(error) || self.right().is_failure(error)
    }
}

impl<E: ?Sized, A: Tracker<E>> Tracker<E> for Not<A> {
    fn is_failure(&self, error: &E) -> bool {
        !self.inner().is_failure(error)
    }
}

impl<E: ?Sized, T: Tracker<E> + ?Sized> Tracker<E> for Box<T> {
    fn is_failure(&self, error: &E) -> bool {
        (**self).is_failure(error)
    }
}

impl<E: ?Sized, T: Tracker<E> + ?Sized> Tracker<E> for Arc<T> {
    fn is_failure(&self, error: &E) -> bool {
        (**self).is_failure(error)
    }
}
