//! A listener that posts every transition to Slack, off the call path.
//! Enabled by the `slack` feature, which adds `ureq` (with rustls) and
//! `serde_json`, and no async runtime.
//!
//! # What it sends
//!
//! One message per transition, built from a template for the target state
//! (see [`SlackConfig::template`]). Two destinations:
//!
//! * **Bot API** ([`SlackConfig::bot`]): `POST {api_base_url}/chat.postMessage`
//!   with `Authorization: Bearer <token>` and a JSON body of `channel`,
//!   `text` and, inside a thread, `thread_ts`. The messages of one failure
//!   cycle share a thread. A transition to `open` from any state but
//!   `half_open` starts one, with the `ts` of Slack's reply as its id.
//!   Later transitions of that breaker reply in it, and a transition to
//!   `closed`, `disabled` or `metrics_only` is the thread's last message. A
//!   message outside any cycle (to `forced_open` from `closed`, say) stands
//!   alone.
//! * **Incoming webhook** ([`SlackConfig::webhook`]): `POST` of a JSON body
//!   with `text` to the webhook URL. Webhook replies carry no message id, so
//!   nothing is threaded.
//!
//! # Delivery
//!
//! A call never waits for Slack. The listener renders the message and puts
//! it on a bounded queue; a background thread (a plain `std::thread`)
//! posts the queued messages in order, each attempt limited by a timeout,
//! and retries transport errors, HTTP 429 and 5xx with a doubling backoff.
//! When the queue is full, a new message is dropped and counted in
//! [`SlackStats::dropped`]; the transition itself is never delayed. A
//! message that still fails after its retries is counted in
//! [`SlackStats::failed`], its error kept as
//! [`last_error`](SlackListener::last_error), and, with the `tracing`
//! feature, logged at `WARN`.
//!
//! A thread is remembered only for a breaker built with this listener and
//! not yet dropped: when a breaker is dropped (a registry evicted it, say),
//! its thread is forgotten.
//!
//! The bot token and the webhook URL, which contains the webhook's secret,
//! never appear in `Debug` output or in a [`DeliveryError`].
//!
//! # Wiring
//!
//! ```no_run
//! use fluxgate::CircuitBreaker;
//! use fluxgate::slack::SlackConfig;
//!
//! let token = std::env::var("SLACK_BOT_TOKEN")?;
//! let slack = SlackConfig::bot(token, "#alerts").start()?;
//! let breaker = CircuitBreaker::builder()
//!     .name("payments")
//!     .listener(slack.clone())
//!     .build()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod template;
mod worker;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use error::DeliveryError;

use error::{REDACTED, Secret};
use template::{Template, default_source};
use worker::{Delivery, Destination, Message, Shared, lock};

use crate::breaker::Info;
use crate::error::{ConfigError, check_positive};
use crate::listeners::{Listener, Transition};
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
        self.templates[state_index(to)] = Some(template.into());
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
            let source = self.templates[state_index(state)]
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
        Ok(SlackListener {
            handle: Arc::new(Handle { shared, templates }),
        })
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

fn state_index(state: State) -> usize {
    State::ALL
        .iter()
        .position(|candidate| *candidate == state)
        .expect("State::ALL lists every state")
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

/// A listener that posts transitions to Slack from a background thread.
///
/// Clones share one queue and one worker, so one listener can serve many
/// breakers. The worker stops once every clone is dropped and the queued
/// messages are posted.
#[derive(Clone)]
pub struct SlackListener {
    handle: Arc<Handle>,
}

/// The listener's side; dropping the last one closes the queue.
struct Handle {
    shared: Arc<Shared>,
    templates: Vec<Template>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.close();
    }
}

/// Delivery counters of the messages so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SlackStats {
    /// Messages Slack accepted.
    pub sent: u64,
    /// Messages that failed after every retry.
    pub failed: u64,
    /// Messages dropped because the queue was full.
    pub dropped: u64,
    /// Attempts retried after a transient failure.
    pub retries: u64,
}

impl SlackListener {
    /// Returns the delivery counters.
    pub fn stats(&self) -> SlackStats {
        let counters = &self.handle.shared.counters;
        // Relaxed: independent statistics, read without ordering.
        SlackStats {
            sent: counters.sent.load(Ordering::Relaxed),
            failed: counters.failed.load(Ordering::Relaxed),
            dropped: counters.dropped.load(Ordering::Relaxed),
            retries: counters.retries.load(Ordering::Relaxed),
        }
    }

    /// Returns the error of the last message that failed, if any.
    pub fn last_error(&self) -> Option<DeliveryError> {
        lock(&self.handle.shared.last_error).clone()
    }

    /// Waits until every queued message is posted or has failed, for at
    /// most `timeout`, and returns `true` if so. For tests and shutdown.
    pub fn flush(&self, timeout: Duration) -> bool {
        self.handle.shared.flush(timeout)
    }
}

impl Listener for SlackListener {
    fn on_transition(&self, transition: &Transition) {
        let text = self.handle.templates[state_index(transition.to)].render(transition);
        self.handle.shared.enqueue(Message {
            name: Arc::clone(&transition.name),
            from: transition.from,
            to: transition.to,
            text,
        });
    }

    fn on_created(&self, info: &Info) {
        let mut threads = lock(&self.handle.shared.threads);
        *threads.alive.entry(Arc::clone(&info.name)).or_insert(0) += 1;
    }

    fn on_removed(&self, name: &str) {
        let mut threads = lock(&self.handle.shared.threads);
        let Some(alive) = threads.alive.get_mut(name) else {
            return;
        };
        *alive -= 1;
        if *alive == 0 {
            threads.alive.remove(name);
            threads.open.remove(name);
        }
    }
}

impl fmt::Debug for SlackListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = &self.handle.shared;
        f.debug_struct("SlackListener")
            .field("destination", &shared.destination)
            .field("queue_capacity", &shared.capacity)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}
