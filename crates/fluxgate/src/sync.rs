//! The synchronization primitives the breaker's state lives in.
//!
//! Normal builds get `std`'s atomics and `Mutex`. Built with `--cfg loom`,
//! the same names are `loom`'s, so the model checker in `tests/loom.rs`
//! explores every interleaving of the state word, the window counters, the
//! generator and the transition lock.
//!
//! `Arc` stays `std`'s in both builds: it appears in the public API, and
//! reference counts take no part in the races under test. The clocks keep
//! `std`'s atomics for the same reason: a `ManualClock` reading is a single
//! value with nothing published through it.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicU32, AtomicU64, Ordering, fence};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering, fence};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
