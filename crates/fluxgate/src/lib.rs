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
//! The [`guide`] explains the concepts and how to choose each component.
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
//! * **Clocks.** A time window never moves backwards: outcomes and reads
//!   stamped before the newest second seen count in that second. Waits
//!   measured against a clock that went back are treated as not yet begun.

mod breaker;
mod clock;
mod duration;
mod error;
mod metric;
mod rng;
mod state;

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

pub use breaker::{BreakerRef, Builder, CircuitBreaker, Guard, Info, Outcome};
pub use clock::{Clock, ManualClock, MonotonicClock};
pub use duration::DisplayDuration;
pub use error::{ConfigError, Error, Rejected};
pub use listeners::{CallEvent, CallResult, Listener, Reason, Transition};
pub use metric::{MAX_SLOW_THRESHOLDS, Metric};
pub use state::{Command, State, UnknownName};
