//! The admin server example, started on 127.0.0.1 and fetched over HTTP.
#![cfg(all(feature = "registry", feature = "serde", feature = "prometheus"))]

#[allow(dead_code)]
#[path = "../examples/admin_server.rs"]
mod admin_server;
mod common;

use std::sync::Arc;

use serde_json::Value;

#[tokio::test]
async fn admin_server_serves_breakers_and_metrics() {
    let admin = admin_server::admin(2).unwrap();
    let _ = admin
        .breakers
        .get("inventory")
        .unwrap()
        .call(|| Ok::<_, &str>(()));
    for _ in 0..2 {
        let payments = admin.breakers.get("payments").unwrap();
        let _ = payments.call(|| Err::<(), _>("timeout"));
    }
    let address = common::serve(admin_server::router(Arc::new(admin))).await;

    let health = common::fetch(&format!("http://{address}/health/breakers")).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.content_type, "application/json");
    let breakers: Value = serde_json::from_str(&health.body).unwrap();
    let breakers = breakers.as_array().unwrap();
    assert_eq!(breakers.len(), 2);
    assert_eq!(breakers[0]["name"], "inventory");
    assert_eq!(breakers[0]["state"], "closed");
    assert_eq!(breakers[0]["metric"]["success_count"], 1);
    assert_eq!(breakers[0]["metric"]["failure_rate"], 0.0);
    assert_eq!(breakers[1]["name"], "payments");
    assert_eq!(breakers[1]["state"], "open");
    assert_eq!(breakers[1]["metric"]["total_count"], 0);
    assert_eq!(breakers[1]["metric"]["failure_rate"], Value::Null);

    let metrics = common::fetch(&format!("http://{address}/metrics")).await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .content_type
            .starts_with("application/openmetrics-text")
    );
    let samples = common::samples(&metrics.body);
    let sample = |series: &str| samples.get(series).map(String::as_str);
    assert_eq!(
        sample("circuit_breaker_state{circuit_name=\"payments\",state=\"open\"}"),
        Some("1")
    );
    assert_eq!(
        sample("circuit_breaker_calls_total{circuit_name=\"payments\",kind=\"failed\"}"),
        Some("2")
    );
    assert_eq!(
        sample("circuit_breaker_calls_total{circuit_name=\"inventory\",kind=\"successful\"}"),
        Some("1")
    );
    assert_eq!(
        sample(
            "circuit_breaker_state_transition_total{circuit_name=\"payments\",\
             old_state=\"closed\",new_state=\"open\"}"
        ),
        Some("1")
    );
}
