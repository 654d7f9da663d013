//! The Slack listener against a mock Slack server on 127.0.0.1 that records
//! every request and replies as scripted.
#![cfg(feature = "slack")]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use fluxgate::retries::{Cooldown, Never};
use fluxgate::slack::{DeliveryError, SlackConfig, SlackListener};
use fluxgate::trippers::FailureStreak;
use fluxgate::{CircuitBreaker, ManualClock, State, Transition, permits};
use serde_json::{Value, json};

const TOKEN: &str = "xoxb-test-token-5ecret";
const WEBHOOK_PATH: &str = "/services/T000/B000/w3bh00k5ecret";
/// How long a test waits for the worker before it fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// One request the mock received.
#[derive(Debug, Clone)]
struct Recorded {
    path: String,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Value,
}

/// The mock's reply to one request.
#[derive(Debug, Clone, Copy)]
enum Reply {
    /// Holds the request until released, or for 10 seconds.
    Hang,
    Status(u16),
    /// HTTP 429 with `Retry-After: 0`.
    RateLimited,
    ApiError(&'static str),
}

#[derive(Default)]
struct MockState {
    requests: Mutex<Vec<Recorded>>,
    // Replies for the next requests, in order; then every request succeeds.
    script: Mutex<VecDeque<Reply>>,
    holding: AtomicBool,
    release: tokio::sync::Notify,
}

/// A mock of Slack's bot API and of an incoming webhook, on 127.0.0.1,
/// served by a runtime on its own thread.
struct MockSlack {
    address: SocketAddr,
    state: Arc<MockState>,
}

impl MockSlack {
    fn start(script: &[Reply]) -> MockSlack {
        let state = Arc::new(MockState::default());
        state.script.lock().unwrap().extend(script);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap();
        let app_state = Arc::clone(&state);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app =
                    Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
                        answer(Arc::clone(&app_state), uri, headers, body)
                    });
                axum::serve(listener, app).await.unwrap();
            });
        });
        MockSlack { address, state }
    }

    fn api_base_url(&self) -> String {
        format!("http://{}/api", self.address)
    }

    fn webhook_url(&self) -> String {
        format!("http://{}{WEBHOOK_PATH}", self.address)
    }

    fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Waits until the mock has received `count` requests.
    fn wait_for_requests(&self, count: usize) {
        let deadline = Instant::now() + PATIENCE;
        while self.requests().len() < count {
            assert!(
                Instant::now() < deadline,
                "the mock never received {count} requests"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn is_holding(&self) -> bool {
        self.state.holding.load(Ordering::SeqCst)
    }

    fn release(&self) {
        self.state.release.notify_one();
    }
}

async fn answer(state: Arc<MockState>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let text = |name| {
        headers
            .get(name)
            .map(|value: &header::HeaderValue| value.to_str().unwrap().to_owned())
    };
    let count = {
        let mut requests = state.requests.lock().unwrap();
        requests.push(Recorded {
            path: uri.path().to_owned(),
            authorization: text(header::AUTHORIZATION),
            content_type: text(header::CONTENT_TYPE),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        });
        requests.len()
    };
    let reply = state.script.lock().unwrap().pop_front();
    match reply {
        Some(Reply::Hang) => {
            state.holding.store(true, Ordering::SeqCst);
            let _ = tokio::time::timeout(Duration::from_secs(10), state.release.notified()).await;
            state.holding.store(false, Ordering::SeqCst);
        }
        Some(Reply::Status(status)) => {
            return StatusCode::from_u16(status).unwrap().into_response();
        }
        Some(Reply::RateLimited) => {
            let headers = [(header::RETRY_AFTER, "0")];
            return (StatusCode::TOO_MANY_REQUESTS, headers).into_response();
        }
        Some(Reply::ApiError(code)) => {
            return axum::Json(json!({"ok": false, "error": code})).into_response();
        }
        None => {}
    }
    if uri.path() == "/api/chat.postMessage" {
        let ts = format!("1000.{count}");
        axum::Json(json!({"ok": true, "channel": "C1", "ts": ts})).into_response()
    } else {
        "ok".into_response()
    }
}

fn bot_config(mock: &MockSlack) -> SlackConfig {
    SlackConfig::bot(TOKEN, "#alerts")
        .api_base_url(mock.api_base_url())
        .initial_backoff(Duration::from_millis(1))
}

/// Builds a breaker that opens at the first failure and probes with every
/// call once its 30-second cooldown is over.
fn breaker(name: &str, clock: &ManualClock, slack: &SlackListener) -> CircuitBreaker {
    CircuitBreaker::builder()
        .name(name)
        .tripper(FailureStreak::new(1).unwrap())
        .retry(Cooldown::new(Duration::from_secs(30)).unwrap())
        .permit(permits::All)
        .clock(clock.clone())
        .listener(slack.clone())
        .build()
        .unwrap()
}

fn thread_of(request: &Recorded) -> Option<&str> {
    request.body.get("thread_ts").and_then(Value::as_str)
}

#[test]
fn bot_messages_thread_failure_cycle() {
    let mock = MockSlack::start(&[]);
    let slack = bot_config(&mock).start().unwrap();
    let clock = ManualClock::new();
    let payments = breaker("payments", &clock, &slack);

    let _ = payments.call(|| Err::<(), _>("timeout"));
    clock.advance(Duration::from_secs(30));
    let _ = payments.call(|| Err::<(), _>("timeout"));
    clock.advance(Duration::from_secs(30));
    let _ = payments.call(|| Ok::<_, &str>(()));
    payments.force_open();
    payments.reset();
    let _ = payments.call(|| Err::<(), _>("timeout"));
    assert!(slack.flush(PATIENCE));

    let requests = mock.requests();
    let threads: Vec<Option<&str>> = requests.iter().map(thread_of).collect();
    assert_eq!(
        threads,
        [
            None,           // closed -> open starts a thread: ts 1000.1
            Some("1000.1"), // open -> half_open
            Some("1000.1"), // half_open -> open, a reopen
            Some("1000.1"), // open -> half_open
            Some("1000.1"), // half_open -> closed ends the thread
            None,           // closed -> forced_open, outside any cycle
            None,           // forced_open -> closed
            None,           // closed -> open starts a new thread
        ]
    );
    let first = &requests[0];
    assert_eq!(first.path, "/api/chat.postMessage");
    assert_eq!(
        first.authorization.as_deref(),
        Some("Bearer xoxb-test-token-5ecret")
    );
    assert_eq!(
        first.content_type.as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        first.body,
        json!({
            "channel": "#alerts",
            "text": ":red_circle: Circuit breaker *payments* opened from closed (reopens: 0): \
                     failure_streak(1) was true: 1 of 1 failed (100.0%), 1 in a row",
        })
    );
    assert_eq!(
        requests[4].body["text"],
        ":large_green_circle: Circuit breaker *payments* closed: a probe succeeded and the tripper was false: 0 of 1 failed (0.0%)"
    );
    assert_eq!(slack.stats().sent, 8);
    assert_eq!(slack.stats().failed, 0);
}

#[test]
fn webhook_posts_custom_template() {
    let mock = MockSlack::start(&[]);
    let slack = SlackConfig::webhook(mock.webhook_url())
        .template(
            State::ForcedOpen,
            "{name}: {from} -> {to} after {reopens} reopens {{{reason}}}",
        )
        .start()
        .unwrap();
    let clock = ManualClock::new();
    let search = breaker("search", &clock, &slack);

    search.force_open();
    search.reset();
    assert!(slack.flush(PATIENCE));

    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].path, WEBHOOK_PATH);
    assert_eq!(requests[0].authorization, None);
    assert_eq!(
        requests[0].body,
        json!({"text": "search: closed -> forced_open after 0 reopens {force_open() was called}"})
    );
    assert_eq!(
        requests[1].body,
        json!({"text": ":large_green_circle: Circuit breaker *search* closed: reset() was called"})
    );
}

#[test]
fn hanging_slack_delays_no_call() {
    let mock = MockSlack::start(&[Reply::Hang]);
    let slack = bot_config(&mock)
        .queue_capacity(3)
        .timeout(Duration::from_secs(30))
        .start()
        .unwrap();
    let transitions = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&transitions);
    let breaker = CircuitBreaker::builder()
        .name("payments")
        .tripper(FailureStreak::new(1).unwrap())
        .retry(Never)
        .listener(slack.clone())
        .listener(move |transition: &Transition| sink.lock().unwrap().push(transition.to))
        .build()
        .unwrap();

    // The first transition's message is taken by the worker and hangs.
    let _ = breaker.call(|| Err::<(), _>("timeout"));
    mock.wait_for_requests(1);

    // Calls and transitions go on while the mock keeps that request open:
    // three messages fit in the queue, and the other seven are dropped.
    let mut rejected = 0;
    for _ in 0..100 {
        if breaker.call(|| Ok::<_, &str>(())).is_err() {
            rejected += 1;
        }
    }
    for _ in 0..5 {
        breaker.reset();
        breaker.force_open();
    }
    assert!(mock.is_holding());
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(rejected, 100);
    assert_eq!(transitions.lock().unwrap().len(), 11);
    assert_eq!(breaker.state(), State::ForcedOpen);
    assert_eq!(slack.stats().dropped, 7);

    mock.release();
    assert!(slack.flush(PATIENCE));
    assert_eq!(mock.requests().len(), 4);
    assert_eq!(slack.stats().sent, 4);
    assert_eq!(slack.stats().dropped, 7);
}

#[test]
fn transient_errors_are_retried() {
    let mock = MockSlack::start(&[Reply::Status(503), Reply::RateLimited]);
    let slack = bot_config(&mock).start().unwrap();
    let breaker = breaker("payments", &ManualClock::new(), &slack);

    breaker.force_open();
    assert!(slack.flush(PATIENCE));

    assert_eq!(mock.requests().len(), 3);
    let stats = slack.stats();
    assert_eq!(stats.sent, 1);
    assert_eq!(stats.retries, 2);
    assert_eq!(stats.failed, 0);
    assert_eq!(slack.last_error(), None);
}

#[test]
fn rate_limit_after_retries_is_reported() {
    let mock = MockSlack::start(&[Reply::RateLimited, Reply::RateLimited]);
    let slack = bot_config(&mock).max_retries(1).start().unwrap();
    let breaker = breaker("payments", &ManualClock::new(), &slack);

    breaker.force_open();
    assert!(slack.flush(PATIENCE));

    assert_eq!(mock.requests().len(), 2);
    assert_eq!(slack.stats().failed, 1);
    let error = slack.last_error().unwrap();
    assert_eq!(error, DeliveryError::RateLimited(Some(Duration::ZERO)));
    assert_eq!(
        error.to_string(),
        "Slack rate-limited the message; retry after 0s"
    );
}

#[test]
fn api_error_is_not_retried() {
    let mock = MockSlack::start(&[Reply::ApiError("channel_not_found")]);
    let slack = bot_config(&mock).start().unwrap();
    let breaker = breaker("payments", &ManualClock::new(), &slack);

    breaker.force_open();
    assert!(slack.flush(PATIENCE));

    assert_eq!(mock.requests().len(), 1);
    assert_eq!(slack.stats().failed, 1);
    assert_eq!(slack.stats().retries, 0);
    let error = slack.last_error().unwrap();
    assert_eq!(error, DeliveryError::Api("channel_not_found".to_owned()));
    assert_eq!(
        error.to_string(),
        "Slack rejected the message: channel_not_found"
    );
}

#[test]
fn dropped_breaker_forgets_thread() {
    let mock = MockSlack::start(&[]);
    let slack = bot_config(&mock).start().unwrap();
    let clock = ManualClock::new();
    let first = breaker("tenant-7", &clock, &slack);
    let _ = first.call(|| Err::<(), _>("timeout"));
    first.force_open();
    assert!(slack.flush(PATIENCE));
    drop(first);

    let second = breaker("tenant-7", &clock, &slack);
    second.force_open();
    assert!(slack.flush(PATIENCE));

    let requests = mock.requests();
    let threads: Vec<Option<&str>> = requests.iter().map(thread_of).collect();
    assert_eq!(threads, [None, Some("1000.1"), None]);
}

/// Returns a URL on 127.0.0.1 where nothing listens.
fn refused_address() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[test]
fn secrets_never_printed() {
    let address = refused_address();
    let bot = SlackConfig::bot(TOKEN, "#alerts")
        .api_base_url(format!("http://{address}/api"))
        .max_retries(1)
        .initial_backoff(Duration::from_millis(1));
    let webhook = SlackConfig::webhook(format!("http://{address}{WEBHOOK_PATH}")).max_retries(0);

    for config in [bot, webhook] {
        let config_debug = format!("{config:?}");
        let slack = config.start().unwrap();
        let breaker = breaker("payments", &ManualClock::new(), &slack);
        breaker.force_open();
        assert!(slack.flush(PATIENCE));

        let error = slack.last_error().unwrap();
        assert!(matches!(error, DeliveryError::Transport(_)), "{error:?}");
        assert_eq!(slack.stats().failed, 1);
        let printed = [
            config_debug,
            format!("{slack:?}"),
            format!("{error:?}"),
            error.to_string(),
        ];
        for text in printed {
            assert!(!text.contains("5ecret"), "a secret in {text:?}");
        }
    }
}

#[test]
fn invalid_config_names_value() {
    let cases = [
        (
            SlackConfig::bot("", "#alerts"),
            "invalid token for slack: empty (allowed: a bot token (xoxb-…))",
        ),
        (
            SlackConfig::bot(TOKEN, "#alerts").api_base_url("slack.com/api"),
            "invalid api_base_url for slack: \"slack.com/api\" (allowed: an http:// or https:// URL)",
        ),
        (
            SlackConfig::webhook("hooks.slack.com/services/5ecret"),
            "invalid webhook_url for slack: [redacted] (allowed: an http:// or https:// URL)",
        ),
        (
            SlackConfig::bot(TOKEN, "#alerts").queue_capacity(0),
            "invalid queue_capacity for slack: 0 (allowed: at least 1)",
        ),
        (
            SlackConfig::bot(TOKEN, "#alerts").template(State::Open, "{nam} down"),
            "invalid template for slack: unknown placeholder {nam} in the open template \
             (allowed: {name}, {from}, {to}, {reason}, {reopens}, and {{ or }} for a brace)",
        ),
    ];
    for (config, expected) in cases {
        assert_eq!(config.start().unwrap_err().to_string(), expected);
    }
}
