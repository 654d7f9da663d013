//! An axum handler that calls a dependency through a circuit breaker and,
//! while the breaker rejects calls, responds with 503 Service Unavailable
//! and a `Retry-After` header taken from the rejection.
//!
//! The server and the client that sends it requests run in this one
//! program, on 127.0.0.1:
//!
//! ```sh
//! cargo run -p fluxgate-breaker --example retry_after
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use fluxgate::retries::Cooldown;
use fluxgate::trippers::{FailureRate, FailureStreak, HalfOpened, MinRequests};
use fluxgate::{CircuitBreaker, Clock, ConfigError, Error, MonotonicClock, Rejected};
use http_body_util::Empty;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// How long the circuit stays open before a probe.
pub(crate) const COOLDOWN: Duration = Duration::from_secs(30);

/// The pricing service's error.
#[derive(Debug)]
pub(crate) struct PricingUnavailable;

impl std::fmt::Display for PricingUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("pricing service unavailable")
    }
}

impl std::error::Error for PricingUnavailable {}

/// A stand-in for the pricing service that the handler depends on. It fails
/// every request while unhealthy.
#[derive(Debug)]
pub(crate) struct PricingService {
    healthy: AtomicBool,
}

impl PricingService {
    pub(crate) fn new() -> PricingService {
        PricingService {
            healthy: AtomicBool::new(true),
        }
    }

    /// Makes every later request succeed (`true`) or fail.
    pub(crate) fn set_healthy(&self, healthy: bool) {
        // Relaxed: a single flag with nothing published alongside it.
        self.healthy.store(healthy, Ordering::Relaxed);
    }

    /// Returns the price of `sku` in cents.
    pub(crate) async fn price(&self, sku: &str) -> Result<u32, PricingUnavailable> {
        // Relaxed: as in `set_healthy`.
        if self.healthy.load(Ordering::Relaxed) {
            Ok(100 * sku.len() as u32)
        } else {
            Err(PricingUnavailable)
        }
    }
}

/// The handler's state: the pricing service and the breaker guarding it.
#[derive(Debug)]
pub(crate) struct Shop {
    pub(crate) pricing: PricingService,
    pub(crate) breaker: CircuitBreaker,
}

/// Builds a breaker that opens after three failures in a row, or on half of
/// at least 20 calls, and probes again after [`COOLDOWN`]. A failed probe
/// reopens it.
pub(crate) fn build_breaker(clock: impl Clock + 'static) -> Result<CircuitBreaker, ConfigError> {
    CircuitBreaker::builder()
        .name("pricing")
        .tripper(
            FailureStreak::new(3)?
                | (MinRequests::new(20)? & FailureRate::new(0.5)?)
                | (HalfOpened & FailureStreak::new(1)?),
        )
        .retry(Cooldown::new(COOLDOWN)?)
        .clock(clock)
        .build()
}

/// Routes `GET /quote/{sku}`.
pub(crate) fn router(shop: Arc<Shop>) -> Router {
    Router::new()
        .route("/quote/{sku}", get(quote))
        .with_state(shop)
}

/// Responds with the price of a SKU: 200 with the price, 502 when the
/// pricing service failed, 503 when the breaker rejected the call.
async fn quote(State(shop): State<Arc<Shop>>, Path(sku): Path<String>) -> Response {
    match shop.breaker.call_async(|| shop.pricing.price(&sku)).await {
        Ok(cents) => (StatusCode::OK, format!("{sku}: {cents} cents\n")).into_response(),
        Err(Error::Rejected(rejected)) => service_unavailable(&rejected),
        Err(Error::Inner(error)) => (StatusCode::BAD_GATEWAY, format!("{error}\n")).into_response(),
    }
}

/// Builds the 503 response for a rejected call. It carries `Retry-After`
/// when the rejection gives the time the circuit stays open. A circuit
/// forced open, or half-open with every probe slot taken, gives no time.
pub(crate) fn service_unavailable(rejected: &Rejected) -> Response {
    let body = format!("{rejected}\n");
    match rejected.retry_after() {
        Some(wait) => {
            let seconds = retry_after_seconds(wait).to_string();
            let headers = [(header::RETRY_AFTER, seconds)];
            (StatusCode::SERVICE_UNAVAILABLE, headers, body).into_response()
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, body).into_response(),
    }
}

/// Converts a wait to the whole seconds that `Retry-After` takes, rounding
/// up: a client that comes back a fraction of a second early is rejected
/// again.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// Sends `GET url` and returns the status and the `Retry-After` header.
pub(crate) async fn get_quote(url: &str) -> Result<(StatusCode, Option<String>), BoxError> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let response = client
        .request(Request::get(url).body(Empty::new())?)
        .await?;
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    Ok((response.status(), retry_after))
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let shop = Arc::new(Shop {
        pricing: PricingService::new(),
        breaker: build_breaker(MonotonicClock::new())?,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/quote/sku-42", listener.local_addr()?);
    let app = router(Arc::clone(&shop));
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("shop at {url}");

    let show = |(status, retry_after): (StatusCode, Option<String>)| match retry_after {
        Some(seconds) => println!("  GET /quote/sku-42: {status}, Retry-After: {seconds}"),
        None => println!("  GET /quote/sku-42: {status}"),
    };
    println!("pricing healthy:");
    show(get_quote(&url).await?);

    println!("pricing failing:");
    shop.pricing.set_healthy(false);
    for _ in 0..5 {
        show(get_quote(&url).await?);
    }
    println!("breaker: {}", shop.breaker.state());
    Ok(())
}
