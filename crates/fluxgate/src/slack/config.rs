//! The listener's configuration, checked when the worker starts.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::SlackListener;
use super::error::{REDACTED, Secret};
use super::template::{Template, default_source};
use super::worker::{self, Delivery, Destination, Shared};
use crate::error::{ConfigError, check_positive};
use crate::state::State;

/// Configures a [`SlackListener`].
///
/// # Default
///
/// | setting | default |
/// |---|---|
/// | api_base_url | `https://slack.com/api` |
/// | templates | one per target state, naming the breaker, the states and the reason |
/// | queue_capacity | 100 messages |
/// | timeout | 10 s per attempt |
/// | max_retries | 3, after the first attempt |
/// | initial_backoff | 500 ms, doubling after each retry |
#[derive(Clone)]
#[must_use = "a configuration does nothing until start() is called"]
pub struct SlackConfig {
    destination: Destination,
    templates: [Option<String>; State::ALL.len()],
    queue_capacity: usize,
    delivery: Delivery,
}

const DEFAULT_API_BASE_URL: &str = "https://slack.com/api";

impl SlackConfig {
    /// Posts through the bot API with a bot token (`xoxb-…`) to `channel`,
    /// a channel id or name.
    pub fn bot(token: impl Into<String>, channel: impl Into<String>) -> Self {
        SlackConfig::with_destination(Destination::Bot {
            token: Secret::new(token.into()),
            channel: channel.into(),
            api_base_url: DEFAULT_API_BASE_URL.to_owned(),
        })
    }

    /// Posts to an incoming webhook URL.
    pub fn webhook(url: impl Into<String>) -> Self {
        SlackConfig::with_destination(Destination::Webhook {
            url: Secret::new(url.into()),
        })
    }

    fn with_destination(destination: Destination) -> Self {
        SlackConfig {
            destination,
            templates: Default::default(),
            queue_capacity: 100,
            delivery: Delivery {
                timeout: Duration::from_secs(10),
                max_retries: 3,
                initial_backoff: Duration::from_millis(500),
            },
        }
    }

    /// Sets the bot API's base URL, such as a mock server's in tests.
    /// Ignored for a webhook.
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        if let Destination::Bot { api_base_url, .. } = &mut self.destination {
            *api_base_url = url.into();
        }
        self
    }

    /// Sets the template of the messages for transitions to `to`.
    ///
    /// A template is text with placeholders: `{name}` (the breaker's name),
    /// `{from}` and `{to}` (states in snake case), `{reason}` (why, as a
    /// phrase) and `{reopens}`. `{{` and `}}` write a brace. The text goes
    /// to Slack as is, so Slack's markup (`*bold*`, `:emoji:`) works.
    /// [`start`](Self::start) checks every template.
    ///
    /// ```
    /// use fluxgate::State;
    /// use fluxgate::slack::SlackConfig;
    ///
    /// let config = SlackConfig::webhook("http://127.0.0.1:9/hook")
    ///     .template(State::Open, "{name} is down ({reason})");
    /// # let _ = config;
    /// ```
    pub fn template(mut self, to: State, template: impl Into<String>) -> Self {
        self.templates[to.index()] = Some(template.into());
        self
    }

    /// Sets how many messages may wait for the worker; more are dropped.
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.queue_capacity = capacity;
        self
    }

    /// Sets the time limit of one attempt, connection included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.delivery.timeout = timeout;
        self
    }

    /// Sets how many times a transient failure is retried.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.delivery.max_retries = retries;
        self
    }

    /// Sets the wait before the first retry; each later wait doubles.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.delivery.initial_backoff = backoff;
        self
    }

    /// Checks the configuration and starts the worker thread.
    ///
    /// # Errors
    ///
    /// Returns an error for an empty token or channel, or for a URL that is
    /// not `http://` or `https://` (the error hides a webhook URL). Also for
    /// a template with an unknown placeholder or an unmatched brace, a queue
    /// capacity of 0, a zero timeout, or a worker thread that cannot be
    /// spawned.
    pub fn start(self) -> Result<SlackListener, ConfigError> {
        self.check_destination()?;
        if self.queue_capacity == 0 {
            return Err(ConfigError::new("slack", "queue_capacity", 0, "at least 1"));
        }
        check_positive("slack", "timeout", self.delivery.timeout)?;
        let mut templates = Vec::with_capacity(State::ALL.len());
        for state in State::ALL {
            let source = self.templates[state.index()]
                .as_deref()
                .unwrap_or(default_source(state));
            templates.push(Template::parse(source, state)?);
        }

        let shared = Arc::new(Shared::new(
            self.destination,
            self.delivery,
            self.queue_capacity,
        ));
        let worker = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("fluxgate-slack".to_owned())
            .spawn(move || worker::run(worker))
            .map_err(|error| {
                ConfigError::new("slack", "worker thread", error, "a thread that spawns")
            })?;
        Ok(SlackListener::new(shared, templates))
    }

    fn check_destination(&self) -> Result<(), ConfigError> {
        let is_http = |url: &str| url.starts_with("http://") || url.starts_with("https://");
        match &self.destination {
            Destination::Bot {
                token,
                channel,
                api_base_url,
            } => {
                if token.expose().is_empty() {
                    return Err(ConfigError::new(
                        "slack",
                        "token",
                        "empty",
                        "a bot token (xoxb-…)",
                    ));
                }
                if channel.is_empty() {
                    return Err(ConfigError::new(
                        "slack",
                        "channel",
                        "empty",
                        "a channel id or name",
                    ));
                }
                if !is_http(api_base_url) {
                    let value = format!("{api_base_url:?}");
                    return Err(ConfigError::new(
                        "slack",
                        "api_base_url",
                        value,
                        "an http:// or https:// URL",
                    ));
                }
            }
            Destination::Webhook { url } => {
                if !is_http(url.expose()) {
                    return Err(ConfigError::new(
                        "slack",
                        "webhook_url",
                        REDACTED,
                        "an http:// or https:// URL",
                    ));
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for SlackConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackConfig")
            .field("destination", &self.destination)
            .field("queue_capacity", &self.queue_capacity)
            .field("delivery", &self.delivery)
            .finish_non_exhaustive()
    }
}
