//! The middleware's error type.
//!
//! A [`CircuitBreakerService`](super::CircuitBreakerService) around a
//! service `S` fails with [`Error<S::Error>`](Error): either
//! [`Error::Rejected`], when the breaker did not let the request through,
//! or [`Error::Inner`] with the inner service's own error, untouched.
//!
//! The middleware wraps rather than asking `S::Error: From<Rejected>`,
//! because the services worth guarding are mostly clients from other crates
//! (`hyper_util`'s client fails with its own error type), and the orphan
//! rule forbids users to add that conversion to a foreign type. Matching on
//! the two variants separates a rejection from a failed call without a
//! downcast.
//! Stacks that erase errors to `Box<dyn std::error::Error + Send + Sync>`
//! still can: `Error<E>` implements `std::error::Error` whenever `E` does.

pub use crate::error::{Error, Rejected};
