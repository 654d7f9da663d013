//! The `fluxgate` command: replays recorded traffic through a
//! circuit-breaker policy and reports what the breaker would have done.
//!
//! The binary is a thin shell over this library, which the benchmarks and
//! tests also use:
//!
//! * [`input`] reads JSON Lines, CSV and access logs, plain or gzip, line
//!   by line;
//! * [`replay`] runs the records through a [`fluxgate::CircuitBreaker`] on
//!   a virtual clock;
//! * [`report`] and [`plot`] turn the result into text, JSON and SVG.

pub mod cli;
pub mod input;
pub mod plot;
pub mod replay;
pub mod report;

mod commands;
mod error;
mod inject;
mod progress;
mod run;
mod statuses;

pub use commands::run;
pub use error::{EXIT_INPUT, EXIT_SUCCESS, EXIT_USAGE, Error};
pub use inject::{Injection, InvalidInjection};
pub use run::{InputOptions, read_inputs};
pub use statuses::{InvalidStatusList, StatusSet};
