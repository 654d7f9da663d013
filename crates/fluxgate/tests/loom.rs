//! Model checking of the breaker's transition races with `loom`.
//!
//! Each test runs a small scenario on two threads, and `loom` runs it once
//! for every interleaving of their atomic operations and lock acquisitions
//! (up to its preemption bound), checking the assertions in each.
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 \
//!     cargo test -p fluxgate-breaker --release --test loom
//! ```
//!
//! Without `--cfg loom` this file compiles to nothing.

#![cfg(loom)]

mod timed;

use std::sync::Arc;
use std::time::Duration;

use fluxgate::permits::All as AllPermit;
use fluxgate::retries::{Always, Never};
use fluxgate::trippers::{FailureRate, FailureStreak, HalfOpened, MinRequests, Tripper};
use fluxgate::windows::CountWindow;
use fluxgate::{Builder, CircuitBreaker, ManualClock, State, Transition};
use loom::sync::Mutex;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use timed::record_timed;

type Moves = Arc<Mutex<Vec<(State, State)>>>;

/// Returns a builder on a manual clock with every probe permitted and a
/// listener that stores each transition's `(from, to)`.
fn builder(tripper: impl Tripper + 'static, window: usize) -> (Builder, Moves) {
    let moves: Moves = Arc::default();
    let sink = Arc::clone(&moves);
    let builder = CircuitBreaker::builder()
        .tripper(tripper)
        .window(CountWindow::new(window).unwrap())
        .retry(Always)
        .permit(AllPermit)
        .clock(ManualClock::new())
        .seed(1)
        .listener(move |transition: &Transition| {
            sink.lock().unwrap().push((transition.from, transition.to));
        });
    (builder, moves)
}

fn taken(moves: &Moves) -> Vec<(State, State)> {
    moves.lock().unwrap().clone()
}

/// Asserts that each transition starts where the previous one ended and
/// that the last one ends in the breaker's state.
fn assert_chain(moves: &[(State, State)], first: State, now: State) {
    let mut at = first;
    for &(from, to) in moves {
        assert_eq!(from, at, "transitions {moves:?} skip a state");
        at = to;
    }
    assert_eq!(at, now, "transitions {moves:?} do not end in {now:?}");
}

fn fail() -> Result<(), &'static str> {
    Err("down")
}

/// Builds a breaker that is half-open with no probe running, its
/// transitions so far cleared from `moves`.
fn half_open(tripper: impl Tripper + 'static, probes: u32) -> (Arc<CircuitBreaker>, Moves) {
    let (builder, moves) = builder(tripper, 2);
    let breaker = Arc::new(builder.max_half_open_calls(probes).build().unwrap());
    let _ = breaker.call(fail);
    drop(breaker.try_acquire().unwrap());
    assert_eq!(breaker.state(), State::HalfOpen);
    moves.lock().unwrap().clear();
    (breaker, moves)
}

#[test]
fn trip_racing_reset() {
    loom::model(|| {
        let (builder, moves) = builder(FailureStreak::new(1).unwrap(), 1);
        let breaker = Arc::new(builder.retry(Never).build().unwrap());

        let caller = Arc::clone(&breaker);
        let failing = thread::spawn(move || {
            let _ = caller.call(fail);
        });
        breaker.reset();
        failing.join().unwrap();

        let moves = taken(&moves);
        assert_chain(&moves, State::Closed, breaker.state());
        let allowed: [&[(State, State)]; 3] = [
            // The failure was admitted before the reset and finished after.
            &[(State::Closed, State::Closed)],
            &[(State::Closed, State::Open), (State::Open, State::Closed)],
            &[(State::Closed, State::Closed), (State::Closed, State::Open)],
        ];
        assert!(allowed.contains(&moves.as_slice()), "{moves:?}");

        let info = breaker.info();
        if info.state == State::Closed {
            assert_eq!(info.metric.total_count(), 0);
            assert_eq!(info.consecutive_failures, 0);
        }
        assert_eq!(info.probes_in_flight, 0);
    });
}

/// Checks that two failures on two threads make exactly one transition
/// and one notification.
fn assert_two_failures_trip_once(tripper: impl Tripper + 'static, window: usize) {
    let (builder, moves) = builder(tripper, window);
    let breaker = Arc::new(builder.retry(Never).build().unwrap());

    let caller = Arc::clone(&breaker);
    let other = thread::spawn(move || {
        let _ = caller.call(fail);
    });
    let _ = breaker.call(fail);
    other.join().unwrap();

    assert_eq!(taken(&moves), [(State::Closed, State::Open)]);
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn simultaneous_failures_trip_once() {
    loom::model(|| {
        // Only the second of two failures trips, whichever thread's it is.
        let tripper = MinRequests::new(2).unwrap() & FailureRate::new(1.0).unwrap();
        assert_two_failures_trip_once(tripper, 2);
    });
}

#[test]
fn simultaneous_streak_failures_trip_once() {
    loom::model(|| assert_two_failures_trip_once(FailureStreak::new(1).unwrap(), 1));
}

#[test]
fn probe_finishing_while_another_reopens() {
    loom::model(|| {
        let (breaker, moves) = half_open(FailureStreak::new(1).unwrap(), 2);
        let succeeding = breaker.try_acquire_owned().unwrap();
        let failing = breaker.try_acquire_owned().unwrap();
        assert!(succeeding.is_probe() && failing.is_probe());

        let other = thread::spawn(move || succeeding.record_success());
        failing.record_failure();
        other.join().unwrap();

        let moves = taken(&moves);
        assert_eq!(moves.len(), 1, "{moves:?}");
        assert_chain(&moves, State::HalfOpen, breaker.state());
        let info = breaker.info();
        assert_eq!(info.probes_in_flight, 0);
        assert_eq!(info.metric.total_count(), 0);
        let expected_reopens = u32::from(info.state == State::Open);
        assert_eq!(info.reopens, expected_reopens);
    });
}

#[test]
fn call_straddling_reset_is_not_recorded() {
    loom::model(|| {
        let (builder, moves) = builder(FailureStreak::new(5).unwrap(), 2);
        let breaker = Arc::new(builder.measure_durations(true).build().unwrap());
        let mut guard = breaker.try_acquire_owned().unwrap();
        guard.set_duration(Some(Duration::from_millis(3)));

        let other = thread::spawn(move || guard.record_failure());
        breaker.reset();
        other.join().unwrap();

        // Recorded before the reset, the failure was cleared with the
        // window; finished after it, it was dropped as stale.
        let info = breaker.info();
        assert_eq!(info.state, State::Closed);
        assert_eq!(info.metric.total_count(), 0);
        assert_eq!(info.metric.timed_count(), 0);
        assert_eq!(info.metric.total_duration(), None);
        assert_eq!(info.consecutive_failures, 0);
        assert_eq!(taken(&moves), [(State::Closed, State::Closed)]);
    });
}

#[test]
fn dropped_probe_frees_its_slot() {
    loom::model(|| {
        // A success leaves a half-open circuit half-open, so both threads
        // compete for the one slot in the same period.
        let (breaker, moves) = half_open(HalfOpened | FailureStreak::new(1).unwrap(), 1);
        let running = Arc::new(AtomicUsize::new(0));

        let (caller, running_there) = (Arc::clone(&breaker), Arc::clone(&running));
        let dropping = thread::spawn(move || {
            if let Ok(guard) = caller.try_acquire() {
                assert_eq!(running_there.fetch_add(1, Ordering::SeqCst), 0);
                running_there.fetch_sub(1, Ordering::SeqCst);
                drop(guard);
            }
        });
        if let Ok(guard) = breaker.try_acquire() {
            assert_eq!(running.fetch_add(1, Ordering::SeqCst), 0);
            running.fetch_sub(1, Ordering::SeqCst);
            guard.record_success();
        }
        dropping.join().unwrap();

        assert_eq!(breaker.info().probes_in_flight, 0);
        assert_eq!(breaker.state(), State::HalfOpen);
        assert!(taken(&moves).is_empty());
        let next = breaker.try_acquire().expect("the slot is free again");
        assert!(next.is_probe());
    });
}

#[test]
fn probe_dropped_during_reset() {
    loom::model(|| {
        let (breaker, moves) = half_open(FailureStreak::new(1).unwrap(), 1);
        let guard = breaker.try_acquire_owned().unwrap();

        let other = thread::spawn(move || drop(guard));
        breaker.reset();
        other.join().unwrap();

        let info = breaker.info();
        assert_eq!(info.state, State::Closed);
        assert_eq!(info.probes_in_flight, 0);
        assert_eq!(taken(&moves), [(State::HalfOpen, State::Closed)]);
    });
}

/// Asserts that the window is consistent and that its totals match the
/// outcomes it contains: two more outcomes replace whatever it has, and
/// the totals then show exactly those two.
fn assert_window_exact(breaker: &CircuitBreaker) {
    let metric = breaker.info().metric;
    assert!(metric.total_count() <= 2, "{metric:?}");
    assert!(metric.failure_count() <= metric.total_count(), "{metric:?}");
    assert!(metric.timed_count() <= metric.total_count(), "{metric:?}");

    record_timed(breaker, true, 8);
    record_timed(breaker, false, 16);
    let metric = breaker.info().metric;
    assert_eq!(metric.total_count(), 2);
    assert_eq!(metric.failure_count(), 1);
    assert_eq!(metric.timed_count(), 2);
    assert_eq!(metric.total_duration(), Some(Duration::from_millis(24)));
}

/// Returns a metrics-only breaker whose window keeps two timed outcomes.
fn metrics_only_window() -> Arc<CircuitBreaker> {
    let (builder, _) = builder(FailureStreak::new(1).unwrap(), 2);
    let breaker = Arc::new(builder.measure_durations(true).build().unwrap());
    breaker.metrics_only();
    breaker
}

#[test]
fn count_window_record_and_evict() {
    loom::model(|| {
        let breaker = metrics_only_window();

        let caller = Arc::clone(&breaker);
        let other = thread::spawn(move || {
            record_timed(&caller, true, 1);
            record_timed(&caller, false, 2);
        });
        record_timed(&breaker, true, 4);
        other.join().unwrap();

        let metric = breaker.info().metric;
        assert_eq!(metric.total_count(), 2);
        assert!(metric.failure_count() >= 1, "{metric:?}");
        assert_window_exact(&breaker);
    });
}

#[test]
fn count_window_record_during_reset() {
    loom::model(|| {
        let breaker = metrics_only_window();

        let caller = Arc::clone(&breaker);
        let other = thread::spawn(move || {
            record_timed(&caller, true, 1);
            record_timed(&caller, true, 2);
        });
        breaker.metrics_only();
        other.join().unwrap();

        assert_window_exact(&breaker);
    });
}
