//! Shadow mode: run a new policy with `metrics_only()` first, see when it
//! would have opened the circuit, then enforce it with `reset()`.
//!
//! In `MetricsOnly` the breaker admits every call and records every
//! outcome, but never opens. Evaluating the breaker's own tripper against
//! its metric after each call shows when the policy would have opened. The
//! program replays a minute of traffic, ten calls a second, with a
//! ten-second brownout in which 70% of calls fail, on a manual clock.
//!
//! ```sh
//! cargo run -p fluxgate-breaker --example shadow_mode
//! ```

use std::time::Duration;

use fluxgate::trackers::Tracker;
use fluxgate::trippers::{Context, FailureRate, FailureStreak, MinRequests};
use fluxgate::windows::TimeWindow;
use fluxgate::{CircuitBreaker, Clock, ConfigError, ManualClock, State};

/// The dependency's error.
#[derive(Debug)]
pub(crate) struct Unavailable;

/// Builds a breaker with the candidate policy and puts it in shadow mode.
pub(crate) fn shadow_breaker(clock: impl Clock + 'static) -> Result<CircuitBreaker, ConfigError> {
    let breaker = CircuitBreaker::builder()
        .name("recommendations")
        .window(TimeWindow::new(Duration::from_secs(60))?)
        .tripper(FailureStreak::new(5)? | (MinRequests::new(20)? & FailureRate::new(0.5)?))
        .clock(clock)
        .build()?;
    breaker.metrics_only();
    Ok(breaker)
}

/// Returns the part of the breaker's tripper that would open a closed
/// circuit with the breaker's current metric, or `None` when it would
/// stay closed.
pub(crate) fn would_open<K>(breaker: &CircuitBreaker<K>) -> Option<String> {
    let info = breaker.info();
    let context = Context::new(&info.metric, State::Closed, info.consecutive_failures);
    let tripper = breaker.tripper();
    tripper.trips(&context).then(|| tripper.cause(&context))
}

/// Returns whether call `index` of second `second` of the replayed minute
/// fails: one call in five normally, seven in ten during the brownout from
/// second 30 to second 39.
pub(crate) fn fails(second: u64, index: u64) -> bool {
    if (30..40).contains(&second) {
        index % 10 < 7
    } else {
        index % 5 == 0
    }
}

/// Replays a minute of traffic through `breaker`, ten calls a second, and
/// calls `after_call` with the second after each call. Each second starts
/// by advancing `clock` one second, so that when the minute ends, all its
/// calls fall in the last 60 seconds.
pub(crate) fn replay_minute<K>(
    breaker: &CircuitBreaker<K>,
    clock: &ManualClock,
    mut after_call: impl FnMut(u64),
) where
    K: Tracker<Unavailable>,
{
    for second in 0..60 {
        clock.advance(Duration::from_secs(1));
        for index in 0..10 {
            let failed = fails(second, index);
            let _ = breaker.call(|| if failed { Err(Unavailable) } else { Ok(()) });
            after_call(second);
        }
    }
}

fn main() -> Result<(), ConfigError> {
    let clock = ManualClock::new();
    let breaker = shadow_breaker(clock.clone())?;
    println!("shadow mode, state {}:", breaker.state());

    let mut first_verdict = None;
    let mut tripped_calls = 0;
    replay_minute(&breaker, &clock, |second| {
        if let Some(cause) = would_open(&breaker) {
            tripped_calls += 1;
            first_verdict.get_or_insert((second, cause));
        }
    });
    match first_verdict {
        Some((second, cause)) => {
            println!("  would first have opened at t={second}s, because {cause} was true");
        }
        None => println!("  would never have opened"),
    }
    println!("  the tripper was true after {tripped_calls} of 600 calls");
    let info = breaker.info();
    println!(
        "  still {} after {} recorded calls, {} failed",
        info.state,
        info.metric.total_count(),
        info.metric.failure_count()
    );

    println!("enforcing with reset():");
    breaker.reset();
    replay_minute(&breaker, &clock, |_| {});
    let rejected = (0..10)
        .filter(|_| breaker.call(|| Ok::<_, Unavailable>(())).is_err())
        .count();
    println!(
        "  state {} after the same minute; {rejected} of 10 further calls rejected",
        breaker.state()
    );
    Ok(())
}
