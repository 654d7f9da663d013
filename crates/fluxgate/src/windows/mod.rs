//! Sliding windows: which recent outcomes the tripper judges.
//!
//! | window | holds | policy |
//! |---|---|---|
//! | [`CountWindow`] | the last `n` recorded outcomes | `count(100)` |
//! | [`TimeWindow`] | the outcomes of the last `n` whole seconds | `time(60s)` |
//!
//! Both record and read in constant time: each keeps running totals and
//! adjusts them as outcomes enter and leave. Every state transition starts
//! the window again from empty.

mod count;
mod time;

use std::fmt;
use std::time::Duration;

pub use count::CountWindow;
pub use time::TimeWindow;

pub(crate) use count::CountState;
pub(crate) use time::TimeState;

use crate::metric::{Metric, Sample, SlowThresholds};

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

/// The live contents of a window.
#[derive(Debug)]
pub(crate) enum WindowState {
    Count(CountState),
    Time(TimeState),
}

impl WindowState {
    pub(crate) fn new(window: Window, thresholds: SlowThresholds) -> WindowState {
        match window {
            Window::Count(window) => WindowState::Count(CountState::new(window, thresholds)),
            Window::Time(window) => WindowState::Time(TimeState::new(window, thresholds)),
        }
    }

    /// Returns `true` when recording and reading need the time.
    pub(crate) fn needs_time(&self) -> bool {
        matches!(self, WindowState::Time(_))
    }

    pub(crate) fn record(&mut self, sample: Sample, now: Duration) {
        match self {
            WindowState::Count(state) => state.record(sample),
            WindowState::Time(state) => state.record(sample, now),
        }
    }

    pub(crate) fn metric(&mut self, now: Duration) -> Metric {
        match self {
            WindowState::Count(state) => state.metric(),
            WindowState::Time(state) => state.metric(now),
        }
    }

    pub(crate) fn clear(&mut self) {
        match self {
            WindowState::Count(state) => state.clear(),
            WindowState::Time(state) => state.clear(),
        }
    }
}
