//! Every contender passes results through unchanged, rejects once open, and
//! builds exactly the policies its library can express.

use fluxgate_bench::call::{Caller, FAILED, REJECTED, VALUE};
use fluxgate_bench::contenders::{
    CircuitbreakerRs, Contender, Failsafe, Floor, Fluxgate, Recloser, TowerResilience,
};
use fluxgate_bench::run::{CONTENDERS, Visit, for_each_contender, prepare, time_calls};
use fluxgate_bench::workload::{Policy, WORKLOADS, workload};

fn check_closed_results<C: Contender>() {
    let contender = C::build(Policy::Count).expect("every contender builds a count policy");
    let mut caller = contender.caller();
    assert_eq!(caller.call(false), VALUE, "{} sync Ok", C::NAME);
    assert_eq!(caller.call(true), FAILED, "{} sync Err", C::NAME);
    assert_eq!(caller.call_async(false), VALUE, "{} async Ok", C::NAME);
    assert_eq!(caller.call_async(true), FAILED, "{} async Err", C::NAME);
}

fn check_open_rejects<C: Contender>() {
    let open = workload("5_open_rejected").expect("the open workload exists");
    let contender = prepare::<C>(&open).expect("every contender builds a count policy");
    let mut caller = contender.caller();
    assert_eq!(caller.call(false), REJECTED, "{} sync", C::NAME);
    assert_eq!(caller.call_async(false), REJECTED, "{} async", C::NAME);
}

#[test]
fn floor_passes_results() {
    check_closed_results::<Floor>();
}

#[test]
fn fluxgate_passes_results() {
    check_closed_results::<Fluxgate>();
}

#[test]
fn failsafe_passes_results() {
    check_closed_results::<Failsafe>();
}

#[test]
fn recloser_passes_results() {
    check_closed_results::<Recloser>();
}

#[test]
fn tower_passes_results() {
    check_closed_results::<TowerResilience>();
}

#[test]
fn circuitbreaker_rs_passes_results() {
    check_closed_results::<CircuitbreakerRs>();
}

#[test]
fn floor_rejects_when_open() {
    check_open_rejects::<Floor>();
}

#[test]
fn fluxgate_rejects_when_open() {
    check_open_rejects::<Fluxgate>();
}

#[test]
fn failsafe_rejects_when_open() {
    check_open_rejects::<Failsafe>();
}

#[test]
fn recloser_rejects_when_open() {
    check_open_rejects::<Recloser>();
}

#[test]
fn tower_rejects_when_open() {
    check_open_rejects::<TowerResilience>();
}

#[test]
fn circuitbreaker_rs_rejects_when_open() {
    check_open_rejects::<CircuitbreakerRs>();
}

struct Expressible(Vec<(&'static str, [bool; 3])>);

impl Visit for Expressible {
    fn visit<C: Contender>(&mut self) {
        let builds =
            [Policy::Count, Policy::CountSlow, Policy::Time].map(|p| C::build(p).is_some());
        self.0.push((C::NAME, builds));
    }
}

#[test]
fn policies_each_library_expresses() {
    let mut expressible = Expressible(Vec::new());
    for_each_contender(&mut expressible);
    assert_eq!(
        expressible.0,
        vec![
            ("floor", [true, true, true]),
            ("fluxgate", [true, true, true]),
            ("failsafe", [true, false, true]),
            ("recloser", [true, false, false]),
            ("tower-resilience", [true, true, true]),
            ("circuitbreaker-rs", [true, false, false]),
        ]
    );
    assert_eq!(
        expressible
            .0
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>(),
        CONTENDERS
    );
}

#[test]
fn mixed_traffic_keeps_breakers_closed() {
    let mixed = workload("7_mixed_10pct_failures").expect("the mixed workload exists");
    let fluxgate = prepare::<Fluxgate>(&mixed).expect("fluxgate builds a count policy");
    time_calls(&fluxgate, &mixed, 10_000);
    let mut caller = fluxgate.caller();
    assert_eq!(caller.call(false), VALUE);

    let floor = prepare::<Floor>(&mixed).expect("the floor builds a count policy");
    time_calls(&floor, &mixed, 10_000);
    assert_eq!(floor.counts(), (9_000, 1_000));
}

#[test]
fn every_workload_runs_briefly() {
    struct RunAll;
    impl Visit for RunAll {
        fn visit<C: Contender>(&mut self) {
            for workload in &WORKLOADS {
                if let Some(contender) = prepare::<C>(workload) {
                    time_calls(&contender, workload, 200);
                }
            }
        }
    }
    for_each_contender(&mut RunAll);
}
