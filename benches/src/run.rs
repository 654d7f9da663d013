//! Runs a workload on a contender, for the criterion benchmark and the
//! `probe` binary alike.

use std::time::Duration;

use crate::call::{drive, drive_async, drive_threads};
use crate::contenders::{
    CircuitbreakerRs, Contender, Failsafe, Floor, Fluxgate, MAX_TRIP_CALLS, Recloser,
    TowerResilience,
};
use crate::workload::{Mode, Policy, THREADS, Workload};

/// Code to run once per contender type.
pub trait Visit {
    /// Runs with contender type `C`.
    fn visit<C: Contender>(&mut self);
}

/// The contenders' names, in report order: the floor, Fluxgate, the peers.
pub const CONTENDERS: [&str; 6] = [
    Floor::NAME,
    Fluxgate::NAME,
    Failsafe::NAME,
    Recloser::NAME,
    TowerResilience::NAME,
    CircuitbreakerRs::NAME,
];

/// Calls `visitor` with every contender type, in [`CONTENDERS`] order.
pub fn for_each_contender(visitor: &mut impl Visit) {
    visitor.visit::<Floor>();
    visitor.visit::<Fluxgate>();
    visitor.visit::<Failsafe>();
    visitor.visit::<Recloser>();
    visitor.visit::<TowerResilience>();
    visitor.visit::<CircuitbreakerRs>();
}

/// Returns, in [`CONTENDERS`] order, whether each contender's cost per
/// call grows with traffic under `policy`.
pub fn costs_growing_with_traffic(policy: Policy) -> Vec<bool> {
    struct Collect(Policy, Vec<bool>);
    impl Visit for Collect {
        fn visit<C: Contender>(&mut self) {
            self.1.push(C::cost_grows_with_traffic(self.0));
        }
    }
    let mut collect = Collect(policy, Vec::new());
    for_each_contender(&mut collect);
    collect.1
}

/// Builds `C` for `workload` and, for an open workload, trips it. Returns
/// `None` when `C` cannot express the workload's policy.
///
/// # Panics
///
/// Panics if an open workload's breaker does not open after
/// [`MAX_TRIP_CALLS`] failing calls, because its figures would then time
/// admitted calls, not rejected ones.
pub fn prepare<C: Contender>(workload: &Workload) -> Option<C> {
    let contender = C::build(workload.policy)?;
    if workload.open {
        assert!(
            contender.open(),
            "{} did not open after {MAX_TRIP_CALLS} failing calls",
            C::NAME
        );
    }
    Some(contender)
}

/// Makes `calls` calls of `workload` on `contender` and returns the time
/// they took, per thread.
///
/// With two threads, each makes `calls` calls and the wall time is divided
/// by two. The result divided by `calls` is then the wall time per call
/// over all threads.
pub fn time_calls<C: Contender>(contender: &C, workload: &Workload, calls: u64) -> Duration {
    let period = workload.failure_period;
    match workload.mode {
        Mode::Sync => drive(&mut contender.caller(), calls, period),
        Mode::Async => drive_async(&mut contender.caller(), calls, period),
        Mode::TwoThreads => {
            drive_threads(THREADS, calls, period, || contender.caller()) / THREADS as u32
        }
    }
}
