//! An admin server for the breakers of a registry: `/health/breakers`
//! returns every breaker's info as JSON, and `/metrics` the Prometheus
//! metrics of them all.
//!
//! ```sh
//! cargo run -p fluxgate-breaker --features registry,serde,prometheus --example admin_server
//! curl http://127.0.0.1:PORT/health/breakers
//! curl http://127.0.0.1:PORT/metrics
//! ```
//!
//! It listens on a free port of 127.0.0.1, prints the address, and serves
//! until stopped.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use fluxgate::prometheus::PrometheusListener;
use fluxgate::registry::Registry;
use fluxgate::trippers::FailureStreak;
use fluxgate::{CircuitBreaker, ConfigError};
use prometheus_client::encoding::text::encode;

/// The content type of the OpenMetrics text format.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The state of the admin handlers: the breakers and their metrics.
pub(crate) struct Admin {
    pub(crate) breakers: Registry,
    pub(crate) metrics: prometheus_client::registry::Registry,
}

/// Builds a registry whose breakers open after `streak` failures in a row
/// and report to a Prometheus listener in the returned metrics registry.
pub(crate) fn admin(streak: u32) -> Result<Admin, ConfigError> {
    let mut metrics = prometheus_client::registry::Registry::default();
    let listener = PrometheusListener::new(&mut metrics);
    let tripper = FailureStreak::new(streak)?;
    let breakers = Registry::builder(move |_name: &str| {
        CircuitBreaker::builder()
            .tripper(tripper)
            .listener(listener.clone())
    })
    .build()?;
    Ok(Admin { breakers, metrics })
}

/// Routes `/health/breakers` and `/metrics`.
pub(crate) fn router(admin: Arc<Admin>) -> Router {
    Router::new()
        .route("/health/breakers", get(list_breakers))
        .route("/metrics", get(export_metrics))
        .with_state(admin)
}

async fn list_breakers(State(admin): State<Arc<Admin>>) -> Json<Vec<fluxgate::Info>> {
    Json(admin.breakers.list())
}

async fn export_metrics(State(admin): State<Arc<Admin>>) -> impl IntoResponse {
    let mut text = String::new();
    match encode(&mut text, &admin.metrics) {
        Ok(()) => (StatusCode::OK, [(header::CONTENT_TYPE, OPENMETRICS)], text).into_response(),
        Err(error) => {
            let message = format!("encoding the metrics failed: {error}");
            (StatusCode::INTERNAL_SERVER_ERROR, message).into_response()
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let admin = admin(3)?;

    // Some traffic, so that there is something to see.
    let _ = admin.breakers.get("inventory")?.call(|| Ok::<_, &str>(()));
    for _ in 0..3 {
        let _ = admin
            .breakers
            .get("payments")?
            .call(|| Err::<(), _>("timeout"));
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    println!("breakers: http://{address}/health/breakers");
    println!("metrics:  http://{address}/metrics");
    println!("serving until stopped with Ctrl-C");
    axum::serve(listener, router(Arc::new(admin))).await?;
    Ok(())
}
