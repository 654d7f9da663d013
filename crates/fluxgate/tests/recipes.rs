//! The recipe examples of the guide, run against the values a user would
//! check. HTTP recipes talk to servers they start on 127.0.0.1.

#[allow(dead_code)]
#[path = "../examples/fallback.rs"]
mod fallback;
#[allow(dead_code)]
#[path = "../examples/manual_clock.rs"]
mod manual_clock;
#[cfg(feature = "registry")]
#[allow(dead_code)]
#[path = "../examples/per_host.rs"]
mod per_host;
#[cfg(all(feature = "registry", feature = "policy-file"))]
#[allow(dead_code)]
#[path = "../examples/policy_file.rs"]
mod policy_file;
#[allow(dead_code)]
#[path = "../examples/retry_after.rs"]
mod retry_after;
#[allow(dead_code)]
#[path = "../examples/shadow_mode.rs"]
mod shadow_mode;

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use fluxgate::{ManualClock, MonotonicClock, State};

#[test]
fn fallback_serves_last_good_rate() {
    use fallback::{Quote, RateUnavailable, Rates};

    let rates = Rates::new(MonotonicClock::new()).unwrap();
    assert_eq!(rates.quote(|| Ok(1.08)), Quote::Fresh(1.08));
    assert_eq!(rates.quote(|| Ok(1.09)), Quote::Fresh(1.09));

    for _ in 0..3 {
        let quote = rates.quote(|| Err(RateUnavailable));
        assert_eq!(
            quote,
            Quote::Cached {
                rate: 1.09,
                reason: "the rate service failed".to_owned()
            }
        );
    }
    assert_eq!(rates.breaker.state(), State::Open);

    let mut ran = false;
    let quote = rates.quote(|| {
        ran = true;
        Ok(1.10)
    });
    assert!(!ran, "an open circuit does not run the fetch");
    assert_eq!(
        quote,
        Quote::Cached {
            rate: 1.09,
            reason: "rejected while open".to_owned()
        }
    );
}

#[test]
fn fallback_without_cache_is_unavailable() {
    use fallback::{Quote, RateUnavailable, Rates};

    let rates = Rates::new(MonotonicClock::new()).unwrap();
    assert_eq!(
        rates.quote(|| Err(RateUnavailable)),
        Quote::Unavailable("the rate service failed".to_owned())
    );
}

#[test]
fn catalog_waits_out_cooldown_on_manual_clock() {
    use manual_clock::{BackendDown, COOLDOWN, Catalog, LookupError, fake_backend};

    let clock = ManualClock::new();
    let down = Cell::new(true);
    let catalog = Catalog::new(fake_backend(&down), clock.clone()).unwrap();

    for _ in 0..3 {
        assert_eq!(
            catalog.product_name(7),
            Err(LookupError::Backend(BackendDown))
        );
    }
    assert_eq!(catalog.state(), State::Open);
    assert_eq!(
        catalog.product_name(7),
        Err(LookupError::Unavailable {
            retry_after: Some(COOLDOWN)
        })
    );

    clock.advance(Duration::from_secs(29));
    assert_eq!(
        catalog.product_name(7),
        Err(LookupError::Unavailable {
            retry_after: Some(Duration::from_secs(1))
        })
    );

    down.set(false);
    clock.advance(Duration::from_secs(1));
    assert_eq!(catalog.product_name(7), Ok("product 7".to_owned()));
    assert_eq!(catalog.state(), State::Closed);
}

#[test]
fn catalog_failed_probe_reopens() {
    use manual_clock::{BackendDown, COOLDOWN, Catalog, LookupError};

    let clock = ManualClock::new();
    let catalog = Catalog::new(|_| Err(BackendDown), clock.clone()).unwrap();
    for _ in 0..3 {
        let _ = catalog.product_name(1);
    }

    clock.advance(COOLDOWN);
    assert_eq!(
        catalog.product_name(1),
        Err(LookupError::Backend(BackendDown))
    );
    assert_eq!(catalog.state(), State::Open);
    assert_eq!(
        catalog.product_name(1),
        Err(LookupError::Unavailable {
            retry_after: Some(COOLDOWN)
        })
    );
}

#[test]
fn shadow_mode_reports_without_opening() {
    use shadow_mode::{replay_minute, shadow_breaker, would_open};

    let clock = ManualClock::new();
    let breaker = shadow_breaker(clock.clone()).unwrap();
    let mut verdicts = Vec::new();
    replay_minute(&breaker, &clock, |second| {
        if let Some(cause) = would_open(&breaker) {
            verdicts.push((second, cause));
        }
    });

    assert_eq!(breaker.state(), State::MetricsOnly);
    assert_eq!(verdicts.len(), 30, "calls 5 to 7 of each brownout second");
    assert_eq!(verdicts[0], (30, "failure_streak(5)".to_owned()));
    assert_eq!(verdicts[29].0, 39);
    let info = breaker.info();
    assert_eq!(info.metric.total_count(), 600);
    assert_eq!(info.metric.failure_count(), 70 + 50 * 2);
}

#[test]
fn shadow_policy_opens_once_enforced() {
    use shadow_mode::{replay_minute, shadow_breaker};

    let clock = ManualClock::new();
    let breaker = shadow_breaker(clock.clone()).unwrap();
    breaker.reset();
    let mut opened_at = None;
    replay_minute(&breaker, &clock, |second| {
        if breaker.state() == State::Open {
            opened_at.get_or_insert(second);
        }
    });
    assert_eq!(opened_at, Some(30));
    assert_eq!(breaker.state(), State::Open);
}

#[tokio::test]
async fn retry_after_header_counts_down() {
    use retry_after::{COOLDOWN, PricingService, Shop, build_breaker, get_quote, router};

    let clock = ManualClock::new();
    let shop = Arc::new(Shop {
        pricing: PricingService::new(),
        breaker: build_breaker(clock.clone()).unwrap(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/quote/sku-42", listener.local_addr().unwrap());
    let app = router(Arc::clone(&shop));
    tokio::spawn(async move { axum::serve(listener, app).await });

    assert_eq!(get_quote(&url).await.unwrap(), (StatusCode::OK, None));

    shop.pricing.set_healthy(false);
    for _ in 0..3 {
        let (status, _) = get_quote(&url).await.unwrap();
        assert_eq!(status, StatusCode::BAD_GATEWAY);
    }
    let seconds = COOLDOWN.as_secs().to_string();
    assert_eq!(
        get_quote(&url).await.unwrap(),
        (StatusCode::SERVICE_UNAVAILABLE, Some(seconds))
    );

    clock.advance(Duration::from_millis(10_500));
    assert_eq!(
        get_quote(&url).await.unwrap(),
        (StatusCode::SERVICE_UNAVAILABLE, Some("20".to_owned())),
        "19.5 s left rounds up to 20"
    );

    shop.breaker.force_open();
    assert_eq!(
        get_quote(&url).await.unwrap(),
        (StatusCode::SERVICE_UNAVAILABLE, None),
        "a forced-open circuit gives no time"
    );
}

#[test]
fn retry_after_rounds_up_to_whole_seconds() {
    use retry_after::retry_after_seconds;

    assert_eq!(retry_after_seconds(Duration::from_secs(30)), 30);
    assert_eq!(retry_after_seconds(Duration::from_millis(29_001)), 30);
    assert_eq!(retry_after_seconds(Duration::from_nanos(1)), 1);
}

#[cfg(feature = "registry")]
#[tokio::test]
async fn per_host_failing_host_opens_alone() {
    use per_host::{FetchError, HostClient, start_host};

    let healthy = start_host(StatusCode::OK).await.unwrap();
    let failing = start_host(StatusCode::SERVICE_UNAVAILABLE).await.unwrap();
    let client = HostClient::new(Duration::from_secs(30)).unwrap();

    for _ in 0..3 {
        let result = client.get(&format!("http://{failing}/a")).await;
        assert!(matches!(
            result,
            Err(fluxgate::Error::Inner(FetchError::Status(
                StatusCode::SERVICE_UNAVAILABLE
            )))
        ));
        let result = client.get(&format!("http://{healthy}/a")).await;
        assert_eq!(result.unwrap(), StatusCode::OK);
    }
    let rejected = client
        .get(&format!("http://{failing}/b"))
        .await
        .unwrap_err();
    assert_eq!(rejected.rejected().map(|r| r.state()), Some(State::Open));
    let result = client.get(&format!("http://{healthy}/b")).await;
    assert_eq!(result.unwrap(), StatusCode::OK);

    let states: Vec<(String, State)> = client
        .breakers
        .list()
        .into_iter()
        .map(|info| (info.name.to_string(), info.state))
        .collect();
    let mut expected = vec![
        (healthy.to_string(), State::Closed),
        (failing.to_string(), State::Open),
    ];
    expected.sort();
    assert_eq!(states, expected);
}

#[cfg(feature = "registry")]
#[tokio::test]
async fn per_host_rejects_url_without_host() {
    use per_host::{FetchError, HostClient};

    let client = HostClient::new(Duration::from_secs(30)).unwrap();
    let result = client.get("/relative/path").await;
    assert!(matches!(
        result,
        Err(fluxgate::Error::Inner(FetchError::InvalidUrl(url))) if url == "/relative/path"
    ));
    assert!(client.breakers.is_empty());
}

#[cfg(all(feature = "registry", feature = "policy-file"))]
#[test]
fn policy_file_gives_each_service_its_rules() {
    use policy_file::{SERVICES_TOML, ServiceError, service_breakers};

    let breakers = service_breakers(SERVICES_TOML, |_: &fluxgate::Transition| {}).unwrap();
    let tripper = |name: &str| breakers.get(name).unwrap().tripper().to_string();
    assert_eq!(
        tripper("payments"),
        "failure_streak(5) | min_requests(20) & (failure_rate(0.4) | slow_rate(0.3, 2s))"
    );
    assert_eq!(tripper("email"), "failure_streak(10)");
    assert_eq!(tripper("search"), "min_requests(20) & failure_rate(0.5)");

    for service in ["payments", "inventory", "email", "search"] {
        let breaker = breakers.get(service).unwrap();
        for _ in 0..5 {
            let _ = breaker.call(|| Err::<(), _>(ServiceError::Timeout));
        }
    }
    let states: Vec<(String, State)> = breakers
        .list()
        .into_iter()
        .map(|info| (info.name.to_string(), info.state))
        .collect();
    assert_eq!(
        states,
        [
            ("email".to_owned(), State::Closed),
            ("inventory".to_owned(), State::Closed),
            ("payments".to_owned(), State::Open),
            ("search".to_owned(), State::Closed),
        ]
    );

    let inventory = breakers.get("inventory").unwrap();
    let _ = inventory.call(|| Err::<(), _>(ServiceError::Status(404)));
    assert_eq!(
        inventory.info().metric.total_count(),
        5,
        "the 404 is ignored"
    );
}
