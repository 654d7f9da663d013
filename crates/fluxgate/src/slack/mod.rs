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
//!   message outside any cycle (to `forced_open` from `closed`, say) is
//!   posted on its own.
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
//! A 429 waits at least as long as its `Retry-After` header asks.
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

mod config;
mod error;
mod template;
mod worker;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use config::SlackConfig;
pub use error::DeliveryError;

use template::Template;
use worker::{Message, Shared, lock};

use crate::breaker::Info;
use crate::listeners::{Listener, Transition};

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
    fn new(shared: Arc<Shared>, templates: Vec<Template>) -> SlackListener {
        SlackListener {
            handle: Arc::new(Handle { shared, templates }),
        }
    }

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
        let text = self.handle.templates[transition.to.index()].render(transition);
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
