#![doc = include_str!("reference.md")]

mod error;
mod lexer;
mod number;
mod permit;
mod resolve;
mod retry;
mod rules;
mod signature;
mod suggest;
mod syntax;
mod tracker;
mod tripper;
mod window;

#[cfg(feature = "policy-file")]
mod file;
#[cfg(feature = "policy-file")]
mod toml_string;

pub use error::PolicyError;
pub use permit::{PolicyPermit, parse_permit};
pub use retry::{PolicyRetry, parse_retry};
pub use rules::{Policy, parse_duration};
pub use tracker::{PolicyTracker, parse_tracker};
pub use tripper::{PolicyTripper, parse_tripper};
pub use window::parse_window;

#[cfg(feature = "policy-file")]
pub use file::PolicyFile;
