//! Listeners: code that hears every transition.
//!
//! A listener receives one [`Transition`] per state change, automatic or
//! manual, after the breaker's own bookkeeping is done and outside every
//! internal lock. So a listener may read [`info`](crate::CircuitBreaker::info)
//! or even issue a manual command without deadlock.
//!
//! Each listener sees every transition exactly once and in the order the
//! transitions happened, even when they happen on different threads: the
//! thread that finds no delivery under way delivers, in order, everything
//! queued until the queue is empty, while other threads only queue. A
//! listener that panics is isolated: the panic is caught, the other
//! listeners still run, and the breaker goes on. A slow listener delays
//! only the thread delivering; listeners that do network I/O should hand
//! the event to a queue of their own.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::metric::Metric;
use crate::state::{Command, State};

/// Receives every transition of a breaker.
///
/// Closures `Fn(&Transition)` are listeners too.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use fluxgate::{CircuitBreaker, State, Transition};
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = Arc::clone(&seen);
/// let breaker = CircuitBreaker::builder()
///     .listener(move |transition: &Transition| {
///         sink.lock().unwrap().push((transition.from, transition.to));
///     })
///     .build()?;
///
/// breaker.force_open();
/// breaker.reset();
/// assert_eq!(
///     *seen.lock().unwrap(),
///     [(State::Closed, State::ForcedOpen), (State::ForcedOpen, State::Closed)]
/// );
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
pub trait Listener: Send + Sync {
    /// Handles one transition.
    fn on_transition(&self, transition: &Transition);
}

impl<F> Listener for F
where
    F: Fn(&Transition) + Send + Sync,
{
    fn on_transition(&self, transition: &Transition) {
        self(transition)
    }
}

impl<T: Listener + ?Sized> Listener for Arc<T> {
    fn on_transition(&self, transition: &Transition) {
        (**self).on_transition(transition)
    }
}

/// One change of state, as listeners receive it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Transition {
    /// The name of the breaker.
    pub name: Arc<str>,
    /// The state before.
    pub from: State,
    /// The state after.
    pub to: State,
    /// When it happened, on the breaker's monotonic clock.
    pub at: Duration,
    /// When it happened, in wall-clock time.
    pub at_wall: SystemTime,
    /// How many times the circuit has reopened from `HalfOpen` since it
    /// last closed, counting this transition.
    pub reopens: u32,
    /// Why it happened.
    pub reason: Reason,
}

/// Why a transition happened.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Reason {
    /// A manual command.
    Command(Command),
    /// The tripper became true: `Closed → Open`, or `HalfOpen → Open` after
    /// a failed probe.
    Tripped {
        /// The window the tripper judged.
        metric: Metric,
        /// The consecutive failures the tripper judged.
        consecutive_failures: u64,
        /// The part of the tripper that was true, as a policy expression.
        cause: String,
    },
    /// A probe succeeded and the tripper was false: `HalfOpen → Closed`.
    Recovered {
        /// The window the tripper judged.
        metric: Metric,
        /// The consecutive failures the tripper judged.
        consecutive_failures: u64,
    },
    /// The retry strategy's wait was over at a call: `Open → HalfOpen`.
    RetryDue,
    /// The half-open period reached its timeout without closing or
    /// reopening: `HalfOpen → Open`.
    HalfOpenTimeout,
}
