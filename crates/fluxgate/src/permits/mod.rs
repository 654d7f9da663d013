//! Permits: which calls a half-open circuit lets through as probes.
//!
//! | permit | admits | policy |
//! |---|---|---|
//! | [`All`] | every call | `all()` |
//! | [`Random`] | each call with probability `p` | `random(0.5)` |
//! | [`RampUp`] | with a probability rising from `initial` to `final` over `d` | `ramp_up(0.1, 1.0, 60s)` |
//!
//! A call the permit admits must still find one of the breaker's
//! `max_half_open_calls` probe slots free; otherwise it is rejected too.
//! Random draws come from the breaker's seedable generator, so a test or a
//! replay with a fixed seed admits the same calls every time.
//!
//! The default is `ramp_up(0.1, 1.0, 60s)`.

mod all;
mod ramp_up;
mod random;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use all::All;
pub use ramp_up::RampUp;
pub use random::Random;

/// Decides how likely a half-open circuit is to admit a call.
///
/// The `Display` text shows in the breaker's description; write it as a
/// policy expression.
pub trait Permit: fmt::Display + Send + Sync {
    /// Returns the probability, from 0 to 1, of admitting a call made
    /// `elapsed` after the circuit went half-open.
    fn probability(&self, elapsed: Duration) -> f64;
}

impl<T: Permit + ?Sized> Permit for Box<T> {
    fn probability(&self, elapsed: Duration) -> f64 {
        (**self).probability(elapsed)
    }
}

impl<T: Permit + ?Sized> Permit for Arc<T> {
    fn probability(&self, elapsed: Duration) -> f64 {
        (**self).probability(elapsed)
    }
}
