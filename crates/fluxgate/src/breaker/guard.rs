use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::machine::Ticket;
use super::{CircuitBreaker, Outcome};
use crate::state::State;
use crate::trackers::Tracker;

/// An admitted call that has not reported its outcome yet.
///
/// [`CircuitBreaker::try_acquire`] returns one that borrows the breaker;
/// [`CircuitBreaker::try_acquire_owned`] one that owns an `Arc` of it, for
/// futures that must be `'static`. Report the outcome with one of the
/// `record_*` methods, which consume the guard.
///
/// A guard dropped without reporting records nothing and frees its probe
/// slot, as does a future of [`call_async`](CircuitBreaker::call_async)
/// dropped before it completes. A guard dropped while its thread panics
/// records a failure: a panic inside a protected call is the clearest sign
/// that it did not go well.
///
/// # Examples
///
/// ```
/// use fluxgate::CircuitBreaker;
///
/// let breaker = CircuitBreaker::builder().build()?;
/// let guard = breaker.try_acquire()?;
/// // ... make the call, however it has to be made ...
/// guard.record_failure();
/// assert_eq!(breaker.info().metric.failure_count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a guard dropped without a record_* call records nothing"]
pub struct Guard<B: BreakerRef> {
    breaker: B,
    ticket: Ticket,
    started: Option<Duration>,
    // `Some` once `set_duration` overrides the measured duration.
    duration: Option<Option<Duration>>,
    reported: bool,
}

impl<B: BreakerRef> Guard<B> {
    pub(crate) fn new(breaker: B, ticket: Ticket, started: Option<Duration>) -> Self {
        Guard {
            breaker,
            ticket,
            started,
            duration: None,
            reported: false,
        }
    }

    /// Returns the state in which the call was admitted.
    pub fn state(&self) -> State {
        self.ticket.state()
    }

    /// Returns `true` when the call is a half-open probe holding a slot.
    pub fn is_probe(&self) -> bool {
        self.ticket.probe()
    }

    /// Sets the duration to record in place of the time measured since
    /// admission; `None` records the outcome with no duration at all.
    ///
    /// A replay of logged calls uses it, and so can code that measures the
    /// time a call took more precisely than the breaker does. The duration
    /// is kept only by a breaker that measures durations: one whose tripper
    /// reads them, or built with
    /// [`measure_durations(true)`](crate::Builder::measure_durations).
    pub fn set_duration(&mut self, duration: Option<Duration>) {
        self.duration = Some(duration);
    }

    /// Records a success.
    pub fn record_success(self) {
        self.record(Outcome::Success);
    }

    /// Records a failure.
    pub fn record_failure(self) {
        self.record(Outcome::Failure);
    }

    /// Records `error` as a failure if the breaker's tracker counts it, and
    /// otherwise records nothing. Returns `true` when it was a failure.
    pub fn record_error<E: ?Sized>(self, error: &E) -> bool
    where
        B::Tracker: Tracker<E>,
    {
        let failed = self.breaker.breaker().tracker().is_failure(error);
        self.record(if failed {
            Outcome::Failure
        } else {
            Outcome::Ignored
        });
        failed
    }

    /// Records an `Ok` as a success and an `Err` as
    /// [`record_error`](Self::record_error) does.
    pub fn record_result<T, E>(self, result: &Result<T, E>)
    where
        B::Tracker: Tracker<E>,
    {
        match result {
            Ok(_) => self.record_success(),
            Err(error) => {
                self.record_error(error);
            }
        }
    }

    /// Records `outcome`: a success, a failure, or nothing at all.
    pub fn record(mut self, outcome: Outcome) {
        self.finish(outcome);
    }

    fn finish(&mut self, outcome: Outcome) {
        self.reported = true;
        let machine = &self.breaker.breaker().machine;
        machine.finish(&self.ticket, outcome, self.started, self.duration);
    }
}

impl<B: BreakerRef> Drop for Guard<B> {
    fn drop(&mut self) {
        if self.reported {
            return;
        }
        if std::thread::panicking() {
            self.finish(Outcome::Failure);
        } else {
            self.reported = true;
            self.breaker.breaker().machine.release(&self.ticket);
        }
    }
}

/// A reference to a breaker that a [`Guard`] can hold: `&CircuitBreaker`
/// or `Arc<CircuitBreaker>`.
pub trait BreakerRef: sealed::Sealed {
    /// The breaker's tracker type.
    type Tracker;

    /// Returns the breaker.
    fn breaker(&self) -> &CircuitBreaker<Self::Tracker>;
}

impl<K> BreakerRef for &CircuitBreaker<K> {
    type Tracker = K;

    fn breaker(&self) -> &CircuitBreaker<K> {
        self
    }
}

impl<K> BreakerRef for Arc<CircuitBreaker<K>> {
    type Tracker = K;

    fn breaker(&self) -> &CircuitBreaker<K> {
        self
    }
}

mod sealed {
    use std::sync::Arc;

    use super::CircuitBreaker;

    pub trait Sealed {}
    impl<K> Sealed for &CircuitBreaker<K> {}
    impl<K> Sealed for Arc<CircuitBreaker<K>> {}
}

impl<B: BreakerRef> fmt::Debug for Guard<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("state", &self.ticket.state())
            .field("probe", &self.ticket.probe())
            .finish_non_exhaustive()
    }
}
