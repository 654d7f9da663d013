//! Tower middleware: guards any [`tower_service::Service`] with a shared
//! circuit breaker. Enabled by the `tower` feature, which depends only on
//! `tower-layer`, `tower-service` and `pin-project-lite`.
//!
//! # Wiring
//!
//! Build one breaker, put it in an `Arc`, and wrap the client (or any
//! service) with a [`CircuitBreakerLayer`]. Every request then goes through
//! the breaker. An admitted request reaches the inner service, and its
//! outcome is recorded. A rejected request fails at once with
//! [`Error::Rejected`].
//!
//! ```
//! use std::sync::Arc;
//! use fluxgate::{CircuitBreaker, Error, Outcome, State};
//! use fluxgate::tower::CircuitBreakerLayer;
//! use fluxgate::trippers::FailureStreak;
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let breaker = Arc::new(
//!     CircuitBreaker::builder()
//!         .name("inventory")
//!         .tripper(FailureStreak::new(2)?)
//!         .build()?,
//! );
//! let layer = CircuitBreakerLayer::new(Arc::clone(&breaker)).classify_response(
//!     |status: &u16| if *status >= 500 { Outcome::Failure } else { Outcome::Success },
//! );
//! // A stand-in for an HTTP client whose server always answers 503.
//! let client = layer.layer(service_fn(|_path: &str| async {
//!     Ok::<u16, std::io::Error>(503)
//! }));
//!
//! // A 5xx response still reaches the caller, and counts as a failure.
//! assert_eq!(client.clone().oneshot("/items").await?, 503);
//! assert_eq!(client.clone().oneshot("/items").await?, 503);
//! assert_eq!(breaker.state(), State::Open);
//!
//! let rejected = client.oneshot("/items").await.unwrap_err();
//! assert!(matches!(rejected, Error::Rejected(r) if r.state() == State::Open));
//! # Ok(())
//! # }
//! ```
//!
//! # Outcomes
//!
//! An `Err` of the inner service is a failure when the breaker's
//! [tracker](crate::trackers) counts it, and is otherwise ignored. An `Ok`
//! response is what its [`ClassifyResponse`] says: by default
//! ([`OkIsSuccess`]) always a success; with a classifier, an HTTP 5xx, say,
//! counts as a failure while the response still reaches the caller.
//!
//! # Errors
//!
//! The service fails with [`Error<S::Error>`](Error); see [`error`] for why
//! the middleware wraps the inner error rather than converting into it.
//!
//! # Readiness
//!
//! `poll_ready` forwards to the inner service and never rejects; the
//! breaker decides in `call`. Three reasons:
//!
//! * Tower treats an error from `poll_ready` as the end of the service:
//!   `Buffer` fails every later request once its service's readiness
//!   failed, and balancers evict such a service. An open circuit is a
//!   passing condition, not a broken service.
//! * Admission is per request. A half-open probe slot taken in `poll_ready`
//!   would be held for as long as the caller waits before `call`, or
//!   forever if it never calls.
//! * The open-to-half-open move happens at a call, so the request that
//!   finds the wait over becomes the probe.
//!
//! A rejected call does not call the inner service, so the readiness that
//! the inner service reserved in `poll_ready` (a `Buffer` slot, a
//! concurrency permit) stays reserved and serves the next call. As tower
//! requires, the caller polls readiness again before that call; the inner
//! service, still ready, answers at once.
//!
//! # Dropped futures
//!
//! The [`ResponseFuture`] of an admitted call owns the breaker's guard
//! ([`CircuitBreaker::try_acquire_owned`](crate::CircuitBreaker::try_acquire_owned)).
//! Dropped before the inner future completes (a timeout around it, a
//! cancelled request), it records nothing and frees its half-open probe
//! slot. If the inner future panics, a failure is recorded and the panic
//! continues.

mod classify;
pub mod error;
mod future;
mod layer;
mod service;

pub use classify::{ClassifyResponse, OkIsSuccess};
pub use error::{Error, Rejected};
pub use future::ResponseFuture;
pub use layer::CircuitBreakerLayer;
pub use service::CircuitBreakerService;
