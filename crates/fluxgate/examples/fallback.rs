//! A fallback that serves the last good value while the dependency fails or
//! the breaker rejects calls.
//!
//! An exchange-rate lookup remembers the last rate it fetched. When a fetch
//! fails, or the open circuit rejects it without running it, the caller
//! gets that remembered rate, marked as cached, instead of an error.
//!
//! ```sh
//! cargo run -p fluxgate-breaker --example fallback
//! ```

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use fluxgate::retries::Cooldown;
use fluxgate::trippers::FailureStreak;
use fluxgate::{CircuitBreaker, Clock, ConfigError, Error, MonotonicClock};

/// The rate service's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateUnavailable;

/// The result of a lookup: a fresh rate, the last good one, or nothing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Quote {
    /// The rate the service just returned.
    Fresh(f64),
    /// The last fresh rate, served because of `reason`.
    Cached { rate: f64, reason: String },
    /// No rate was ever fetched, and the service is failing now.
    Unavailable(String),
}

/// An exchange-rate lookup guarded by a breaker, with a one-value cache.
#[derive(Debug)]
pub(crate) struct Rates {
    pub(crate) breaker: CircuitBreaker,
    last_good: Mutex<Option<f64>>,
}

impl Rates {
    /// Creates a lookup whose breaker opens after three failures in a row
    /// and probes again after a minute.
    pub(crate) fn new(clock: impl Clock + 'static) -> Result<Rates, ConfigError> {
        let breaker = CircuitBreaker::builder()
            .name("rates")
            .tripper(FailureStreak::new(3)?)
            .retry(Cooldown::new(Duration::from_secs(60))?)
            .clock(clock)
            .build()?;
        Ok(Rates {
            breaker,
            last_good: Mutex::new(None),
        })
    }

    /// Fetches the rate through the breaker, and on any error, rejection
    /// included, falls back to the last good rate.
    pub(crate) fn quote(&self, fetch: impl FnOnce() -> Result<f64, RateUnavailable>) -> Quote {
        self.breaker.call_with_fallback(
            || {
                let rate = fetch()?;
                *self.last_good() = Some(rate);
                Ok(Quote::Fresh(rate))
            },
            |error| {
                let reason = match error {
                    Error::Rejected(rejected) => format!("rejected while {}", rejected.state()),
                    Error::Inner(RateUnavailable) => "the rate service failed".to_owned(),
                };
                match *self.last_good() {
                    Some(rate) => Quote::Cached { rate, reason },
                    None => Quote::Unavailable(reason),
                }
            },
        )
    }

    fn last_good(&self) -> std::sync::MutexGuard<'_, Option<f64>> {
        // The cache contains a plain number, valid even if a holder panicked.
        self.last_good
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn main() -> Result<(), ConfigError> {
    let rates = Rates::new(MonotonicClock::new())?;

    // The service returns a rate for the first three lookups, then fails.
    let responses = [Ok(1.08), Ok(1.09), Ok(1.10)];
    for lookup in 0..8 {
        let response = responses
            .get(lookup)
            .copied()
            .unwrap_or(Err(RateUnavailable));
        let quote = rates.quote(|| response);
        println!("lookup {}: {quote:?}", lookup + 1);
    }
    println!("breaker: {}", rates.breaker.state());
    Ok(())
}
