//! The breaker at the limits of its counters: the failure streak at its
//! maximum, the epoch wrapping past its 40 bits, and the reopen count at
//! `u32::MAX`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::ManualClock;
use crate::permits::All;
use crate::retries::{Backoff, Never};
use crate::trippers::FailureStreak;
use crate::{Builder, CircuitBreaker, Reason, State, Transition};

const STREAK_MAX: u64 = (1 << 48) - 1;
const LAST_EPOCH: u64 = (1 << 40) - 1;

fn fail() -> Result<(), &'static str> {
    Err("down")
}

/// Returns a builder with a listener that stores every transition.
fn recorded(streak: u32) -> (Builder, Arc<Mutex<Vec<Transition>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let builder = CircuitBreaker::builder()
        .tripper(FailureStreak::new(streak).unwrap())
        .permit(All)
        .listener(move |transition: &Transition| sink.lock().unwrap().push(transition.clone()));
    (builder, seen)
}

#[test]
fn streak_at_max_still_trips() {
    let (builder, seen) = recorded(u32::MAX);
    let breaker = builder.build().unwrap();
    breaker.machine.restart_at(3, STREAK_MAX);

    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::Open);
    let seen = seen.lock().unwrap();
    let Reason::Tripped {
        consecutive_failures,
        ..
    } = seen[0].reason
    else {
        panic!("expected a trip, got {:?}", seen[0].reason);
    };
    assert_eq!(consecutive_failures, STREAK_MAX);
}

#[test]
fn streak_stays_at_max() {
    let (builder, _) = recorded(1);
    let breaker = builder.build().unwrap();
    breaker.machine.restart_at(9, STREAK_MAX - 1);
    // `MetricsOnly` keeps the streak and never trips.
    breaker.metrics_only();

    for _ in 0..3 {
        let _ = breaker.call(fail);
    }
    assert_eq!(breaker.info().consecutive_failures, STREAK_MAX);
    let _ = breaker.call(|| Ok::<_, &str>(()));
    assert_eq!(breaker.info().consecutive_failures, 0);
}

#[test]
fn epoch_wraps_past_forty_bits() {
    let (builder, seen) = recorded(2);
    let breaker = builder.retry(Never).build().unwrap();
    breaker.machine.restart_at(LAST_EPOCH - 1, 0);

    let before = breaker.try_acquire().unwrap();
    breaker.reset();
    let during = breaker.try_acquire().unwrap();
    breaker.reset();
    // Both calls belong to periods that ended, one just before the wrap.
    before.record_failure();
    during.record_failure();
    let info = breaker.info();
    assert_eq!(info.metric.total_count(), 0);
    assert_eq!(info.consecutive_failures, 0);
    assert_eq!(info.state, State::Closed);

    let _ = breaker.call(fail);
    assert_eq!(breaker.info().metric.failure_count(), 1);
    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::Open);

    let seen = seen.lock().unwrap();
    let moves: Vec<_> = seen.iter().map(|t| (t.from, t.to)).collect();
    assert_eq!(
        moves,
        [
            (State::Closed, State::Closed),
            (State::Closed, State::Closed),
            (State::Closed, State::Open),
        ]
    );
    let Reason::Tripped { metric, .. } = &seen[2].reason else {
        panic!("expected a trip, got {:?}", seen[2].reason);
    };
    assert_eq!(metric.failure_count(), 2);
}

#[test]
fn reopens_saturate_at_u32_max() {
    let clock = ManualClock::new();
    let retry = Backoff::new(Duration::from_secs(1))
        .unwrap()
        .with_max(Duration::from_secs(4))
        .unwrap();
    let (builder, seen) = recorded(1);
    let breaker = builder.retry(retry).clock(clock.clone()).build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(Duration::from_secs(1));
    let probe = breaker.try_acquire().unwrap();
    breaker.machine.set_reopens(u32::MAX - 1);

    probe.record_failure();
    assert_eq!(breaker.info().reopens, u32::MAX);
    let rejected = breaker.try_acquire().unwrap_err();
    assert_eq!(rejected.retry_after(), Some(Duration::from_secs(4)));

    clock.advance(Duration::from_secs(4));
    breaker.try_acquire().unwrap().record_failure();
    assert_eq!(breaker.info().reopens, u32::MAX);
    assert_eq!(breaker.state(), State::Open);
    let last = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (last.from, last.to, last.reopens),
        (State::HalfOpen, State::Open, u32::MAX)
    );
}
