//! One adapter per circuit breaker, each building the closest match to a
//! [`Policy`] and calling [`protected_call`](crate::call::protected_call)
//! through it.

mod circuitbreaker_rs;
mod failsafe;
mod floor;
mod fluxgate;
mod recloser;
mod tower;

pub use circuitbreaker_rs::CircuitbreakerRs;
pub use failsafe::Failsafe;
pub use floor::Floor;
pub use fluxgate::Fluxgate;
pub use recloser::Recloser;
pub use tower::TowerResilience;

use crate::call::{Caller, REJECTED};
use crate::footprint::{Footprint, measure};
use crate::workload::Policy;

/// The most failing calls [`Contender::open`] makes before it gives up.
pub const MAX_TRIP_CALLS: usize = 1_000;

/// A circuit breaker under test, shared by every thread of a workload.
pub trait Contender: Sized + Sync {
    /// The name in reports and criterion's result directories.
    const NAME: &'static str;

    /// The per-thread handle that makes calls.
    type Caller<'a>: Caller
    where
        Self: 'a;

    /// Builds the breaker closest to `policy`, or `None` when the library
    /// cannot express it at all.
    fn build(policy: Policy) -> Option<Self>;

    /// Returns a handle for one thread to call through.
    fn caller(&self) -> Self::Caller<'_>;

    /// Trips the breaker open with failing calls. Returns `true` once a
    /// call is rejected, and `false` if [`MAX_TRIP_CALLS`] failures did not
    /// open it.
    fn open(&self) -> bool {
        let mut caller = self.caller();
        trip(|| caller.call(true))
    }

    /// Returns `true` when the cost of a call under `policy` grows with the
    /// number of calls in the window, so that a benchmark's figure would
    /// depend on how long it ran. Criterion skips such pairs.
    fn cost_grows_with_traffic(policy: Policy) -> bool {
        let _ = policy;
        false
    }

    /// Measures the memory of a breaker built for `policy`.
    fn footprint(policy: Policy) -> Option<Footprint> {
        measure(|| Self::build(policy))
    }
}

/// Makes failing calls with `call` until one is rejected. Returns `false`
/// if [`MAX_TRIP_CALLS`] calls were not enough.
pub fn trip(mut call: impl FnMut() -> u64) -> bool {
    (0..MAX_TRIP_CALLS).any(|_| call() == REJECTED)
}
