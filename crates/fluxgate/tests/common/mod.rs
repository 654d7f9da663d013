//! Shared helpers for the breaker's integration tests.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fluxgate::permits::All as AllPermit;
use fluxgate::retries::Cooldown;
use fluxgate::trippers::Tripper;
use fluxgate::{Builder, CircuitBreaker, ManualClock, State, Transition};

/// Collects every transition a breaker sends.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recorder {
    transitions: Arc<Mutex<Vec<Transition>>>,
}

impl Recorder {
    pub(crate) fn listener(&self) -> impl Fn(&Transition) + Send + Sync + 'static {
        let sink = Arc::clone(&self.transitions);
        move |transition: &Transition| sink.lock().unwrap().push(transition.clone())
    }

    pub(crate) fn all(&self) -> Vec<Transition> {
        self.transitions.lock().unwrap().clone()
    }

    pub(crate) fn moves(&self) -> Vec<(State, State)> {
        self.all().iter().map(|t| (t.from, t.to)).collect()
    }
}

pub(crate) fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

pub(crate) fn millis(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Returns a builder on a manual clock with every probe permitted, a 30 s
/// cooldown and a recording listener.
pub(crate) fn builder(tripper: impl Tripper + 'static) -> (Builder, ManualClock, Recorder) {
    let clock = ManualClock::starting_at(secs(1_000));
    let recorder = Recorder::default();
    let builder = fluxgate::CircuitBreaker::builder()
        .tripper(tripper)
        .retry(Cooldown::new(secs(30)).unwrap())
        .permit(AllPermit)
        .clock(clock.clone())
        .seed(7)
        .listener(recorder.listener());
    (builder, clock, recorder)
}

pub(crate) fn ok() -> Result<(), &'static str> {
    Ok(())
}

pub(crate) fn fail() -> Result<(), &'static str> {
    Err("down")
}

/// Records a success or a failure that took `millis`, through a guard.
pub(crate) fn record_timed(breaker: &CircuitBreaker, failed: bool, millis: u64) {
    let mut guard = breaker.try_acquire().unwrap();
    guard.set_duration(Some(Duration::from_millis(millis)));
    if failed {
        guard.record_failure();
    } else {
        guard.record_success();
    }
}
