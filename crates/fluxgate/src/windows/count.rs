use std::fmt;
use std::num::NonZeroUsize;
#[cfg(test)]
use std::time::Duration;

use super::tagged::{TaggedCounter, overwrite, pack, tag, value};
use crate::error::ConfigError;
use crate::metric::{MAX_SLOW_THRESHOLDS, Metric, Sample, SlowThresholds};
use crate::sync::{AtomicU32, AtomicU64, Ordering};

/// A window over the last `size` recorded outcomes.
///
/// Recording the `size + 1`-th outcome evicts the oldest. Count windows
/// suit steady traffic: the verdict always rests on the same number of
/// calls, however fast they come. Under sparse traffic the outcomes in the
/// window may be hours old; a [`TimeWindow`](super::TimeWindow) forgets
/// them.
///
/// Memory: four bytes per outcome, or eight when the window keeps
/// durations (a latency rule, or `measure_durations(true)`).
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

/// A ring of the last `size` samples and their running totals, updated
/// without a lock.
///
/// A call claims a position with a compare-and-swap on `head`, swaps its
/// sample into the ring slot at that position, and then adjusts the totals
/// by the difference between its sample and the one it replaced. Two calls
/// that finish out of order may leave the older of their samples in the
/// ring; the totals always equal the sum of the samples the ring holds.
/// Between the swap and the adjustment a total may lag or dip below zero
/// for a moment; readers clamp it into range.
#[derive(Debug)]
pub(crate) struct CountState {
    // The number of positions claimed in this period, kept below twice the
    // size once the ring is full so that it never overflows.
    head: TaggedCounter,
    failures: TaggedCounter,
    // The counters that only a window keeping durations or slow marks
    // needs, boxed so that the common window carries a pointer instead.
    extras: Option<Box<Extras>>,
    // The number of slow thresholds in use; the machine keeps the
    // thresholds themselves.
    slow_len: usize,
    // The number of slots, kept beside them to spare a match on every read.
    size: u64,
    slots: Slots,
}

#[derive(Debug, Default)]
struct Extras {
    // Whether samples carry durations; without them the duration counters
    // stay unread.
    keeps_durations: bool,
    untimed: TaggedCounter,
    // The summed durations in microseconds, split at bit 24 into two
    // counters: one 48-bit counter would overflow once the window's total
    // passed about 4.5 years (a million 140-second calls). Calls shorter
    // than 16.7 s leave the high counter alone.
    duration_low: TaggedCounter,
    duration_high: TaggedCounter,
    slow: [TaggedCounter; MAX_SLOW_THRESHOLDS],
}

impl Extras {
    fn counters(&self) -> impl Iterator<Item = &TaggedCounter> {
        [&self.untimed, &self.duration_low, &self.duration_high]
            .into_iter()
            .chain(&self.slow)
    }
}

impl CountState {
    pub(crate) fn new(
        window: CountWindow,
        thresholds: SlowThresholds,
        keeps_durations: bool,
    ) -> CountState {
        let slots = Slots::new(window.size.get(), keeps_durations);
        let extras = (keeps_durations || !thresholds.is_empty()).then(|| {
            Box::new(Extras {
                keeps_durations,
                ..Extras::default()
            })
        });
        let state = CountState {
            head: TaggedCounter::default(),
            failures: TaggedCounter::default(),
            extras,
            slow_len: thresholds.len(),
            size: slots.len() as u64,
            slots,
        };
        state.reset(0);
        state
    }

    /// Records `sample` in period `tag`.
    pub(crate) fn record(&self, tag_now: u16, sample: Sample) -> Recording {
        if self.is_uniform_with(tag_now, sample) {
            // A full ring whose samples all equal this one is the same ring
            // after any rotation, so recording it changes nothing at all,
            // not even the order in which later samples leave.
            return Recording::Unchanged;
        }
        let Some(position) = self.claim(tag_now) else {
            return Recording::Stale;
        };
        let replaced = match &self.slots {
            Slots::Narrow(slots) => replace(&slots[position], tag_now, sample),
            Slots::Wide(slots) => replace(&slots[position], tag_now, sample),
        };
        match replaced {
            Replaced::Stale => Recording::Stale,
            // Replacing a sample with an equal one changes no total.
            Replaced::Equal => Recording::Changed,
            Replaced::Sample(old) => {
                self.adjust(tag_now, old, sample);
                Recording::Changed
            }
        }
    }

    /// Returns `true` when the ring is full and every sample in it is a
    /// success without a duration or a slow mark, equal to `sample`.
    fn is_uniform_with(&self, tag_now: u16, sample: Sample) -> bool {
        let plain = !sample.failed() && !sample.is_timed() && sample.slow_mask() == 0;
        plain && self.is_full_of_plain_successes(tag_now)
    }

    /// Returns `true` when the ring of period `tag` is full and holds only
    /// successes without a duration or a slow mark.
    ///
    /// Every healthy call runs this check, so its common case, a window
    /// with no durations or slow marks to check, is inlined into the caller.
    #[inline(always)]
    pub(crate) fn is_full_of_plain_successes(&self, tag_now: u16) -> bool {
        self.head.get(tag_now) >= self.size
            && self.failures.get(tag_now) == 0
            && self
                .extras
                .as_deref()
                .is_none_or(|extras| self.extras_are_empty(extras, tag_now))
    }

    /// Returns `true` when the ring keeps no durations and contains no slow
    /// marks in period `tag`.
    #[inline(never)]
    fn extras_are_empty(&self, extras: &Extras, tag_now: u16) -> bool {
        !extras.keeps_durations
            && extras
                .slow
                .iter()
                .take(self.slow_len)
                .all(|counter| counter.get(tag_now) == 0)
    }

    /// Claims the next position and returns its slot index.
    fn claim(&self, tag_now: u16) -> Option<usize> {
        let size = self.size;
        // Positions run from 0 to twice the size and then wrap back to the
        // size, so the slot index needs a subtraction, not a division.
        let claimed = self.head.update(tag_now, |claimed| {
            if claimed + 1 == 2 * size {
                size
            } else {
                claimed + 1
            }
        })?;
        let index = if claimed >= size {
            claimed - size
        } else {
            claimed
        };
        Some(index as usize)
    }

    /// Moves the totals from counting `old` to counting `new`.
    fn adjust(&self, tag_now: u16, old: Sample, new: Sample) {
        let counted = |sample: Sample, flag: bool| i64::from(sample.is_occupied() && flag);
        let failed = counted(new, new.failed()) - counted(old, old.failed());
        add_if_nonzero(&self.failures, tag_now, failed);
        let Some(extras) = self.extras.as_deref() else {
            return;
        };

        let untimed = counted(new, !new.is_timed()) - counted(old, !old.is_timed());
        let (new_high, new_low) = split_micros(new);
        let (old_high, old_low) = split_micros(old);
        add_if_nonzero(&extras.untimed, tag_now, untimed);
        add_if_nonzero(&extras.duration_low, tag_now, new_low - old_low);
        add_if_nonzero(&extras.duration_high, tag_now, new_high - old_high);

        let changed = old.slow_mask() ^ new.slow_mask();
        for (index, counter) in extras.slow.iter().enumerate() {
            let bit = 1 << index;
            if changed & bit != 0 {
                let delta = if new.slow_mask() & bit != 0 { 1 } else { -1 };
                counter.add(tag_now, delta);
            }
        }
    }

    pub(crate) fn metric(&self, tag_now: u16, thresholds: SlowThresholds) -> Metric {
        let total = self.head.get(tag_now).min(self.size);
        let failures = self.failures.get_clamped(tag_now);
        let mut metric = Metric::from_totals(thresholds, total, failures);
        let Some(extras) = self.extras.as_deref() else {
            return metric;
        };
        if extras.keeps_durations {
            metric.set_durations(
                extras.untimed.get_clamped(tag_now),
                (extras.duration_high.get_clamped(tag_now) << DURATION_SPLIT)
                    + extras.duration_low.get_clamped(tag_now),
            );
        }
        let slow = extras.slow.iter().take(self.slow_len);
        for (index, counter) in slow.enumerate() {
            metric.set_slow_count(index, counter.get_clamped(tag_now));
        }
        metric
    }

    /// Empties the window and starts period `tag`.
    pub(crate) fn reset(&self, tag_now: u16) {
        match &self.slots {
            Slots::Narrow(slots) => empty_all(slots, tag_now),
            Slots::Wide(slots) => empty_all(slots, tag_now),
        }
        self.head.reset(tag_now, 0);
        self.failures.reset(tag_now, 0);
        for counter in self.extras.iter().flat_map(|extras| extras.counters()) {
            counter.reset(tag_now, 0);
        }
    }
}

/// The ring's slots, each a period tag and a sample in one atomic word: 32
/// bits when samples carry no duration, which halves a window's memory, and
/// 64 bits when they do.
#[derive(Debug)]
enum Slots {
    Narrow(Box<[AtomicU32]>),
    Wide(Box<[AtomicU64]>),
}

impl Slots {
    fn new(size: usize, keeps_durations: bool) -> Slots {
        if keeps_durations {
            Slots::Wide((0..size).map(|_| AtomicU64::new(0)).collect())
        } else {
            Slots::Narrow((0..size).map(|_| AtomicU32::new(0)).collect())
        }
    }

    fn len(&self) -> usize {
        match self {
            Slots::Narrow(slots) => slots.len(),
            Slots::Wide(slots) => slots.len(),
        }
    }
}

/// An atomic word that holds a period tag and a sample.
trait SlotWord {
    fn encode(tag_now: u16, sample: Sample) -> u64;
    fn decode(raw: u64) -> (u16, Sample);
    fn load_raw(&self) -> u64;
    fn compare_exchange_raw(&self, current: u64, new: u64) -> Result<u64, u64>;
    fn overwrite_raw(&self, new: u64);
}

// Relaxed everywhere below: see the module docs of `tagged`.

impl SlotWord for AtomicU64 {
    fn encode(tag_now: u16, sample: Sample) -> u64 {
        pack(tag_now, sample.bits())
    }

    fn decode(raw: u64) -> (u16, Sample) {
        (tag(raw), Sample::from_bits(value(raw)))
    }

    fn load_raw(&self) -> u64 {
        self.load(Ordering::Relaxed)
    }

    fn compare_exchange_raw(&self, current: u64, new: u64) -> Result<u64, u64> {
        self.compare_exchange_weak(current, new, Ordering::Relaxed, Ordering::Relaxed)
    }

    fn overwrite_raw(&self, new: u64) {
        overwrite(self, new, Ordering::Relaxed);
    }
}

/// A narrow slot keeps the sample's top 16 bits, its flags and slow mask;
/// the duration bits below them are always zero in a window that keeps no
/// durations.
const NARROW_SHIFT: u32 = 32;

impl SlotWord for AtomicU32 {
    fn encode(tag_now: u16, sample: Sample) -> u64 {
        debug_assert_eq!(sample.bits() & ((1 << NARROW_SHIFT) - 1), 0);
        (u64::from(tag_now) << 16) | (sample.bits() >> NARROW_SHIFT)
    }

    fn decode(raw: u64) -> (u16, Sample) {
        let sample = Sample::from_bits((raw & 0xFFFF) << NARROW_SHIFT);
        ((raw >> 16) as u16, sample)
    }

    fn load_raw(&self) -> u64 {
        u64::from(self.load(Ordering::Relaxed))
    }

    fn compare_exchange_raw(&self, current: u64, new: u64) -> Result<u64, u64> {
        self.compare_exchange_weak(
            current as u32,
            new as u32,
            Ordering::Relaxed,
            Ordering::Relaxed,
        )
        .map(u64::from)
        .map_err(u64::from)
    }

    fn overwrite_raw(&self, new: u64) {
        // A swap, not a store: see `tagged::overwrite`.
        self.swap(new as u32, Ordering::Relaxed);
    }
}

/// What replacing a slot's sample found.
enum Replaced {
    /// The slot belongs to another period; nothing changed.
    Stale,
    /// The slot already held an equal sample.
    Equal,
    /// The slot held this sample, now replaced.
    Sample(Sample),
}

/// Puts `sample` into `slot` if the slot belongs to period `tag`.
fn replace<W: SlotWord>(slot: &W, tag_now: u16, sample: Sample) -> Replaced {
    let new = W::encode(tag_now, sample);
    let mut current = slot.load_raw();
    loop {
        let (slot_tag, old) = W::decode(current);
        if slot_tag != tag_now {
            return Replaced::Stale;
        }
        if current == new {
            return Replaced::Equal;
        }
        match slot.compare_exchange_raw(current, new) {
            Ok(_) => return Replaced::Sample(old),
            Err(actual) => current = actual,
        }
    }
}

/// Empties every slot and gives it period `tag`.
fn empty_all<W: SlotWord>(slots: &[W], tag_now: u16) {
    let empty = W::encode(tag_now, Sample::EMPTY);
    for slot in slots {
        slot.overwrite_raw(empty);
    }
}

/// What recording a sample did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recording {
    /// The period is over; nothing was recorded.
    Stale,
    /// The window is exactly as it was, so its metric is too.
    Unchanged,
    /// The sample went into the window.
    Changed,
}

/// The bit at which a sample's microseconds split into the high and the low
/// duration counters. Each counter then stays below 2^45 even in a window
/// of a million samples of the longest kept duration (2^41 µs).
const DURATION_SPLIT: u32 = 24;

/// Returns a sample's kept microseconds above and below `DURATION_SPLIT`.
fn split_micros(sample: Sample) -> (i64, i64) {
    let micros = sample.duration_micros().unwrap_or(0) as i64;
    (
        micros >> DURATION_SPLIT,
        micros & ((1 << DURATION_SPLIT) - 1),
    )
}

fn add_if_nonzero(counter: &TaggedCounter, tag_now: u16, delta: i64) {
    if delta != 0 {
        counter.add(tag_now, delta);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(size: usize) -> CountState {
        CountState::new(
            CountWindow::new(size).unwrap(),
            SlowThresholds::default(),
            false,
        )
    }

    fn outcome(failed: bool) -> Sample {
        Sample::untimed(failed)
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
        let window = state(3);
        for failed in [true, true, false] {
            assert_eq!(window.record(0, outcome(failed)), Recording::Changed);
        }
        assert_eq!(
            window.metric(0, SlowThresholds::default()).failure_count(),
            2
        );

        window.record(0, outcome(false));
        assert_eq!(window.metric(0, SlowThresholds::default()).total_count(), 3);
        assert_eq!(
            window.metric(0, SlowThresholds::default()).failure_count(),
            1
        );

        window.record(0, outcome(false));
        window.record(0, outcome(true));
        assert_eq!(window.metric(0, SlowThresholds::default()).total_count(), 3);
        assert_eq!(
            window.metric(0, SlowThresholds::default()).failure_count(),
            1
        );
    }

    #[test]
    fn uniform_full_ring_records_nothing() {
        let window = state(3);
        for _ in 0..3 {
            assert_eq!(window.record(0, outcome(false)), Recording::Changed);
        }
        assert_eq!(window.record(0, outcome(false)), Recording::Unchanged);
        assert_eq!(window.record(0, outcome(true)), Recording::Changed);
        assert_eq!(window.record(0, outcome(false)), Recording::Changed);
        assert_eq!(
            window.metric(0, SlowThresholds::default()).failure_count(),
            1
        );
        assert_eq!(window.metric(0, SlowThresholds::default()).total_count(), 3);
    }

    #[test]
    fn many_laps_keep_position_bounded() {
        let window = state(4);
        for round in 0..1_000 {
            window.record(0, outcome(round % 4 == 0));
        }
        let metric = window.metric(0, SlowThresholds::default());
        assert_eq!(metric.total_count(), 4);
        assert_eq!(metric.failure_count(), 1);
        assert!(window.head.raw_value() < 8);
    }

    #[test]
    fn reset_empties_and_starts_new_period() {
        let window = state(2);
        window.record(0, outcome(true));
        window.record(0, outcome(true));
        window.reset(1);
        assert_eq!(window.metric(1, SlowThresholds::default()).total_count(), 0);
        assert_eq!(
            window.record(0, outcome(true)),
            Recording::Stale,
            "an old period records nothing"
        );

        assert_eq!(window.record(1, outcome(false)), Recording::Changed);
        assert_eq!(window.metric(1, SlowThresholds::default()).total_count(), 1);
        assert_eq!(
            window.metric(1, SlowThresholds::default()).failure_count(),
            0
        );
    }

    #[test]
    fn long_durations_sum_without_overflow() {
        // A thousand samples of the longest kept duration, 2^41 - 1 µs,
        // sum to about 2^51 µs, past what one 48-bit counter holds.
        let window = CountState::new(
            CountWindow::new(1_000).unwrap(),
            SlowThresholds::default(),
            true,
        );
        let longest = Duration::from_micros((1 << 41) - 1);
        let sample = Sample::new(false, Some(longest), 0);
        for _ in 0..1_000 {
            window.record(0, sample);
        }
        let metric = window.metric(0, SlowThresholds::default());
        assert_eq!(metric.timed_count(), 1_000);
        assert_eq!(metric.total_duration(), Some(longest * 1_000));
        assert_eq!(metric.avg_duration(), Some(longest));

        window.record(0, Sample::new(false, Some(Duration::from_micros(5)), 0));
        let expected = longest * 999 + Duration::from_micros(5);
        assert_eq!(
            window.metric(0, SlowThresholds::default()).total_duration(),
            Some(expected)
        );
    }

    #[test]
    fn matches_a_plain_queue_across_position_wrap() {
        // Positions wrap from twice the size back to the size; compare the
        // totals with a plain queue over several wraps.
        const SIZE: usize = 5;
        let window = CountState::new(
            CountWindow::new(SIZE).unwrap(),
            SlowThresholds::default(),
            true,
        );
        let mut queue = std::collections::VecDeque::new();
        for step in 0u64..40 {
            let failed = step % 3 == 0;
            let micros = step * 17_000_001;
            window.record(
                0,
                Sample::new(failed, Some(Duration::from_micros(micros)), 0),
            );
            queue.push_back((failed, micros));
            if queue.len() > SIZE {
                queue.pop_front();
            }

            let metric = window.metric(0, SlowThresholds::default());
            let failures = queue.iter().filter(|(failed, _)| *failed).count() as u64;
            let micros: u64 = queue.iter().map(|(_, micros)| micros).sum();
            assert_eq!(metric.total_count(), queue.len() as u64, "step {step}");
            assert_eq!(metric.failure_count(), failures, "step {step}");
            assert_eq!(
                metric.total_duration(),
                Some(Duration::from_micros(micros)),
                "step {step}"
            );
            assert!(window.head.raw_value() < 2 * SIZE as u64, "step {step}");
        }
    }

    #[test]
    fn timed_and_slow_totals_follow_evictions() {
        let mut thresholds = SlowThresholds::default();
        assert!(thresholds.insert(Duration::from_millis(100)));
        let window = CountState::new(CountWindow::new(2).unwrap(), thresholds, true);
        let timed = |millis| Sample::timed(false, Duration::from_millis(millis), &thresholds);
        window.record(0, timed(150));
        window.record(0, Sample::untimed(true));
        window.record(0, timed(50));

        let metric = window.metric(0, thresholds);
        assert_eq!(metric.total_count(), 2);
        assert_eq!(metric.timed_count(), 1);
        assert_eq!(metric.failure_count(), 1);
        assert_eq!(metric.total_duration(), Some(Duration::from_millis(50)));
        assert_eq!(metric.slow_count(Duration::from_millis(100)), Some(0));
    }
}
