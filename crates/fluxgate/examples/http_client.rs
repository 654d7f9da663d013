//! Guards an HTTP client with a circuit breaker while a flaky server fails
//! and recovers, and prints each transition.
//!
//! The server and the client run in this one program, on 127.0.0.1:
//!
//! ```sh
//! cargo run -p fluxgate-breaker --features tower --example http_client
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{Request, Response, StatusCode};
use axum::routing::get;
use fluxgate::permits;
use fluxgate::retries::Cooldown;
use fluxgate::tower::{CircuitBreakerLayer, CircuitBreakerService};
use fluxgate::trippers::{FailureStreak, HalfOpened};
use fluxgate::{CircuitBreaker, Clock, Error, MonotonicClock, Outcome, Transition};
use http_body_util::Empty;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tower::{Layer, ServiceExt};

/// How long the circuit stays open before a probe.
pub(crate) const COOLDOWN: Duration = Duration::from_millis(500);

/// An HTTP server on 127.0.0.1 that returns 503 to every request while
/// unhealthy, and 200 otherwise.
pub(crate) struct FlakyServer {
    address: SocketAddr,
    healthy: Arc<AtomicBool>,
}

impl FlakyServer {
    /// Starts the server, healthy, on a free port of 127.0.0.1.
    pub(crate) async fn start() -> std::io::Result<FlakyServer> {
        let healthy = Arc::new(AtomicBool::new(true));
        let state = Arc::clone(&healthy);
        let app = Router::new().route(
            "/items",
            get(move || async move {
                // Relaxed: a single flag with nothing published alongside it.
                if state.load(Ordering::Relaxed) {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(FlakyServer { address, healthy })
    }

    /// Makes every later request succeed (`true`) or fail with 503.
    pub(crate) fn set_healthy(&self, healthy: bool) {
        // Relaxed: as in `start`.
        self.healthy.store(healthy, Ordering::Relaxed);
    }

    /// Returns the URL of the server's one route.
    pub(crate) fn items_url(&self) -> String {
        format!("http://{}/items", self.address)
    }
}

/// The HTTP client, wrapped by the breaker's layer.
pub(crate) type GuardedClient = CircuitBreakerService<
    Client<HttpConnector, Empty<Bytes>>,
    fluxgate::trackers::All,
    fn(&Response<Incoming>) -> Outcome,
>;

/// Counts a 5xx response as a failure; the response still reaches the
/// caller.
pub(crate) fn classify_status(response: &Response<Incoming>) -> Outcome {
    if response.status().is_server_error() {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

/// Builds a breaker that opens after three failures in a row and probes one
/// call at a time after [`COOLDOWN`]. A failed probe reopens it and a good
/// one closes it. Each transition goes to `on_transition`.
pub(crate) fn build_breaker(
    clock: impl Clock + 'static,
    on_transition: impl Fn(&Transition) + Send + Sync + 'static,
) -> Result<CircuitBreaker, fluxgate::ConfigError> {
    CircuitBreaker::builder()
        .name("items")
        .tripper(FailureStreak::new(3)? | (HalfOpened & FailureStreak::new(1)?))
        .retry(Cooldown::new(COOLDOWN)?)
        .permit(permits::All)
        .max_half_open_calls(1)
        .clock(clock)
        .listener(on_transition)
        .build()
}

/// Wraps a plain `hyper_util` client with the breaker.
pub(crate) fn guarded_client(breaker: Arc<CircuitBreaker>) -> GuardedClient {
    let client = Client::builder(TokioExecutor::new()).build_http();
    let classify: fn(&Response<Incoming>) -> Outcome = classify_status;
    CircuitBreakerLayer::new(breaker)
        .classify_response(classify)
        .layer(client)
}

/// Sends one GET request through the guarded client and returns the status.
pub(crate) async fn fetch(
    client: &GuardedClient,
    url: &str,
) -> Result<StatusCode, Error<hyper_util::client::legacy::Error>> {
    let request = Request::get(url)
        .body(Empty::new())
        .expect("a GET request with a parsed URL is valid");
    let response = client.clone().oneshot(request).await?;
    Ok(response.status())
}

/// Describes a request's result in a few words.
pub(crate) fn describe(
    result: &Result<StatusCode, Error<hyper_util::client::legacy::Error>>,
) -> String {
    match result {
        Ok(status) => format!("HTTP {}", status.as_u16()),
        Err(Error::Rejected(rejected)) => format!("rejected ({})", rejected.state()),
        Err(Error::Inner(error)) => format!("request failed: {error}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = FlakyServer::start().await?;
    let breaker = build_breaker(MonotonicClock::new(), |transition: &Transition| {
        println!(
            "  transition: {} -> {} ({})",
            transition.from, transition.to, transition.reason
        );
    })?;
    let client = guarded_client(Arc::new(breaker));
    let url = server.items_url();
    println!("flaky server at {url}");

    println!("server healthy:");
    for _ in 0..2 {
        println!("  GET /items: {}", describe(&fetch(&client, &url).await));
    }

    println!("server failing:");
    server.set_healthy(false);
    for _ in 0..5 {
        println!("  GET /items: {}", describe(&fetch(&client, &url).await));
    }

    println!("after the cooldown, still failing:");
    tokio::time::sleep(COOLDOWN).await;
    println!("  GET /items: {}", describe(&fetch(&client, &url).await));

    println!("server recovered, after the cooldown:");
    server.set_healthy(true);
    tokio::time::sleep(COOLDOWN).await;
    println!("  GET /items: {}", describe(&fetch(&client, &url).await));
    println!("circuit closed:");
    println!("  GET /items: {}", describe(&fetch(&client, &url).await));
    Ok(())
}
