//! The circuit breaker: admission, recording and transitions.

mod builder;
mod guard;
#[cfg(test)]
mod limits;
mod machine;
mod word;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub use builder::Builder;
#[cfg(feature = "policy")]
pub(crate) use builder::{
    DEFAULT_MAX_HALF_OPEN_CALLS, check_half_open_timeout, check_max_half_open_calls, check_rules,
    default_permit, default_retry, default_tripper_parts, max_half_open_calls_error,
};
pub use guard::{BreakerRef, Guard};

use machine::Machine;

use crate::error::{Error, Rejected};
use crate::metric::Metric;
use crate::permits::Permit;
use crate::retries::Retry;
use crate::state::{Command, State};
use crate::trackers::{All, Tracker};
use crate::trippers::Tripper;
use crate::windows::Window;

/// The result of a call, as a classifier or a guard reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The call succeeded.
    Success,
    /// The call failed.
    Failure,
    /// The call's result is not recorded at all.
    Ignored,
}

/// A circuit breaker, shared by every thread and task that calls one
/// dependency.
///
/// The type parameter is the [tracker](crate::trackers), which decides
/// which errors are failures. Everything else is chosen on the
/// [`Builder`]. A breaker is `Send + Sync`: put it in an `Arc` or a
/// `static` and call it from anywhere.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::{CircuitBreaker, State};
/// use fluxgate::trippers::{FailureRate, FailureStreak, MinRequests};
///
/// let breaker = CircuitBreaker::builder()
///     .tripper(FailureStreak::new(3)? | (MinRequests::new(20)? & FailureRate::new(0.5)?))
///     .build()?;
///
/// for _ in 0..3 {
///     let result = breaker.call(|| Err::<(), _>("connection refused"));
///     assert!(result.unwrap_err().inner().is_some());
/// }
/// assert_eq!(breaker.state(), State::Open);
/// assert!(breaker.call(|| Ok::<_, &str>(())).unwrap_err().is_rejected());
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
pub struct CircuitBreaker<K = All> {
    tracker: K,
    machine: Machine,
}

impl CircuitBreaker {
    /// Returns a builder with every setting at its default.
    pub fn builder() -> Builder {
        Builder::new()
    }
}

impl<K> CircuitBreaker<K> {
    /// Runs `f` if the breaker admits the call, and records its outcome.
    ///
    /// An `Ok` is a success. An `Err` is a failure if the tracker counts it,
    /// and is otherwise ignored (not recorded at all). Either way the
    /// caller gets the call's own result, with its error wrapped in
    /// [`Error::Inner`]. A rejected call returns [`Error::Rejected`] and `f`
    /// does not run.
    ///
    /// If `f` panics, the panic reaches the caller after a failure is
    /// recorded and the probe slot, if any, is freed.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Rejected`] when the breaker rejects the call, and
    /// [`Error::Inner`] with the call's own error when it fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use fluxgate::CircuitBreaker;
    ///
    /// let breaker = CircuitBreaker::builder().build()?;
    /// let value = breaker.call(|| "42".parse::<u32>())?;
    /// assert_eq!(value, 42);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn call<T, E, F>(&self, f: F) -> Result<T, Error<E>>
    where
        F: FnOnce() -> Result<T, E>,
        K: Tracker<E>,
    {
        let ticket = self.admit()?;
        let started = self.machine.start();
        let result = self.run(&ticket, started, f);
        let outcome = match &result {
            Ok(_) => Outcome::Success,
            Err(error) if self.tracker.is_failure(error) => Outcome::Failure,
            Err(_) => Outcome::Ignored,
        };
        self.machine.finish(&ticket, outcome, started, None);
        result.map_err(Error::Inner)
    }

    /// Runs an admitted call's function, recording a failure if it panics.
    #[inline]
    fn run<R>(
        &self,
        ticket: &machine::Ticket,
        started: Option<Duration>,
        f: impl FnOnce() -> R,
    ) -> R {
        let unreported = machine::Unreported {
            machine: &self.machine,
            ticket: *ticket,
            started,
        };
        let result = f();
        std::mem::forget(unreported);
        result
    }

    /// Runs `f` like [`call`](Self::call) and classifies its result with
    /// `classify` instead of the tracker.
    ///
    /// Use it when an `Ok` can be a failure, such as an HTTP response with
    /// a 503 status.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    ///
    /// # Examples
    ///
    /// ```
    /// use fluxgate::{CircuitBreaker, Outcome};
    ///
    /// let breaker = CircuitBreaker::builder().build()?;
    /// let status = breaker.call_classified(
    ///     || Ok::<u16, std::io::Error>(503),
    ///     |result| match result {
    ///         Ok(status) if *status >= 500 => Outcome::Failure,
    ///         Ok(_) => Outcome::Success,
    ///         Err(_) => Outcome::Failure,
    ///     },
    /// )?;
    /// assert_eq!(status, 503);
    /// assert_eq!(breaker.info().metric.failure_count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn call_classified<T, E, F, C>(&self, f: F, classify: C) -> Result<T, Error<E>>
    where
        F: FnOnce() -> Result<T, E>,
        C: FnOnce(&Result<T, E>) -> Outcome,
    {
        let ticket = self.admit()?;
        let started = self.machine.start();
        let result = self.run(&ticket, started, f);
        let outcome = classify(&result);
        self.machine.finish(&ticket, outcome, started, None);
        result.map_err(Error::Inner)
    }

    /// Runs `f` like [`call`](Self::call), and on any error, rejection
    /// included, returns `fallback` of that error instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use fluxgate::CircuitBreaker;
    ///
    /// let breaker = CircuitBreaker::builder().build()?;
    /// breaker.force_open();
    /// let price = breaker.call_with_fallback(|| Ok::<u32, std::io::Error>(11), |_| 10);
    /// assert_eq!(price, 10);
    /// # Ok::<(), fluxgate::ConfigError>(())
    /// ```
    pub fn call_with_fallback<T, E, F, G>(&self, f: F, fallback: G) -> T
    where
        F: FnOnce() -> Result<T, E>,
        G: FnOnce(Error<E>) -> T,
        K: Tracker<E>,
    {
        self.call(f).unwrap_or_else(fallback)
    }

    /// Runs the future `f` returns if the breaker admits the call, and
    /// records its outcome as [`call`](Self::call) does.
    ///
    /// It needs no particular runtime. If the returned future is dropped
    /// before it completes, nothing is recorded and the probe slot, if any,
    /// is freed. Durations, when measured, run from admission to the
    /// future's completion.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    ///
    /// # Examples
    ///
    /// ```
    /// use fluxgate::CircuitBreaker;
    ///
    /// # async fn fetch() -> Result<String, std::io::Error> { Ok("body".into()) }
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let breaker = CircuitBreaker::builder().build()?;
    /// let body = breaker.call_async(|| fetch()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call_async<T, E, F, Fut>(&self, f: F) -> Result<T, Error<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        K: Tracker<E>,
    {
        let ticket = self.admit()?;
        let started = self.machine.start();
        let unreported = machine::Unreported {
            machine: &self.machine,
            ticket,
            started,
        };
        let result = f().await;
        std::mem::forget(unreported);
        let outcome = match &result {
            Ok(_) => Outcome::Success,
            Err(error) if self.tracker.is_failure(error) => Outcome::Failure,
            Err(_) => Outcome::Ignored,
        };
        self.machine.finish(&ticket, outcome, started, None);
        result.map_err(Error::Inner)
    }

    /// Runs the future `f` returns like [`call_async`](Self::call_async),
    /// and on any error, rejection included, returns `fallback` of that
    /// error instead.
    pub async fn call_async_with_fallback<T, E, F, Fut, G>(&self, f: F, fallback: G) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        G: FnOnce(Error<E>) -> T,
        K: Tracker<E>,
    {
        self.call_async(f).await.unwrap_or_else(fallback)
    }

    /// Admits a call and returns a guard to report its outcome with, for
    /// code that cannot be wrapped in a closure.
    ///
    /// # Errors
    ///
    /// Returns the rejection when the breaker does not admit the call.
    ///
    /// # Examples
    ///
    /// ```
    /// use fluxgate::CircuitBreaker;
    ///
    /// let breaker = CircuitBreaker::builder().build()?;
    /// match breaker.try_acquire() {
    ///     Ok(guard) => guard.record_success(),
    ///     Err(rejected) => println!("not now: {rejected}"),
    /// }
    /// # Ok::<(), fluxgate::ConfigError>(())
    /// ```
    pub fn try_acquire(&self) -> Result<Guard<&Self>, Rejected> {
        let ticket = self.admit()?;
        Ok(Guard::new(self, ticket, self.machine.start()))
    }

    #[inline]
    fn admit(&self) -> Result<machine::Ticket, Rejected> {
        self.machine.admit().inspect_err(|rejected| {
            self.machine.observe_rejection(rejected);
        })
    }

    /// Admits a call like [`try_acquire`](Self::try_acquire), returning a
    /// guard that owns a reference count of the breaker.
    ///
    /// # Errors
    ///
    /// Returns the rejection when the breaker does not admit the call.
    pub fn try_acquire_owned(self: &Arc<Self>) -> Result<Guard<Arc<Self>>, Rejected> {
        let ticket = self.admit()?;
        Ok(Guard::new(Arc::clone(self), ticket, self.machine.start()))
    }

    /// Returns the current state as stored.
    ///
    /// An open circuit whose wait is over still reads `Open` until a call
    /// moves it to `HalfOpen`.
    pub fn state(&self) -> State {
        self.machine.state()
    }

    /// Returns the state, the time of the last change, the reopen and
    /// consecutive-failure counts, and the window's metric, all read at one
    /// moment.
    ///
    /// # Examples
    ///
    /// ```
    /// use fluxgate::{CircuitBreaker, State};
    ///
    /// let breaker = CircuitBreaker::builder().name("payments").build()?;
    /// let _ = breaker.call(|| Err::<(), _>("timeout"));
    /// let info = breaker.info();
    /// assert_eq!(&*info.name, "payments");
    /// assert_eq!(info.state, State::Closed);
    /// assert_eq!(info.consecutive_failures, 1);
    /// assert_eq!(info.metric.failure_rate(), Some(1.0));
    /// # Ok::<(), fluxgate::ConfigError>(())
    /// ```
    pub fn info(&self) -> Info {
        let snapshot = self.machine.snapshot();
        Info {
            name: Arc::clone(&self.machine.name),
            state: snapshot.state,
            changed_at: snapshot.changed_at,
            changed_at_wall: self.machine.clock.to_system_time(snapshot.changed_at),
            reopens: snapshot.reopens,
            consecutive_failures: snapshot.consecutive_failures,
            probes_in_flight: snapshot.probes_in_flight,
            metric: snapshot.metric,
        }
    }

    /// Moves to `Closed`, clearing the window and the reopen count.
    pub fn reset(&self) {
        self.machine.command(Command::Reset);
    }

    /// Moves to `Disabled`: every call passes and nothing is recorded.
    pub fn disable(&self) {
        self.machine.command(Command::Disable);
    }

    /// Moves to `MetricsOnly`: every call passes and is recorded, and the
    /// circuit never opens. Useful to watch a new policy before enforcing
    /// it.
    pub fn metrics_only(&self) {
        self.machine.command(Command::MetricsOnly);
    }

    /// Moves to `ForcedOpen`: every call is rejected until another command.
    pub fn force_open(&self) {
        self.machine.command(Command::ForceOpen);
    }

    /// Issues a manual command given as a value.
    pub fn command(&self, command: Command) {
        self.machine.command(command);
    }

    /// Returns the breaker's name.
    pub fn name(&self) -> &str {
        &self.machine.name
    }

    /// Returns the tracker.
    pub fn tracker(&self) -> &K {
        &self.tracker
    }

    /// Returns the window.
    pub fn window(&self) -> Window {
        self.machine.rules.window
    }

    /// Returns the tripper.
    pub fn tripper(&self) -> &dyn Tripper {
        &*self.machine.rules.tripper
    }

    /// Returns the retry strategy.
    pub fn retry(&self) -> &dyn Retry {
        &*self.machine.rules.retry
    }

    /// Returns the half-open permit.
    pub fn permit(&self) -> &dyn Permit {
        &*self.machine.rules.permit
    }

    /// Returns the most probes a half-open circuit runs at once.
    pub fn max_half_open_calls(&self) -> u32 {
        self.machine.rules.max_half_open_calls
    }

    /// Returns how long a half-open period may last, if limited.
    pub fn half_open_timeout(&self) -> Option<Duration> {
        self.machine.rules.half_open_timeout
    }

    /// Returns `true` when the breaker times every call.
    pub fn measures_durations(&self) -> bool {
        self.machine.rules.timed
    }
}

impl<K: fmt::Display> fmt::Display for CircuitBreaker<K> {
    /// Writes the breaker's rules as the keys of a policy file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rules = &self.machine.rules;
        RuleKeys {
            window: &rules.window,
            tracker: &self.tracker,
            tripper: &rules.tripper,
            retry: &rules.retry,
            permit: &rules.permit,
            max_half_open_calls: rules.max_half_open_calls,
            half_open_timeout: rules.half_open_timeout,
        }
        .fmt(f)
    }
}

/// A breaker's rules, displayed as `key = expression` lines, one per key of
/// a policy file. `half_open_timeout` is left out when it is not set.
pub(crate) struct RuleKeys<'a> {
    pub(crate) window: &'a dyn fmt::Display,
    pub(crate) tracker: &'a dyn fmt::Display,
    pub(crate) tripper: &'a dyn fmt::Display,
    pub(crate) retry: &'a dyn fmt::Display,
    pub(crate) permit: &'a dyn fmt::Display,
    pub(crate) max_half_open_calls: u32,
    pub(crate) half_open_timeout: Option<Duration>,
}

impl fmt::Display for RuleKeys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "window = {}", self.window)?;
        writeln!(f, "tracker = {}", self.tracker)?;
        writeln!(f, "tripper = {}", self.tripper)?;
        writeln!(f, "retry = {}", self.retry)?;
        writeln!(f, "permit = {}", self.permit)?;
        write!(f, "max_half_open_calls = {}", self.max_half_open_calls)?;
        if let Some(timeout) = self.half_open_timeout {
            write!(
                f,
                "\nhalf_open_timeout = {}",
                crate::DisplayDuration(timeout)
            )?;
        }
        Ok(())
    }
}

impl<K> fmt::Debug for CircuitBreaker<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreaker")
            .field("name", &self.machine.name)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

/// The state of a breaker and its window at one moment.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Info {
    /// The breaker's name.
    pub name: Arc<str>,
    /// The stored state.
    pub state: State,
    /// When the state last changed, on the breaker's monotonic clock.
    pub changed_at: Duration,
    /// When the state last changed, in wall-clock time.
    pub changed_at_wall: SystemTime,
    /// How many times the circuit reopened from `HalfOpen` since it last
    /// closed.
    pub reopens: u32,
    /// Failures recorded since the last success, or since the circuit
    /// last closed or went half-open. The count stops at 2^48 − 1.
    pub consecutive_failures: u64,
    /// Probes running now, in `HalfOpen`.
    pub probes_in_flight: u32,
    /// The window's metric.
    pub metric: Metric,
}
