//! Delivery errors, and the wrapper that keeps secrets out of them.

use std::fmt;
use std::time::Duration;

use crate::DisplayDuration;

/// A string that is never printed: a bot token or a webhook URL.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Secret(String);

/// The text printed in place of a secret, in `Debug` output and errors.
pub(super) const REDACTED: &str = "[redacted]";

impl Secret {
    pub(super) fn new(value: String) -> Secret {
        Secret(value)
    }

    pub(super) fn expose(&self) -> &str {
        &self.0
    }

    /// Returns `text` with every occurrence of the secret replaced.
    pub(super) fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.0, REDACTED)
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// The error of a message that did not reach Slack after every retry.
///
/// No variant contains the bot token or the webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryError {
    /// The request failed before a response arrived: the connection was
    /// refused, or it timed out.
    Transport(String),
    /// Slack replied with an HTTP status other than 2xx and 429.
    Status(u16),
    /// Slack replied 429 Too Many Requests, with the wait its `Retry-After`
    /// header asked for, when present.
    RateLimited(Option<Duration>),
    /// Slack replied `"ok": false`, with this error code (such as
    /// `invalid_auth` or `channel_not_found`).
    Api(String),
    /// Slack's reply was not the JSON the bot API returns.
    InvalidResponse(String),
}

impl DeliveryError {
    /// Returns `true` for errors that a later attempt may not repeat:
    /// transport errors, rate limits and HTTP 5xx.
    pub fn is_transient(&self) -> bool {
        match self {
            DeliveryError::Transport(_) | DeliveryError::RateLimited(_) => true,
            DeliveryError::Status(status) => *status == 429 || *status >= 500,
            DeliveryError::Api(_) | DeliveryError::InvalidResponse(_) => false,
        }
    }
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliveryError::Transport(message) => {
                write!(f, "sending the Slack message failed: {message}")
            }
            DeliveryError::Status(status) => {
                write!(f, "Slack rejected the message with HTTP status {status}")
            }
            DeliveryError::RateLimited(wait) => {
                f.write_str("Slack rate-limited the message")?;
                match wait {
                    Some(wait) => write!(f, "; retry after {}", DisplayDuration(*wait)),
                    None => Ok(()),
                }
            }
            DeliveryError::Api(code) => write!(f, "Slack rejected the message: {code}"),
            DeliveryError::InvalidResponse(problem) => {
                write!(f, "Slack's response is invalid: {problem}")
            }
        }
    }
}

impl std::error::Error for DeliveryError {}
