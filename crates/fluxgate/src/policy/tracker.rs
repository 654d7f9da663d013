//! Trackers in the policy language: `all()`, `kind(...)` and their
//! combinations.

use std::fmt;

use super::error::{Located, PolicyError};
use super::resolve;
use super::signature::{ArgKind, Args, Function, Param};
use super::syntax::ComponentKind;
use crate::ops::{And, Not, Or};
use crate::trackers::{All, Kind, KindName, Tracker};

/// A tracker read from a policy: a tree of the core's trackers.
///
/// It counts an error as a failure exactly as the same tree built in code
/// does, and matches `kind(...)` patterns against the error's
/// [`KindName`]. `&`, `|` and `!` combine it with other trackers into a
/// `PolicyTracker` again.
///
/// # Examples
///
/// ```
/// use std::io;
/// use fluxgate::policy::{PolicyTracker, parse_tracker};
/// use fluxgate::trackers::{All, Kind, Tracker};
///
/// let tracker = parse_tracker(r#"all() & !kind("NotFound")"#)?;
/// assert!(tracker.is_failure(&io::Error::from(io::ErrorKind::TimedOut)));
/// assert!(!tracker.is_failure(&io::Error::from(io::ErrorKind::NotFound)));
///
/// let built = PolicyTracker::from(All) & !PolicyTracker::from(Kind::new(["NotFound"])?);
/// assert_eq!(tracker, built);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyTracker {
    /// `all()`: every error.
    All(All),
    /// `kind("A", "B*")`: errors whose kind name matches a pattern.
    Kind(Kind),
    /// `a & b`.
    And(And<Box<PolicyTracker>, Box<PolicyTracker>>),
    /// `a | b`.
    Or(Or<Box<PolicyTracker>, Box<PolicyTracker>>),
    /// `!a`.
    Not(Not<Box<PolicyTracker>>),
}

impl PolicyTracker {
    /// Returns the core tracker this variant wraps.
    fn as_tracker<E: KindName + ?Sized>(&self) -> &dyn Tracker<E> {
        match self {
            PolicyTracker::All(tracker) => tracker,
            PolicyTracker::Kind(tracker) => tracker,
            PolicyTracker::And(tracker) => tracker,
            PolicyTracker::Or(tracker) => tracker,
            PolicyTracker::Not(tracker) => tracker,
        }
    }
}

impl Default for PolicyTracker {
    /// Returns `all()`, the breaker's default tracker.
    fn default() -> Self {
        PolicyTracker::All(All)
    }
}

impl<E: KindName + ?Sized> Tracker<E> for PolicyTracker {
    fn is_failure(&self, error: &E) -> bool {
        self.as_tracker::<E>().is_failure(error)
    }
}

impl fmt::Display for PolicyTracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The formatter passes on the precision through which combinators
        // decide where parentheses go.
        fmt::Display::fmt(self.as_tracker::<str>(), f)
    }
}

impl_from_components!(PolicyTracker {
    All(All),
    Kind(Kind),
});

impl_policy_operators!(PolicyTracker);

pub(crate) const TRACKERS: &[Function<PolicyTracker>] = &[
    Function::new("all", &[], |_| Ok(PolicyTracker::All(All))),
    Function::variadic(
        "kind",
        &[Param::required("patterns", ArgKind::Pattern)],
        kind,
    ),
];

fn kind(args: &Args<'_, '_>) -> Result<PolicyTracker, Located> {
    let patterns = args.strings()?;
    let empty = patterns.iter().find(|(pattern, _)| pattern.is_empty());
    let span = empty.map_or(args.span(), |&(_, span)| span);
    Kind::new(patterns.iter().map(|(pattern, _)| pattern.as_str()))
        .map(PolicyTracker::Kind)
        .map_err(|error| Located::new(span, error.to_string()))
}

/// Parses a tracker expression such as `kind("Timeout*") & !kind("NotFound")`.
///
/// # Errors
///
/// Returns an error, located in `text`, when the expression is malformed
/// or a pattern is empty.
///
/// # Examples
///
/// ```
/// use fluxgate::policy::parse_tracker;
/// use fluxgate::trackers::Tracker;
///
/// let tracker = parse_tracker(r#"kind("http_5*", "Timeout")"#)?;
/// assert!(tracker.is_failure("http_503"));
/// assert!(!tracker.is_failure("http_404"));
/// # Ok::<(), fluxgate::policy::PolicyError>(())
/// ```
pub fn parse_tracker(text: &str) -> Result<PolicyTracker, PolicyError> {
    resolve::parse_with(text, ComponentKind::Tracker, |expr| {
        resolve::combined(expr, TRACKERS, ComponentKind::Tracker)
    })
}

impl_from_str!(PolicyTracker, parse_tracker);
