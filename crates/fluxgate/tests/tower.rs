//! The tower middleware against a real HTTP server on 127.0.0.1 and
//! against hand-written services that check the tower contract.
#![cfg(feature = "tower")]

#[allow(dead_code)]
#[path = "../examples/http_client.rs"]
mod http_client;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::http::StatusCode;
use fluxgate::retries::{Always, Never};
use fluxgate::tower::CircuitBreakerLayer;
use fluxgate::trackers::Custom;
use fluxgate::trippers::FailureStreak;
use fluxgate::{CircuitBreaker, Error, ManualClock, State, Transition, permits};
use tower::{Layer, Service, ServiceExt};

use http_client::{COOLDOWN, FlakyServer, build_breaker, fetch, guarded_client};

#[tokio::test]
async fn flaky_server_opens_and_recovers() {
    let server = FlakyServer::start().await.unwrap();
    let clock = ManualClock::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let breaker = build_breaker(clock.clone(), move |transition: &Transition| {
        sink.lock().unwrap().push((transition.from, transition.to));
    })
    .unwrap();
    let breaker = Arc::new(breaker);
    let client = guarded_client(Arc::clone(&breaker));
    let url = server.items_url();

    assert_eq!(fetch(&client, &url).await.unwrap(), StatusCode::OK);

    // Three 503s in a row open the circuit; the 503s still reach the caller.
    server.set_healthy(false);
    for _ in 0..3 {
        let status = fetch(&client, &url).await.unwrap();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    }
    assert_eq!(breaker.state(), State::Open);
    let rejected = fetch(&client, &url).await.unwrap_err();
    assert_eq!(rejected.rejected().map(|r| r.state()), Some(State::Open));
    assert_eq!(rejected.rejected().unwrap().retry_after(), Some(COOLDOWN));

    // After the cooldown a failing probe reopens the circuit.
    clock.advance(COOLDOWN);
    let status = fetch(&client, &url).await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(breaker.info().reopens, 1);

    // Once the server recovers, the next probe closes it.
    server.set_healthy(true);
    clock.advance(COOLDOWN);
    assert_eq!(fetch(&client, &url).await.unwrap(), StatusCode::OK);
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(fetch(&client, &url).await.unwrap(), StatusCode::OK);

    assert_eq!(
        *seen.lock().unwrap(),
        [
            (State::Closed, State::Open),
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Open),
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Closed),
        ]
    );
}

#[tokio::test]
async fn refused_connection_is_inner_failure() {
    // Bind a port, then free it, so that connecting to it is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/items", listener.local_addr().unwrap());
    drop(listener);
    let breaker = Arc::new(build_breaker(ManualClock::new(), |_: &Transition| {}).unwrap());
    let client = guarded_client(Arc::clone(&breaker));

    let error = fetch(&client, &url).await.unwrap_err();
    assert!(error.inner().is_some_and(|inner| inner.is_connect()));
    assert_eq!(breaker.info().metric.failure_count(), 1);
}

/// A service that follows the tower contract strictly: it is ready once per
/// `poll_ready`, and `call` without readiness panics.
#[derive(Debug, Default)]
struct StrictService {
    ready: bool,
    calls: usize,
}

impl Service<&'static str> for StrictService {
    type Response = &'static str;
    type Error = io::Error;
    type Future = std::future::Ready<Result<&'static str, io::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        self.ready = true;
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: &'static str) -> Self::Future {
        assert!(self.ready, "call without poll_ready");
        self.ready = false;
        self.calls += 1;
        std::future::ready(match request {
            "fail" => Err(io::Error::other("server error")),
            "not found" => Err(io::Error::from(io::ErrorKind::NotFound)),
            _ => Ok(request),
        })
    }
}

/// Builds a breaker that opens after `streak` failures in a row and probes
/// one call at a time as soon as it is open.
fn eager_breaker(streak: u32) -> Arc<CircuitBreaker> {
    let breaker = CircuitBreaker::builder()
        .tripper(FailureStreak::new(streak).unwrap())
        .retry(Always)
        .permit(permits::All)
        .max_half_open_calls(1)
        .build()
        .unwrap();
    Arc::new(breaker)
}

#[tokio::test]
async fn rejected_call_keeps_inner_readiness() {
    let breaker = eager_breaker(1);
    let mut service =
        CircuitBreakerLayer::new(Arc::clone(&breaker)).layer(StrictService::default());
    breaker.force_open();

    let rejected = service.ready().await.unwrap().call("a").await.unwrap_err();
    assert_eq!(
        rejected.rejected().map(|r| r.state()),
        Some(State::ForcedOpen)
    );
    assert_eq!(service.get_ref().calls, 0);
    assert!(service.get_ref().ready);

    breaker.reset();
    let response = service.ready().await.unwrap().call("b").await.unwrap();
    assert_eq!(response, "b");
    assert_eq!(service.get_ref().calls, 1);
}

#[tokio::test]
async fn inner_errors_follow_tracker() {
    let breaker = CircuitBreaker::builder()
        .tracker(Custom::new(
            (|error: &io::Error| error.kind() != io::ErrorKind::NotFound) as fn(&io::Error) -> bool,
        ))
        .tripper(FailureStreak::new(5).unwrap())
        .build()
        .unwrap();
    let breaker = Arc::new(breaker);
    let mut service =
        CircuitBreakerLayer::new(Arc::clone(&breaker)).layer(StrictService::default());

    let ignored = service.ready().await.unwrap().call("not found").await;
    assert_eq!(
        ignored.unwrap_err().inner().map(io::Error::kind),
        Some(io::ErrorKind::NotFound)
    );
    let failed = service.ready().await.unwrap().call("fail").await;
    assert_eq!(
        failed.unwrap_err().inner().map(io::Error::kind),
        Some(io::ErrorKind::Other)
    );
    let succeeded = service.ready().await.unwrap().call("ok").await;
    assert_eq!(succeeded.unwrap(), "ok");

    let metric = breaker.info().metric;
    assert_eq!(metric.total_count(), 2);
    assert_eq!(metric.failure_count(), 1);
}

/// A service whose responses never arrive.
#[derive(Debug, Clone)]
struct HangingService;

impl Service<()> for HangingService {
    type Response = ();
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<(), io::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: ()) -> Self::Future {
        Box::pin(std::future::pending())
    }
}

#[tokio::test]
async fn dropped_future_frees_probe_slot() {
    let breaker = eager_breaker(1);
    let service = CircuitBreakerLayer::new(Arc::clone(&breaker)).layer(HangingService);
    let _ = breaker.call(|| Err::<(), _>("down"));
    assert_eq!(breaker.state(), State::Open);

    // The first call moves to HalfOpen and takes the only probe slot.
    let probe = service.clone().oneshot(());
    let mut probe = Box::pin(probe);
    let waker = std::task::Waker::noop();
    assert!(
        probe
            .as_mut()
            .poll(&mut Context::from_waker(waker))
            .is_pending()
    );
    assert_eq!(breaker.state(), State::HalfOpen);
    assert_eq!(breaker.info().probes_in_flight, 1);
    let second = service.clone().oneshot(()).await.unwrap_err();
    assert_eq!(second.rejected().map(|r| r.state()), Some(State::HalfOpen));

    // Dropping the pending probe frees the slot and records nothing.
    drop(probe);
    assert_eq!(breaker.info().probes_in_flight, 0);
    assert_eq!(breaker.info().metric.total_count(), 0);
    assert_eq!(breaker.state(), State::HalfOpen);
}

#[tokio::test]
async fn default_classifier_counts_ok_as_success() {
    let breaker = eager_breaker(1);
    let layer = CircuitBreakerLayer::new(Arc::clone(&breaker));
    let mut service = layer.layer(StrictService::default());

    for _ in 0..2 {
        let response = service.ready().await.unwrap().call("503").await.unwrap();
        assert_eq!(response, "503");
    }
    let metric = breaker.info().metric;
    assert_eq!(metric.success_count(), 2);
    assert_eq!(metric.failure_count(), 0);
}

#[tokio::test]
async fn classified_failure_reaches_caller() {
    let breaker = CircuitBreaker::builder()
        .tripper(FailureStreak::new(2).unwrap())
        .retry(Never)
        .build()
        .unwrap();
    let breaker = Arc::new(breaker);
    let layer =
        CircuitBreakerLayer::new(Arc::clone(&breaker)).classify_response(|response: &&str| {
            if response.starts_with("5") {
                fluxgate::Outcome::Failure
            } else {
                fluxgate::Outcome::Success
            }
        });
    let mut service = layer.layer(StrictService::default());

    for _ in 0..2 {
        let response = service.ready().await.unwrap().call("503").await.unwrap();
        assert_eq!(response, "503");
    }
    assert_eq!(breaker.state(), State::Open);
    let rejected = service.ready().await.unwrap().call("200").await;
    assert!(matches!(rejected, Err(Error::Rejected(_))));
}
