//! Faults around the breaker: protected calls that panic, listeners that
//! panic or block, clocks that go back or jump a year ahead, and duration
//! sums near their limit. None may poison, deadlock or panic the breaker.

mod common;

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Waker};
use std::thread;
use std::time::Duration;

use common::{Recorder, builder, fail, ok, secs};
use fluxgate::retries::Backoff;
use fluxgate::trippers::{FailureStreak, MinRequests};
use fluxgate::windows::{CountWindow, TimeWindow};
use fluxgate::{CallEvent, CircuitBreaker, Command, Listener, ManualClock, State, Transition};

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .expect("a &str panic payload")
}

#[test]
fn panicking_call_reaches_caller() {
    let (builder, _, _) = builder(FailureStreak::new(3).unwrap());
    let breaker = builder.build().unwrap();

    let caught = catch_unwind(AssertUnwindSafe(|| {
        breaker.call(|| -> Result<(), &str> { panic!("connection pool poisoned") })
    }));
    let payload = caught.expect_err("the panic reaches the caller");
    assert_eq!(panic_message(&*payload), "connection pool poisoned");

    let info = breaker.info();
    assert_eq!(info.metric.failure_count(), 1);
    assert_eq!(info.metric.total_count(), 1);
    assert_eq!(info.consecutive_failures, 1);
    assert_eq!(breaker.call(ok), Ok(()));
}

#[test]
fn panicking_probe_frees_slot_and_reopens() {
    let (builder, clock, recorder) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.max_half_open_calls(1).build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(30));

    let caught = catch_unwind(AssertUnwindSafe(|| {
        let _guard = breaker.try_acquire().unwrap();
        panic!("probe crashed");
    }));
    assert_eq!(panic_message(&*caught.unwrap_err()), "probe crashed");

    let info = breaker.info();
    assert_eq!(info.state, State::Open);
    assert_eq!(info.probes_in_flight, 0);
    assert_eq!(info.reopens, 1);
    assert_eq!(
        recorder.moves(),
        [
            (State::Closed, State::Open),
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Open),
        ]
    );
}

#[test]
fn panicking_future_records_failure() {
    let (builder, _, _) = builder(FailureStreak::new(5).unwrap());
    let breaker = builder.build().unwrap();
    let mut call = Box::pin(breaker.call_async(|| async {
        if true {
            panic!("handler panicked");
        }
        Ok::<(), &str>(())
    }));
    let mut context = Context::from_waker(Waker::noop());

    let caught = catch_unwind(AssertUnwindSafe(|| call.as_mut().poll(&mut context)));
    assert_eq!(panic_message(&*caught.unwrap_err()), "handler panicked");
    drop(call);
    assert_eq!(breaker.info().metric.failure_count(), 1);
    assert_eq!(breaker.info().consecutive_failures, 1);
}

/// A listener that panics on every transition and every call.
struct Panicking;

impl Listener for Panicking {
    fn on_transition(&self, _: &Transition) {
        panic!("listener failed");
    }

    fn observes_calls(&self) -> bool {
        true
    }

    fn on_call(&self, _: &CallEvent<'_>) {
        panic!("call observer failed");
    }
}

#[test]
fn panicking_listener_poisons_nothing() {
    const THREADS: usize = 4;
    const COMMANDS: usize = 50;
    let recorder = Recorder::default();
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .listener(Panicking)
            .listener(recorder.listener())
            .build()
            .unwrap(),
    );

    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            let breaker = Arc::clone(&breaker);
            thread::spawn(move || {
                for step in 0..COMMANDS {
                    breaker.command(Command::ALL[(thread + step) % Command::ALL.len()]);
                    let _ = breaker.call(ok);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no panic escapes the breaker");
    }

    let moves = recorder.moves();
    assert_eq!(moves.len(), THREADS * COMMANDS);
    for pair in moves.windows(2) {
        assert_eq!(pair[0].1, pair[1].0);
    }
    breaker.reset();
    assert_eq!(breaker.call(ok), Ok(()));
    assert_eq!(breaker.info().state, State::Closed);
    assert_eq!(recorder.moves().len(), THREADS * COMMANDS + 1);
}

/// A listener that blocks on its first transition until released.
struct Blocking {
    entered: Mutex<Option<mpsc::Sender<()>>>,
    release: Mutex<mpsc::Receiver<()>>,
    seen: Mutex<Vec<(State, State)>>,
}

impl Listener for Blocking {
    fn on_transition(&self, transition: &Transition) {
        if let Some(entered) = self.entered.lock().unwrap().take() {
            entered.send(()).unwrap();
            self.release.lock().unwrap().recv().unwrap();
        }
        self.seen
            .lock()
            .unwrap()
            .push((transition.from, transition.to));
    }
}

#[test]
fn blocked_listener_stops_no_calls() {
    let (entered_sender, entered) = mpsc::channel();
    let (release, release_receiver) = mpsc::channel();
    let blocking = Arc::new(Blocking {
        entered: Mutex::new(Some(entered_sender)),
        release: Mutex::new(release_receiver),
        seen: Mutex::default(),
    });
    let recorder = Recorder::default();
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .tripper(FailureStreak::new(2).unwrap())
            .shared_listener(blocking.clone())
            .listener(recorder.listener())
            .build()
            .unwrap(),
    );

    let delivering = {
        let breaker = Arc::clone(&breaker);
        thread::spawn(move || breaker.force_open())
    };
    entered.recv().unwrap();

    // The delivering thread is stuck in the listener; everyone else goes on.
    assert_eq!(breaker.state(), State::ForcedOpen);
    breaker.reset();
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.call(ok), Ok(()));
    let _ = breaker.call(fail);
    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(breaker.info().consecutive_failures, 2);
    assert!(recorder.moves().is_empty(), "delivery waits its turn");

    release.send(()).unwrap();
    delivering.join().unwrap();
    let expected = [
        (State::Closed, State::ForcedOpen),
        (State::ForcedOpen, State::Closed),
        (State::Closed, State::Open),
    ];
    assert_eq!(*blocking.seen.lock().unwrap(), expected);
    assert_eq!(recorder.moves(), expected);
}

#[test]
fn clock_going_back_delays_retry() {
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.half_open_timeout(secs(10)).build().unwrap();
    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::Open);

    // Opened at 1000 s with a 30 s cooldown; at 900 s the wait is 130 s.
    clock.set(secs(900));
    let rejected = breaker.try_acquire().unwrap_err();
    assert_eq!(rejected.retry_after(), Some(secs(130)));
    clock.set(secs(1_030));
    drop(breaker.try_acquire().unwrap());
    assert_eq!(breaker.state(), State::HalfOpen);

    // A half-open period measured against a clock that went back has not
    // begun, so it does not time out.
    clock.set(secs(1_000));
    assert!(breaker.try_acquire().unwrap().is_probe());
    clock.set(secs(1_040));
    assert!(breaker.try_acquire().unwrap_err().retry_after().is_some());
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(breaker.info().reopens, 1);
}

#[test]
fn clock_jumping_a_year_ahead() {
    const YEAR: Duration = Duration::from_secs(365 * 86_400);
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let retry = Backoff::new(secs(10)).unwrap().with_max(secs(600)).unwrap();
    let breaker = builder.retry(retry).build().unwrap();
    let _ = breaker.call(fail);

    clock.advance(YEAR);
    let probe = breaker.try_acquire().unwrap();
    assert!(probe.is_probe());
    probe.record_success();
    let info = breaker.info();
    assert_eq!(info.state, State::Closed);
    assert_eq!(info.changed_at, secs(1_000) + YEAR);
}

#[test]
fn time_window_across_jumps_and_rewinds() {
    const YEAR: Duration = Duration::from_secs(365 * 86_400);
    let clock = ManualClock::starting_at(secs(50));
    let breaker = CircuitBreaker::builder()
        .window(TimeWindow::new(secs(10)).unwrap())
        .tripper(MinRequests::new(1_000).unwrap())
        .clock(clock.clone())
        .build()
        .unwrap();
    for _ in 0..3 {
        let _ = breaker.call(fail);
    }

    clock.advance(YEAR);
    assert_eq!(breaker.info().metric.total_count(), 0);
    let _ = breaker.call(ok);
    // Back to before the jump: the outcome counts in the newest second.
    clock.set(secs(50));
    let _ = breaker.call(fail);
    let metric = breaker.info().metric;
    assert_eq!(metric.total_count(), 2);
    assert_eq!(metric.failure_count(), 1);
}

#[test]
fn clock_at_its_maximum() {
    let (builder, clock, recorder) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    clock.set(Duration::MAX);
    clock.advance(YEAR_AND_MORE);

    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(breaker.info().changed_at, Duration::from_nanos(u64::MAX));
    // A clock stuck at its maximum cannot wait out a cooldown, so the
    // wait, capped at the clock's maximum too, counts as over.
    let probe = breaker.try_acquire().unwrap();
    assert!(probe.is_probe());
    probe.record_success();
    assert_eq!(
        recorder.moves(),
        [
            (State::Closed, State::Open),
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Closed),
        ]
    );
}

const YEAR_AND_MORE: Duration = Duration::from_secs(400 * 86_400);

#[test]
fn long_durations_sum_exactly() {
    const DAY: u64 = 86_400;
    for window in [
        fluxgate::windows::Window::from(CountWindow::new(100).unwrap()),
        TimeWindow::new(secs(60)).unwrap().into(),
    ] {
        let breaker = CircuitBreaker::builder()
            .window(window)
            .measure_durations(true)
            .build()
            .unwrap();
        breaker.metrics_only();
        for _ in 0..100 {
            let mut guard = breaker.try_acquire().unwrap();
            guard.set_duration(Some(secs(20 * DAY)));
            guard.record_success();
        }
        let metric = breaker.info().metric;
        assert_eq!(metric.total_duration(), Some(secs(2_000 * DAY)), "{window}");
        assert_eq!(metric.avg_duration(), Some(secs(20 * DAY)), "{window}");
    }
}

#[test]
fn observer_panics_are_counted_once() {
    /// Counts calls, then panics.
    struct CountingThenPanicking(AtomicUsize);

    impl Listener for CountingThenPanicking {
        fn on_transition(&self, _: &Transition) {}

        fn observes_calls(&self) -> bool {
            true
        }

        fn on_call(&self, _: &CallEvent<'_>) {
            self.0.fetch_add(1, Ordering::SeqCst);
            panic!("metrics exporter failed");
        }
    }

    let observer = Arc::new(CountingThenPanicking(AtomicUsize::new(0)));
    let breaker = CircuitBreaker::builder()
        .shared_listener(observer.clone())
        .build()
        .unwrap();
    for _ in 0..5 {
        assert_eq!(breaker.call(ok), Ok(()));
    }
    assert_eq!(observer.0.load(Ordering::SeqCst), 5);
    assert_eq!(breaker.info().metric.total_count(), 5);
}

/// A tripper that panics when it judges a half-open circuit.
struct PanicsWhenHalfOpen;

impl std::fmt::Display for PanicsWhenHalfOpen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("panics_when_half_open()")
    }
}

impl fluxgate::trippers::Tripper for PanicsWhenHalfOpen {
    fn trips(&self, context: &fluxgate::trippers::Context<'_>) -> bool {
        assert_ne!(context.state(), State::HalfOpen, "tripper failed");
        context.consecutive_failures() >= 1
    }
}

#[test]
fn panicking_tripper_frees_probe_slot() {
    let (builder, clock, _) = builder(PanicsWhenHalfOpen);
    let breaker = builder.max_half_open_calls(1).build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(30));

    let caught = catch_unwind(AssertUnwindSafe(|| breaker.call(ok)));
    assert!(caught.is_err(), "the tripper's panic reaches the caller");
    let info = breaker.info();
    assert_eq!(info.state, State::HalfOpen);
    assert_eq!(info.probes_in_flight, 0);
    assert!(breaker.try_acquire().unwrap().is_probe());
}

/// A retry strategy that panics when the circuit reopens.
struct PanicsOnReopen;

impl std::fmt::Display for PanicsOnReopen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("panics_on_reopen()")
    }
}

impl fluxgate::retries::Retry for PanicsOnReopen {
    fn wait(&self, reopens: u32, _draw: f64) -> Option<Duration> {
        assert_eq!(reopens, 0, "retry strategy failed");
        Some(Duration::ZERO)
    }
}

#[test]
fn panicking_retry_leaves_period_intact() {
    let (builder, _, recorder) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.retry(PanicsOnReopen).build().unwrap();
    let _ = breaker.call(fail);
    let probe = breaker.try_acquire().unwrap();
    let before = breaker.info();
    assert_eq!(before.state, State::HalfOpen);

    let caught = catch_unwind(AssertUnwindSafe(|| probe.record_failure()));
    assert!(caught.is_err(), "the retry's panic reaches the caller");
    let after = breaker.info();
    assert_eq!(after.state, State::HalfOpen);
    assert_eq!(after.reopens, 0);
    assert_eq!(after.changed_at, before.changed_at);
    assert_eq!(after.probes_in_flight, 0);

    breaker.reset();
    assert_eq!(breaker.call(ok), Ok(()));
    assert_eq!(
        recorder.moves(),
        [
            (State::Closed, State::Open),
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Closed),
        ]
    );
}
