//! The policies every contender is asked to build and the workloads that
//! run on them.

use std::fmt;

use crate::call::NEVER_FAILS;

/// The policy a contender builds, in Fluxgate's terms. Each contender comes
/// as close to it as its configuration allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// `count(100)` with `min_requests(20) & failure_rate(0.5)`.
    Count,
    /// `count(100)` with
    /// `min_requests(20) & failure_rate(0.5) | slow_rate(0.5, 1s)`, so every
    /// call is timed.
    CountSlow,
    /// `time(60s)` with `min_requests(20) & failure_rate(0.5)`.
    Time,
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Policy::Count => "count(100), min_requests(20) & failure_rate(0.5)",
            Policy::CountSlow => {
                "count(100), min_requests(20) & failure_rate(0.5) | slow_rate(0.5, 1s)"
            }
            Policy::Time => "time(60s), min_requests(20) & failure_rate(0.5)",
        })
    }
}

/// The threads and the interface through which a workload calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One thread, synchronous calls.
    Sync,
    /// Two threads sharing one breaker, synchronous calls.
    TwoThreads,
    /// One thread, `call_async` on a ready future.
    Async,
}

/// One benchmark scenario: a policy, a state, a mode and a traffic mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    /// The criterion group name, also the directory of its results.
    pub id: &'static str,
    /// The row label in the report.
    pub title: &'static str,
    /// The policy every contender builds.
    pub policy: Policy,
    /// The threads and the interface of the calls.
    pub mode: Mode,
    /// Whether the breaker is tripped open before the calls, so that every
    /// call is rejected.
    pub open: bool,
    /// Every `failure_period`-th call fails. [`NEVER_FAILS`] makes all-`Ok`
    /// traffic.
    pub failure_period: u64,
}

/// The number of threads of [`Mode::TwoThreads`].
pub const THREADS: usize = 2;

/// Every workload, in report order.
pub const WORKLOADS: [Workload; 7] = [
    Workload {
        id: "1_closed_count",
        title: "1. closed, count(100), Ok",
        policy: Policy::Count,
        mode: Mode::Sync,
        open: false,
        failure_period: NEVER_FAILS,
    },
    Workload {
        id: "2_closed_slow_rule",
        title: "2. closed, count(100) + slow_rate, Ok",
        policy: Policy::CountSlow,
        mode: Mode::Sync,
        open: false,
        failure_period: NEVER_FAILS,
    },
    Workload {
        id: "3_closed_time_window",
        title: "3. closed, time(60s), Ok",
        policy: Policy::Time,
        mode: Mode::Sync,
        open: false,
        failure_period: NEVER_FAILS,
    },
    Workload {
        id: "4_two_threads",
        title: "4. closed, count(100), Ok, 2 threads",
        policy: Policy::Count,
        mode: Mode::TwoThreads,
        open: false,
        failure_period: NEVER_FAILS,
    },
    Workload {
        id: "5_open_rejected",
        title: "5. open, rejected call",
        policy: Policy::Count,
        mode: Mode::Sync,
        open: true,
        failure_period: NEVER_FAILS,
    },
    Workload {
        id: "6_async_ready",
        title: "6. closed, count(100), Ok, async",
        policy: Policy::Count,
        mode: Mode::Async,
        open: false,
        failure_period: NEVER_FAILS,
    },
    Workload {
        id: "7_mixed_10pct_failures",
        title: "7. closed, count(100), 10% failures",
        policy: Policy::Count,
        mode: Mode::Sync,
        open: false,
        failure_period: 10,
    },
];

/// Returns the workload named `id`.
pub fn workload(id: &str) -> Option<Workload> {
    WORKLOADS.iter().copied().find(|workload| workload.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_ids_are_unique() {
        for (index, workload) in WORKLOADS.iter().enumerate() {
            assert_eq!(
                WORKLOADS[..index]
                    .iter()
                    .filter(|earlier| earlier.id == workload.id)
                    .count(),
                0,
                "{} appears twice",
                workload.id
            );
        }
    }

    #[test]
    fn workload_finds_by_id() {
        assert_eq!(workload("5_open_rejected").map(|w| w.open), Some(true));
        assert_eq!(workload("no_such_workload"), None);
    }
}
