use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

use crate::duration::DisplayDuration;
use crate::error::ConfigError;
use crate::metric::{Metric, Sample, SlowThresholds};

/// A window over the outcomes of the last `size` seconds.
///
/// Outcomes fall into one-second buckets aligned to whole seconds of the
/// breaker's clock. Read at time `T`, the window covers the buckets of
/// seconds `⌊T⌋ - size + 1` to `⌊T⌋`. A bucket older than that never
/// counts, even when nothing was recorded since: the failures of a busy
/// minute are gone after a quiet one.
///
/// Time windows suit bursty or sparse traffic, where the question is "how
/// healthy was the dependency lately" rather than "how did the last n calls
/// go". Pair them with `min_requests` so that a quiet second with one failed
/// call cannot open the circuit.
///
/// The window never moves backwards. If the clock reads a second earlier
/// than the newest one seen (a manual clock set back, or a replayed log line
/// out of order), the outcome is counted in the newest second and a read
/// covers the window ending at the newest second.
///
/// Memory: about 100 bytes per second of window.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::windows::TimeWindow;
///
/// let window = TimeWindow::new(Duration::from_secs(60))?;
/// assert_eq!(window.size(), Duration::from_secs(60));
/// assert!(TimeWindow::new(Duration::from_millis(1500)).is_err());
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    seconds: NonZeroU32,
}

impl TimeWindow {
    /// The longest accepted window: one day.
    pub const MAX_SIZE: Duration = Duration::from_secs(86_400);

    /// Creates a window over the last `size` seconds.
    ///
    /// # Errors
    ///
    /// Returns an error unless `size` is a whole number of seconds from 1s
    /// to one day.
    pub fn new(size: Duration) -> Result<TimeWindow, ConfigError> {
        let whole = size.subsec_nanos() == 0;
        let seconds = u32::try_from(size.as_secs()).ok().and_then(NonZeroU32::new);
        match seconds {
            Some(seconds) if whole && size <= Self::MAX_SIZE => Ok(TimeWindow { seconds }),
            _ => Err(ConfigError::new(
                "time",
                "size",
                DisplayDuration(size),
                "a whole number of seconds from 1s to 24h",
            )),
        }
    }

    /// Returns the length of the window.
    pub const fn size(&self) -> Duration {
        Duration::from_secs(self.seconds.get() as u64)
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "time({})", DisplayDuration(self.size()))
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    second: u64,
    metric: Metric,
}

/// One bucket per second of window and the running totals of the buckets
/// inside it.
#[derive(Debug)]
pub(crate) struct TimeState {
    buckets: Box<[Bucket]>,
    newest: Option<u64>,
    // The bucket of the newest second.
    newest_index: usize,
    total: Metric,
}

impl TimeState {
    pub(crate) fn new(window: TimeWindow, thresholds: SlowThresholds) -> TimeState {
        let empty = Bucket {
            second: 0,
            metric: Metric::empty(thresholds),
        };
        TimeState {
            buckets: vec![empty; window.seconds.get() as usize].into_boxed_slice(),
            newest: None,
            newest_index: 0,
            total: Metric::empty(thresholds),
        }
    }

    /// Records `sample` at `now` and returns the metric after it.
    pub(crate) fn record(&mut self, sample: Sample, now: Duration) -> Metric {
        let second = self.advance(now.as_secs());
        let bucket = &mut self.buckets[self.newest_index];
        if bucket.second != second {
            // A bucket left behind by a jump of a whole window or more; its
            // outcomes were already dropped from the total.
            bucket.second = second;
            bucket.metric.clear();
        }
        bucket.metric.add(sample);
        self.total.add(sample);
        self.total
    }

    pub(crate) fn metric(&mut self, now: Duration) -> Metric {
        self.advance(now.as_secs());
        self.total
    }

    pub(crate) fn clear(&mut self) {
        self.newest = None;
        self.total.clear();
        for bucket in self.buckets.iter_mut() {
            bucket.second = 0;
            bucket.metric.clear();
        }
    }

    /// Moves the newest second forward to `second`, dropping the buckets
    /// that leave the window, and returns the second to record into.
    fn advance(&mut self, second: u64) -> u64 {
        let size = self.buckets.len() as u64;
        let Some(newest) = self.newest else {
            self.newest = Some(second);
            self.newest_index = self.index(second);
            return second;
        };
        if second <= newest {
            return newest;
        }

        if second - newest >= size {
            // Every bucket is older than the window now; the stale ones are
            // reset when they are next written.
            self.total.clear();
            self.newest_index = self.index(second);
        } else {
            for entering in newest + 1..=second {
                // Stepping one second at a time, the index steps too, which
                // spares a division per call.
                self.newest_index += 1;
                if self.newest_index == self.buckets.len() {
                    self.newest_index = 0;
                }
                let bucket = &mut self.buckets[self.newest_index];
                // The bucket holds a second `s ≡ entering (mod size)` with
                // `s <= entering - size`; it still counts if it was inside
                // the window that ended at `newest`.
                if bucket.second + size > newest {
                    self.total.subtract(&bucket.metric);
                }
                bucket.second = entering;
                bucket.metric.clear();
            }
        }
        self.newest = Some(second);
        second
    }

    fn index(&self, second: u64) -> usize {
        (second % self.buckets.len() as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(seconds: u64) -> TimeState {
        let window = TimeWindow::new(Duration::from_secs(seconds)).unwrap();
        TimeState::new(window, SlowThresholds::default())
    }

    fn failure() -> Sample {
        Sample::untimed(true)
    }

    fn success() -> Sample {
        Sample::untimed(false)
    }

    fn at(seconds: f64) -> Duration {
        Duration::from_secs_f64(seconds)
    }

    #[test]
    fn size_must_be_whole_seconds_in_range() {
        assert_eq!(
            TimeWindow::new(Duration::ZERO).unwrap_err().to_string(),
            "invalid size for time: 0s (allowed: a whole number of seconds from 1s to 24h)"
        );
        assert!(TimeWindow::new(Duration::from_millis(2500)).is_err());
        assert!(TimeWindow::new(Duration::from_secs(86_401)).is_err());
        assert!(TimeWindow::new(Duration::from_secs(86_400)).is_ok());
    }

    #[test]
    fn covers_exactly_the_last_seconds() {
        let mut window = state(10);
        window.record(failure(), at(100.2));
        window.record(success(), at(105.9));

        assert_eq!(window.metric(at(109.99)).total_count(), 2);
        // At 110.0 the window covers seconds 101..=110, so second 100 left.
        let metric = window.metric(at(110.0));
        assert_eq!(metric.total_count(), 1);
        assert_eq!(metric.failure_count(), 0);
        assert_eq!(window.metric(at(115.0)).total_count(), 0);
    }

    #[test]
    fn quiet_period_expires_without_writes() {
        let mut window = state(60);
        for _ in 0..50 {
            window.record(failure(), at(30.0));
        }
        assert_eq!(window.metric(at(89.0)).failure_count(), 50);
        assert_eq!(window.metric(at(90.0)).failure_count(), 0);
        assert_eq!(window.metric(at(1000.0)).failure_count(), 0);
    }

    #[test]
    fn jump_past_window_then_reuse_buckets() {
        let mut window = state(3);
        window.record(failure(), at(1.0));
        window.record(failure(), at(2.0));
        window.record(success(), at(50.0));
        window.record(success(), at(51.0));
        // Bucket 52 % 3 == 1 once held second 1; it must not be subtracted.
        window.record(success(), at(52.0));
        let metric = window.metric(at(52.0));
        assert_eq!(metric.total_count(), 3);
        assert_eq!(metric.failure_count(), 0);
        assert_eq!(window.metric(at(53.0)).total_count(), 2);
    }

    #[test]
    fn earlier_time_counts_in_newest_second() {
        let mut window = state(5);
        window.record(success(), at(20.0));
        window.record(failure(), at(12.0));
        assert_eq!(window.metric(at(20.0)).failure_count(), 1);
        assert_eq!(window.metric(at(24.9)).failure_count(), 1);
        assert_eq!(window.metric(at(25.0)).failure_count(), 0);
    }

    #[test]
    fn clear_forgets_all_buckets() {
        let mut window = state(4);
        window.record(failure(), at(7.0));
        window.clear();
        window.record(success(), at(8.0));
        assert_eq!(window.metric(at(10.0)).total_count(), 1);
        assert_eq!(window.metric(at(11.0)).total_count(), 1);
        assert_eq!(window.metric(at(12.0)).total_count(), 0);
    }
}
