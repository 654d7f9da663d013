//! The aggregate a window reports: counts, durations and slow calls.

use std::fmt;
use std::time::Duration;

use crate::duration::DisplayDuration;

/// The largest number of distinct slow-call thresholds one breaker tracks.
///
/// Each threshold costs a counter in every window bucket; four covers every
/// layered rule we have seen (`slow_rate(0.3, 1s) | slow_rate(0.05, 10s)`
/// uses two). A tripper with more is rejected when the breaker is built.
pub const MAX_SLOW_THRESHOLDS: usize = 4;

/// The contents of a window at one moment: how many outcomes it contains,
/// how many failed, how long they took, and how many were slow for each
/// threshold in use.
///
/// Every derived value is `None` when it has no basis: a rate when the
/// window is empty, a duration when no outcome in it was timed. None is
/// never reported as zero.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::Metric;
///
/// let metric = Metric::new(20, 5)
///     .with_durations(20, Duration::from_secs(10))
///     .with_slow_count(Duration::from_secs(1), 4);
/// assert_eq!(metric.failure_rate(), Some(0.25));
/// assert_eq!(metric.avg_duration(), Some(Duration::from_millis(500)));
/// assert_eq!(metric.slow_rate(Duration::from_secs(1)), Some(0.2));
/// assert_eq!(Metric::default().failure_rate(), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Metric {
    total_count: u64,
    failure_count: u64,
    timed_count: u64,
    duration_micros: u64,
    slow: SlowCounts,
}

impl Metric {
    /// Creates a metric of `total_count` outcomes of which `failure_count`
    /// failed, with no durations and no slow counts.
    ///
    /// # Panics
    ///
    /// Panics if `failure_count` is greater than `total_count`.
    pub fn new(total_count: u64, failure_count: u64) -> Metric {
        assert!(
            failure_count <= total_count,
            "failure_count {failure_count} is greater than total_count {total_count}"
        );
        Metric {
            total_count,
            failure_count,
            ..Metric::default()
        }
    }

    /// Returns the metric with `timed_count` timed outcomes that took
    /// `total_duration` together.
    ///
    /// # Panics
    ///
    /// Panics if `timed_count` is greater than the total count, or if the
    /// duration does not fit in `u64` microseconds.
    pub fn with_durations(mut self, timed_count: u64, total_duration: Duration) -> Metric {
        assert!(
            timed_count <= self.total_count,
            "timed_count {timed_count} is greater than total_count {}",
            self.total_count
        );
        self.timed_count = timed_count;
        self.duration_micros =
            u64::try_from(total_duration.as_micros()).expect("total_duration fits in u64 micros");
        self
    }

    /// Returns the metric with `count` outcomes slow for `threshold`.
    ///
    /// # Panics
    ///
    /// Panics if `count` is greater than the total count, or if the metric
    /// already tracks [`MAX_SLOW_THRESHOLDS`] other thresholds.
    pub fn with_slow_count(mut self, threshold: Duration, count: u64) -> Metric {
        assert!(
            count <= self.total_count,
            "slow count {count} is greater than total_count {}",
            self.total_count
        );
        let index = match self.slow.thresholds.index_of(threshold) {
            Some(index) => index,
            None => {
                let mut thresholds = self.slow.thresholds;
                assert!(
                    thresholds.insert(threshold),
                    "a metric tracks at most {MAX_SLOW_THRESHOLDS} slow thresholds"
                );
                let mut slow = SlowCounts::new(thresholds);
                for (old, old_count) in self.slow.iter() {
                    let moved = thresholds.index_of(old).expect("kept threshold");
                    slow.counts[moved] = old_count;
                }
                self.slow = slow;
                thresholds.index_of(threshold).expect("inserted threshold")
            }
        };
        self.slow.counts[index] = count;
        self
    }

    /// Returns the number of outcomes in the window.
    pub const fn total_count(&self) -> u64 {
        self.total_count
    }

    /// Returns the number of failures in the window.
    pub const fn failure_count(&self) -> u64 {
        self.failure_count
    }

    /// Returns the number of successes in the window.
    pub const fn success_count(&self) -> u64 {
        self.total_count - self.failure_count
    }

    /// Returns the number of outcomes in the window that carry a duration.
    pub const fn timed_count(&self) -> u64 {
        self.timed_count
    }

    /// Returns the summed duration of the timed outcomes, or `None` when no
    /// outcome in the window was timed.
    ///
    /// Windows sum durations in whole microseconds, so each outcome's
    /// sub-microsecond part is dropped.
    pub const fn total_duration(&self) -> Option<Duration> {
        if self.timed_count == 0 {
            None
        } else {
            Some(Duration::from_micros(self.duration_micros))
        }
    }

    /// Returns `failure_count / total_count`, or `None` for an empty window.
    pub fn failure_rate(&self) -> Option<f64> {
        ratio(self.failure_count, self.total_count)
    }

    /// Returns the mean duration of the timed outcomes, or `None` when no
    /// outcome in the window was timed.
    pub fn avg_duration(&self) -> Option<Duration> {
        if self.timed_count == 0 {
            return None;
        }
        let nanos = u128::from(self.duration_micros) * 1000 / u128::from(self.timed_count);
        Some(Duration::from_nanos(nanos as u64))
    }

    /// Returns how many outcomes took `threshold` or longer, or `None` when
    /// the breaker does not track that threshold.
    pub fn slow_count(&self, threshold: Duration) -> Option<u64> {
        let index = self.slow.thresholds.index_of(threshold)?;
        Some(self.slow.counts[index])
    }

    /// Returns `slow_count(threshold) / total_count`, or `None` for an empty
    /// window or an untracked threshold.
    pub fn slow_rate(&self, threshold: Duration) -> Option<f64> {
        ratio(self.slow_count(threshold)?, self.total_count)
    }

    /// Returns each tracked slow threshold with its count, shortest first.
    pub fn slow_counts(&self) -> impl Iterator<Item = (Duration, u64)> + '_ {
        self.slow.iter()
    }

    pub(crate) fn empty(thresholds: SlowThresholds) -> Metric {
        Metric {
            slow: SlowCounts::new(thresholds),
            ..Metric::default()
        }
    }

    pub(crate) fn add(&mut self, sample: Sample) {
        self.total_count += 1;
        self.failure_count += u64::from(sample.failed());
        if let Some(micros) = sample.duration_micros() {
            self.timed_count += 1;
            self.duration_micros = self.duration_micros.wrapping_add(micros);
        }
        self.slow.add(sample.slow_mask());
    }

    pub(crate) fn subtract(&mut self, other: &Metric) {
        self.total_count -= other.total_count;
        self.failure_count -= other.failure_count;
        self.timed_count -= other.timed_count;
        self.duration_micros = self.duration_micros.wrapping_sub(other.duration_micros);
        for index in 0..MAX_SLOW_THRESHOLDS {
            self.slow.counts[index] -= other.slow.counts[index];
        }
    }

    /// Builds a metric from running totals read without a lock, with every
    /// outcome untimed. Counts are clamped into the range a consistent
    /// window would have, here and in the setters below.
    pub(crate) fn from_totals(
        thresholds: SlowThresholds,
        total_count: u64,
        failure_count: u64,
    ) -> Metric {
        Metric {
            total_count,
            failure_count: failure_count.min(total_count),
            timed_count: 0,
            duration_micros: 0,
            slow: SlowCounts::new(thresholds),
        }
    }

    pub(crate) fn set_durations(&mut self, untimed_count: u64, duration_micros: u64) {
        self.timed_count = self.total_count - untimed_count.min(self.total_count);
        self.duration_micros = duration_micros;
    }

    pub(crate) fn set_slow_count(&mut self, index: usize, count: u64) {
        self.slow.counts[index] = count.min(self.total_count);
    }

    pub(crate) fn clear(&mut self) {
        *self = Metric::empty(self.slow.thresholds);
    }
}

impl fmt::Debug for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slow: Vec<(Duration, u64)> = self.slow_counts().collect();
        f.debug_struct("Metric")
            .field("total_count", &self.total_count)
            .field("failure_count", &self.failure_count)
            .field("timed_count", &self.timed_count)
            .field("total_duration", &self.total_duration())
            .field("slow_counts", &slow)
            .finish()
    }
}

impl fmt::Display for Metric {
    /// Writes a one-line summary: `5 of 24 failed (20.8%)`, then the mean
    /// duration and slow counts when there are any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {} failed", self.failure_count, self.total_count)?;
        if let Some(rate) = self.failure_rate() {
            write!(f, " ({:.1}%)", rate * 100.0)?;
        }
        if let Some(average) = self.avg_duration() {
            write!(f, ", mean {}", DisplayDuration(average))?;
        }
        for (threshold, count) in self.slow_counts() {
            write!(f, ", {count} at or over {}", DisplayDuration(threshold))?;
        }
        Ok(())
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    if whole == 0 {
        None
    } else {
        Some(part as f64 / whole as f64)
    }
}

/// The distinct slow-call thresholds of one breaker, shortest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SlowThresholds {
    nanos: [u64; MAX_SLOW_THRESHOLDS],
    len: u8,
}

impl SlowThresholds {
    /// Adds `threshold` in sorted position; returns `false` when it is new
    /// and there is no room for it.
    pub(crate) fn insert(&mut self, threshold: Duration) -> bool {
        let nanos = duration_to_nanos(threshold);
        let len = usize::from(self.len);
        let position = self.nanos[..len].partition_point(|&t| t < nanos);
        if position < len && self.nanos[position] == nanos {
            return true;
        }
        if len == MAX_SLOW_THRESHOLDS {
            return false;
        }
        self.nanos.copy_within(position..len, position + 1);
        self.nanos[position] = nanos;
        self.len += 1;
        true
    }

    pub(crate) fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn index_of(&self, threshold: Duration) -> Option<usize> {
        let nanos = duration_to_nanos(threshold);
        self.nanos[..self.len()].iter().position(|&t| t == nanos)
    }

    /// Returns a bit mask with bit `i` set when `duration` reaches the
    /// `i`-th threshold.
    pub(crate) fn mask(&self, duration: Duration) -> u8 {
        let nanos = duration_to_nanos(duration);
        let reached = self.nanos[..self.len()].partition_point(|&t| t <= nanos);
        // Thresholds are sorted, so the reached ones are a prefix.
        ((1u16 << reached) - 1) as u8
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct SlowCounts {
    thresholds: SlowThresholds,
    counts: [u64; MAX_SLOW_THRESHOLDS],
}

impl SlowCounts {
    fn new(thresholds: SlowThresholds) -> SlowCounts {
        SlowCounts {
            thresholds,
            counts: [0; MAX_SLOW_THRESHOLDS],
        }
    }

    fn add(&mut self, mask: u8) {
        for index in set_bits(mask) {
            self.counts[index] += 1;
        }
    }

    fn iter(&self) -> impl Iterator<Item = (Duration, u64)> + '_ {
        let len = self.thresholds.len();
        self.thresholds.nanos[..len]
            .iter()
            .zip(&self.counts)
            .map(|(&nanos, &count)| (Duration::from_nanos(nanos), count))
    }
}

fn set_bits(mask: u8) -> impl Iterator<Item = usize> {
    (0..MAX_SLOW_THRESHOLDS).filter(move |index| mask & (1 << index) != 0)
}

/// Saturates at `u64::MAX` nanoseconds, about 584 years.
#[inline]
pub(crate) fn duration_to_nanos(duration: Duration) -> u64 {
    duration
        .as_secs()
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(duration.subsec_nanos()))
}

/// One recorded outcome, packed into the low 48 bits of a word so a count
/// window can store it, with a 16-bit period tag, in one atomic `u64`.
///
/// Bit 47 marks an occupied slot (so an empty slot is zero), bit 46 a
/// failure, bit 45 a timed outcome, bits 41..45 the slow mask, and bits
/// 0..41 the duration in whole microseconds. Durations longer than the 41
/// bits hold, about 25 days, are stored as 25 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Sample(u64);

/// The number of low bits a sample occupies.
pub(crate) const SAMPLE_BITS: u32 = 48;

const OCCUPIED: u64 = 1 << 47;
const FAILED: u64 = 1 << 46;
const TIMED: u64 = 1 << 45;
const SLOW_SHIFT: u32 = 41;
const DURATION_MASK: u64 = (1 << SLOW_SHIFT) - 1;

impl Sample {
    /// An empty slot, holding no outcome.
    pub(crate) const EMPTY: Sample = Sample(0);

    /// Packs an outcome: whether it failed, the duration to keep (if the
    /// window keeps durations) and which slow thresholds it reached.
    pub(crate) fn new(failed: bool, duration: Option<Duration>, slow_mask: u8) -> Sample {
        let mut bits = OCCUPIED | (u64::from(slow_mask & 0xF) << SLOW_SHIFT);
        if failed {
            bits |= FAILED;
        }
        if let Some(duration) = duration {
            let micros = u64::try_from(duration.as_micros())
                .unwrap_or(u64::MAX)
                .min(DURATION_MASK);
            bits |= TIMED | micros;
        }
        Sample(bits)
    }

    /// Packs an outcome and its duration, both kept and classified.
    #[cfg(test)]
    pub(crate) fn timed(failed: bool, duration: Duration, slow: &SlowThresholds) -> Sample {
        Sample::new(failed, Some(duration), slow.mask(duration))
    }

    /// Packs an outcome with no duration and no slow mark.
    #[cfg(test)]
    pub(crate) fn untimed(failed: bool) -> Sample {
        Sample::new(failed, None, 0)
    }

    pub(crate) const fn from_bits(bits: u64) -> Sample {
        Sample(bits)
    }

    pub(crate) const fn bits(self) -> u64 {
        self.0
    }

    pub(crate) fn is_occupied(self) -> bool {
        self.0 & OCCUPIED != 0
    }

    pub(crate) fn failed(self) -> bool {
        self.0 & FAILED != 0
    }

    pub(crate) fn is_timed(self) -> bool {
        self.0 & TIMED != 0
    }

    pub(crate) fn duration_micros(self) -> Option<u64> {
        self.is_timed().then_some(self.0 & DURATION_MASK)
    }

    pub(crate) fn slow_mask(self) -> u8 {
        ((self.0 >> SLOW_SHIFT) & 0xF) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thresholds(list: &[u64]) -> SlowThresholds {
        let mut thresholds = SlowThresholds::default();
        for &millis in list {
            assert!(thresholds.insert(Duration::from_millis(millis)));
        }
        thresholds
    }

    #[test]
    fn thresholds_sort_and_deduplicate() {
        let set = thresholds(&[1000, 200, 1000, 500]);
        assert_eq!(set.len(), 3);
        assert_eq!(set.mask(Duration::from_millis(199)), 0b000);
        assert_eq!(set.mask(Duration::from_millis(200)), 0b001);
        assert_eq!(set.mask(Duration::from_millis(999)), 0b011);
        assert_eq!(set.mask(Duration::from_secs(5)), 0b111);
    }

    #[test]
    fn thresholds_reject_a_fifth() {
        let mut set = thresholds(&[1, 2, 3, 4]);
        assert!(!set.insert(Duration::from_millis(5)));
        assert!(set.insert(Duration::from_millis(3)));
    }

    #[test]
    fn add_and_subtract_are_inverse() {
        let slow = thresholds(&[100]);
        let mut metric = Metric::empty(slow);
        let slow_failure = Sample::timed(true, Duration::from_millis(150), &slow);
        let fast_success = Sample::timed(false, Duration::from_millis(50), &slow);
        let untimed = Sample::untimed(false);
        for sample in [slow_failure, fast_success, untimed] {
            metric.add(sample);
        }

        assert_eq!(metric.total_count(), 3);
        assert_eq!(metric.failure_count(), 1);
        assert_eq!(metric.timed_count(), 2);
        assert_eq!(metric.total_duration(), Some(Duration::from_millis(200)));
        assert_eq!(metric.avg_duration(), Some(Duration::from_millis(100)));
        assert_eq!(metric.slow_count(Duration::from_millis(100)), Some(1));
        assert_eq!(metric.slow_count(Duration::from_millis(99)), None);

        let mut leaving = Metric::empty(slow);
        leaving.add(slow_failure);
        leaving.add(untimed);
        metric.subtract(&leaving);
        assert_eq!(metric.total_count(), 1);
        assert_eq!(metric.failure_count(), 0);
        assert_eq!(metric.slow_count(Duration::from_millis(100)), Some(0));
        assert_eq!(metric.avg_duration(), Some(Duration::from_millis(50)));
    }

    #[test]
    fn untimed_metric_reports_no_duration() {
        let mut metric = Metric::empty(SlowThresholds::default());
        metric.add(Sample::untimed(false));
        assert_eq!(metric.total_duration(), None);
        assert_eq!(metric.avg_duration(), None);
        assert_eq!(metric.failure_rate(), Some(0.0));
    }

    #[test]
    fn sample_keeps_failed_duration() {
        let sample = Sample::timed(true, Duration::from_secs(5), &SlowThresholds::default());
        assert!(sample.is_occupied());
        assert!(sample.failed());
        assert_eq!(sample.duration_micros(), Some(5_000_000));
        assert!(!Sample::EMPTY.is_occupied());
    }

    #[test]
    fn with_slow_count_keeps_earlier_counts() {
        let metric = Metric::new(10, 0)
            .with_slow_count(Duration::from_secs(2), 3)
            .with_slow_count(Duration::from_secs(1), 5);
        assert_eq!(metric.slow_count(Duration::from_secs(2)), Some(3));
        assert_eq!(metric.slow_count(Duration::from_secs(1)), Some(5));
    }
}
