use std::future::{Ready, poll_fn, ready};
use std::time::Duration;

use tower::util::ServiceFn;
use tower::{Layer, Service};
use tower_resilience_circuitbreaker::{
    CircuitBreaker, CircuitBreakerError, CircuitBreakerLayer, DefaultClassifier, SlidingWindowType,
};

use super::Contender;
use crate::call::{Caller, Failure, block_on, protected_call, settle};
use crate::workload::Policy;

type Respond = fn(bool) -> Ready<Result<u64, Failure>>;
type Protected = CircuitBreaker<ServiceFn<Respond>, DefaultClassifier>;

/// tower-resilience-circuitbreaker 0.14: a failure rate of 0.5, at least
/// 20 calls, a wait of 60 s, and for the slow-call policy a slow-call rate
/// of 0.5 at 1 s.
///
/// It is a tower middleware, so every call, synchronous workloads
/// included, goes through `poll_ready` and a boxed future that takes a
/// `tokio::sync::Mutex`, driven here by [`block_on`]. Its count-based
/// window counts every outcome since the last transition and judges only
/// once it contains 100 outcomes, and it does not evict. Its time-based window keeps one
/// record per call for 60 s. It times every call whatever the policy.
pub struct TowerResilience {
    service: Protected,
}

impl std::fmt::Debug for TowerResilience {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TowerResilience")
            .field("state", &self.service.state_sync())
            .finish_non_exhaustive()
    }
}

fn respond(fail: bool) -> Ready<Result<u64, Failure>> {
    ready(protected_call(fail))
}

fn build_layer(policy: Policy) -> CircuitBreakerLayer<DefaultClassifier> {
    let builder = CircuitBreakerLayer::builder()
        .failure_rate_threshold(0.5)
        .minimum_number_of_calls(20)
        .wait_duration_in_open(Duration::from_secs(60));
    let builder = match policy {
        Policy::Count => builder.sliding_window_size(100),
        Policy::CountSlow => builder
            .sliding_window_size(100)
            .slow_call_duration_threshold(Duration::from_secs(1))
            .slow_call_rate_threshold(0.5),
        Policy::Time => builder
            .sliding_window_type(SlidingWindowType::TimeBased)
            .sliding_window_duration(Duration::from_secs(60)),
    };
    builder.build().expect("the benchmark policies are valid")
}

impl Contender for TowerResilience {
    const NAME: &'static str = "tower-resilience";

    type Caller<'a> = Protected;

    fn build(policy: Policy) -> Option<Self> {
        let service = tower::service_fn(respond as Respond);
        Some(TowerResilience {
            service: build_layer(policy).layer(service),
        })
    }

    /// Returns `true` for the time-based window, which walks every record
    /// of the last 60 s on each call.
    fn cost_grows_with_traffic(policy: Policy) -> bool {
        policy == Policy::Time
    }

    /// Returns a clone of the service, which shares the breaker's state.
    fn caller(&self) -> Protected {
        self.service.clone()
    }
}

fn call_service(service: &mut Protected, fail: bool) -> u64 {
    let result = block_on(async {
        poll_fn(|context| service.poll_ready(context)).await?;
        Service::call(service, fail).await
    });
    settle(result, CircuitBreakerError::is_circuit_open)
}

impl Caller for Protected {
    #[inline]
    fn call(&mut self, fail: bool) -> u64 {
        call_service(self, fail)
    }

    #[inline]
    fn call_async(&mut self, fail: bool) -> u64 {
        call_service(self, fail)
    }
}
