//! Benchmarks of Fluxgate beside the other Rust circuit breakers.
//!
//! Every contender, Fluxgate, its peers and a hand-written [`Floor`],
//! builds the closest match to one [`Policy`](workload::Policy) and runs
//! the same [`protected_call`](call::protected_call) through the same
//! traffic loop, so only the breaker differs between them. The criterion
//! benchmark `compare` times every [workload](workload::WORKLOADS). The
//! binary `report` prints the table, and the binary `probe` runs one
//! contender on one workload for profilers and callgrind.
//!
//! [`Floor`]: contenders::Floor

pub mod call;
pub mod contenders;
pub mod footprint;
pub mod run;
pub mod table;
pub mod workload;
