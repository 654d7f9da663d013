use std::fmt;
use std::num::NonZeroUsize;

use crate::error::ConfigError;
use crate::metric::{Metric, Sample, SlowThresholds};

/// A window over the last `size` recorded outcomes.
///
/// Recording the `size + 1`-th outcome evicts the oldest. Count windows
/// suit steady traffic: the verdict always rests on the same number of
/// calls, however fast they come. Under sparse traffic the outcomes in the
/// window may be hours old; a [`TimeWindow`](super::TimeWindow) forgets
/// them.
///
/// Memory: eight bytes per outcome.
///
/// # Examples
///
/// ```
/// use fluxgate::windows::CountWindow;
///
/// let window = CountWindow::new(100)?;
/// assert_eq!(window.size().get(), 100);
/// assert!(CountWindow::new(0).is_err());
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountWindow {
    size: NonZeroUsize,
}

impl CountWindow {
    /// The largest accepted size.
    pub const MAX_SIZE: usize = 1_000_000;

    pub(crate) const DEFAULT: CountWindow = CountWindow {
        size: NonZeroUsize::new(100).expect("100 is not zero"),
    };

    /// Creates a window over the last `size` outcomes.
    ///
    /// # Errors
    ///
    /// Returns an error if `size` is 0 or above [`MAX_SIZE`](Self::MAX_SIZE).
    pub fn new(size: usize) -> Result<CountWindow, ConfigError> {
        match NonZeroUsize::new(size) {
            Some(size) if size.get() <= Self::MAX_SIZE => Ok(CountWindow { size }),
            _ => Err(ConfigError::new(
                "count",
                "size",
                size,
                "from 1 to 1000000 outcomes",
            )),
        }
    }

    /// Returns the number of outcomes the window holds when full.
    pub const fn size(&self) -> NonZeroUsize {
        self.size
    }
}

impl fmt::Display for CountWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "count({})", self.size)
    }
}

/// A ring of the last `size` samples and their running totals.
#[derive(Debug)]
pub(crate) struct CountState {
    samples: Box<[Sample]>,
    next: usize,
    len: usize,
    metric: Metric,
}

impl CountState {
    pub(crate) fn new(window: CountWindow, thresholds: SlowThresholds) -> CountState {
        CountState {
            samples: vec![Sample::default(); window.size.get()].into_boxed_slice(),
            next: 0,
            len: 0,
            metric: Metric::empty(thresholds),
        }
    }

    pub(crate) fn record(&mut self, sample: Sample) {
        if self.len == self.samples.len() {
            self.metric.remove(self.samples[self.next]);
        } else {
            self.len += 1;
        }
        self.samples[self.next] = sample;
        self.metric.add(sample);
        self.next = (self.next + 1) % self.samples.len();
    }

    pub(crate) fn metric(&self) -> Metric {
        self.metric
    }

    pub(crate) fn clear(&mut self) {
        self.next = 0;
        self.len = 0;
        self.metric.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(size: usize) -> CountState {
        CountState::new(CountWindow::new(size).unwrap(), SlowThresholds::default())
    }

    fn outcome(failed: bool) -> Sample {
        Sample::new(failed, None, &SlowThresholds::default())
    }

    #[test]
    fn size_bounds_are_checked() {
        assert_eq!(
            CountWindow::new(0).unwrap_err().to_string(),
            "invalid size for count: 0 (allowed: from 1 to 1000000 outcomes)"
        );
        assert!(CountWindow::new(1).is_ok());
        assert!(CountWindow::new(CountWindow::MAX_SIZE).is_ok());
        assert!(CountWindow::new(CountWindow::MAX_SIZE + 1).is_err());
    }

    #[test]
    fn evicts_oldest_when_full() {
        let mut window = state(3);
        for failed in [true, true, false] {
            window.record(outcome(failed));
        }
        assert_eq!(window.metric().failure_count(), 2);

        window.record(outcome(false));
        assert_eq!(window.metric().total_count(), 3);
        assert_eq!(window.metric().failure_count(), 1);

        window.record(outcome(false));
        window.record(outcome(true));
        assert_eq!(window.metric().total_count(), 3);
        assert_eq!(window.metric().failure_count(), 1);
    }

    #[test]
    fn clear_empties_and_restarts() {
        let mut window = state(2);
        window.record(outcome(true));
        window.record(outcome(true));
        window.clear();
        assert_eq!(window.metric().total_count(), 0);

        window.record(outcome(false));
        assert_eq!(window.metric().total_count(), 1);
        assert_eq!(window.metric().failure_count(), 0);
    }
}
