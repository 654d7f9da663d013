//! Different rules for each downstream service, read from one policy file.
//!
//! `examples/policies/services.toml` gives the payments, inventory and
//! e-mail services rules of their own, and every other service the rules at
//! the top of the file. A registry built from the file hands each service
//! its breaker on first use, so adding a service needs no code change.
//!
//! ```sh
//! cargo run -p fluxgate-breaker --features registry,policy-file --example policy_file
//! ```

use std::borrow::Cow;
use std::path::Path;

use fluxgate::policy::{PolicyFile, PolicyTracker};
use fluxgate::registry::Registry;
use fluxgate::trackers::KindName;
use fluxgate::{Error, Transition};

/// The policy file shipped with the repository.
pub(crate) const SERVICES_TOML: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/policies/services.toml"
);

/// An error of a downstream service, named as the policy's `kind(...)`
/// patterns see it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ServiceError {
    Timeout,
    Status(u16),
}

impl KindName for ServiceError {
    fn kind_name(&self) -> Cow<'_, str> {
        match self {
            ServiceError::Timeout => Cow::Borrowed("Timeout"),
            ServiceError::Status(404) => Cow::Borrowed("NotFound"),
            ServiceError::Status(code) => Cow::Owned(format!("http_{code}")),
        }
    }
}

/// Loads the policy file at `path` and returns a registry whose breakers
/// take their rules from it and report transitions to `on_transition`.
pub(crate) fn service_breakers(
    path: impl AsRef<Path>,
    on_transition: impl Fn(&Transition) + Clone + Send + Sync + 'static,
) -> Result<Registry<PolicyTracker>, Box<dyn std::error::Error>> {
    let file = PolicyFile::load(path)?;
    let breakers = Registry::from_policy_file_with(file, move |_name, builder| {
        builder.listener(on_transition.clone())
    })
    .build()?;
    Ok(breakers)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let breakers = service_breakers(SERVICES_TOML, |transition: &Transition| {
        println!(
            "  {}: {} -> {}, because {}",
            transition.name, transition.from, transition.to, transition.reason
        );
    })?;

    // "search" has no table in the file, so it gets the top-level rules.
    let services = ["payments", "inventory", "email", "search"];
    for service in services {
        let breaker = breakers.get(service)?;
        println!("[{service}]\n{breaker}\n");
    }

    println!("five timeouts to every service:");
    for service in services {
        let breaker = breakers.get(service)?;
        for _ in 0..5 {
            let _ = breaker.call(|| Err::<(), _>(ServiceError::Timeout));
        }
    }

    println!("a 404 from inventory is ignored, not counted:");
    let inventory = breakers.get("inventory")?;
    match inventory.call(|| Err::<(), _>(ServiceError::Status(404))) {
        Err(Error::Inner(error)) => println!("  the caller gets {error:?} back"),
        other => println!("  unexpected: {other:?}"),
    }

    println!("after the traffic:");
    for info in breakers.list() {
        println!(
            "  {:<9} {:<6} {} failures of {} calls in the window",
            info.name,
            info.state.as_str(),
            info.metric.failure_count(),
            info.metric.total_count()
        );
    }
    Ok(())
}
