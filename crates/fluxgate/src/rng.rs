//! The breaker's random numbers: SplitMix64 over one atomic word.
//!
//! SplitMix64 advances its state by a fixed odd constant and mixes the
//! result, so advancing is a single `fetch_add` and threads never retry.
//! Seeded, a single-threaded sequence of draws is the same on every run.

use std::hash::{BuildHasher, RandomState};

use crate::sync::{AtomicU64, Ordering};

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

#[derive(Debug)]
pub(crate) struct Rng {
    state: AtomicU64,
}

impl Rng {
    pub(crate) fn seeded(seed: u64) -> Rng {
        Rng {
            state: AtomicU64::new(seed),
        }
    }

    /// Seeds from the standard library's per-process random keys.
    pub(crate) fn from_entropy() -> Rng {
        Rng::seeded(RandomState::new().hash_one(0xF1u8))
    }

    pub(crate) fn next_u64(&self) -> u64 {
        // Relaxed: each draw needs only a distinct state value, which the
        // atomic add guarantees; no other memory is published with it.
        let mut z = self
            .state
            .fetch_add(GAMMA, Ordering::Relaxed)
            .wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a draw uniform in `[0, 1)` with 53 bits of precision.
    pub(crate) fn next_f64(&self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let a = Rng::seeded(42);
        let b = Rng::seeded(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn draws_are_in_unit_interval_and_spread() {
        let rng = Rng::seeded(7);
        let draws: Vec<f64> = (0..10_000).map(|_| rng.next_f64()).collect();
        assert!(draws.iter().all(|&draw| (0.0..1.0).contains(&draw)));
        let below_half = draws.iter().filter(|&&draw| draw < 0.5).count();
        assert!((4_800..5_200).contains(&below_half), "{below_half}");
    }
}
