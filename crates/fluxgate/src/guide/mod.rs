//! The user guide: what a team reads before adopting Fluxgate.
//!
//! Each page is a module with no code of its own; every example on it is a
//! doctest that compiles and runs.
//!
//! * [`concepts`]: the state machine, how a call flows, what each
//!   transition does.
//! * One page per component family: [`windows`], [`trackers`],
//!   [`trippers`], [`retries`], [`permits`], [`listeners`]. Each lists
//!   every component with its parameters, defaults and ranges, how it
//!   combines, how to choose, and starting values.

#[doc = include_str!("concepts.md")]
pub mod concepts {}

#[doc = include_str!("windows.md")]
pub mod windows {}

#[doc = include_str!("trackers.md")]
pub mod trackers {}

#[doc = include_str!("trippers.md")]
pub mod trippers {}

#[doc = include_str!("retries.md")]
pub mod retries {}

#[doc = include_str!("permits.md")]
pub mod permits {}

#[doc = include_str!("listeners.md")]
pub mod listeners {}
