use std::fmt;

use super::{Context, Tripper};
use crate::state::State;

/// True while the breaker evaluates a `Closed` circuit.
///
/// Combine it with other trippers to apply a rule only when closed.
///
/// # Examples
///
/// ```
/// use fluxgate::trippers::{Closed, FailureRate};
///
/// let tripper = Closed & FailureRate::new(0.5)?;
/// assert_eq!(tripper.to_string(), "closed() & failure_rate(0.5)");
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Closed;

/// True while the breaker evaluates a `HalfOpen` circuit.
///
/// Combine it with other trippers to apply a rule only to probes.
///
/// # Examples
///
/// ```
/// use fluxgate::trippers::{FailureRate, HalfOpened};
///
/// let tripper = HalfOpened & FailureRate::new(0.2)?;
/// assert_eq!(tripper.to_string(), "half_open() & failure_rate(0.2)");
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HalfOpened;

impl Tripper for Closed {
    fn trips(&self, context: &Context<'_>) -> bool {
        context.state() == State::Closed
    }
}

impl Tripper for HalfOpened {
    fn trips(&self, context: &Context<'_>) -> bool {
        context.state() == State::HalfOpen
    }
}

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("closed()")
    }
}

impl fmt::Display for HalfOpened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("half_open()")
    }
}

crate::impl_operators!(Closed, HalfOpened);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Metric;

    #[test]
    fn each_matches_only_its_state() {
        let metric = Metric::default();
        for state in [State::Closed, State::HalfOpen] {
            let context = Context::new(&metric, state, 0);
            assert_eq!(Closed.trips(&context), state == State::Closed);
            assert_eq!(HalfOpened.trips(&context), state == State::HalfOpen);
        }
    }
}
