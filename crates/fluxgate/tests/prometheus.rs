//! The Prometheus listener, scraped over HTTP from a server on 127.0.0.1.
#![cfg(feature = "prometheus")]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use fluxgate::prometheus::PrometheusListener;
use fluxgate::retries::Cooldown;
use fluxgate::trackers::Custom;
use fluxgate::trippers::FailureStreak;
use fluxgate::{CircuitBreaker, ManualClock, State, permits};
use prometheus_client::encoding::text::encode;
use prometheus_client::registry::Registry;

const COOLDOWN: Duration = Duration::from_secs(30);

/// Counts every error except "not found" as a failure.
type Tracker = Custom<fn(&&str) -> bool>;

fn build_breaker(
    name: &str,
    metrics: &PrometheusListener,
    clock: &ManualClock,
) -> CircuitBreaker<Tracker> {
    CircuitBreaker::builder()
        .name(name)
        .tracker(Custom::new(
            (|error: &&str| *error != "not found") as fn(&&str) -> bool,
        ))
        .tripper(FailureStreak::new(2).unwrap())
        .retry(Cooldown::new(COOLDOWN).unwrap())
        .permit(permits::All)
        .clock(clock.clone())
        .listener(metrics.clone())
        .build()
        .unwrap()
}

/// Returns the expected samples of one breaker: its state gauge, its call
/// counters and the given transition counters.
fn expected_series(
    name: &str,
    state: State,
    calls: [u64; 4],
    transitions: &[(State, State, u64)],
) -> BTreeMap<String, String> {
    let mut expected = BTreeMap::new();
    for candidate in State::ALL {
        expected.insert(
            format!("circuit_breaker_state{{circuit_name=\"{name}\",state=\"{candidate}\"}}"),
            u8::from(candidate == state).to_string(),
        );
    }
    let kinds = ["successful", "failed", "ignored", "rejected"];
    for (kind, count) in kinds.into_iter().zip(calls) {
        expected.insert(
            format!("circuit_breaker_calls_total{{circuit_name=\"{name}\",kind=\"{kind}\"}}"),
            count.to_string(),
        );
    }
    for (from, to, count) in transitions {
        expected.insert(
            format!(
                "circuit_breaker_state_transition_total{{circuit_name=\"{name}\",\
                 old_state=\"{from}\",new_state=\"{to}\"}}"
            ),
            count.to_string(),
        );
    }
    expected
}

/// Returns the samples whose `circuit_name` is `name`.
fn series_of(samples: &BTreeMap<String, String>, name: &str) -> BTreeMap<String, String> {
    let label = format!("circuit_name=\"{name}\"");
    samples
        .iter()
        .filter(|(series, _)| series.contains(&label))
        .map(|(series, value)| (series.clone(), value.clone()))
        .collect()
}

async fn serve_registry(registry: Arc<Registry>) -> String {
    let app = Router::new().route(
        "/metrics",
        get(move || async move {
            let mut text = String::new();
            encode(&mut text, &registry).expect("encoding into a String cannot fail");
            text
        }),
    );
    let address = common::serve(app).await;
    format!("http://{address}/metrics")
}

#[tokio::test]
async fn scrape_after_open_close_cycle() {
    let mut registry = Registry::default();
    let metrics = PrometheusListener::new(&mut registry);
    let clock = ManualClock::new();
    let payments = build_breaker("payments", &metrics, &clock);
    let search = build_breaker("search", &metrics, &clock);

    // One success, one ignored error, two failures: the circuit opens.
    let _ = payments.call(|| Ok::<_, &str>(()));
    let _ = payments.call(|| Err::<(), _>("not found"));
    let _ = payments.call(|| Err::<(), _>("timeout"));
    let _ = payments.call(|| Err::<(), _>("timeout"));
    assert_eq!(payments.state(), State::Open);
    // Two rejections, then a good probe after the cooldown closes it.
    let _ = payments.call(|| Ok::<_, &str>(()));
    let _ = payments.call(|| Ok::<_, &str>(()));
    clock.advance(COOLDOWN);
    let _ = payments.call(|| Ok::<_, &str>(()));
    assert_eq!(payments.state(), State::Closed);
    let _ = search.call(|| Ok::<_, &str>(()));

    let url = serve_registry(Arc::new(registry)).await;
    let scraped = common::fetch(&url).await;
    let samples = common::samples(&scraped.body);

    assert_eq!(scraped.status, 200);
    assert_eq!(
        series_of(&samples, "payments"),
        expected_series(
            "payments",
            State::Closed,
            [2, 2, 1, 2],
            &[
                (State::Closed, State::Open, 1),
                (State::Open, State::HalfOpen, 1),
                (State::HalfOpen, State::Closed, 1),
            ],
        )
    );
    assert_eq!(
        series_of(&samples, "search"),
        expected_series("search", State::Closed, [1, 0, 0, 0], &[])
    );
    assert!(
        scraped
            .body
            .contains("# TYPE circuit_breaker_state gauge\n")
    );
    assert!(
        scraped
            .body
            .contains("# TYPE circuit_breaker_state_transition counter\n")
    );
    assert!(
        scraped
            .body
            .contains("# TYPE circuit_breaker_calls counter\n")
    );

    // Dropping a breaker removes its series and keeps the other's.
    drop(payments);
    let samples = common::samples(&common::fetch(&url).await.body);
    assert_eq!(series_of(&samples, "payments"), BTreeMap::new());
    assert_eq!(series_of(&samples, "search").len(), 10);
    assert_eq!(metrics.circuit_names(), ["search"]);
}

fn encoded_samples(registry: &Registry) -> BTreeMap<String, String> {
    let mut text = String::new();
    encode(&mut text, registry).unwrap();
    common::samples(&text)
}

#[test]
fn state_gauge_reports_state_before_transitions() {
    let mut registry = Registry::default();
    let metrics = PrometheusListener::new(&mut registry);
    let _breaker = build_breaker("inventory", &metrics, &ManualClock::new());

    assert_eq!(
        series_of(&encoded_samples(&registry), "inventory"),
        expected_series("inventory", State::Closed, [0; 4], &[])
    );
}

#[test]
fn shared_name_keeps_series_while_one_lives() {
    let mut registry = Registry::default();
    let metrics = PrometheusListener::new(&mut registry);
    let clock = ManualClock::new();
    let first = build_breaker("tenant-7", &metrics, &clock);
    let second = build_breaker("tenant-7", &metrics, &clock);
    second.force_open();

    drop(first);
    let samples = encoded_samples(&registry);
    let forced = "circuit_breaker_state{circuit_name=\"tenant-7\",state=\"forced_open\"}";
    assert_eq!(samples.get(forced).map(String::as_str), Some("1"));

    drop(second);
    assert_eq!(
        series_of(&encoded_samples(&registry), "tenant-7"),
        BTreeMap::new()
    );
}

#[test]
fn prefixed_registry_prefixes_names() {
    let mut registry = Registry::default();
    let metrics = PrometheusListener::new(registry.sub_registry_with_prefix("shop"));
    let _breaker = build_breaker("cart", &metrics, &ManualClock::new());

    let samples = encoded_samples(&registry);
    let closed = "shop_circuit_breaker_state{circuit_name=\"cart\",state=\"closed\"}";
    assert_eq!(samples.get(closed).map(String::as_str), Some("1"));
}
