//! The background worker: a bounded queue of messages and the thread that
//! posts them, with retries, and keeps the threads of failure cycles.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::error::{DeliveryError, Secret};
use crate::state::State;

/// The destination of the messages.
#[derive(Debug, Clone)]
pub(super) enum Destination {
    /// The bot API's `chat.postMessage`, which threads messages.
    Bot {
        token: Secret,
        channel: String,
        api_base_url: String,
    },
    /// An incoming webhook, which posts each message on its own.
    Webhook { url: Secret },
}

impl Destination {
    fn secret(&self) -> &Secret {
        match self {
            Destination::Bot { token, .. } => token,
            Destination::Webhook { url } => url,
        }
    }
}

/// The worker's delivery settings: timeout and retries.
#[derive(Debug, Clone, Copy)]
pub(super) struct Delivery {
    pub(super) timeout: Duration,
    pub(super) max_retries: u32,
    pub(super) initial_backoff: Duration,
}

/// One message waiting to be posted.
#[derive(Debug)]
pub(super) struct Message {
    pub(super) name: Arc<str>,
    pub(super) from: State,
    pub(super) to: State,
    pub(super) text: String,
}

#[derive(Debug, Default)]
struct QueueState {
    messages: VecDeque<Message>,
    // The worker is posting a message it has taken off the queue.
    busy: bool,
    closed: bool,
}

/// Counters of what became of the messages.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) sent: AtomicU64,
    pub(super) failed: AtomicU64,
    pub(super) dropped: AtomicU64,
    pub(super) retries: AtomicU64,
}

/// The open failure-cycle threads, and which breaker names are alive.
#[derive(Debug, Default)]
pub(super) struct Threads {
    // Live breakers per name; a thread is kept only for a live name.
    pub(super) alive: HashMap<Arc<str>, usize>,
    // The `ts` of the message that started each open thread.
    pub(super) open: HashMap<Arc<str>, String>,
}

/// The state that the listener and the worker share.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) destination: Destination,
    pub(super) delivery: Delivery,
    pub(super) capacity: usize,
    queue: Mutex<QueueState>,
    changed: Condvar,
    pub(super) counters: Counters,
    pub(super) last_error: Mutex<Option<DeliveryError>>,
    pub(super) threads: Mutex<Threads>,
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves its data consistent, so a panic in
    // another holder does not make it unusable.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(super) fn new(destination: Destination, delivery: Delivery, capacity: usize) -> Shared {
        Shared {
            destination,
            delivery,
            capacity,
            queue: Mutex::new(QueueState::default()),
            changed: Condvar::new(),
            counters: Counters::default(),
            last_error: Mutex::new(None),
            threads: Mutex::new(Threads::default()),
        }
    }

    /// Queues `message`, or drops and counts it when the queue is full.
    /// It takes the queue's lock only for a push, never while the worker
    /// posts.
    pub(super) fn enqueue(&self, message: Message) {
        let mut queue = lock(&self.queue);
        if queue.closed || queue.messages.len() >= self.capacity {
            drop(queue);
            // Relaxed: a statistic with nothing published alongside it.
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        queue.messages.push_back(message);
        drop(queue);
        self.changed.notify_all();
    }

    /// Stops the worker once it has posted what is queued.
    pub(super) fn close(&self) {
        lock(&self.queue).closed = true;
        self.changed.notify_all();
    }

    /// Waits until the queue is empty and no message is being posted, for
    /// at most `timeout`. Returns `true` when it is.
    pub(super) fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut queue = lock(&self.queue);
        while queue.busy || !queue.messages.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            queue = self
                .changed
                .wait_timeout(queue, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Takes the next message, waiting for one; `None` once closed and
    /// empty.
    fn next_message(&self) -> Option<Message> {
        let mut queue = lock(&self.queue);
        queue.busy = false;
        self.changed.notify_all();
        loop {
            if let Some(message) = queue.messages.pop_front() {
                queue.busy = true;
                return Some(message);
            }
            if queue.closed {
                return None;
            }
            queue = self
                .changed
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Runs the worker until the listener is dropped and the queue is empty.
pub(super) fn run(shared: Arc<Shared>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(shared.delivery.timeout))
        .http_status_as_error(false)
        // Slack does not redirect, and a redirect must not carry the token
        // elsewhere.
        .max_redirects(0)
        .build()
        .into();
    while let Some(message) = shared.next_message() {
        post_with_retries(&shared, &agent, &message);
    }
}

/// Posts one message in its thread, retrying transient errors, and updates
/// the counters and the threads.
fn post_with_retries(shared: &Shared, agent: &ureq::Agent, message: &Message) {
    let thread_ts = thread_for(shared, message);
    let mut backoff = shared.delivery.initial_backoff;
    let mut attempt = 0;
    let result = loop {
        let result = post(shared, agent, message, thread_ts.as_deref());
        match result {
            Err(error) if error.is_transient() && attempt < shared.delivery.max_retries => {
                attempt += 1;
                // Relaxed: statistics, as in `enqueue`.
                shared.counters.retries.fetch_add(1, Ordering::Relaxed);
                let wait = match error {
                    DeliveryError::RateLimited(Some(retry_after)) => retry_after.max(backoff),
                    _ => backoff,
                };
                std::thread::sleep(wait);
                backoff = backoff.saturating_mul(2);
            }
            result => break result,
        }
    };

    let mut threads = lock(&shared.threads);
    match result {
        Ok(ts) => {
            shared.counters.sent.fetch_add(1, Ordering::Relaxed);
            let starts_thread = message.to == State::Open && thread_ts.is_none();
            if let Some(ts) = ts.filter(|_| starts_thread) {
                if threads.alive.contains_key(&message.name) {
                    threads.open.insert(Arc::clone(&message.name), ts);
                }
            }
        }
        Err(error) => {
            shared.counters.failed.fetch_add(1, Ordering::Relaxed);
            report(&message.name, &error);
            *lock(&shared.last_error) = Some(error);
        }
    }
    if matches!(
        message.to,
        State::Closed | State::Disabled | State::MetricsOnly
    ) {
        threads.open.remove(&message.name);
    }
}

/// Returns the thread a message belongs in: the breaker's open thread,
/// unless the message starts a new failure cycle.
fn thread_for(shared: &Shared, message: &Message) -> Option<String> {
    let threads = lock(&shared.threads);
    let new_cycle = message.to == State::Open && message.from != State::HalfOpen;
    if new_cycle {
        return None;
    }
    threads.open.get(&message.name).cloned()
}

#[cfg(feature = "tracing")]
fn report(name: &str, error: &DeliveryError) {
    ::tracing::warn!(
        target: "fluxgate",
        circuit_name = name,
        error = %error,
        "posting a circuit breaker transition to Slack failed"
    );
}

#[cfg(not(feature = "tracing"))]
fn report(_name: &str, _error: &DeliveryError) {}

/// Sends one request; returns the message's `ts` from the bot API.
fn post(
    shared: &Shared,
    agent: &ureq::Agent,
    message: &Message,
    thread_ts: Option<&str>,
) -> Result<Option<String>, DeliveryError> {
    let (url, body, authorization) = match &shared.destination {
        Destination::Bot {
            token,
            channel,
            api_base_url,
        } => {
            let mut body = json!({ "channel": channel, "text": message.text });
            if let Some(ts) = thread_ts {
                body["thread_ts"] = Value::from(ts);
            }
            let url = format!("{}/chat.postMessage", api_base_url.trim_end_matches('/'));
            (url, body, Some(format!("Bearer {}", token.expose())))
        }
        Destination::Webhook { url } => {
            let body = json!({ "text": message.text });
            (url.expose().to_owned(), body, None)
        }
    };

    let mut request = agent
        .post(&url)
        .content_type("application/json; charset=utf-8");
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    let secret = shared.destination.secret();
    let transport =
        |error: ureq::Error| DeliveryError::Transport(secret.redact(&error.to_string()));
    let response = request.send(body.to_string()).map_err(transport)?;
    let status = response.status().as_u16();
    if status == 429 {
        let retry_after = response.headers().get("retry-after");
        let seconds = retry_after.and_then(|value| value.to_str().ok()?.trim().parse().ok());
        return Err(DeliveryError::RateLimited(seconds.map(Duration::from_secs)));
    }
    let text = response.into_body().read_to_string().map_err(transport)?;
    if !(200..300).contains(&status) {
        return Err(DeliveryError::Status(status));
    }
    match shared.destination {
        Destination::Bot { .. } => read_bot_reply(&text).map(Some),
        Destination::Webhook { .. } => Ok(None),
    }
}

/// Reads the `ts` of the posted message from a `chat.postMessage` reply.
fn read_bot_reply(text: &str) -> Result<String, DeliveryError> {
    let reply: Value = serde_json::from_str(text)
        .map_err(|error| DeliveryError::InvalidResponse(format!("not JSON: {error}")))?;
    if reply["ok"] != Value::Bool(true) {
        let code = reply["error"].as_str().unwrap_or("no error code");
        return Err(DeliveryError::Api(code.to_owned()));
    }
    match reply["ts"].as_str() {
        Some(ts) => Ok(ts.to_owned()),
        None => Err(DeliveryError::InvalidResponse(
            "\"ok\": true without a \"ts\" string".to_owned(),
        )),
    }
}
