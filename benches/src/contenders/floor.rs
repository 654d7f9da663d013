use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::Contender;
use crate::call::{Caller, REJECTED, block_on, protected_call, settle};
use crate::workload::Policy;

const CLOSED: u64 = 0;
const OPEN: u64 = 1;

/// The slow-call threshold of the slow-call policy.
const SLOW: Duration = Duration::from_secs(1);

/// The minimum work any breaker must do: one atomic load of a state word per
/// call and one atomic add per outcome, plus the clock reads that the
/// policy cannot do without.
///
/// It never trips on its own, so [`Contender::open`] sets its state word.
#[derive(Debug)]
pub struct Floor {
    state: AtomicU64,
    // Successes and failures, per parity of the clock's second when the
    // policy has a time window, otherwise always in the first pair.
    outcomes: [[AtomicU64; 2]; 2],
    slow: AtomicU64,
    timing: Timing,
    origin: Instant,
}

/// The clock reads the policy needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timing {
    /// None: a count window and no duration rule.
    Untimed,
    /// One read after the call, to find the second to count it in.
    OnceForWindow,
    /// One read before and one after the call, to time it.
    AroundCall,
}

impl Floor {
    #[inline(always)]
    fn admits(&self) -> bool {
        // Acquire: a real breaker publishes its period with this word.
        self.state.load(Ordering::Acquire) == CLOSED
    }

    #[inline(always)]
    fn started(&self) -> Option<Instant> {
        (self.timing == Timing::AroundCall).then(Instant::now)
    }

    #[inline(always)]
    fn record(&self, result: &Result<u64, crate::call::Failure>, started: Option<Instant>) {
        let second = match self.timing {
            Timing::OnceForWindow => (self.origin.elapsed().as_secs() & 1) as usize,
            Timing::Untimed | Timing::AroundCall => 0,
        };
        // Relaxed: a counter publishes nothing else.
        self.outcomes[second][usize::from(result.is_err())].fetch_add(1, Ordering::Relaxed);
        if started.is_some_and(|started| started.elapsed() >= SLOW) {
            self.slow.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Returns the number of recorded successes and failures.
    pub fn counts(&self) -> (u64, u64) {
        let sum = |failed: usize| {
            self.outcomes
                .iter()
                .map(|pair| pair[failed].load(Ordering::Relaxed))
                .sum()
        };
        (sum(0), sum(1))
    }
}

impl Contender for Floor {
    const NAME: &'static str = "floor";

    type Caller<'a> = &'a Floor;

    fn build(policy: Policy) -> Option<Self> {
        let timing = match policy {
            Policy::Count => Timing::Untimed,
            Policy::CountSlow => Timing::AroundCall,
            Policy::Time => Timing::OnceForWindow,
        };
        Some(Floor {
            state: AtomicU64::new(CLOSED),
            outcomes: Default::default(),
            slow: AtomicU64::new(0),
            timing,
            origin: Instant::now(),
        })
    }

    fn caller(&self) -> &Floor {
        self
    }

    fn open(&self) -> bool {
        // Release: pairs with the Acquire load in `admits`.
        self.state.store(OPEN, Ordering::Release);
        true
    }
}

impl Caller for &Floor {
    #[inline]
    fn call(&mut self, fail: bool) -> u64 {
        if !self.admits() {
            return REJECTED;
        }
        let started = self.started();
        let result = protected_call(fail);
        self.record(&result, started);
        settle(result, |_| false)
    }

    #[inline]
    fn call_async(&mut self, fail: bool) -> u64 {
        let floor = *self;
        block_on(async move {
            if !floor.admits() {
                return REJECTED;
            }
            let started = floor.started();
            let result = async move { protected_call(fail) }.await;
            floor.record(&result, started);
            settle(result, |_| false)
        })
    }
}
