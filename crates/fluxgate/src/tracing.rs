//! A listener that logs every transition through [`tracing`].
//! Enabled by the `tracing` feature.
//!
//! [`TracingListener`] emits one event per transition, with target
//! `fluxgate` and the fields `circuit_name`, `from`, `to`, `reopens` and
//! `reason`, all states in snake case. By default a transition to `open` or
//! `forced_open` logs at `WARN` and every other transition at `INFO`;
//! [`with_level`](TracingListener::with_level) changes the level for one
//! target state.
//!
//! # Wiring
//!
//! Add the listener to each breaker; any `tracing` subscriber the program
//! installs receives the events.
//!
//! ```
//! use fluxgate::CircuitBreaker;
//! use fluxgate::State;
//! use fluxgate::tracing::TracingListener;
//! use tracing::Level;
//!
//! let breaker = CircuitBreaker::builder()
//!     .name("payments")
//!     .listener(TracingListener::new().with_level(State::HalfOpen, Level::DEBUG))
//!     .build()?;
//! // Logs: WARN fluxgate: circuit breaker state changed circuit_name=payments
//! //       from=closed to=forced_open reopens=0 reason=force_open() was called
//! breaker.force_open();
//! # Ok::<(), fluxgate::ConfigError>(())
//! ```

use ::tracing::Level;

use crate::listeners::{Listener, Transition};
use crate::state::State;

/// A listener that logs each transition as a `tracing` event.
///
/// # Default
///
/// `WARN` for transitions to `open` and `forced_open`, `INFO` for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TracingListener {
    // One level per target state, indexed like `State::ALL`.
    levels: [Level; State::ALL.len()],
}

impl TracingListener {
    /// Creates a listener with the default levels.
    pub fn new() -> Self {
        let mut levels = [Level::INFO; State::ALL.len()];
        levels[State::Open.index()] = Level::WARN;
        levels[State::ForcedOpen.index()] = Level::WARN;
        TracingListener { levels }
    }

    /// Sets the level of the events for transitions to `to`.
    pub fn with_level(mut self, to: State, level: Level) -> Self {
        self.levels[to.index()] = level;
        self
    }

    /// Returns the level of the events for transitions to `to`.
    pub fn level(&self, to: State) -> Level {
        self.levels[to.index()]
    }
}

impl Default for TracingListener {
    fn default() -> Self {
        TracingListener::new()
    }
}

/// Emits the transition event at a level chosen at run time. The `event!`
/// macro needs its level as a constant, so each level has its own call.
macro_rules! transition_event {
    ($level:expr, $transition:expr) => {{
        let transition = $transition;
        match $level {
            Level::ERROR => transition_event!(@emit Level::ERROR, transition),
            Level::WARN => transition_event!(@emit Level::WARN, transition),
            Level::INFO => transition_event!(@emit Level::INFO, transition),
            Level::DEBUG => transition_event!(@emit Level::DEBUG, transition),
            Level::TRACE => transition_event!(@emit Level::TRACE, transition),
        }
    }};
    (@emit $level:expr, $transition:expr) => {
        ::tracing::event!(
            target: "fluxgate",
            $level,
            circuit_name = &*$transition.name,
            from = $transition.from.as_str(),
            to = $transition.to.as_str(),
            reopens = $transition.reopens,
            reason = %$transition.reason,
            "circuit breaker state changed"
        )
    };
}

impl Listener for TracingListener {
    fn on_transition(&self, transition: &Transition) {
        transition_event!(self.level(transition.to), transition);
    }
}
