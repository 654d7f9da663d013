//! Scenarios on a manual clock: whole cycles through the states, manual
//! commands in every state, ignored errors and the failure streak.

mod common;

use std::time::Duration;

use common::{Recorder, builder, fail, millis, ok, secs};
use fluxgate::retries::{Backoff, Cooldown};
use fluxgate::trackers::Custom;
use fluxgate::trippers::{Closed, FailureRate, FailureStreak, HalfOpened, MinRequests};
use fluxgate::windows::CountWindow;
use fluxgate::{CircuitBreaker, Command, Error, ManualClock, Reason, State};

fn rejected_state<T: std::fmt::Debug>(result: Result<T, Error<&str>>) -> State {
    result.unwrap_err().rejected().expect("a rejection").state()
}

#[test]
fn full_cycle_closed_open_half_open_closed_open() {
    let (builder, clock, recorder) = builder(FailureStreak::new(3).unwrap());
    let breaker = builder.build().unwrap();

    for _ in 0..3 {
        assert_eq!(breaker.call(fail).unwrap_err().inner(), Some(&"down"));
    }
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(rejected_state(breaker.call(ok)), State::Open);

    clock.advance(secs(30));
    assert_eq!(breaker.call(ok), Ok(()));
    assert_eq!(breaker.state(), State::Closed);

    for _ in 0..3 {
        let _ = breaker.call(fail);
    }
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(
        recorder.moves(),
        [
            (State::Closed, State::Open),
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Closed),
            (State::Closed, State::Open),
        ]
    );
    let transitions = recorder.all();
    assert_eq!(transitions[0].at, secs(1_000));
    assert_eq!(transitions[1].at, secs(1_030));
    assert_eq!(transitions[1].reason, Reason::RetryDue);
    match &transitions[0].reason {
        Reason::Tripped {
            consecutive_failures,
            cause,
            metric,
        } => {
            assert_eq!(*consecutive_failures, 3);
            assert_eq!(cause, "failure_streak(3)");
            assert_eq!(metric.failure_count(), 3);
        }
        other => panic!("expected a trip, got {other:?}"),
    }
}

#[test]
fn failed_probe_reopens_and_counts_reopens() {
    let (builder, clock, recorder) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    let _ = breaker.call(fail);

    for round in 1..=3 {
        clock.advance(secs(30));
        assert!(breaker.call(fail).unwrap_err().inner().is_some());
        assert_eq!(breaker.state(), State::Open);
        assert_eq!(breaker.info().reopens, round);
    }
    clock.advance(secs(30));
    assert_eq!(breaker.call(ok), Ok(()));
    assert_eq!(breaker.info().reopens, 0);
    assert_eq!(recorder.all().last().unwrap().to, State::Closed);
    assert_eq!(recorder.all()[2].reopens, 1);
}

#[test]
fn cooldown_one_millisecond_early_then_on_time() {
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    let _ = breaker.call(fail);

    clock.advance(secs(30) - millis(1));
    let rejection = breaker.call(ok).unwrap_err();
    assert_eq!(rejection.rejected().unwrap().retry_after(), Some(millis(1)));

    clock.advance(millis(1));
    assert_eq!(breaker.call(ok), Ok(()));
}

#[test]
fn backoff_waits_grow_with_reopens_and_cap() {
    let clock = ManualClock::new();
    let breaker = CircuitBreaker::builder()
        .tripper(FailureStreak::new(1).unwrap())
        .retry(Backoff::new(secs(10)).unwrap().with_max(secs(25)).unwrap())
        .permit(fluxgate::permits::All)
        .clock(clock.clone())
        .build()
        .unwrap();
    let _ = breaker.call(fail);

    for expected in [10, 20, 25, 25] {
        let retry_after = breaker
            .call(ok)
            .unwrap_err()
            .rejected()
            .unwrap()
            .retry_after();
        assert_eq!(retry_after, Some(secs(expected)));
        clock.advance(secs(expected));
        let _ = breaker.call(fail);
        assert_eq!(breaker.state(), State::Open);
    }
}

#[test]
fn jitter_is_drawn_once_per_open_period() {
    let clock = ManualClock::new();
    let breaker = CircuitBreaker::builder()
        .tripper(FailureStreak::new(1).unwrap())
        .retry(Cooldown::new(secs(100)).unwrap().with_jitter(0.5).unwrap())
        .clock(clock.clone())
        .seed(99)
        .build()
        .unwrap();
    let _ = breaker.call(fail);

    let first = breaker
        .call(ok)
        .unwrap_err()
        .rejected()
        .unwrap()
        .retry_after()
        .unwrap();
    assert!(first >= secs(50), "{first:?}");
    assert!(first < secs(150), "{first:?}");
    for step in 1..10 {
        clock.advance(millis(10));
        let wait = breaker
            .call(ok)
            .unwrap_err()
            .rejected()
            .unwrap()
            .retry_after()
            .unwrap();
        assert_eq!(
            wait,
            first - millis(10 * step),
            "the wait must not be redrawn"
        );
    }
}

#[test]
fn never_retry_stays_open_until_reset() {
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.retry(fluxgate::retries::Never).build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(10 * 365 * 24 * 3600));
    let rejection = breaker.call(ok).unwrap_err();
    assert_eq!(rejection.rejected().unwrap().retry_after(), None);
    breaker.reset();
    assert_eq!(breaker.call(ok), Ok(()));
}

#[test]
fn half_open_needs_five_good_probes() {
    // Five good probes are needed before closing; a failure before that
    // reopens the circuit.
    let tripper = (Closed & FailureStreak::new(1).unwrap())
        | (HalfOpened & (!MinRequests::new(5).unwrap() | FailureRate::new(0.2).unwrap()));
    let (builder, clock, recorder) = builder(tripper);
    let breaker = builder.build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(30));

    for _ in 0..4 {
        assert_eq!(breaker.call(ok), Ok(()));
        assert_eq!(breaker.state(), State::HalfOpen);
    }
    assert_eq!(breaker.call(ok), Ok(()));
    assert_eq!(breaker.state(), State::Closed);

    let _ = breaker.call(fail);
    clock.advance(secs(30));
    assert_eq!(breaker.call(ok), Ok(()));
    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(recorder.moves().len(), 6);
}

#[test]
fn failure_streak_resets_on_success() {
    let (builder, _, _) = builder(FailureStreak::new(3).unwrap());
    let breaker = builder.build().unwrap();
    for _ in 0..5 {
        let _ = breaker.call(fail);
        let _ = breaker.call(fail);
        assert_eq!(breaker.info().consecutive_failures, 2);
        assert_eq!(breaker.call(ok), Ok(()));
        assert_eq!(breaker.info().consecutive_failures, 0);
    }
    assert_eq!(breaker.state(), State::Closed);
}

#[test]
fn failure_streak_resets_on_entering_half_open() {
    let tripper =
        (Closed & FailureStreak::new(2).unwrap()) | (HalfOpened & FailureStreak::new(2).unwrap());
    let (builder, clock, _) = builder(tripper);
    let breaker = builder.build().unwrap();
    let _ = breaker.call(fail);
    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(breaker.info().consecutive_failures, 2);

    clock.advance(secs(30));
    // One failed probe: the streak restarted at zero, so it stays half-open.
    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::HalfOpen);
    assert_eq!(breaker.info().consecutive_failures, 1);
    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn ignored_errors_are_not_recorded() {
    let clock = ManualClock::new();
    let breaker = CircuitBreaker::builder()
        .tracker(Custom::new(|error: &&str| *error != "not found"))
        .tripper(FailureStreak::new(2).unwrap())
        .clock(clock)
        .build()
        .unwrap();

    let _ = breaker.call(fail);
    for _ in 0..10 {
        let result = breaker.call(|| Err::<(), _>("not found"));
        assert_eq!(result.unwrap_err().inner(), Some(&"not found"));
    }
    let info = breaker.info();
    assert_eq!(info.metric.total_count(), 1);
    assert_eq!(info.consecutive_failures, 1);
    assert_eq!(breaker.state(), State::Closed);
}

#[test]
fn ignored_error_frees_probe_slot() {
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder
        .tracker(Custom::new(|error: &&str| *error != "ignored"))
        .max_half_open_calls(1)
        .build()
        .unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(30));

    for _ in 0..3 {
        let result = breaker.call(|| Err::<(), _>("ignored"));
        assert_eq!(result.unwrap_err().inner(), Some(&"ignored"));
        assert_eq!(breaker.info().probes_in_flight, 0);
    }
    assert_eq!(breaker.state(), State::HalfOpen);
    assert_eq!(breaker.info().metric.total_count(), 0);
}

#[test]
fn min_requests_and_rate_trip_only_at_volume() {
    let tripper = MinRequests::new(10).unwrap() & FailureRate::new(0.5).unwrap();
    let (builder, _, _) = builder(tripper);
    let breaker = builder
        .window(CountWindow::new(10).unwrap())
        .build()
        .unwrap();

    for _ in 0..5 {
        let _ = breaker.call(fail);
    }
    for _ in 0..4 {
        let _ = breaker.call(ok);
    }
    assert_eq!(breaker.state(), State::Closed, "nine calls are one short");
    // The tenth call is a success, and 5 of 10 is still 50%.
    assert_eq!(breaker.call(ok), Ok(()));
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn every_command_from_every_state() {
    let states = [
        State::Closed,
        State::Open,
        State::HalfOpen,
        State::MetricsOnly,
        State::Disabled,
        State::ForcedOpen,
    ];
    for start in states {
        for command in Command::ALL {
            let (builder, clock, recorder) = builder(FailureStreak::new(1).unwrap());
            let breaker = builder.build().unwrap();
            enter(&breaker, &clock, start);
            assert_eq!(breaker.state(), start);
            let before = recorder.all().len();

            breaker.command(command);
            let transitions = recorder.all();
            assert_eq!(breaker.state(), command.target(), "{start} then {command}");
            assert_eq!(transitions.len(), before + 1, "{start} then {command}");
            let last = transitions.last().unwrap();
            assert_eq!((last.from, last.to), (start, command.target()));
            assert_eq!(last.reason, Reason::Command(command));
            assert_eq!(breaker.info().metric.total_count(), 0, "window cleared");
        }
    }
}

fn enter(breaker: &CircuitBreaker, clock: &ManualClock, state: State) {
    match state {
        State::Closed => {}
        State::Open => {
            let _ = breaker.call(fail);
        }
        State::HalfOpen => {
            let _ = breaker.call(fail);
            clock.advance(secs(30));
            let guard = breaker.try_acquire().unwrap();
            // Leave the probe unreported so the circuit stays half-open.
            drop(guard);
        }
        State::MetricsOnly => breaker.metrics_only(),
        State::Disabled => breaker.disable(),
        State::ForcedOpen => breaker.force_open(),
    }
}

#[test]
fn reset_while_closed_clears_and_notifies() {
    let (builder, _, recorder) = builder(FailureStreak::new(5).unwrap());
    let breaker = builder.build().unwrap();
    let _ = breaker.call(fail);
    breaker.reset();
    assert_eq!(recorder.moves(), [(State::Closed, State::Closed)]);
    assert_eq!(breaker.info().metric.total_count(), 0);
    assert_eq!(breaker.info().consecutive_failures, 0);
}

#[test]
fn metrics_only_records_and_never_trips() {
    let (builder, _, recorder) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    breaker.metrics_only();
    for _ in 0..50 {
        let _ = breaker.call(fail);
    }
    assert_eq!(breaker.state(), State::MetricsOnly);
    assert_eq!(breaker.info().metric.failure_count(), 50);
    assert_eq!(recorder.moves().len(), 1);
}

#[test]
fn disabled_admits_and_records_nothing() {
    let (builder, _, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    breaker.disable();
    for _ in 0..10 {
        assert!(breaker.call(fail).unwrap_err().inner().is_some());
    }
    assert_eq!(breaker.info().metric.total_count(), 0);
    assert_eq!(breaker.state(), State::Disabled);
}

#[test]
fn forced_open_rejects_without_retry_hint() {
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    breaker.force_open();
    clock.advance(secs(3600));
    let mut ran = false;
    let result = breaker.call(|| {
        ran = true;
        ok()
    });
    let rejected = *result.unwrap_err().rejected().unwrap();
    assert!(!ran, "a rejected call must not run");
    assert_eq!(rejected.state(), State::ForcedOpen);
    assert_eq!(rejected.retry_after(), None);
}

#[test]
fn call_admitted_before_transition_is_not_recorded() {
    let (builder, _, _) = builder(FailureStreak::new(2).unwrap());
    let breaker = builder.build().unwrap();
    let straddling = breaker.try_acquire().unwrap();

    breaker.reset();
    straddling.record_failure();
    assert_eq!(breaker.info().metric.total_count(), 0);
    assert_eq!(breaker.info().consecutive_failures, 0);
}

#[test]
fn stale_closed_period_not_recorded() {
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    let from_first_closed = breaker.try_acquire().unwrap();

    // closed -> open -> half-open -> closed, then the old call reports.
    let _ = breaker.call(fail);
    clock.advance(secs(30));
    assert_eq!(breaker.call(ok), Ok(()));
    assert_eq!(breaker.state(), State::Closed);

    from_first_closed.record_failure();
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.info().metric.total_count(), 0);
}

#[test]
fn half_open_timeout_reopens_on_next_call() {
    let (builder, clock, recorder) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder
        .max_half_open_calls(1)
        .half_open_timeout(secs(60))
        .build()
        .unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(30));
    let hung = breaker.try_acquire().unwrap();
    assert_eq!(rejected_state(breaker.call(ok)), State::HalfOpen);

    clock.advance(secs(60));
    assert_eq!(rejected_state(breaker.call(ok)), State::Open);
    assert_eq!(breaker.info().reopens, 1);
    assert_eq!(
        recorder.all().last().unwrap().reason,
        Reason::HalfOpenTimeout
    );

    clock.advance(secs(30));
    assert_eq!(breaker.call(ok), Ok(()));
    assert_eq!(breaker.state(), State::Closed);
    hung.record_failure();
    assert_eq!(
        breaker.state(),
        State::Closed,
        "the hung probe's period is over"
    );
}

#[test]
fn probe_limit_rejects_overflow() {
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.max_half_open_calls(2).build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(30));

    let first = breaker.try_acquire().unwrap();
    let second = breaker.try_acquire().unwrap();
    assert!(first.is_probe());
    assert!(second.is_probe());
    let third = breaker.try_acquire().unwrap_err();
    assert_eq!(third.state(), State::HalfOpen);
    assert_eq!(third.retry_after(), None);
    assert_eq!(
        third.to_string(),
        "call not permitted: the circuit breaker is half-open and did not admit \
         this call as a probe"
    );

    drop(first);
    let fourth = breaker.try_acquire().unwrap();
    assert_eq!(breaker.info().probes_in_flight, 2);
    fourth.record_success();
    drop(second);
    assert_eq!(breaker.state(), State::Closed);
}

#[test]
fn random_permit_is_reproducible_with_a_seed() {
    let admitted = |seed| {
        let clock = ManualClock::new();
        let breaker = CircuitBreaker::builder()
            .tripper(HalfOpened | FailureStreak::new(1).unwrap())
            .retry(fluxgate::retries::Always)
            .permit(fluxgate::permits::Random::new(0.3).unwrap())
            .clock(clock)
            .seed(seed)
            .build()
            .unwrap();
        let _ = breaker.call(fail);
        (0..1000)
            .map(|_| breaker.try_acquire().map(drop).is_ok())
            .collect::<Vec<_>>()
    };
    let first = admitted(5);
    assert_eq!(first, admitted(5));
    assert_ne!(first, admitted(6));
    let count = first.iter().filter(|&&ok| ok).count();
    assert!(
        (230..370).contains(&count),
        "{count} of 1000 admitted at p = 0.3"
    );
}

#[test]
fn ramp_up_admits_more_over_time() {
    let clock = ManualClock::new();
    let breaker = CircuitBreaker::builder()
        .tripper(HalfOpened | FailureStreak::new(1).unwrap())
        .retry(Cooldown::new(secs(1)).unwrap())
        .permit(fluxgate::permits::RampUp::new(0.1, 1.0, secs(100)).unwrap())
        .clock(clock.clone())
        .seed(3)
        .build()
        .unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(1));
    // The first call after the wait moves the circuit to half-open.
    let _ = breaker.try_acquire();

    let count = |breaker: &CircuitBreaker| {
        (0..2000)
            .filter(|_| breaker.try_acquire().map(drop).is_ok())
            .count()
    };
    let early = count(&breaker);
    clock.advance(secs(100));
    let late = count(&breaker);
    assert!((120..290).contains(&early), "{early} of 2000 at p = 0.1");
    assert_eq!(late, 2000);
}

#[test]
fn panicking_call_records_failure_and_frees_slot() {
    let (builder, clock, recorder) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.max_half_open_calls(1).build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(30));

    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        breaker.call(|| -> Result<(), &str> { panic!("protected call panicked") })
    }));
    assert!(outcome.is_err(), "the panic reaches the caller");
    assert_eq!(
        breaker.state(),
        State::Open,
        "the panic counted as a failure"
    );
    assert_eq!(breaker.info().probes_in_flight, 0);
    assert_eq!(breaker.info().reopens, 1);
    assert_eq!(recorder.moves().len(), 3);
}

#[test]
fn fallback_receives_rejection_and_inner_error() {
    let (builder, _, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    let describe = |error: Error<&str>| match error {
        Error::Inner(inner) => format!("inner {inner}"),
        Error::Rejected(rejected) => format!("rejected by {}", rejected.state()),
    };
    let first = breaker.call_with_fallback(|| Err::<String, _>("down"), describe);
    assert_eq!(first, "inner down");
    let second = breaker.call_with_fallback(|| Ok::<_, &str>("fresh".to_owned()), describe);
    assert_eq!(second, "rejected by open");
}

#[test]
fn rejection_message_names_state_and_wait() {
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(5));
    let error = breaker.call(ok).unwrap_err();
    assert_eq!(
        error.to_string(),
        "call not permitted: the circuit breaker is open; retry in 25s"
    );
}

#[test]
fn rejection_message_rounds_wait_up_to_milliseconds() {
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(Duration::from_nanos(8_989));
    let error = breaker.call(ok).unwrap_err();
    assert_eq!(
        error.rejected().unwrap().retry_after(),
        Some(secs(30) - Duration::from_nanos(8_989))
    );
    assert_eq!(
        error.to_string(),
        "call not permitted: the circuit breaker is open; retry in 30s"
    );
}

#[test]
fn listener_may_call_back_into_the_breaker() {
    use std::sync::{Arc, OnceLock};

    let cell: Arc<OnceLock<Arc<CircuitBreaker>>> = Arc::new(OnceLock::new());
    let seen = Recorder::default();
    let inner = Arc::clone(&cell);
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .tripper(FailureStreak::new(1).unwrap())
            .listener(move |transition: &fluxgate::Transition| {
                let breaker = inner.get().unwrap();
                // Reads and commands from inside a listener must not deadlock.
                assert_eq!(breaker.info().state, transition.to);
                if transition.to == State::Open {
                    breaker.force_open();
                }
            })
            .listener(seen.listener())
            .build()
            .unwrap(),
    );
    cell.set(Arc::clone(&breaker)).unwrap();

    let _ = breaker.call(fail);
    assert_eq!(breaker.state(), State::ForcedOpen);
    assert_eq!(
        seen.moves(),
        [
            (State::Closed, State::Open),
            (State::Open, State::ForcedOpen)
        ]
    );
}

#[test]
fn panicking_listener_is_isolated() {
    let recorder = Recorder::default();
    let breaker = CircuitBreaker::builder()
        .tripper(FailureStreak::new(1).unwrap())
        .listener(|_: &fluxgate::Transition| panic!("listener failed"))
        .listener(recorder.listener())
        .build()
        .unwrap();
    let _ = breaker.call(fail);
    breaker.reset();
    assert_eq!(
        recorder.moves(),
        [(State::Closed, State::Open), (State::Open, State::Closed)]
    );
    assert_eq!(breaker.call(ok), Ok(()));
}

#[test]
fn durations_of_failures_are_recorded() {
    let clock = ManualClock::new();
    let breaker = CircuitBreaker::builder()
        .tripper(fluxgate::trippers::AvgLatency::new(secs(2)).unwrap())
        .clock(clock.clone())
        .build()
        .unwrap();
    let result = breaker.call(|| {
        clock.advance(secs(5));
        Err::<(), _>("timed out")
    });
    assert!(result.is_err());
    assert_eq!(breaker.state(), State::Open, "a 5 s failure averages 5 s");
}

#[test]
fn untimed_breaker_reports_no_duration() {
    let (builder, _, _) = builder(FailureStreak::new(5).unwrap());
    let breaker = builder.build().unwrap();
    assert!(!breaker.measures_durations());
    let _ = breaker.call(ok);
    assert_eq!(breaker.info().metric.total_duration(), None);
    assert_eq!(breaker.info().metric.avg_duration(), None);
}

#[test]
fn slow_calls_count_per_threshold() {
    let tripper = fluxgate::trippers::SlowRate::new(0.5, secs(1)).unwrap()
        | fluxgate::trippers::SlowRate::new(0.9, secs(3)).unwrap();
    let (builder, clock, recorder) = builder(MinRequests::new(4).unwrap() & tripper);
    let breaker = builder.measure_durations(true).build().unwrap();
    for seconds in [0, 1, 2, 3] {
        let _ = breaker.call(|| {
            clock.advance(secs(seconds));
            ok()
        });
    }
    assert_eq!(breaker.state(), State::Open);
    match &recorder.all()[0].reason {
        Reason::Tripped { metric, cause, .. } => {
            assert_eq!(metric.slow_count(secs(1)), Some(3));
            assert_eq!(metric.slow_count(secs(3)), Some(1));
            assert_eq!(metric.avg_duration(), Some(millis(1500)));
            assert_eq!(
                cause,
                "min_requests(4) & (slow_rate(0.5, 1s) | slow_rate(0.9, 3s))"
            );
        }
        other => panic!("expected a trip, got {other:?}"),
    }
    assert_eq!(
        breaker.info().metric.total_count(),
        0,
        "the open window starts empty"
    );
}

#[test]
fn slow_rule_alone_keeps_no_durations() {
    let tripper = fluxgate::trippers::SlowRate::new(0.5, secs(1)).unwrap();
    let (builder, clock, _) = builder(MinRequests::new(10).unwrap() & tripper);
    let breaker = builder.build().unwrap();
    assert!(breaker.measures_durations());
    let _ = breaker.call(|| {
        clock.advance(secs(2));
        ok()
    });
    let metric = breaker.info().metric;
    assert_eq!(metric.slow_count(secs(1)), Some(1));
    assert_eq!(metric.total_duration(), None);
    assert_eq!(metric.avg_duration(), None);
}

#[test]
fn too_many_slow_thresholds_are_rejected() {
    let slow =
        |millis| fluxgate::trippers::SlowRate::new(0.5, Duration::from_millis(millis)).unwrap();
    let tripper = slow(1) | slow(2) | slow(3) | slow(4) | slow(5);
    let error = CircuitBreaker::builder()
        .tripper(tripper)
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid slow_rate thresholds for tripper: 5 distinct \
         (allowed: at most 4 distinct slow_rate thresholds)"
    );
}

#[test]
fn builder_rejects_bad_probe_limit_and_timeout() {
    let zero = CircuitBreaker::builder()
        .max_half_open_calls(0)
        .build()
        .unwrap_err();
    assert_eq!(
        zero.to_string(),
        "invalid max_half_open_calls for breaker: 0 (allowed: from 1 to 1000000)"
    );
    let timeout = CircuitBreaker::builder()
        .half_open_timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(timeout.parameter(), "half_open_timeout");
}

#[test]
fn breaker_displays_its_rules() {
    let breaker = CircuitBreaker::builder().build().unwrap();
    assert_eq!(
        breaker.to_string(),
        "window = count(100)\n\
         tracker = all()\n\
         tripper = min_requests(100) & failure_rate(0.5)\n\
         retry = cooldown(1m)\n\
         permit = ramp_up(0.1, 1, 1m)\n\
         max_half_open_calls = 10"
    );
}
