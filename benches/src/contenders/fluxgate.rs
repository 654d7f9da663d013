use std::time::Duration;

use fluxgate::trippers::{FailureRate, MinRequests, SlowRate};
use fluxgate::windows::{CountWindow, TimeWindow, Window};
use fluxgate::{CircuitBreaker, ConfigError};

use super::Contender;
use crate::call::{Caller, block_on, protected_call, settle};
use crate::workload::Policy;

/// Fluxgate, configured with exactly the policy asked for and its default
/// retry, `cooldown(60s)`.
#[derive(Debug)]
pub struct Fluxgate {
    breaker: CircuitBreaker,
}

fn build_breaker(policy: Policy) -> Result<CircuitBreaker, ConfigError> {
    let window: Window = match policy {
        Policy::Count | Policy::CountSlow => CountWindow::new(100)?.into(),
        Policy::Time => TimeWindow::new(Duration::from_secs(60))?.into(),
    };
    let failure_rule = MinRequests::new(20)? & FailureRate::new(0.5)?;
    let builder = CircuitBreaker::builder().window(window);
    match policy {
        Policy::Count | Policy::Time => builder.tripper(failure_rule).build(),
        Policy::CountSlow => {
            let slow_rule = SlowRate::new(0.5, Duration::from_secs(1))?;
            builder.tripper(failure_rule | slow_rule).build()
        }
    }
}

impl Contender for Fluxgate {
    const NAME: &'static str = "fluxgate";

    type Caller<'a> = FluxgateCaller<'a>;

    fn build(policy: Policy) -> Option<Self> {
        let breaker = build_breaker(policy).expect("the benchmark policies are valid");
        Some(Fluxgate { breaker })
    }

    fn caller(&self) -> FluxgateCaller<'_> {
        FluxgateCaller(&self.breaker)
    }
}

/// A shared reference to the breaker. It is a type of its own because the
/// breaker's inherent `call` would otherwise hide [`Caller::call`].
#[derive(Debug)]
pub struct FluxgateCaller<'a>(&'a CircuitBreaker);

impl Caller for FluxgateCaller<'_> {
    #[inline]
    fn call(&mut self, fail: bool) -> u64 {
        let result = self.0.call(|| protected_call(fail));
        settle(result, |error| error.is_rejected())
    }

    #[inline]
    fn call_async(&mut self, fail: bool) -> u64 {
        let future = self.0.call_async(|| async move { protected_call(fail) });
        settle(block_on(future), |error| error.is_rejected())
    }
}
