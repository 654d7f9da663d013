//! Testing code that uses a breaker, on a manual clock instead of sleeps.
//!
//! `Catalog` is the code under test: it looks product names up in a
//! backend through a breaker. It takes its clock from the caller, so
//! production passes a `MonotonicClock` and a test passes a `ManualClock`,
//! which moves only when the test advances it. A 30-second cooldown then
//! takes no time at all. The tests of `Catalog` are in
//! `crates/fluxgate/tests/recipes.rs`; `main` walks through the same steps
//! and prints them.
//!
//! ```sh
//! cargo run -p fluxgate-breaker --example manual_clock
//! ```

use std::cell::Cell;
use std::time::Duration;

use fluxgate::permits::All;
use fluxgate::retries::Cooldown;
use fluxgate::trippers::{FailureStreak, HalfOpened};
use fluxgate::{CircuitBreaker, Clock, ConfigError, Error, ManualClock, State};

/// How long the catalog's circuit stays open before a probe.
pub(crate) const COOLDOWN: Duration = Duration::from_secs(30);

/// The backend's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BackendDown;

/// The error of a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LookupError {
    /// The backend failed.
    Backend(BackendDown),
    /// The breaker rejected the lookup. `retry_after` is the wait, when
    /// known.
    Unavailable { retry_after: Option<Duration> },
}

/// Product lookups guarded by a breaker.
pub(crate) struct Catalog<B> {
    backend: B,
    breaker: CircuitBreaker,
}

impl<B> Catalog<B>
where
    B: Fn(u32) -> Result<String, BackendDown>,
{
    /// Creates a catalog whose breaker opens after three failures in a row
    /// and sends one probe after [`COOLDOWN`]. A failed probe reopens it.
    ///
    /// The permit admits every probe. The default permit, `ramp_up`, admits
    /// probes at random, which a test would have to pin with `seed`.
    pub(crate) fn new(backend: B, clock: impl Clock + 'static) -> Result<Self, ConfigError> {
        let breaker = CircuitBreaker::builder()
            .name("catalog")
            .tripper(FailureStreak::new(3)? | (HalfOpened & FailureStreak::new(1)?))
            .retry(Cooldown::new(COOLDOWN)?)
            .permit(All)
            .max_half_open_calls(1)
            .clock(clock)
            .build()?;
        Ok(Catalog { backend, breaker })
    }

    /// Returns the name of product `id`.
    pub(crate) fn product_name(&self, id: u32) -> Result<String, LookupError> {
        self.breaker
            .call(|| (self.backend)(id))
            .map_err(|error| match error {
                Error::Inner(error) => LookupError::Backend(error),
                Error::Rejected(rejected) => LookupError::Unavailable {
                    retry_after: rejected.retry_after(),
                },
            })
    }

    /// Returns the breaker's state.
    pub(crate) fn state(&self) -> State {
        self.breaker.state()
    }
}

/// Returns a fake backend that fails while `down` is set and otherwise
/// names product `id` "product {id}".
pub(crate) fn fake_backend(down: &Cell<bool>) -> impl Fn(u32) -> Result<String, BackendDown> + '_ {
    move |id| {
        if down.get() {
            Err(BackendDown)
        } else {
            Ok(format!("product {id}"))
        }
    }
}

fn main() -> Result<(), ConfigError> {
    let clock = ManualClock::new();
    let down = Cell::new(true);
    let catalog = Catalog::new(fake_backend(&down), clock.clone())?;

    println!("backend down:");
    for _ in 0..4 {
        println!(
            "  lookup: {:?}, state {}",
            catalog.product_name(7),
            catalog.state()
        );
    }

    clock.advance(Duration::from_secs(20));
    println!("20 s later, by the manual clock:");
    println!("  lookup: {:?}", catalog.product_name(7));

    down.set(false);
    clock.advance(Duration::from_secs(10));
    println!("backend up, 30 s after opening:");
    println!(
        "  lookup: {:?}, state {}",
        catalog.product_name(7),
        catalog.state()
    );
    Ok(())
}
