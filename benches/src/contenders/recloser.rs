use std::time::Duration;

use recloser::{AsyncRecloser, Error, RecloserBuilder};

use super::{Contender, trip};
use crate::call::{Caller, block_on, protected_call, settle};
use crate::footprint::{Footprint, measure};
use crate::workload::Policy;

/// recloser 1.4: a ring of the last 100 outcomes and a failure rate of
/// 0.5. It judges the rate only once the ring is full, so its minimum is
/// 100 calls, not 20. It has no time window and no slow-call rule.
///
/// Its async wrapper takes the breaker by value, so the adapter holds two
/// breakers built alike: one for synchronous calls and one for
/// `call_async`. Each workload uses only one of them.
#[derive(Debug)]
pub struct Recloser {
    sync: recloser::Recloser,
    asynchronous: AsyncRecloser,
}

fn configure(policy: Policy) -> Option<RecloserBuilder> {
    match policy {
        Policy::Count => Some(
            recloser::Recloser::custom()
                .error_rate(0.5)
                .closed_len(100)
                .open_wait(Duration::from_secs(60)),
        ),
        Policy::CountSlow | Policy::Time => None,
    }
}

impl Contender for Recloser {
    const NAME: &'static str = "recloser";

    type Caller<'a> = &'a Recloser;

    fn build(policy: Policy) -> Option<Self> {
        Some(Recloser {
            sync: configure(policy)?.build(),
            asynchronous: AsyncRecloser::from(configure(policy)?.build()),
        })
    }

    fn caller(&self) -> &Recloser {
        self
    }

    fn open(&self) -> bool {
        // Both breakers must open, because a workload may use either.
        let mut caller = self;
        trip(|| caller.call(true)) && trip(|| caller.call_async(true))
    }

    fn footprint(policy: Policy) -> Option<Footprint> {
        measure(|| configure(policy).map(RecloserBuilder::build))
    }
}

fn is_rejection<E>(error: &Error<E>) -> bool {
    matches!(error, Error::Rejected)
}

impl Caller for &Recloser {
    #[inline]
    fn call(&mut self, fail: bool) -> u64 {
        settle(self.sync.call(|| protected_call(fail)), is_rejection)
    }

    #[inline]
    fn call_async(&mut self, fail: bool) -> u64 {
        let future = self.asynchronous.call(async move { protected_call(fail) });
        settle(block_on(future), is_rejection)
    }
}
