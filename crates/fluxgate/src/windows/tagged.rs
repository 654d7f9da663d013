//! Atomic words tagged with the state period they belong to.
//!
//! A lock-free window keeps its counters in words whose top 16 bits carry
//! the low bits of the period's epoch and whose low 48 bits carry the value.
//! A transition stores every word afresh with the new tag; a call that was
//! admitted in an earlier period changes a word only with a compare-and-swap
//! that checks the tag, so its update either lands before the reset (and is
//! wiped by it) or finds the new tag and is dropped. Nothing of an old period
//! survives into a new one.
//!
//! The breaker checks a call's full 40-bit epoch against the state word
//! before it touches a window, so the 16-bit tag only has to tell periods
//! apart for the nanoseconds between that check and the window update.
//!
//! Every access here uses `Relaxed` ordering: each word is a counter of its
//! own, nothing else is published through it, and the resets before a
//! transition are ordered by the `Release` swap of the state word that the
//! next period's calls `Acquire`. A recording call reads the totals after a
//! `SeqCst` fence (see `WindowState::record`).

use crate::metric::SAMPLE_BITS;
use crate::sync::{AtomicU64, Ordering};

const VALUE_MASK: u64 = (1 << SAMPLE_BITS) - 1;

/// Returns the tag of period `epoch`.
#[inline]
pub(crate) fn tag_of_epoch(epoch: u64) -> u16 {
    epoch as u16
}

pub(crate) fn pack(tag: u16, value: u64) -> u64 {
    (u64::from(tag) << SAMPLE_BITS) | (value & VALUE_MASK)
}

#[inline]
pub(crate) fn tag(word: u64) -> u16 {
    (word >> SAMPLE_BITS) as u16
}

#[inline]
pub(crate) fn value(word: u64) -> u64 {
    word & VALUE_MASK
}

/// Reads a 48-bit value as signed, for counters that may dip below zero
/// for a moment while concurrent updates land.
pub(crate) fn signed_value(word: u64) -> i64 {
    ((word << (64 - SAMPLE_BITS)) as i64) >> (64 - SAMPLE_BITS)
}

/// Replaces the value of `word`, ordered after every update it overwrites.
///
/// On real hardware a plain store would do: all stores to one word fall in
/// one order. The model checker `loom` orders a plain store only after what
/// its own thread has seen, and then lets a later read-modify-write read an
/// update of another thread that the store overwrote, which no hardware
/// does. A swap reads the value it replaces, so every model agrees on its
/// place. It costs a locked exchange per word, and words are overwritten
/// only by transitions.
#[inline]
pub(crate) fn overwrite(word: &AtomicU64, value: u64, ordering: Ordering) {
    word.swap(value, ordering);
}

/// A counter of one period, tagged as above.
#[derive(Debug, Default)]
pub(crate) struct TaggedCounter(AtomicU64);

impl TaggedCounter {
    /// Adds `delta` if the counter belongs to period `tag`; returns the new
    /// value, or `None` when the period is over.
    pub(crate) fn add(&self, tag_now: u16, delta: i64) -> Option<u64> {
        let step = delta as u64;
        let old = self.update(tag_now, |current| current.wrapping_add(step))?;
        Some(value(old.wrapping_add(step)))
    }

    /// Adds one if the counter belongs to period `tag`, stopping at its
    /// maximum, 2^48 − 1. Returns the new value, or `None` when the period
    /// is over.
    pub(crate) fn increment_saturating(&self, tag_now: u16) -> Option<u64> {
        let old = self.update(tag_now, |current| (current + 1).min(VALUE_MASK))?;
        Some((old + 1).min(VALUE_MASK))
    }

    /// Replaces the value with `next(value)` if the counter belongs to
    /// period `tag`; returns the old value, or `None` when the period is
    /// over.
    pub(crate) fn update(&self, tag_now: u16, mut next: impl FnMut(u64) -> u64) -> Option<u64> {
        let mut current = self.0.load(Ordering::Relaxed);
        loop {
            if tag(current) != tag_now {
                return None;
            }
            let replacement = pack(tag_now, next(value(current)));
            match self.0.compare_exchange_weak(
                current,
                replacement,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(value(current)),
                Err(actual) => current = actual,
            }
        }
    }

    /// Sets the counter to zero if it belongs to period `tag` and is not
    /// zero already; returns `false` when the period is over.
    pub(crate) fn clear(&self, tag_now: u16) -> bool {
        let mut current = self.0.load(Ordering::Relaxed);
        loop {
            if tag(current) != tag_now {
                return false;
            }
            if value(current) == 0 {
                return true;
            }
            match self.0.compare_exchange_weak(
                current,
                pack(tag_now, 0),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }

    /// Returns the value if the counter belongs to period `tag`, else zero.
    #[inline]
    pub(crate) fn get(&self, tag_now: u16) -> u64 {
        let word = self.0.load(Ordering::Relaxed);
        if tag(word) == tag_now { value(word) } else { 0 }
    }

    /// Returns the value as signed, clamped at zero, if the counter belongs
    /// to period `tag`, else zero.
    pub(crate) fn get_clamped(&self, tag_now: u16) -> u64 {
        let word = self.0.load(Ordering::Relaxed);
        if tag(word) == tag_now {
            signed_value(word).max(0) as u64
        } else {
            0
        }
    }

    /// Starts period `tag` with `value`.
    pub(crate) fn reset(&self, tag_now: u16, start: u64) {
        overwrite(&self.0, pack(tag_now, start), Ordering::Relaxed);
    }

    /// Returns the value, whatever its period.
    pub(crate) fn raw_value(&self) -> u64 {
        value(self.0.load(Ordering::Relaxed))
    }
}

/// Aligns a value to its own cache line, so that threads writing it do not
/// slow down threads reading its neighbours.
///
/// 64 bytes is the line size of x86-64 and most ARM cores. Some x86-64
/// cores also prefetch the adjacent line, which 128 bytes would cover too,
/// but the extra 64 bytes would be a fifteenth of a small breaker's memory.
#[derive(Debug, Default)]
#[repr(align(64))]
pub(crate) struct CachePadded<T>(pub(crate) T);

impl<T> std::ops::Deref for CachePadded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_respects_tag() {
        let counter = TaggedCounter::default();
        counter.reset(7, 0);
        assert_eq!(counter.add(7, 3), Some(3));
        assert_eq!(counter.add(7, -1), Some(2));
        assert_eq!(counter.add(8, 1), None);
        assert_eq!(counter.get(7), 2);
        assert_eq!(counter.get(8), 0);
    }

    #[test]
    fn increment_stops_at_max() {
        let counter = TaggedCounter::default();
        counter.reset(4, VALUE_MASK - 1);
        assert_eq!(counter.increment_saturating(4), Some(VALUE_MASK));
        assert_eq!(counter.increment_saturating(4), Some(VALUE_MASK));
        assert_eq!(counter.get(4), VALUE_MASK);
        assert_eq!(counter.increment_saturating(5), None);
    }

    #[test]
    fn negative_values_clamp_to_zero() {
        let counter = TaggedCounter::default();
        counter.reset(1, 0);
        counter.add(1, -2);
        assert_eq!(counter.get_clamped(1), 0);
        counter.add(1, 5);
        assert_eq!(counter.get_clamped(1), 3);
    }

    #[test]
    fn clear_only_in_own_period() {
        let counter = TaggedCounter::default();
        counter.reset(2, 9);
        assert!(!counter.clear(3));
        assert_eq!(counter.get(2), 9);
        assert!(counter.clear(2));
        assert_eq!(counter.get(2), 0);
    }

    #[test]
    fn tag_wraps_epoch() {
        assert_eq!(tag_of_epoch(65_537), 1);
        assert_eq!(tag(pack(0xABCD, 42)), 0xABCD);
        assert_eq!(value(pack(0xABCD, 42)), 42);
    }
}
