//! The protected call, the traffic loops that drive it, and a minimal
//! executor, shared by every contender so that only the breaker differs.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Barrier;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// The value a successful protected call returns.
pub const VALUE: u64 = 42;

/// What a caller returns when the protected call ran and failed.
pub const FAILED: u64 = u64::MAX - 1;

/// What a caller returns when the breaker rejected the call.
pub const REJECTED: u64 = u64::MAX;

/// The failure period of all-`Ok` traffic: no call in a benchmark fails.
pub const NEVER_FAILS: u64 = u64::MAX;

/// The error every failing protected call returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the protected call failed")
    }
}

impl Error for Failure {}

/// The protected call: returns at once, with `Err(Failure)` when `fail` is
/// set and `Ok(VALUE)` otherwise.
#[inline(always)]
pub fn protected_call(fail: bool) -> Result<u64, Failure> {
    if fail { Err(Failure) } else { Ok(VALUE) }
}

/// Reduces a breaker's result to one `u64`: the value, [`FAILED`] or
/// [`REJECTED`].
///
/// The harness passes only this word through `black_box`, so no contender
/// pays for spilling its own, larger, error type to the stack.
#[inline(always)]
pub fn settle<E>(result: Result<u64, E>, is_rejection: impl FnOnce(&E) -> bool) -> u64 {
    match result {
        Ok(value) => value,
        Err(error) if is_rejection(&error) => REJECTED,
        Err(_) => FAILED,
    }
}

/// One way to make calls through a breaker, owned by one thread.
pub trait Caller: Send {
    /// Makes one call of [`protected_call`] through the breaker and returns
    /// its [settled](settle) result.
    fn call(&mut self, fail: bool) -> u64;

    /// Makes the same call through the breaker's async interface, on a
    /// future that is ready at its first poll.
    fn call_async(&mut self, fail: bool) -> u64;
}

/// Makes `calls` calls through `caller`, of which every `failure_period`-th
/// fails, and returns the time they took.
///
/// The period passes through `black_box`, so the compiler cannot know that
/// all-`Ok` traffic ([`NEVER_FAILS`]) never fails.
#[inline(never)]
pub fn drive(caller: &mut impl Caller, calls: u64, failure_period: u64) -> Duration {
    drive_with(calls, failure_period, |fail| caller.call(fail))
}

/// Like [`drive`], through the callers' async interface.
#[inline(never)]
pub fn drive_async(caller: &mut impl Caller, calls: u64, failure_period: u64) -> Duration {
    drive_with(calls, failure_period, |fail| caller.call_async(fail))
}

#[inline(always)]
fn drive_with(calls: u64, failure_period: u64, mut call: impl FnMut(bool) -> u64) -> Duration {
    let period = black_box(failure_period);
    let mut until_failure = period;
    let start = Instant::now();
    for _ in 0..calls {
        until_failure -= 1;
        let fail = until_failure == 0;
        if fail {
            until_failure = period;
        }
        black_box(call(fail));
    }
    start.elapsed()
}

/// Makes `calls_per_thread` calls on each of `threads` threads, each with
/// its own caller from `new_caller`, and returns the wall time from the
/// first thread's start to the last thread's end.
pub fn drive_threads<C: Caller>(
    threads: usize,
    calls_per_thread: u64,
    failure_period: u64,
    new_caller: impl Fn() -> C + Sync,
) -> Duration {
    let barrier = Barrier::new(threads);
    let spans: Vec<(Instant, Instant)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut caller = new_caller();
                    barrier.wait();
                    let start = Instant::now();
                    drive(&mut caller, calls_per_thread, failure_period);
                    (start, Instant::now())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a benchmark thread panicked"))
            .collect()
    });

    let first_start = spans.iter().map(|span| span.0).min();
    let last_end = spans.iter().map(|span| span.1).max();
    match (first_start, last_end) {
        (Some(start), Some(end)) => end.duration_since(start),
        _ => Duration::ZERO,
    }
}

/// Runs `future` to completion on the current thread, polling it in a loop
/// with a waker that does nothing.
///
/// Every future in these benchmarks is ready at its first poll unless two
/// threads contend for a lock inside a breaker. Then the thread yields its
/// core between polls, as a runtime's worker would park, so that on a busy
/// machine the lock's holder gets to run and release it.
#[inline(always)]
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counting {
        calls: u64,
        failures: u64,
    }

    impl Caller for Counting {
        fn call(&mut self, fail: bool) -> u64 {
            self.calls += 1;
            self.failures += u64::from(fail);
            settle(protected_call(fail), |_| false)
        }

        fn call_async(&mut self, fail: bool) -> u64 {
            block_on(async { self.call(fail) })
        }
    }

    #[test]
    fn drive_fails_every_period() {
        let mut caller = Counting {
            calls: 0,
            failures: 0,
        };
        drive(&mut caller, 1_000, 10);
        assert_eq!(caller.calls, 1_000);
        assert_eq!(caller.failures, 100);
    }

    #[test]
    fn drive_async_never_fails_when_told() {
        let mut caller = Counting {
            calls: 0,
            failures: 0,
        };
        drive_async(&mut caller, 500, NEVER_FAILS);
        assert_eq!(caller.calls, 500);
        assert_eq!(caller.failures, 0);
    }

    #[test]
    fn settle_maps_each_outcome() {
        assert_eq!(settle(protected_call(false), |_| false), VALUE);
        assert_eq!(settle(protected_call(true), |_| false), FAILED);
        assert_eq!(settle(Err::<u64, _>("open"), |_| true), REJECTED);
    }

    #[test]
    fn threads_each_make_their_calls() {
        let total = std::sync::atomic::AtomicU64::new(0);
        struct Shared<'a>(&'a std::sync::atomic::AtomicU64);
        impl Caller for Shared<'_> {
            fn call(&mut self, _fail: bool) -> u64 {
                self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            }
            fn call_async(&mut self, fail: bool) -> u64 {
                self.call(fail)
            }
        }
        drive_threads(2, 1_000, NEVER_FAILS, || Shared(&total));
        assert_eq!(total.load(std::sync::atomic::Ordering::Relaxed), 2_000);
    }
}
