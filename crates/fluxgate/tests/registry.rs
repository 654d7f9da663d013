//! The registry of named breakers: creation on first use, listing, and
//! eviction of idle breakers with their listener state.
#![cfg(feature = "registry")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fluxgate::registry::Registry;
use fluxgate::trippers::FailureStreak;
use fluxgate::{CircuitBreaker, Info, Listener, ManualClock, State, Transition};

const IDLE: Duration = Duration::from_secs(60);

/// Records which breakers were created and removed, in order.
#[derive(Default)]
struct Lifecycle {
    events: Mutex<Vec<String>>,
}

impl Listener for Lifecycle {
    fn on_transition(&self, _transition: &Transition) {}

    fn on_created(&self, info: &Info) {
        self.events
            .lock()
            .unwrap()
            .push(format!("created {}", info.name));
    }

    fn on_removed(&self, name: &str) {
        self.events.lock().unwrap().push(format!("removed {name}"));
    }
}

fn hosts(clock: &ManualClock, lifecycle: &Arc<Lifecycle>) -> Registry {
    let lifecycle = Arc::clone(lifecycle);
    Registry::builder(move |_name: &str| {
        CircuitBreaker::builder()
            .tripper(FailureStreak::new(2).unwrap())
            .shared_listener(lifecycle.clone())
    })
    .idle_timeout(IDLE)
    .clock(clock.clone())
    .build()
    .unwrap()
}

#[test]
fn get_builds_once_per_name() {
    let registry = hosts(&ManualClock::new(), &Arc::default());

    let first = registry.get("a.internal").unwrap();
    let again = registry.get("a.internal").unwrap();
    let other = registry.get("b.internal").unwrap();

    assert!(Arc::ptr_eq(&first, &again));
    assert!(!Arc::ptr_eq(&first, &other));
    assert_eq!(first.name(), "a.internal");
    assert_eq!(registry.len(), 2);
    assert_eq!(registry.names(), ["a.internal", "b.internal"]);
}

#[test]
fn list_reports_info_sorted() {
    let registry = hosts(&ManualClock::new(), &Arc::default());
    for _ in 0..2 {
        let _ = registry
            .get("payments")
            .unwrap()
            .call(|| Err::<(), _>("down"));
    }
    let _ = registry
        .get("inventory")
        .unwrap()
        .call(|| Ok::<_, &str>(()));

    let infos = registry.list();
    let names: Vec<&str> = infos.iter().map(|info| &*info.name).collect();
    assert_eq!(names, ["inventory", "payments"]);
    assert_eq!(infos[0].state, State::Closed);
    assert_eq!(infos[0].metric.success_count(), 1);
    assert_eq!(infos[1].state, State::Open);
    assert_eq!(infos[1].metric.total_count(), 0);
}

#[test]
fn idle_breakers_are_evicted() {
    let clock = ManualClock::new();
    let lifecycle = Arc::new(Lifecycle::default());
    let registry = hosts(&clock, &lifecycle);
    drop(registry.get("a").unwrap());
    drop(registry.get("b").unwrap());

    clock.advance(Duration::from_secs(40));
    drop(registry.get("a").unwrap());
    clock.advance(Duration::from_secs(30));
    // "b" has been idle for 70s, "a" for 30s: this lookup sweeps "b" out.
    drop(registry.get("c").unwrap());

    assert_eq!(registry.names(), ["a", "c"]);
    assert_eq!(
        *lifecycle.events.lock().unwrap(),
        ["created a", "created b", "removed b", "created c"]
    );

    clock.advance(IDLE);
    assert_eq!(registry.evict_idle(), 2);
    assert!(registry.is_empty());
}

#[test]
fn held_breaker_is_removed_when_released() {
    let clock = ManualClock::new();
    let lifecycle = Arc::new(Lifecycle::default());
    let registry = hosts(&clock, &lifecycle);
    let held = registry.get("a").unwrap();

    clock.advance(IDLE);
    assert_eq!(registry.evict_idle(), 1);
    // The caller's handle still works, and the next lookup builds anew.
    assert_eq!(held.call(|| Ok::<_, &str>(7)), Ok(7));
    let fresh = registry.get("a").unwrap();
    assert!(!Arc::ptr_eq(&held, &fresh));
    drop(held);

    assert_eq!(
        *lifecycle.events.lock().unwrap(),
        ["created a", "created a", "removed a"]
    );
}

#[test]
fn invalid_template_returns_error() {
    let registry =
        Registry::builder(|_name: &str| CircuitBreaker::builder().max_half_open_calls(0))
            .build()
            .unwrap();

    let error = registry.get("a").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid max_half_open_calls for breaker: 0 (allowed: from 1 to 1000000)"
    );
    assert!(registry.is_empty());
}

#[test]
fn zero_idle_timeout_is_rejected() {
    let error = Registry::builder(|_name: &str| CircuitBreaker::builder())
        .idle_timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid idle_timeout for registry: 0s (allowed: longer than 0)"
    );
}

#[test]
fn removed_breaker_leaves_registry() {
    let registry = hosts(&ManualClock::new(), &Arc::default());
    let breaker = registry.get("a").unwrap();

    let removed = registry.remove("a").unwrap();
    assert!(Arc::ptr_eq(&breaker, &removed));
    assert!(registry.remove("a").is_none());
    assert!(registry.is_empty());
}

#[cfg(feature = "prometheus")]
#[test]
fn eviction_removes_prometheus_series() {
    use fluxgate::prometheus::PrometheusListener;
    use prometheus_client::encoding::text::encode;

    let mut metrics_registry = prometheus_client::registry::Registry::default();
    let metrics = PrometheusListener::new(&mut metrics_registry);
    let clock = ManualClock::new();
    let listener = metrics.clone();
    let registry =
        Registry::builder(move |_name: &str| CircuitBreaker::builder().listener(listener.clone()))
            .idle_timeout(IDLE)
            .clock(clock.clone())
            .build()
            .unwrap();
    drop(registry.get("tenant-1").unwrap());
    drop(registry.get("tenant-2").unwrap());
    assert_eq!(metrics.circuit_names(), ["tenant-1", "tenant-2"]);

    clock.advance(IDLE);
    drop(registry.get("tenant-2").unwrap());
    let mut text = String::new();
    encode(&mut text, &metrics_registry).unwrap();

    assert_eq!(metrics.circuit_names(), ["tenant-2"]);
    assert!(!text.contains("tenant-1"));
    assert!(text.contains("circuit_breaker_state{circuit_name=\"tenant-2\",state=\"closed\"} 1\n"));
}

#[cfg(feature = "policy-file")]
#[test]
fn policy_file_supplies_rules_by_name() {
    use fluxgate::policy::PolicyFile;

    let path = std::env::temp_dir().join(format!("fluxgate-registry-{}.toml", std::process::id()));
    let text = r#"
tripper = "failure_streak(5)"
retry = "cooldown(30s)"

[breaker.payments]
tripper = "failure_streak(2)"
max_half_open_calls = 3
"#;
    std::fs::write(&path, text).unwrap();
    let file = PolicyFile::load(&path);
    std::fs::remove_file(&path).unwrap();

    let clock = ManualClock::new();
    let lifecycle = Arc::new(Lifecycle::default());
    let listener = Arc::clone(&lifecycle);
    let registry = Registry::from_policy_file_with(file.unwrap(), move |_name, builder| {
        builder.shared_listener(listener.clone())
    })
    .idle_timeout(IDLE)
    .clock(clock.clone())
    .build()
    .unwrap();

    let payments = registry.get("payments").unwrap();
    assert_eq!(payments.tripper().to_string(), "failure_streak(2)");
    assert_eq!(payments.max_half_open_calls(), 3);
    // A named breaker's missing keys take the crate's defaults, not the
    // file's top-level keys.
    assert_eq!(payments.retry().to_string(), "cooldown(1m)");
    let search = registry.get("search").unwrap();
    assert_eq!(search.name(), "search");
    assert_eq!(search.tripper().to_string(), "failure_streak(5)");
    assert_eq!(search.retry().to_string(), "cooldown(30s)");
    assert_eq!(search.max_half_open_calls(), 10);

    for _ in 0..2 {
        let _ = payments.call(|| Err::<(), _>("timeout"));
    }
    assert_eq!(payments.state(), State::Open);
    drop((payments, search));
    clock.advance(IDLE);
    assert_eq!(registry.evict_idle(), 2);
    assert_eq!(
        *lifecycle.events.lock().unwrap(),
        [
            "created payments",
            "created search",
            "removed payments",
            "removed search"
        ]
    );
}

#[cfg(feature = "policy-file")]
#[test]
fn policy_file_without_default_uses_crate_defaults() {
    use fluxgate::policy::PolicyFile;

    let file = PolicyFile::parse("[breaker.payments]\ntripper = \"failure_streak(2)\"\n").unwrap();
    let registry = Registry::from_policy_file(file).build().unwrap();

    let other = registry.get("inventory").unwrap();
    assert_eq!(
        other.tripper().to_string(),
        "min_requests(100) & failure_rate(0.5)"
    );
}
