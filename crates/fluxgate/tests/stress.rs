//! Stress: threads making calls with random outcomes, held and dropped
//! guards, and random manual commands, on breakers of both window kinds.
//! A watcher thread checks the metric's invariants while they run. When
//! they are done, every probe slot must be free, and every listener must
//! have seen the same transitions, each starting where the one before it
//! ended.
//!
//! `STRESS_CALLS` sets the calls per thread (default 20,000).

mod timed;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use fluxgate::permits::Random;
use fluxgate::retries::Cooldown;
use fluxgate::trippers::{FailureRate, FailureStreak, MinRequests, SlowRate};
use fluxgate::windows::{CountWindow, TimeWindow, Window};
use fluxgate::{CircuitBreaker, Command, Reason, State, Transition};
use timed::record_timed;

const THREADS: u64 = 4;
const WINDOW_SIZE: usize = 32;
const MAX_PROBES: u32 = 2;

fn calls_per_thread() -> u64 {
    std::env::var("STRESS_CALLS")
        .ok()
        .and_then(|calls| calls.parse().ok())
        .unwrap_or(20_000)
}

/// A per-thread xorshift generator, so every run makes the same choices.
struct Choices(u64);

impl Choices {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }
}

type Log = Arc<Mutex<Vec<Transition>>>;

fn listener(log: &Log) -> impl Fn(&Transition) + Send + Sync + 'static {
    let sink = Arc::clone(log);
    move |transition: &Transition| sink.lock().unwrap().push(transition.clone())
}

/// Panics unless the metric is one a consistent window could report.
fn check_metric(breaker: &CircuitBreaker, window: Window) {
    let info = breaker.info();
    let metric = info.metric;
    if let Window::Count(count) = window {
        assert!(
            metric.total_count() <= count.size().get() as u64,
            "{metric:?}"
        );
    }
    assert!(metric.failure_count() <= metric.total_count(), "{metric:?}");
    assert!(metric.timed_count() <= metric.total_count(), "{metric:?}");
    for (_, slow) in metric.slow_counts() {
        assert!(slow <= metric.total_count(), "{metric:?}");
    }
    assert!(info.probes_in_flight <= MAX_PROBES, "{info:?}");
}

/// Makes one thread's calls and returns how many commands it issued.
fn make_calls(breaker: &CircuitBreaker, thread: u64, calls: u64) -> u64 {
    let mut choices = Choices(thread.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut commands = 0;
    for _ in 0..calls {
        if choices.one_in(400) {
            let command = Command::ALL[(choices.next() % 4) as usize];
            // Reset more often than the others, so the circuit keeps moving.
            let command = if choices.one_in(2) {
                Command::Reset
            } else {
                command
            };
            breaker.command(command);
            commands += 1;
            continue;
        }
        let failed = choices.one_in(3);
        let Ok(mut guard) = breaker.try_acquire() else {
            continue;
        };
        match choices.next() % 10 {
            0 => drop(guard),
            1 => {
                guard.set_duration(Some(Duration::from_millis(choices.next() % 400)));
                guard.record_failure();
            }
            _ if failed => guard.record_failure(),
            _ => guard.record_success(),
        }
    }
    commands
}

fn stress(window: Window) {
    let calls = calls_per_thread();
    let (first, second): (Log, Log) = Default::default();
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .window(window)
            .tripper(
                FailureStreak::new(4).unwrap()
                    | (MinRequests::new(10).unwrap()
                        & (FailureRate::new(0.5).unwrap()
                            | SlowRate::new(0.5, Duration::from_millis(200)).unwrap())),
            )
            .retry(
                Cooldown::new(Duration::from_micros(200))
                    .unwrap()
                    .with_jitter(0.5)
                    .unwrap(),
            )
            .permit(Random::new(0.7).unwrap())
            .max_half_open_calls(MAX_PROBES)
            .half_open_timeout(Duration::from_millis(2))
            .measure_durations(true)
            .seed(11)
            .listener(listener(&first))
            .listener(listener(&second))
            .build()
            .unwrap(),
    );

    let done = Arc::new(AtomicBool::new(false));
    let checks = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (breaker, done, checks) =
            (Arc::clone(&breaker), Arc::clone(&done), Arc::clone(&checks));
        thread::spawn(move || {
            while !done.load(Ordering::Acquire) {
                check_metric(&breaker, window);
                checks.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let start = Arc::new(Barrier::new(THREADS as usize));
    let callers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let (breaker, start) = (Arc::clone(&breaker), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                make_calls(&breaker, thread, calls)
            })
        })
        .collect();
    let commands: u64 = callers
        .into_iter()
        .map(|caller| caller.join().unwrap())
        .sum();
    done.store(true, Ordering::Release);
    watcher.join().unwrap();

    check_metric(&breaker, window);
    assert!(checks.load(Ordering::Relaxed) > 0);
    let info = breaker.info();
    assert_eq!(info.probes_in_flight, 0, "a probe slot is stuck: {info:?}");

    let transitions = first.lock().unwrap().clone();
    assert_eq!(transitions, *second.lock().unwrap());
    assert_eq!(transitions.first().map(|t| t.from), Some(State::Closed));
    for pair in transitions.windows(2) {
        assert_eq!(pair[0].to, pair[1].from, "{:?} then {:?}", pair[0], pair[1]);
    }
    assert_eq!(transitions.last().unwrap().to, info.state);
    let by_command = transitions
        .iter()
        .filter(|t| matches!(t.reason, Reason::Command(_)))
        .count() as u64;
    assert_eq!(by_command, commands, "each command is delivered once");
    let tripped = transitions
        .iter()
        .filter(|t| matches!(t.reason, Reason::Tripped { .. }))
        .count();
    assert!(tripped > 0, "the circuit never opened");
}

#[test]
fn count_window_under_stress() {
    stress(CountWindow::new(WINDOW_SIZE).unwrap().into());
}

#[test]
fn time_window_under_stress() {
    stress(TimeWindow::new(Duration::from_secs(2)).unwrap().into());
}

#[test]
fn count_window_totals_stay_exact() {
    let calls = calls_per_thread();
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .window(CountWindow::new(WINDOW_SIZE).unwrap())
            .tripper(SlowRate::new(0.5, Duration::from_millis(100)).unwrap())
            .measure_durations(true)
            .build()
            .unwrap(),
    );
    breaker.metrics_only();
    let callers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let breaker = Arc::clone(&breaker);
            thread::spawn(move || {
                let mut choices = Choices(thread + 1);
                for _ in 0..calls {
                    record_timed(&breaker, choices.one_in(3), choices.next() % 300);
                }
            })
        })
        .collect();
    for caller in callers {
        caller.join().unwrap();
    }

    // Whatever the threads left, a full window of known outcomes replaces
    // it, and the totals must then be exactly theirs.
    for index in 0..WINDOW_SIZE as u64 {
        record_timed(&breaker, index % 4 == 0, 50 + index);
    }
    let metric = breaker.info().metric;
    let size = WINDOW_SIZE as u64;
    let millis: u64 = (0..size).map(|index| 50 + index).sum();
    assert_eq!(metric.total_count(), size);
    assert_eq!(metric.failure_count(), size / 4);
    assert_eq!(metric.timed_count(), size);
    assert_eq!(metric.total_duration(), Some(Duration::from_millis(millis)));
    assert_eq!(metric.slow_count(Duration::from_millis(100)), Some(0));
}
