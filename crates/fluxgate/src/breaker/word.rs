//! The packed state word: the state, the number of probes in flight and the
//! epoch, in one atomic `u64`.
//!
//! Bits 0..3 hold the state, bits 3..24 the probes in flight, bits 24..64
//! the epoch. Every transition increments the epoch and zeroes the probe
//! count, so comparing epochs tells whether two readings belong to the same
//! state period, even when the state name is the same (closed → open →
//! half-open → closed). Forty bits of epoch allow a trillion transitions.

use crate::state::State;

const STATE_MASK: u64 = 0b111;
const IN_FLIGHT_SHIFT: u32 = 3;
const IN_FLIGHT_BITS: u32 = 21;
const EPOCH_SHIFT: u32 = IN_FLIGHT_SHIFT + IN_FLIGHT_BITS;

/// The largest probe limit the word can count.
pub(crate) const MAX_IN_FLIGHT: u32 = (1 << IN_FLIGHT_BITS) - 1;

/// Adding this to a word adds one probe in flight.
pub(crate) const ONE_PROBE: u64 = 1 << IN_FLIGHT_SHIFT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Word(pub(crate) u64);

impl Word {
    pub(crate) fn new(epoch: u64, state: State) -> Word {
        Word((epoch << EPOCH_SHIFT) | state.to_bits())
    }

    #[inline]
    pub(crate) fn state(self) -> State {
        State::from_bits(self.0 & STATE_MASK)
    }

    #[inline]
    pub(crate) fn epoch(self) -> u64 {
        self.0 >> EPOCH_SHIFT
    }

    /// Returns the word with its probe count replaced by 1 when `probe` is
    /// set and 0 otherwise, as a ticket carries it.
    #[inline]
    pub(crate) fn with_probe_flag(self, probe: bool) -> Word {
        let cleared = self.0 & !(u64::from(MAX_IN_FLIGHT) << IN_FLIGHT_SHIFT);
        Word(cleared | if probe { ONE_PROBE } else { 0 })
    }

    /// Returns `true` in the states that admit every call without a
    /// decision: `Closed`, `MetricsOnly` and `Disabled`.
    #[inline]
    pub(crate) fn admits_freely(self) -> bool {
        const FREE: u64 = (1 << State::Closed.to_bits())
            | (1 << State::MetricsOnly.to_bits())
            | (1 << State::Disabled.to_bits());
        FREE & (1 << (self.0 & STATE_MASK)) != 0
    }

    #[inline]
    pub(crate) fn in_flight(self) -> u32 {
        ((self.0 >> IN_FLIGHT_SHIFT) & u64::from(MAX_IN_FLIGHT)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip() {
        let word = Word::new(123_456_789, State::HalfOpen);
        assert_eq!(word.state(), State::HalfOpen);
        assert_eq!(word.epoch(), 123_456_789);
        assert_eq!(word.in_flight(), 0);

        let with_probes = Word(word.0 + 3 * ONE_PROBE);
        assert_eq!(with_probes.in_flight(), 3);
        assert_eq!(with_probes.epoch(), 123_456_789);
        assert_eq!(with_probes.state(), State::HalfOpen);
    }

    #[test]
    fn largest_epoch_fits() {
        let epoch = (1u64 << 40) - 1;
        assert_eq!(Word::new(epoch, State::ForcedOpen).epoch(), epoch);
    }
}
