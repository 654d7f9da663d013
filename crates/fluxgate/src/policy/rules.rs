//! A breaker's whole set of rules, as a policy describes them.

use std::fmt;
use std::time::Duration;

use super::error::{Located, PolicyError, shorten};
use super::lexer::{Lexer, Span, Token, TokenKind, is_unit};
use super::suggest::nearest;
use super::{PolicyPermit, PolicyRetry, PolicyTracker, PolicyTripper};
use super::{parse_permit, parse_retry, parse_tracker, parse_tripper, parse_window};
use crate::breaker::{self, Builder, CircuitBreaker, RuleKeys};
use crate::error::ConfigError;
use crate::windows::Window;

/// The rules of one breaker: one component of each kind and the half-open
/// limits.
///
/// # Default
///
/// The breaker builder's defaults:
///
/// | key | default |
/// |---|---|
/// | `window` | `count(100)` |
/// | `tracker` | `all()` |
/// | `tripper` | `min_requests(100) & failure_rate(0.5)` |
/// | `retry` | `cooldown(60s)` |
/// | `permit` | `ramp_up(0.1, 1, 1m)` |
/// | `max_half_open_calls` | `10` |
/// | `half_open_timeout` | none |
///
/// # Examples
///
/// ```
/// use fluxgate::policy::{Policy, parse_tripper};
///
/// let mut policy = Policy::default();
/// policy.set("tripper", "failure_streak(5)")?;
/// policy.set("half_open_timeout", "2m")?;
/// let breaker = policy.builder().name("payments").build()?;
/// assert_eq!(breaker.tripper().to_string(), "failure_streak(5)");
/// assert_eq!(policy.tripper, parse_tripper("failure_streak(5)")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Policy {
    /// The window over recent outcomes.
    pub window: Window,
    /// The tracker, which decides which errors are failures.
    pub tracker: PolicyTracker,
    /// The tripper, which decides when the circuit opens and when a
    /// half-open one closes.
    pub tripper: PolicyTripper,
    /// The retry strategy, which decides how long an open circuit waits
    /// before probing.
    pub retry: PolicyRetry,
    /// The permit, which decides which calls a half-open circuit admits.
    pub permit: PolicyPermit,
    /// The maximum number of probes a half-open circuit runs at once.
    pub max_half_open_calls: u32,
    /// How long a half-open period may last before the circuit reopens;
    /// `None` for no limit.
    pub half_open_timeout: Option<Duration>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window: Window::default(),
            tracker: PolicyTracker::default(),
            tripper: PolicyTripper::default(),
            retry: PolicyRetry::default(),
            permit: PolicyPermit::default(),
            max_half_open_calls: breaker::DEFAULT_MAX_HALF_OPEN_CALLS,
            half_open_timeout: None,
        }
    }
}

impl Policy {
    /// The keys of a policy, in the order `Display` writes them.
    pub const KEYS: [&'static str; 7] = [
        "window",
        "tracker",
        "tripper",
        "retry",
        "permit",
        "max_half_open_calls",
        "half_open_timeout",
    ];

    /// Returns a breaker builder with these rules set.
    ///
    /// The name, listeners, clock and seed can still be set on it.
    pub fn builder(&self) -> Builder<PolicyTracker> {
        let builder = CircuitBreaker::builder()
            .window(self.window)
            .tracker(self.tracker.clone())
            .tripper(self.tripper.clone())
            .retry(self.retry.clone())
            .permit(self.permit.clone())
            .max_half_open_calls(self.max_half_open_calls);
        match self.half_open_timeout {
            Some(timeout) => builder.half_open_timeout(timeout),
            None => builder,
        }
    }

    /// Builds a breaker named `default` with these rules.
    ///
    /// # Errors
    ///
    /// Returns an error when [`validate`](Self::validate) does.
    pub fn build(&self) -> Result<CircuitBreaker<PolicyTracker>, ConfigError> {
        self.builder().build()
    }

    /// Checks the rules a breaker checks when it is built:
    /// `max_half_open_calls` from 1 to 1,000,000, a `half_open_timeout`
    /// longer than zero, and at most
    /// [`MAX_SLOW_THRESHOLDS`](crate::MAX_SLOW_THRESHOLDS) distinct
    /// `slow_rate` thresholds in the tripper.
    ///
    /// # Errors
    ///
    /// Returns the first rule broken.
    pub fn validate(&self) -> Result<(), ConfigError> {
        breaker::check_rules(
            self.max_half_open_calls,
            self.half_open_timeout,
            &self.tripper,
        )
        .map(|_| ())
    }

    /// Sets the rule named `key` from its text: an expression for the five
    /// components, a whole number for `max_half_open_calls`, a duration
    /// such as `2m` for `half_open_timeout`.
    ///
    /// # Errors
    ///
    /// Returns an error for an unknown key, suggesting the nearest known
    /// one, or an error located in `value` when it does not parse or is
    /// out of range. The policy is unchanged on error.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), PolicyError> {
        match key {
            "window" => self.window = parse_window(value)?,
            "tracker" => self.tracker = parse_tracker(value)?,
            "tripper" => self.tripper = parse_tripper(value)?,
            "retry" => self.retry = parse_retry(value)?,
            "permit" => self.permit = parse_permit(value)?,
            "max_half_open_calls" => {
                self.max_half_open_calls = parse_max_half_open_calls(value)?;
            }
            "half_open_timeout" => {
                let timeout = parse_duration(value)?;
                self.half_open_timeout = Some(
                    breaker::check_half_open_timeout(timeout)
                        .map_err(|error| whole_value_error(value, &error))?,
                );
            }
            _ => return Err(unknown_key(key)),
        }
        Ok(())
    }
}

impl fmt::Display for Policy {
    /// Writes one `key = expression` line per key, as a breaker's
    /// `Display` does; `half_open_timeout` only when it is set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        RuleKeys {
            window: &self.window,
            tracker: &self.tracker,
            tripper: &self.tripper,
            retry: &self.retry,
            permit: &self.permit,
            max_half_open_calls: self.max_half_open_calls,
            half_open_timeout: self.half_open_timeout,
        }
        .fmt(f)
    }
}

/// Parses a duration written with units, such as `2m`, `1m30s` or `1.5s`.
///
/// # Errors
///
/// Returns an error, located in `text`, when `text` is not exactly one
/// duration.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::policy::parse_duration;
///
/// assert_eq!(parse_duration("1m30s")?, Duration::from_secs(90));
/// assert_eq!(parse_duration("0.00025s")?, Duration::from_micros(250));
/// assert!(parse_duration("90").is_err());
/// # Ok::<(), fluxgate::policy::PolicyError>(())
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, PolicyError> {
    let read = |kind: &TokenKind<'_>| match kind {
        TokenKind::Duration(duration) => Some(*duration),
        _ => None,
    };
    single_token(text, "a duration such as `2m`", read, unit_hint)
}

/// Suggests a unit for a number given as a duration, written after it with
/// no space.
fn unit_hint(token: &Token<'_>, next: &Token<'_>, text: &str) -> String {
    let TokenKind::Number(_) = token.kind else {
        return String::new();
    };
    let number = shorten(&text[token.span.start..token.span.end]);
    match next.kind {
        TokenKind::Name(unit) if is_unit(unit) => {
            format!("write the unit right after its number, with no space: `{number}{unit}`")
        }
        _ => format!("add a unit: `{number}s`, or ms, m or h"),
    }
}

fn parse_max_half_open_calls(text: &str) -> Result<u32, PolicyError> {
    let read = |kind: &TokenKind<'_>| match kind {
        TokenKind::Number(decimal) => decimal.to_u64().ok(),
        _ => None,
    };
    let count = single_token(text, "a whole number such as `10`", read, |_, _, _| {
        String::new()
    })?;
    u32::try_from(count)
        .map_err(|_| breaker::max_half_open_calls_error(count))
        .and_then(breaker::check_max_half_open_calls)
        .map_err(|error| whole_value_error(text, &error))
}

/// Reads `text` as exactly one token that `read` accepts. When `read`
/// rejects the token, `hint` gets it, the token after it and `text`, and
/// returns a hint for the error or an empty string.
fn single_token<T>(
    text: &str,
    expected: &str,
    read: impl Fn(&TokenKind<'_>) -> Option<T>,
    hint: impl Fn(&Token<'_>, &Token<'_>, &str) -> String,
) -> Result<T, PolicyError> {
    let mut lexer = Lexer::new(text);
    let result = lexer.next_token().and_then(|token| {
        let value = read(&token.kind);
        let next = lexer.next_token()?;
        match value {
            Some(value) if next.kind == TokenKind::End => Ok(value),
            Some(_) => Err(Located::new(next.span, "expected the end of the value")),
            None => {
                let written = text[token.span.start..token.span.end].trim();
                let found = if written.is_empty() {
                    "nothing".to_owned()
                } else {
                    format!("`{}`", shorten(written))
                };
                Err(
                    Located::new(token.span, format!("expected {expected}, found {found}"))
                        .with_label(hint(&token, &next, text)),
                )
            }
        }
    });
    result.map_err(|located| PolicyError::located(text, located))
}

/// Locates a range error at the whole of `value`.
fn whole_value_error(value: &str, error: &ConfigError) -> PolicyError {
    let span = Span {
        start: value.len() - value.trim_start().len(),
        end: value.trim_end().len(),
    };
    PolicyError::located(value, Located::new(span, error.to_string()))
}

/// Returns the error for a key that a policy does not have.
pub(crate) fn unknown_key(key: &str) -> PolicyError {
    let hint = match nearest(key, Policy::KEYS) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => format!("expected one of: {}", Policy::KEYS.join(", ")),
    };
    let mut error = PolicyError::unlocated(format!("unknown key `{key}`"));
    error.set_hint(hint);
    error
}
