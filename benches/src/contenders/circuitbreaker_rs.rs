use std::time::Duration;

use circuitbreaker_rs::{BreakerError, CircuitBreaker, DefaultPolicy};

use super::Contender;
use crate::call::{Caller, Failure, block_on, protected_call, settle};
use crate::workload::Policy;

/// circuitbreaker-rs 0.1: a failure rate of 0.5 over at least 20 calls and
/// a cooldown of 60 s, with its consecutive-failure rule set out of reach.
///
/// Its default policy counts every call since the breaker last closed:
/// there is no window, so it takes the count window's place. Its
/// `TimeBasedPolicy` has a time window, but the breaker never records
/// outcomes into that window (0.1.1 updates only its own counters), so a
/// time window cannot be expressed. It has no slow-call rule, though it
/// times every call.
pub struct CircuitbreakerRs {
    breaker: CircuitBreaker<DefaultPolicy, Failure>,
}

impl std::fmt::Debug for CircuitbreakerRs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CircuitbreakerRs")
            .field("state", &self.breaker.current_state())
            .finish_non_exhaustive()
    }
}

impl Contender for CircuitbreakerRs {
    const NAME: &'static str = "circuitbreaker-rs";

    type Caller<'a> = &'a CircuitbreakerRs;

    fn build(policy: Policy) -> Option<Self> {
        match policy {
            Policy::Count => Some(CircuitbreakerRs {
                breaker: CircuitBreaker::<DefaultPolicy, Failure>::builder()
                    .failure_threshold(0.5)
                    .min_throughput(20)
                    .consecutive_failures(u64::MAX)
                    .cooldown(Duration::from_secs(60))
                    .build(),
            }),
            Policy::CountSlow | Policy::Time => None,
        }
    }

    fn caller(&self) -> &CircuitbreakerRs {
        self
    }
}

fn is_rejection<E>(error: &BreakerError<E>) -> bool {
    matches!(error, BreakerError::Open)
}

impl Caller for &CircuitbreakerRs {
    #[inline]
    fn call(&mut self, fail: bool) -> u64 {
        settle(self.breaker.call(|| protected_call(fail)), is_rejection)
    }

    #[inline]
    fn call_async(&mut self, fail: bool) -> u64 {
        let future = self
            .breaker
            .call_async(|| async move { protected_call(fail) });
        settle(block_on(future), is_rejection)
    }
}
