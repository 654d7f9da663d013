//! Records timed outcomes through a guard, for the tests that check a
//! window's duration totals.

use std::time::Duration;

use fluxgate::CircuitBreaker;

/// Records a success or a failure that took `millis`, through a guard.
pub(crate) fn record_timed(breaker: &CircuitBreaker, failed: bool, millis: u64) {
    let mut guard = breaker.try_acquire().unwrap();
    guard.set_duration(Some(Duration::from_millis(millis)));
    if failed {
        guard.record_failure();
    } else {
        guard.record_success();
    }
}
