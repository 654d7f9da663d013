//! Fluxgate: a circuit breaker that judges health over a sliding window and
//! takes its rules as small composable values.
//!
//! A [`CircuitBreaker`] wraps calls to a dependency and stops calling it
//! while it is unhealthy. One breaker is `Send + Sync`, shared by every
//! thread and task of a process. With a count window its call path takes
//! no lock, and healthy steady traffic completes with atomic loads alone.
//!
//! ```
//! use std::time::Duration;
//! use fluxgate::CircuitBreaker;
//! use fluxgate::retries::Cooldown;
//! use fluxgate::trippers::{FailureRate, FailureStreak, MinRequests};
//!
//! let breaker = CircuitBreaker::builder()
//!     .tripper(FailureStreak::new(5)? | (MinRequests::new(20)? & FailureRate::new(0.5)?))
//!     .retry(Cooldown::new(Duration::from_secs(30))?)
//!     .build()?;
//!
//! let answer = breaker.call(|| "42".parse::<u32>());
//! assert_eq!(answer.ok(), Some(42));
//! # Ok::<(), fluxgate::ConfigError>(())
//! ```
//!
//! # Guide
//!
//! The [`guide`] is for a team adopting Fluxgate:
//!
//! * [`concepts`](guide::concepts): states, how a call flows, what each
//!   transition does;
//! * one page per component family, with how to choose and starting
//!   values: [`windows`](guide::windows), [`trackers`](guide::trackers),
//!   [`trippers`](guide::trippers), [`retries`](guide::retries),
//!   [`permits`](guide::permits), [`listeners`](guide::listeners);
//! * [`recipes`](guide::recipes): an HTTP client, a 503 with
//!   `Retry-After`, policies per service, fallbacks, shadow mode,
//!   per-host breakers, tests with a manual clock;
//! * [`operations`](guide::operations): manual commands, alerts, the
//!   Prometheus metrics, tuning a policy with `fluxgate replay`;
//! * [`comparison`](guide::comparison) with other circuit breakers, and
//!   [`migrating`](guide::migrating) from the Python `fluxgate`.
//!
//! # The parts
//!
//! * [`windows`]: which recent outcomes count, the last `n` calls or the
//!   last `n` seconds.
//! * [`trackers`]: which errors are failures.
//! * [`trippers`]: when the circuit opens, and when a half-open one closes.
//! * [`retries`]: how long an open circuit waits before probing.
//! * [`permits`]: which calls a half-open circuit lets through.
//! * [`listeners`]: code that hears every transition.
//! * `policy` (feature `policy`, on by default): the same rules read from
//!   text or from a TOML file, so that operators can change them without a
//!   rebuild.
//!
//! # Integrations
//!
//! Each is a cargo feature that adds only its own dependencies; without
//! any, the crate depends on `std` alone.
//!
//! | feature | module | what it adds |
//! |---|---|---|
//! | `tower` | `fluxgate::tower` | a `Layer` that guards any tower service |
//! | `tracing` | `fluxgate::tracing` | a listener that logs each transition |
//! | `prometheus` | `fluxgate::prometheus` | a listener that exports states, transitions and call counts |
//! | `slack` | `fluxgate::slack` | a listener that posts transitions to Slack from a background thread |
//! | `registry` | `fluxgate::registry` | named breakers built on first use, from code or a policy file, and evicted when idle |
//! | `serde` | none | `Serialize` for [`Info`], [`Metric`], [`Transition`], [`Reason`], and `Serialize` and `Deserialize` for [`State`] and [`Command`] |
//!
//! With `serde`, states and commands are snake-case strings. Durations are
//! seconds as floating-point numbers, and wall-clock times are seconds since
//! the Unix epoch. A value with no basis (the failure rate of an empty
//! window) is `null`, and a [`Reason`] is an object whose `kind` names the
//! variant.
//!
//! # States
//!
//! ```text
//!              tripper true                retry wait over, at a call
//!   Closed ─────────────────▶ Open ───────────────────────────────▶ HalfOpen
//!     ▲                        ▲                                      │  │
//!     │                        └──── failure, tripper true ───────────┘  │
//!     │                              (or half_open_timeout)              │
//!     └──────────────────────── success, tripper false ──────────────────┘
//!
//!   MetricsOnly, Disabled, ForcedOpen: entered and left only by the manual
//!   commands metrics_only(), disable(), force_open() and reset().
//! ```
//!
//! # Choices this crate makes
//!
//! Where the behaviour could reasonably go more than one way, it goes this
//! way:
//!
//! * **Epochs.** Every transition starts a new state period. An outcome is
//!   recorded only in the period in which its call was admitted; a call
//!   that straddles a transition is not recorded at all.
//! * **Panics.** A protected call that panics is recorded as a failure, its
//!   probe slot is freed, and the panic continues to the caller.
//! * **Dropped calls.** A guard or a `call_async` future dropped before it
//!   reports records nothing and frees its probe slot.
//! * **Half-open overflow.** A call that the permit admits but that finds
//!   every probe slot taken is rejected, not queued.
//! * **Jitter** is drawn once per open period, when the circuit opens.
//! * **Long calls.** A window keeps each outcome's duration up to 2^41 − 1
//!   microseconds, about 25 days. A longer call counts as 25 days in the
//!   total and mean durations, but its full length decides whether it was
//!   slow.
//! * **Clocks.** A time window never moves backwards: outcomes and reads
//!   stamped before the newest second seen count in that second. Waits
//!   measured against a clock that went back are treated as not yet begun.

mod breaker;
mod clock;
mod duration;
mod error;
mod metric;
mod rng;
#[cfg(feature = "serde")]
mod serialize;
mod state;
mod sync;

pub mod guide;
pub mod listeners;
pub mod ops;
pub mod permits;
#[cfg(feature = "policy")]
pub mod policy;
pub mod retries;
pub mod trackers;
pub mod trippers;
pub mod windows;

#[cfg(feature = "prometheus")]
pub mod prometheus;
#[cfg(feature = "registry")]
pub mod registry;
#[cfg(feature = "slack")]
pub mod slack;
#[cfg(feature = "tower")]
pub mod tower;
#[cfg(feature = "tracing")]
pub mod tracing;

pub use breaker::{BreakerRef, Builder, CircuitBreaker, Guard, Info, Outcome};
pub use clock::{Clock, ManualClock, MonotonicClock};
pub use duration::DisplayDuration;
pub use error::{ConfigError, Error, Rejected};
pub use listeners::{CallEvent, CallResult, Listener, Reason, Transition};
pub use metric::{MAX_SLOW_THRESHOLDS, Metric};
pub use state::{Command, State, UnknownName};
