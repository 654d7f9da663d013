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
//!
//! # Lifecycle
//!
//! A listener that keeps state per breaker (a metric series, a chat thread)
//! learns when a breaker appears and when it goes away:
//! [`on_created`](Listener::on_created) runs once when
//! [`build`](crate::Builder::build) succeeds, with the new breaker's
//! [`Info`], and [`on_removed`](Listener::on_removed) runs once when the
//! breaker is dropped. A registry removes a breaker by dropping its own
//! handle, so an evicted breaker that a caller still holds is removed when
//! that caller lets go of it. Two breakers may share a name (an evicted one
//! still held and its replacement), so a listener that keys its state by
//! name should count how many are alive.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::breaker::Info;
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

    /// Returns `true` when the listener also wants [`on_call`](Self::on_call)
    /// for every call. The breaker calls this once, when it is built.
    fn observes_calls(&self) -> bool {
        false
    }

    /// Handles one call's result: its outcome, or its rejection.
    ///
    /// It runs on the caller's thread, on the call path, so it must be as
    /// cheap as an atomic counter. A panic in it is caught and dropped. The
    /// breaker calls it only when [`observes_calls`](Self::observes_calls)
    /// returns `true`.
    fn on_call(&self, call: &CallEvent<'_>) {
        let _ = call;
    }

    /// Handles the creation of a breaker that uses this listener, with the
    /// breaker's state and name as built. The default does nothing.
    fn on_created(&self, info: &Info) {
        let _ = info;
    }

    /// Handles the removal of the breaker named `name`: it was dropped and
    /// sends no more events. The default does nothing.
    fn on_removed(&self, name: &str) {
        let _ = name;
    }
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

    fn observes_calls(&self) -> bool {
        (**self).observes_calls()
    }

    fn on_call(&self, call: &CallEvent<'_>) {
        (**self).on_call(call)
    }

    fn on_created(&self, info: &Info) {
        (**self).on_created(info)
    }

    fn on_removed(&self, name: &str) {
        (**self).on_removed(name)
    }
}

/// One call's result, as call observers receive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallEvent<'a> {
    /// The name of the breaker.
    pub name: &'a str,
    /// The state in which the call was admitted or rejected.
    pub state: State,
    /// The call's result.
    pub result: CallResult,
    /// How long the call took, when measured.
    pub duration: Option<Duration>,
}

/// The result of a call, as call observers receive it.
///
/// A call whose guard was dropped before it reported produces no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallResult {
    /// It ran and succeeded.
    Success,
    /// It ran and failed.
    Failure,
    /// It ran and returned an error the tracker does not count.
    Ignored,
    /// The breaker rejected it; it did not run.
    Rejected,
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
    /// The cause of the transition.
    pub reason: Reason,
}

/// The cause of a transition.
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

impl fmt::Display for Reason {
    /// Writes the reason as a short phrase for logs and messages.
    ///
    /// ```
    /// use fluxgate::{Command, Metric, Reason};
    ///
    /// let tripped = Reason::Tripped {
    ///     metric: Metric::new(24, 5),
    ///     consecutive_failures: 5,
    ///     cause: "failure_streak(5)".to_owned(),
    /// };
    /// assert_eq!(
    ///     tripped.to_string(),
    ///     "failure_streak(5) was true: 5 of 24 failed (20.8%), 5 in a row"
    /// );
    /// assert_eq!(Reason::Command(Command::Reset).to_string(), "reset() was called");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Command(command) => write!(f, "{command}() was called"),
            Reason::Tripped {
                metric,
                consecutive_failures,
                cause,
            } => write!(
                f,
                "{cause} was true: {metric}, {consecutive_failures} in a row"
            ),
            Reason::Recovered { metric, .. } => {
                write!(f, "a probe succeeded and the tripper was false: {metric}")
            }
            Reason::RetryDue => f.write_str("the retry wait was over"),
            Reason::HalfOpenTimeout => f.write_str("the half-open period timed out"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::CircuitBreaker;

    /// Records the lifecycle calls it receives as text.
    #[derive(Default)]
    struct Lifecycle {
        calls: Mutex<Vec<String>>,
    }

    impl Listener for Lifecycle {
        fn on_transition(&self, transition: &Transition) {
            let line = format!("transition {} -> {}", transition.from, transition.to);
            self.calls.lock().unwrap().push(line);
        }

        fn on_created(&self, info: &Info) {
            let line = format!("created {} in {}", info.name, info.state);
            self.calls.lock().unwrap().push(line);
        }

        fn on_removed(&self, name: &str) {
            self.calls.lock().unwrap().push(format!("removed {name}"));
        }
    }

    #[test]
    fn lifecycle_hooks_bracket_transitions() {
        let lifecycle = Arc::new(Lifecycle::default());
        let breaker = CircuitBreaker::builder()
            .name("search")
            .shared_listener(lifecycle.clone())
            .build()
            .unwrap();
        breaker.force_open();
        drop(breaker);

        assert_eq!(
            *lifecycle.calls.lock().unwrap(),
            [
                "created search in closed",
                "transition closed -> forced_open",
                "removed search",
            ]
        );
    }
}
