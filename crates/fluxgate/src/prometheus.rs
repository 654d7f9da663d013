//! A listener that exports breaker states and call counts to a
//! [`prometheus_client`] registry. Enabled by the `prometheus` feature.
//!
//! One [`PrometheusListener`] registers three metric families into the
//! registry it is given, and serves any number of breakers. Each breaker's
//! name is its `circuit_name` label.
//!
//! | family | type | labels | value |
//! |---|---|---|---|
//! | `circuit_breaker_state` | gauge | `circuit_name`, `state` | 1 for the current state, 0 for the five others |
//! | `circuit_breaker_state_transition` | counter | `circuit_name`, `old_state`, `new_state` | transitions so far |
//! | `circuit_breaker_calls` | counter | `circuit_name`, `kind` | calls so far, by kind: `successful`, `failed`, `ignored`, `rejected` |
//!
//! States are written in snake case (`half_open`). The text encoding adds
//! the OpenMetrics `_total` suffix to counters, so a scrape shows
//! `circuit_breaker_state_transition_total` and `circuit_breaker_calls_total`.
//! An `ignored` call returned an error that the tracker does not count.
//!
//! A breaker's series appear when it is built, with its state gauge already
//! set and its call counters at 0, and disappear when it is dropped (for
//! example when a registry evicts it). Transition series appear with the
//! first transition between their two states.
//!
//! # Wiring
//!
//! ```
//! use fluxgate::CircuitBreaker;
//! use fluxgate::prometheus::PrometheusListener;
//! use prometheus_client::encoding::text::encode;
//! use prometheus_client::registry::Registry;
//!
//! let mut registry = Registry::default();
//! let metrics = PrometheusListener::new(&mut registry);
//! let breaker = CircuitBreaker::builder()
//!     .name("payments")
//!     .listener(metrics.clone())
//!     .build()?;
//! breaker.force_open();
//!
//! let mut text = String::new();
//! encode(&mut text, &registry)?;
//! assert!(text.contains(
//!     "circuit_breaker_state{circuit_name=\"payments\",state=\"forced_open\"} 1\n"
//! ));
//! assert!(text.contains(
//!     "circuit_breaker_state_transition_total{circuit_name=\"payments\",\
//!      old_state=\"closed\",new_state=\"forced_open\"} 1\n"
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::breaker::Info;
use crate::listeners::{CallEvent, CallResult, Listener, Transition};
use crate::state::State;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    circuit_name: Arc<str>,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransitionLabels {
    circuit_name: Arc<str>,
    old_state: &'static str,
    new_state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    circuit_name: Arc<str>,
    kind: &'static str,
}

/// Every call result, in the order of [`Breaker::calls`].
const CALL_RESULTS: [CallResult; 4] = [
    CallResult::Success,
    CallResult::Failure,
    CallResult::Ignored,
    CallResult::Rejected,
];

fn call_index(result: CallResult) -> usize {
    match result {
        CallResult::Success => 0,
        CallResult::Failure => 1,
        CallResult::Ignored => 2,
        CallResult::Rejected => 3,
    }
}

fn call_kind(result: CallResult) -> &'static str {
    match result {
        CallResult::Success => "successful",
        CallResult::Failure => "failed",
        CallResult::Ignored => "ignored",
        CallResult::Rejected => "rejected",
    }
}

/// The series of one breaker name, kept so that a call finds its counter
/// without building a label set.
#[derive(Debug)]
struct Breaker {
    // Breakers alive under this name: an evicted breaker still in use and
    // its replacement share their series.
    alive: usize,
    calls: [Counter; 4],
}

/// A listener that keeps breaker states, transitions and call counts as
/// Prometheus metrics.
///
/// Clones share the same metric families, so one listener, cloned into
/// every breaker's builder, exports them all.
#[derive(Clone)]
pub struct PrometheusListener {
    inner: Arc<Inner>,
}

struct Inner {
    states: Family<StateLabels, Gauge>,
    transitions: Family<TransitionLabels, Counter>,
    calls: Family<CallLabels, Counter>,
    breakers: RwLock<HashMap<Arc<str>, Breaker>>,
}

impl PrometheusListener {
    /// Creates a listener and registers its three metric families into
    /// `registry`.
    ///
    /// To prefix the names, pass a sub-registry:
    /// `registry.sub_registry_with_prefix("myapp")` yields
    /// `myapp_circuit_breaker_state`.
    pub fn new(registry: &mut Registry) -> Self {
        let inner = Inner {
            states: Family::default(),
            transitions: Family::default(),
            calls: Family::default(),
            breakers: RwLock::new(HashMap::new()),
        };
        registry.register(
            "circuit_breaker_state",
            "State of the circuit breaker: 1 for the current state, 0 for the others",
            inner.states.clone(),
        );
        registry.register(
            "circuit_breaker_state_transition",
            "Transitions of the circuit breaker from old_state to new_state",
            inner.transitions.clone(),
        );
        registry.register(
            "circuit_breaker_calls",
            "Calls through the circuit breaker by kind: successful, failed, \
             ignored (an error the tracker does not count) or rejected",
            inner.calls.clone(),
        );
        PrometheusListener {
            inner: Arc::new(inner),
        }
    }

    /// Returns the names of the breakers whose series are exported, sorted.
    pub fn circuit_names(&self) -> Vec<String> {
        let breakers = self.inner.read();
        let mut names: Vec<String> = breakers.keys().map(|name| name.to_string()).collect();
        names.sort();
        names
    }
}

impl Inner {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Arc<str>, Breaker>> {
        // The map holds plain counters and counts, consistent even if a
        // holder of the lock panicked.
        self.breakers.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Arc<str>, Breaker>> {
        // As in `read`.
        self.breakers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the state gauge of `name` to 1 for `current` and 0 for the rest.
    fn set_state(&self, name: &Arc<str>, current: State) {
        for state in State::ALL {
            let labels = StateLabels {
                circuit_name: Arc::clone(name),
                state: state.as_str(),
            };
            self.states
                .get_or_create(&labels)
                .set(i64::from(state == current));
        }
    }

    /// Returns the call counters of `name`, created at 0.
    fn create_breaker(&self, name: &Arc<str>) -> Breaker {
        let calls = CALL_RESULTS.map(|result| {
            self.calls.get_or_create_owned(&CallLabels {
                circuit_name: Arc::clone(name),
                kind: call_kind(result),
            })
        });
        Breaker { alive: 0, calls }
    }

    fn remove_series(&self, name: &Arc<str>) {
        for state in State::ALL {
            self.states.remove(&StateLabels {
                circuit_name: Arc::clone(name),
                state: state.as_str(),
            });
            for new_state in State::ALL {
                self.transitions.remove(&TransitionLabels {
                    circuit_name: Arc::clone(name),
                    old_state: state.as_str(),
                    new_state: new_state.as_str(),
                });
            }
        }
        for result in CALL_RESULTS {
            self.calls.remove(&CallLabels {
                circuit_name: Arc::clone(name),
                kind: call_kind(result),
            });
        }
    }
}

impl Listener for PrometheusListener {
    fn on_transition(&self, transition: &Transition) {
        let inner = &self.inner;
        inner.set_state(&transition.name, transition.to);
        inner
            .transitions
            .get_or_create(&TransitionLabels {
                circuit_name: Arc::clone(&transition.name),
                old_state: transition.from.as_str(),
                new_state: transition.to.as_str(),
            })
            .inc();
    }

    fn observes_calls(&self) -> bool {
        true
    }

    fn on_call(&self, call: &CallEvent<'_>) {
        let index = call_index(call.result);
        if let Some(breaker) = self.inner.read().get(call.name) {
            breaker.calls[index].inc();
            return;
        }
        // Reached only for a name that `on_created` never saw, as when user
        // code forwards events to this listener by hand.
        let name: Arc<str> = Arc::from(call.name);
        let mut breakers = self.inner.write();
        let breaker = breakers
            .entry(Arc::clone(&name))
            .or_insert_with(|| self.inner.create_breaker(&name));
        breaker.calls[index].inc();
    }

    fn on_created(&self, info: &Info) {
        let mut breakers = self.inner.write();
        let breaker = breakers
            .entry(Arc::clone(&info.name))
            .or_insert_with(|| self.inner.create_breaker(&info.name));
        breaker.alive += 1;
        self.inner.set_state(&info.name, info.state);
    }

    fn on_removed(&self, name: &str) {
        let mut breakers = self.inner.write();
        let Some(breaker) = breakers.get_mut(name) else {
            return;
        };
        breaker.alive = breaker.alive.saturating_sub(1);
        if breaker.alive > 0 {
            return;
        }
        if let Some((name, _)) = breakers.remove_entry(name) {
            self.inner.remove_series(&name);
        }
    }
}

impl fmt::Debug for PrometheusListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrometheusListener")
            .field("circuit_names", &self.circuit_names())
            .finish()
    }
}
