use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::io;
use std::sync::Arc;

use super::Tracker;
use crate::error::ConfigError;

/// The kind name of an error, which [`Kind`] patterns match.
///
/// The provided method returns the type's own name without its module path
/// (`TimeoutError` for `my_app::client::TimeoutError`), so an empty impl is
/// enough for a struct. An enum usually names its variant instead:
///
/// ```
/// use std::borrow::Cow;
/// use fluxgate::trackers::KindName;
///
/// #[derive(Debug)]
/// struct TimeoutError;
/// impl KindName for TimeoutError {}
///
/// enum ApiError {
///     Timeout,
///     Status(u16),
/// }
///
/// impl KindName for ApiError {
///     fn kind_name(&self) -> Cow<'_, str> {
///         match self {
///             ApiError::Timeout => Cow::Borrowed("Timeout"),
///             ApiError::Status(code) => Cow::Owned(format!("http_{code}")),
///         }
///     }
/// }
///
/// assert_eq!(TimeoutError.kind_name(), "TimeoutError");
/// assert_eq!(ApiError::Status(503).kind_name(), "http_503");
/// assert_eq!(ApiError::Timeout.kind_name(), "Timeout");
/// ```
///
/// Ready implementations:
///
/// * [`io::Error`] and [`io::ErrorKind`] by the
///   [`ErrorKind`](io::ErrorKind) variant (`TimedOut`, `ConnectionRefused`).
/// * `String` and `str` by their text, which is how a replayed log names
///   its errors.
/// * [`Infallible`], so that a call that cannot fail still compiles with a
///   kind tracker.
/// * A breaker's own [`Error`](crate::Error) by the inner error's name, or
///   `Rejected`.
/// * References, `Box` and `Arc` by what they point to.
///
/// An error type of another crate cannot implement this trait outside that
/// crate. Name its kinds with a function through
/// [`ByName`](super::ByName) instead.
pub trait KindName {
    /// Returns the kind name of this error.
    fn kind_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(short_type_name(std::any::type_name::<Self>()))
    }
}

/// Strips the module path and generic arguments from a type name.
fn short_type_name(full: &'static str) -> &'static str {
    let without_generics = full.split('<').next().unwrap_or(full);
    without_generics
        .rsplit("::")
        .next()
        .unwrap_or(without_generics)
}

impl KindName for io::ErrorKind {
    fn kind_name(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{self:?}"))
    }
}

impl KindName for io::Error {
    fn kind_name(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{:?}", self.kind()))
    }
}

impl KindName for str {
    fn kind_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl KindName for String {
    fn kind_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl<T: KindName + ?Sized> KindName for &T {
    fn kind_name(&self) -> Cow<'_, str> {
        (**self).kind_name()
    }
}

impl<T: KindName + ?Sized> KindName for Box<T> {
    fn kind_name(&self) -> Cow<'_, str> {
        (**self).kind_name()
    }
}

impl<T: KindName + ?Sized> KindName for Arc<T> {
    fn kind_name(&self) -> Cow<'_, str> {
        (**self).kind_name()
    }
}

impl KindName for Infallible {
    fn kind_name(&self) -> Cow<'_, str> {
        match *self {}
    }
}

impl<E: KindName> KindName for crate::Error<E> {
    fn kind_name(&self) -> Cow<'_, str> {
        match self {
            crate::Error::Rejected(_) => Cow::Borrowed("Rejected"),
            crate::Error::Inner(error) => error.kind_name(),
        }
    }
}

/// Counts an error as a failure when its [kind name](KindName) matches one
/// of the patterns.
///
/// In a pattern, `*` matches any run of characters, including none; every
/// other character matches itself. `kind("http_5*")` matches every server
/// error of a replayed access log; `kind("Timeout*", "ConnectionRefused")`
/// matches `TimeoutError` and `ConnectionRefused`.
///
/// # Examples
///
/// ```
/// use std::io;
/// use fluxgate::trackers::{Kind, Tracker};
///
/// let tracker = Kind::new(["TimedOut", "Connection*"])?;
/// assert!(tracker.is_failure(&io::Error::from(io::ErrorKind::ConnectionReset)));
/// assert!(!tracker.is_failure(&io::Error::from(io::ErrorKind::NotFound)));
/// assert_eq!(tracker.to_string(), r#"kind("TimedOut", "Connection*")"#);
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Kind {
    patterns: Box<[Box<str>]>,
}

impl Kind {
    /// Creates a tracker matching any of `patterns`.
    ///
    /// # Errors
    ///
    /// Returns an error if there are no patterns or a pattern is empty.
    pub fn new<I, S>(patterns: I) -> Result<Kind, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let patterns: Box<[Box<str>]> = patterns
            .into_iter()
            .map(|pattern| pattern.into().into_boxed_str())
            .collect();
        if patterns.is_empty() {
            return Err(ConfigError::new(
                "kind",
                "patterns",
                "none",
                "at least one pattern",
            ));
        }
        if patterns.iter().any(|pattern| pattern.is_empty()) {
            return Err(ConfigError::new(
                "kind",
                "pattern",
                "\"\"",
                "a non-empty name, with * as a wildcard",
            ));
        }
        Ok(Kind { patterns })
    }

    /// Returns the patterns, in the order given.
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|pattern| &**pattern)
    }

    /// Returns `true` when `name` matches one of the patterns.
    pub fn matches(&self, name: &str) -> bool {
        self.patterns
            .iter()
            .any(|pattern| wildcard_match(pattern, name))
    }
}

impl<E: KindName + ?Sized> Tracker<E> for Kind {
    fn is_failure(&self, error: &E) -> bool {
        self.matches(&error.kind_name())
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("kind(")?;
        for (index, pattern) in self.patterns.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write_quoted(f, pattern)?;
        }
        f.write_str(")")
    }
}

/// Writes `text` as a policy string literal, escaping `"` and `\`.
pub(crate) fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for character in text.chars() {
        if matches!(character, '"' | '\\') {
            f.write_str("\\")?;
        }
        write!(f, "{character}")?;
    }
    f.write_str("\"")
}

/// Matches `name` against a pattern where `*` stands for any run of
/// characters, in time proportional to the product of their lengths at
/// worst.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let pattern = pattern.as_bytes();
    let name = name.as_bytes();
    let (mut p, mut n) = (0, 0);
    // Where to resume after the last `*`: its position in the pattern and
    // the name position it currently stands for.
    let mut resume: Option<(usize, usize)> = None;

    while n < name.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            resume = Some((p, n));
            p += 1;
        } else if p < pattern.len() && pattern[p] == name[n] {
            p += 1;
            n += 1;
        } else if let Some((star, matched)) = resume {
            p = star + 1;
            n = matched + 1;
            resume = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&byte| byte == b'*')
}

crate::impl_operators!(Kind);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_cases() {
        let cases = [
            ("http_5*", "http_503", true),
            ("http_5*", "http_5", true),
            ("http_5*", "http_404", false),
            ("*Timeout", "ConnectTimeout", true),
            ("*Timeout", "TimeoutError", false),
            ("Time*Err*", "TimeoutError", true),
            ("a*b*c", "abxbc", true),
            ("a*b*c", "abxbd", false),
            ("*", "", true),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("**x", "yyx", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(
                wildcard_match(pattern, name),
                expected,
                "{pattern} vs {name}"
            );
        }
    }

    #[test]
    fn empty_pattern_list_is_rejected() {
        let error = Kind::new(Vec::<String>::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid patterns for kind: none (allowed: at least one pattern)"
        );
        assert!(Kind::new([""]).is_err());
    }

    #[test]
    fn display_escapes_quotes_and_backslashes() {
        let kind = Kind::new([r#"say "hi"\now"#]).unwrap();
        assert_eq!(kind.to_string(), r#"kind("say \"hi\"\\now")"#);
    }

    #[test]
    fn default_kind_name_is_short_type_name() {
        #[derive(Debug)]
        struct BadGateway;
        impl KindName for BadGateway {}
        assert_eq!(BadGateway.kind_name(), "BadGateway");
        assert_eq!(short_type_name("a::b::Wrapper<c::D>"), "Wrapper");
    }

    #[test]
    fn wrappers_take_the_inner_name() {
        let shared = Arc::new(io::Error::from(io::ErrorKind::TimedOut));
        assert_eq!(shared.kind_name(), "TimedOut");
        let inner: crate::Error<String> = crate::Error::Inner("http_503".to_owned());
        assert_eq!(inner.kind_name(), "http_503");
        let rejected: crate::Error<String> =
            crate::Error::Rejected(crate::Rejected::new(crate::State::Open));
        assert_eq!(rejected.kind_name(), "Rejected");
    }

    #[test]
    fn io_errors_are_named_by_kind() {
        let error = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(error.kind_name(), "ConnectionRefused");
    }
}
