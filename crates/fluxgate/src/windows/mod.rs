//! Sliding windows: which recent outcomes the tripper judges.
//!
//! | window | holds | policy |
//! |---|---|---|
//! | [`CountWindow`] | the last `n` recorded outcomes | `count(100)` |
//! | [`TimeWindow`] | the outcomes of the last `n` whole seconds | `time(60s)` |
//!
//! Both record and read in constant time: each keeps running totals and
//! adjusts them as outcomes enter and leave. Every state transition starts
//! the window again from empty. Count windows record without a lock; time
//! windows take a short lock to expire whole seconds exactly.

mod count;
pub(crate) mod tagged;
mod time;

use std::fmt;
use std::sync::PoisonError;
use std::time::Duration;

pub use count::CountWindow;
pub use time::TimeWindow;

use count::{CountState, Recording};
use tagged::tag_of_epoch;
use time::TimeState;

use crate::metric::{Metric, Sample, SlowThresholds};
use crate::sync::{Mutex, MutexGuard, Ordering, fence};

/// A window of either kind, as the breaker builder takes it.
///
/// # Default
///
/// `count(100)`, the last 100 outcomes.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::windows::{CountWindow, TimeWindow, Window};
///
/// let by_count: Window = CountWindow::new(50)?.into();
/// let by_time: Window = TimeWindow::new(Duration::from_secs(60))?.into();
/// assert_eq!(by_count.to_string(), "count(50)");
/// assert_eq!(by_time.to_string(), "time(1m)");
/// assert_eq!(Window::default().to_string(), "count(100)");
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The last `n` outcomes.
    Count(CountWindow),
    /// The outcomes of the last `n` seconds.
    Time(TimeWindow),
}

impl Default for Window {
    fn default() -> Self {
        Window::Count(CountWindow::DEFAULT)
    }
}

impl From<CountWindow> for Window {
    fn from(window: CountWindow) -> Self {
        Window::Count(window)
    }
}

impl From<TimeWindow> for Window {
    fn from(window: TimeWindow) -> Self {
        Window::Time(window)
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Count(window) => window.fmt(f),
            Window::Time(window) => window.fmt(f),
        }
    }
}

/// The live contents of a window, shared by every thread that records.
///
/// Count windows record without a lock (see `CountState`). Time windows
/// take a short lock per record and read: they must expire whole seconds
/// as time passes, which one lock keeps exact at a cost of two atomic
/// operations.
#[derive(Debug)]
pub(crate) enum WindowState {
    Count(CountState),
    // Boxed so that a count window's breaker does not carry the time
    // window's larger state inline.
    Time(Box<Mutex<TimePeriod>>),
}

/// What recording a sample did, with the metric after it when it changed.
#[derive(Debug)]
pub(crate) enum Recorded {
    /// The period is over; nothing was recorded.
    Stale,
    /// The window is exactly as the last recording left it.
    Unchanged,
    /// The window changed and now has this metric.
    Changed(Metric),
}

/// A time window and the period it belongs to.
#[derive(Debug)]
pub(crate) struct TimePeriod {
    epoch: u64,
    window: TimeState,
}

impl WindowState {
    pub(crate) fn new(
        window: Window,
        thresholds: SlowThresholds,
        keeps_durations: bool,
    ) -> WindowState {
        match window {
            Window::Count(window) => {
                WindowState::Count(CountState::new(window, thresholds, keeps_durations))
            }
            Window::Time(window) => WindowState::Time(Box::new(Mutex::new(TimePeriod {
                epoch: 0,
                window: TimeState::new(window, thresholds),
            }))),
        }
    }

    /// Records `sample` in period `epoch` and returns the metric after it.
    /// A count window reads its slow `thresholds` from the caller, which
    /// keeps them once for the whole breaker; `now` is read only by time
    /// windows.
    pub(crate) fn record(
        &self,
        epoch: u64,
        sample: Sample,
        thresholds: SlowThresholds,
        now: impl FnOnce() -> Duration,
    ) -> Recorded {
        match self {
            WindowState::Count(state) => {
                let tag = tag_of_epoch(epoch);
                match state.record(tag, sample) {
                    Recording::Stale => Recorded::Stale,
                    Recording::Unchanged => Recorded::Unchanged,
                    Recording::Changed => {
                        // SeqCst: of several calls recording at once, the one
                        // whose fence comes last reads every update the others
                        // made before theirs, so at least one call judges the
                        // window with all their outcomes in it. Relaxed reads
                        // alone could each miss the other's update, and a
                        // window that should trip would not.
                        fence(Ordering::SeqCst);
                        Recorded::Changed(state.metric(tag, thresholds))
                    }
                }
            }
            WindowState::Time(period) => {
                let now = now();
                let mut period = lock(period);
                if period.epoch != epoch {
                    return Recorded::Stale;
                }
                Recorded::Changed(period.window.record(sample, now))
            }
        }
    }

    /// Returns the metric of period `epoch`, as `record` does.
    pub(crate) fn metric(
        &self,
        epoch: u64,
        thresholds: SlowThresholds,
        now: impl FnOnce() -> Duration,
    ) -> Metric {
        match self {
            WindowState::Count(state) => state.metric(tag_of_epoch(epoch), thresholds),
            WindowState::Time(period) => {
                let now = now();
                lock(period).window.metric(now)
            }
        }
    }

    /// Empties the window and starts period `epoch`.
    pub(crate) fn reset(&self, epoch: u64) {
        match self {
            WindowState::Count(state) => state.reset(tag_of_epoch(epoch)),
            WindowState::Time(period) => {
                let mut period = lock(period);
                period.epoch = epoch;
                period.window.clear();
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing that can panic runs under this lock.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
