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
//!   combines with the others, how to choose, and starting values.
//! * [`recipes`]: complete programs for common tasks, from guarding an
//!   HTTP call to testing with a manual clock, each in
//!   `crates/fluxgate/examples/`.
//! * [`operations`]: manual commands, alerts, the Prometheus metrics, and
//!   tuning a policy with `fluxgate replay`.
//! * [`comparison`]: Fluxgate beside `failsafe`, `recloser`,
//!   `tower-resilience` and Resilience4j.
//! * [`migrating`]: from the Python `fluxgate` package, name by name.
//!
//! The policy language has its own reference, the `fluxgate::policy`
//! module (feature `policy`, on by default).

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

#[doc = include_str!("recipes.md")]
pub mod recipes {}

#[doc = include_str!("operations.md")]
pub mod operations {}

#[doc = include_str!("comparison.md")]
pub mod comparison {}

#[doc = include_str!("migrating.md")]
pub mod migrating {}
