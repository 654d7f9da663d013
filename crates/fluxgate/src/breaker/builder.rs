use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::CircuitBreaker;
use super::machine::{Machine, Rules};
use super::word::MAX_IN_FLIGHT;
use crate::clock::{Clock, MonotonicClock, TimeSource};
use crate::error::ConfigError;
use crate::listeners::Listener;
use crate::metric::{MAX_SLOW_THRESHOLDS, SlowThresholds};
use crate::permits::{Permit, RampUp};
use crate::retries::{Cooldown, Retry};
use crate::rng::Rng;
use crate::trackers::All;
use crate::trippers::{FailureRate, MinRequests, Tripper};
use crate::windows::Window;

/// Configures and builds a [`CircuitBreaker`].
///
/// # Default
///
/// | setting | default |
/// |---|---|
/// | name | `"default"` |
/// | window | `count(100)` |
/// | tracker | `all()` |
/// | tripper | `min_requests(100) & failure_rate(0.5)` |
/// | retry | `cooldown(60s)` |
/// | permit | `ramp_up(0.1, 1.0, 60s)` |
/// | max_half_open_calls | 10 |
/// | half_open_timeout | none |
/// | listeners | none |
/// | clock | [`MonotonicClock`] |
/// | seed | drawn from the process's random keys |
/// | durations | measured only when the tripper reads them |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::CircuitBreaker;
/// use fluxgate::permits::All;
/// use fluxgate::retries::Backoff;
/// use fluxgate::trippers::{FailureRate, MinRequests, SlowRate};
/// use fluxgate::windows::TimeWindow;
///
/// let breaker = CircuitBreaker::builder()
///     .name("inventory")
///     .window(TimeWindow::new(Duration::from_secs(30))?)
///     .tripper(
///         MinRequests::new(10)?
///             & (FailureRate::new(0.5)? | SlowRate::new(0.3, Duration::from_secs(2))?),
///     )
///     .retry(Backoff::new(Duration::from_secs(5))?.with_jitter(0.1)?)
///     .permit(All)
///     .max_half_open_calls(3)
///     .build()?;
/// assert!(breaker.measures_durations());
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[must_use = "a builder does nothing until build() is called"]
pub struct Builder<K = All> {
    name: Arc<str>,
    window: Window,
    tracker: K,
    tripper: Box<dyn Tripper>,
    retry: Box<dyn Retry>,
    permit: Box<dyn Permit>,
    max_half_open_calls: u32,
    half_open_timeout: Option<Duration>,
    listeners: Vec<Arc<dyn Listener>>,
    clock: Option<Arc<dyn Clock>>,
    seed: Option<u64>,
    measure_durations: bool,
}

/// The default tripper, `min_requests(100) & failure_rate(0.5)`, as its two
/// parts.
pub(crate) fn default_tripper_parts() -> (MinRequests, FailureRate) {
    (
        MinRequests::new(100).expect("100 is at least 1"),
        FailureRate::new(0.5).expect("0.5 is in range"),
    )
}

/// The default retry, `cooldown(60s)`.
pub(crate) fn default_retry() -> Cooldown {
    Cooldown::new(Duration::from_secs(60)).expect("60s is longer than 0")
}

/// The default permit, `ramp_up(0.1, 1, 1m)`.
pub(crate) fn default_permit() -> RampUp {
    RampUp::new(0.1, 1.0, Duration::from_secs(60)).expect("0.1 <= 1.0 and 60s > 0")
}

/// The default number of probe slots of a half-open circuit.
pub(crate) const DEFAULT_MAX_HALF_OPEN_CALLS: u32 = 10;

impl Builder {
    pub(crate) fn new() -> Builder {
        let (volume, rate) = default_tripper_parts();
        Builder {
            name: Arc::from("default"),
            window: Window::default(),
            tracker: All,
            tripper: Box::new(volume & rate),
            retry: Box::new(default_retry()),
            permit: Box::new(default_permit()),
            max_half_open_calls: DEFAULT_MAX_HALF_OPEN_CALLS,
            half_open_timeout: None,
            listeners: Vec::new(),
            clock: None,
            seed: None,
            measure_durations: false,
        }
    }
}

impl<K> Builder<K> {
    /// Sets the name that listeners, logs and metrics show.
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the window.
    pub fn window(mut self, window: impl Into<Window>) -> Self {
        self.window = window.into();
        self
    }

    /// Sets the tracker, which decides which errors are failures.
    pub fn tracker<T>(self, tracker: T) -> Builder<T> {
        Builder {
            name: self.name,
            window: self.window,
            tracker,
            tripper: self.tripper,
            retry: self.retry,
            permit: self.permit,
            max_half_open_calls: self.max_half_open_calls,
            half_open_timeout: self.half_open_timeout,
            listeners: self.listeners,
            clock: self.clock,
            seed: self.seed,
            measure_durations: self.measure_durations,
        }
    }

    /// Sets the tripper, which decides when the circuit opens.
    pub fn tripper(mut self, tripper: impl Tripper + 'static) -> Self {
        self.tripper = Box::new(tripper);
        self
    }

    /// Sets the retry strategy, which decides how long the circuit stays
    /// open.
    pub fn retry(mut self, retry: impl Retry + 'static) -> Self {
        self.retry = Box::new(retry);
        self
    }

    /// Sets the permit, which decides which calls a half-open circuit
    /// admits.
    pub fn permit(mut self, permit: impl Permit + 'static) -> Self {
        self.permit = Box::new(permit);
        self
    }

    /// Sets the most probes a half-open circuit runs at once (1 to
    /// 1,000,000). A call beyond it is rejected, not queued.
    pub fn max_half_open_calls(mut self, max: u32) -> Self {
        self.max_half_open_calls = max;
        self
    }

    /// Sends a half-open circuit back to `Open`, counted as a reopen, when
    /// it has neither closed nor reopened within `timeout`. The next call
    /// makes the move. Without it, probes that never return hold the
    /// circuit half-open forever.
    pub fn half_open_timeout(mut self, timeout: Duration) -> Self {
        self.half_open_timeout = Some(timeout);
        self
    }

    /// Adds a listener; listeners hear transitions in the order added.
    pub fn listener(self, listener: impl Listener + 'static) -> Self {
        self.shared_listener(Arc::new(listener))
    }

    /// Adds a listener shared with other breakers or with the caller.
    pub fn shared_listener(mut self, listener: Arc<dyn Listener>) -> Self {
        self.listeners.push(listener);
        self
    }

    /// Sets the clock.
    pub fn clock(self, clock: impl Clock + 'static) -> Self {
        self.shared_clock(Arc::new(clock))
    }

    /// Sets a clock shared with other breakers.
    pub fn shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Seeds the generator behind jitter and half-open permits, so that a
    /// single-threaded sequence of calls behaves the same on every run.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Times every call even when no rule reads durations, so that
    /// [`info`](CircuitBreaker::info) reports them.
    pub fn measure_durations(mut self, measure: bool) -> Self {
        self.measure_durations = measure;
        self
    }

    /// Builds the breaker, in `Closed` with an empty window, and passes its
    /// [`info`](CircuitBreaker::info) to every listener's
    /// [`on_created`](Listener::on_created).
    ///
    /// # Errors
    ///
    /// Returns an error if `max_half_open_calls` is 0 or above 1,000,000,
    /// if `half_open_timeout` is zero, or if the tripper uses more than
    /// [`MAX_SLOW_THRESHOLDS`] distinct slow-call thresholds.
    pub fn build(self) -> Result<CircuitBreaker<K>, ConfigError> {
        let slow_thresholds = check_rules(
            self.max_half_open_calls,
            self.half_open_timeout,
            &*self.tripper,
        )?;

        let keeps_durations = self.measure_durations || self.tripper.needs_durations();
        let timed = keeps_durations || !slow_thresholds.is_empty();
        let rules = Rules {
            window: self.window,
            tripper: self.tripper,
            retry: self.retry,
            permit: self.permit,
            max_half_open_calls: self.max_half_open_calls,
            half_open_timeout: self.half_open_timeout,
            slow_thresholds,
            timed,
            keeps_durations,
        };
        let clock = self.clock.map_or_else(
            || TimeSource::Monotonic(MonotonicClock::new()),
            TimeSource::Shared,
        );
        let rng = self.seed.map_or_else(Rng::from_entropy, Rng::seeded);
        let machine = Machine::new(self.name, rules, self.listeners, clock, rng);
        let breaker = CircuitBreaker {
            tracker: self.tracker,
            machine,
        };
        if breaker.machine.has_listeners() {
            breaker.machine.announce_created(&breaker.info());
        }
        Ok(breaker)
    }
}

const MAX_HALF_OPEN_CALLS: u32 = 1_000_000;
const _: () = assert!(MAX_HALF_OPEN_CALLS <= MAX_IN_FLIGHT);

/// Checks the rules that only a whole breaker can judge, and returns the
/// slow-call thresholds the tripper reads.
pub(crate) fn check_rules(
    max_half_open_calls: u32,
    half_open_timeout: Option<Duration>,
    tripper: &dyn Tripper,
) -> Result<SlowThresholds, ConfigError> {
    check_max_half_open_calls(max_half_open_calls)?;
    if let Some(timeout) = half_open_timeout {
        check_half_open_timeout(timeout)?;
    }
    collect_slow_thresholds(tripper)
}

/// Checks that `max` is from 1 to 1,000,000.
pub(crate) fn check_max_half_open_calls(max: u32) -> Result<u32, ConfigError> {
    if max == 0 || max > MAX_HALF_OPEN_CALLS {
        Err(max_half_open_calls_error(max))
    } else {
        Ok(max)
    }
}

/// Returns the error for a `max_half_open_calls` out of range, written as
/// `value`.
pub(crate) fn max_half_open_calls_error(value: impl fmt::Display) -> ConfigError {
    ConfigError::new("breaker", "max_half_open_calls", value, "from 1 to 1000000")
}

/// Checks that a half-open timeout is longer than zero.
pub(crate) fn check_half_open_timeout(timeout: Duration) -> Result<Duration, ConfigError> {
    crate::error::check_positive("breaker", "half_open_timeout", timeout)
}

fn collect_slow_thresholds(tripper: &dyn Tripper) -> Result<SlowThresholds, ConfigError> {
    let mut thresholds = SlowThresholds::default();
    let mut distinct = Vec::new();
    tripper.visit_slow_thresholds(&mut |threshold| {
        if !distinct.contains(&threshold) {
            distinct.push(threshold);
        }
    });
    for &threshold in &distinct {
        if !thresholds.insert(threshold) {
            return Err(ConfigError::new(
                "tripper",
                "slow_rate thresholds",
                format!("{} distinct", distinct.len()),
                "at most 4 distinct slow_rate thresholds",
            ));
        }
    }
    debug_assert!(thresholds.len() <= MAX_SLOW_THRESHOLDS);
    Ok(thresholds)
}

impl<K> fmt::Debug for Builder<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("name", &self.name)
            .field("window", &self.window)
            .field("tripper", &self.tripper.to_string())
            .field("retry", &self.retry.to_string())
            .field("permit", &self.permit.to_string())
            .field("max_half_open_calls", &self.max_half_open_calls)
            .field("half_open_timeout", &self.half_open_timeout)
            .field("listeners", &self.listeners.len())
            .finish_non_exhaustive()
    }
}
