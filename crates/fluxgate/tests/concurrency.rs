//! Real threads and tasks on one breaker: exact counts, the probe limit,
//! single transitions, and ordered delivery.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use common::{Recorder, builder, fail, ok, secs};
use fluxgate::retries::Always;
use fluxgate::trippers::{FailureStreak, HalfOpened};
use fluxgate::windows::CountWindow;
use fluxgate::{CircuitBreaker, Command, State};

/// Returns a deterministic per-thread sequence of outcomes.
fn outcomes(thread: u64, calls: usize) -> impl Iterator<Item = bool> {
    let mut state = thread.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..calls).map(move |_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % 3 == 0
    })
}

#[test]
fn eight_threads_record_every_outcome_exactly_once() {
    const THREADS: u64 = 8;
    const CALLS: usize = 10_000;
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .window(CountWindow::new(100_000).unwrap())
            .build()
            .unwrap(),
    );
    breaker.metrics_only();

    let start = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|thread| {
            let breaker = Arc::clone(&breaker);
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                let mut failures = 0u64;
                for failed in outcomes(thread, CALLS) {
                    failures += u64::from(failed);
                    let result = breaker.call(|| if failed { fail() } else { ok() });
                    assert_eq!(result.is_err(), failed);
                }
                failures
            })
        })
        .collect();
    let failures: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();

    let metric = breaker.info().metric;
    assert_eq!(metric.total_count(), THREADS * CALLS as u64);
    assert_eq!(metric.failure_count(), failures);
    assert_eq!(breaker.state(), State::MetricsOnly);
}

#[test]
fn small_window_stays_consistent_under_contention() {
    const THREADS: u64 = 8;
    const CALLS: usize = 20_000;
    const SIZE: usize = 16;
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .window(CountWindow::new(SIZE).unwrap())
            .build()
            .unwrap(),
    );
    breaker.metrics_only();

    let handles: Vec<_> = (0..THREADS)
        .map(|thread| {
            let breaker = Arc::clone(&breaker);
            thread::spawn(move || {
                for failed in outcomes(thread, CALLS) {
                    let _ = breaker.call(|| if failed { fail() } else { ok() });
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }

    let metric = breaker.info().metric;
    assert_eq!(metric.total_count(), SIZE as u64);
    assert!(metric.failure_count() <= SIZE as u64);
    // Whatever the threads left behind, SIZE more outcomes replace it all.
    for _ in 0..SIZE {
        let _ = breaker.call(fail);
    }
    assert_eq!(breaker.info().metric.failure_count(), SIZE as u64);
    for _ in 0..SIZE {
        let _ = breaker.call(ok);
    }
    assert_eq!(breaker.info().metric.failure_count(), 0);
    assert_eq!(breaker.info().metric.total_count(), SIZE as u64);
}

#[test]
fn concurrent_probes_never_exceed_the_limit() {
    const THREADS: usize = 16;
    const LIMIT: u32 = 3;
    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = Arc::new(builder.max_half_open_calls(LIMIT).build().unwrap());
    let _ = breaker.call(fail);
    clock.advance(secs(30));

    let start = Arc::new(Barrier::new(THREADS));
    let attempted = Arc::new(AtomicUsize::new(0));
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(AtomicBool::new(false));

    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (breaker, start) = (Arc::clone(&breaker), Arc::clone(&start));
            let (attempted, running) = (Arc::clone(&attempted), Arc::clone(&running));
            let (peak, release) = (Arc::clone(&peak), Arc::clone(&release));
            thread::spawn(move || {
                start.wait();
                let guard = breaker.try_acquire();
                if guard.is_ok() {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                }
                attempted.fetch_add(1, Ordering::SeqCst);
                let Ok(guard) = guard else { return false };
                // Hold the probe until every thread has tried to get one.
                while !release.load(Ordering::SeqCst) {
                    thread::yield_now();
                }
                running.fetch_sub(1, Ordering::SeqCst);
                drop(guard);
                true
            })
        })
        .collect();

    while attempted.load(Ordering::SeqCst) < THREADS {
        thread::yield_now();
    }
    assert_eq!(breaker.info().probes_in_flight, LIMIT);
    release.store(true, Ordering::SeqCst);
    let admitted = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|&admitted| admitted)
        .count();

    assert_eq!(admitted, LIMIT as usize);
    assert_eq!(peak.load(Ordering::SeqCst), LIMIT as usize);
    assert_eq!(breaker.info().probes_in_flight, 0);
    assert_eq!(breaker.state(), State::HalfOpen);
}

#[test]
fn probe_churn_respects_limit() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 2_000;
    const LIMIT: u32 = 2;
    // `half_open()` keeps a half-open circuit half-open after a success.
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .tripper(HalfOpened | FailureStreak::new(1).unwrap())
            .retry(Always)
            .permit(fluxgate::permits::All)
            .max_half_open_calls(LIMIT)
            .build()
            .unwrap(),
    );
    let _ = breaker.call(fail);
    let _ = breaker.try_acquire();
    assert_eq!(breaker.state(), State::HalfOpen);

    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (breaker, running, peak) = (
                Arc::clone(&breaker),
                Arc::clone(&running),
                Arc::clone(&peak),
            );
            thread::spawn(move || {
                let mut admitted = 0;
                for _ in 0..ROUNDS {
                    let result = breaker.call(|| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        thread::yield_now();
                        running.fetch_sub(1, Ordering::SeqCst);
                        ok()
                    });
                    admitted += usize::from(result.is_ok());
                }
                admitted
            })
        })
        .collect();
    let admitted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();

    assert!(admitted > 0);
    assert!(peak.load(Ordering::SeqCst) <= LIMIT as usize);
    assert_eq!(breaker.info().probes_in_flight, 0);
    assert_eq!(breaker.state(), State::HalfOpen);
}

#[test]
fn simultaneous_failures_trip_once() {
    const THREADS: usize = 8;
    for _ in 0..50 {
        let (builder, _, recorder) = builder(FailureStreak::new(1).unwrap());
        let breaker = Arc::new(builder.build().unwrap());
        let start = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (breaker, start) = (Arc::clone(&breaker), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    let _ = breaker.call(fail);
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(recorder.moves(), [(State::Closed, State::Open)]);
    }
}

#[test]
fn transitions_arrive_in_order_from_many_threads() {
    const THREADS: u64 = 6;
    const COMMANDS: usize = 500;
    let recorder = Recorder::default();
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .listener(recorder.listener())
            .build()
            .unwrap(),
    );
    let handles: Vec<_> = (0..THREADS)
        .map(|thread| {
            let breaker = Arc::clone(&breaker);
            thread::spawn(move || {
                for (step, pick) in outcomes(thread, COMMANDS).enumerate() {
                    let index = (step + usize::from(pick)) % Command::ALL.len();
                    breaker.command(Command::ALL[index]);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }

    let transitions = recorder.all();
    assert_eq!(transitions.len(), THREADS as usize * COMMANDS);
    assert_eq!(transitions[0].from, State::Closed);
    for pair in transitions.windows(2) {
        assert_eq!(
            pair[0].to, pair[1].from,
            "each transition starts where the last ended"
        );
    }
    assert_eq!(transitions.last().unwrap().to, breaker.state());
}

#[test]
fn dropped_future_frees_its_slot_and_records_nothing() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    let (builder, clock, _) = builder(FailureStreak::new(1).unwrap());
    let breaker = builder.max_half_open_calls(1).build().unwrap();
    let _ = breaker.call(fail);
    clock.advance(secs(30));

    let mut call = Box::pin(breaker.call_async(std::future::pending::<Result<(), &str>>));
    let mut context = Context::from_waker(Waker::noop());
    assert!(matches!(call.as_mut().poll(&mut context), Poll::Pending));
    assert_eq!(breaker.info().probes_in_flight, 1);

    drop(call);
    assert_eq!(breaker.info().probes_in_flight, 0);
    assert_eq!(breaker.info().metric.total_count(), 0);
    assert_eq!(breaker.state(), State::HalfOpen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tasks_share_one_breaker() {
    let breaker = Arc::new(
        CircuitBreaker::builder()
            .window(CountWindow::new(10_000).unwrap())
            .build()
            .unwrap(),
    );
    breaker.metrics_only();
    let tasks: Vec<_> = (0..32)
        .map(|task| {
            let breaker = Arc::clone(&breaker);
            tokio::spawn(async move {
                for call in 0..100 {
                    let failed = (task + call) % 4 == 0;
                    let result = breaker
                        .call_async(|| async move {
                            tokio::task::yield_now().await;
                            if failed { Err("down") } else { Ok(call) }
                        })
                        .await;
                    assert_eq!(result.is_err(), failed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let metric = breaker.info().metric;
    assert_eq!(metric.total_count(), 3_200);
    assert_eq!(metric.failure_count(), 800);
}

#[tokio::test]
async fn async_failures_open_the_circuit() {
    let (builder, _, recorder) = builder(FailureStreak::new(2).unwrap());
    let breaker = builder.build().unwrap();
    for _ in 0..2 {
        let result = breaker.call_async(|| async { Err::<(), _>("down") }).await;
        assert_eq!(result.unwrap_err().inner(), Some(&"down"));
    }
    let rejected = breaker.call_async(|| async { Ok::<_, &str>(1) }).await;
    assert!(rejected.unwrap_err().is_rejected());
    assert_eq!(recorder.moves(), [(State::Closed, State::Open)]);
    let fallback = breaker
        .call_async_with_fallback(|| async { Ok::<_, &str>(1) }, |_| 0)
        .await;
    assert_eq!(fallback, 0);
}
