use std::time::Duration;

use failsafe::backoff::{self, Constant};
use failsafe::failure_policy::{
    self, ConsecutiveFailures, OrElse, SuccessRateOverTimeWindow, consecutive_failures,
};
use failsafe::{Config, Error, FailurePolicy, StateMachine};

use super::Contender;
use crate::call::{Caller, block_on, protected_call, settle};
use crate::workload::Policy;

type Nearest = OrElse<SuccessRateOverTimeWindow<Constant>, ConsecutiveFailures<Constant>>;

/// failsafe 1.3: a success rate over a 60 s time window, at least 20
/// requests and a wait of 60 s. It has no count window and no slow-call
/// rule, so every workload runs on this time window.
///
/// The rate is an exponentially weighted moving average, not a count, and
/// the policy cannot trip before a whole window has passed since the
/// breaker was built. So that the rejection workload can open it, the
/// policy also trips on 20 consecutive failures, which no other workload
/// produces.
#[derive(Debug)]
pub struct Failsafe {
    breaker: StateMachine<Nearest, ()>,
}

const WAIT: Duration = Duration::from_secs(60);

fn nearest_policy() -> Nearest {
    let window = Duration::from_secs(60);
    let rate =
        failure_policy::success_rate_over_time_window(0.5, 20, window, backoff::constant(WAIT));
    rate.or_else(consecutive_failures(20, backoff::constant(WAIT)))
}

impl Contender for Failsafe {
    const NAME: &'static str = "failsafe";

    type Caller<'a> = &'a Failsafe;

    fn build(policy: Policy) -> Option<Self> {
        match policy {
            Policy::Count | Policy::Time => Some(Failsafe {
                breaker: Config::new().failure_policy(nearest_policy()).build(),
            }),
            Policy::CountSlow => None,
        }
    }

    fn caller(&self) -> &Failsafe {
        self
    }
}

fn is_rejection<E>(error: &Error<E>) -> bool {
    matches!(error, Error::Rejected)
}

impl Caller for &Failsafe {
    #[inline]
    fn call(&mut self, fail: bool) -> u64 {
        let result = failsafe::CircuitBreaker::call(&self.breaker, || protected_call(fail));
        settle(result, is_rejection)
    }

    #[inline]
    fn call_async(&mut self, fail: bool) -> u64 {
        let future =
            failsafe::futures::CircuitBreaker::call(
                &self.breaker,
                async move { protected_call(fail) },
            );
        settle(block_on(future), is_rejection)
    }
}
