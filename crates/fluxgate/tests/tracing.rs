//! The tracing listener, observed through a subscriber that captures every
//! event.
#![cfg(feature = "tracing")]

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use fluxgate::retries::Always;
use fluxgate::tracing::TracingListener;
use fluxgate::trippers::{FailureStreak, HalfOpened};
use fluxgate::{CircuitBreaker, State, permits};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One captured event: its level, target and fields as text.
#[derive(Debug, Clone, PartialEq)]
struct Captured {
    level: Level,
    target: String,
    fields: BTreeMap<String, String>,
}

/// A subscriber that stores every event and ignores spans.
#[derive(Clone, Default)]
struct Capture {
    events: Arc<Mutex<Vec<Captured>>>,
}

struct FieldText<'a>(&'a mut BTreeMap<String, String>);

impl Visit for FieldText<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _metadata: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut FieldText(&mut fields));
        self.events.lock().unwrap().push(Captured {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
        });
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// Runs a trip, a failed probe, a recovery and a forced open through a
/// breaker logging with `listener`, and returns the captured events.
fn capture_cycle(listener: TracingListener) -> Vec<Captured> {
    let capture = Capture::default();
    let events = Arc::clone(&capture.events);
    tracing::subscriber::with_default(capture, || {
        let breaker = CircuitBreaker::builder()
            .name("payments")
            .tripper(FailureStreak::new(2).unwrap() | (HalfOpened & FailureStreak::new(1).unwrap()))
            .retry(Always)
            .permit(permits::All)
            .listener(listener)
            .build()
            .unwrap();
        for _ in 0..2 {
            let _ = breaker.call(|| Err::<(), _>("timeout"));
        }
        let _ = breaker.call(|| Err::<(), _>("timeout"));
        let _ = breaker.call(|| Ok::<_, &str>(()));
        breaker.force_open();
    });
    events.lock().unwrap().clone()
}

#[test]
fn default_levels_warn_on_open() {
    let events = capture_cycle(TracingListener::new());
    let summary: Vec<(Level, &str, &str)> = events
        .iter()
        .map(|event| (event.level, &*event.fields["from"], &*event.fields["to"]))
        .collect();
    assert_eq!(
        summary,
        [
            (Level::WARN, "closed", "open"),
            (Level::INFO, "open", "half_open"),
            (Level::WARN, "half_open", "open"),
            (Level::INFO, "open", "half_open"),
            (Level::INFO, "half_open", "closed"),
            (Level::WARN, "closed", "forced_open"),
        ]
    );
}

#[test]
fn event_carries_every_field() {
    let events = capture_cycle(TracingListener::new());

    assert_eq!(events[0].target, "fluxgate");
    assert_eq!(
        events[0].fields,
        fields(&[
            ("message", "circuit breaker state changed"),
            ("circuit_name", "payments"),
            ("from", "closed"),
            ("to", "open"),
            ("reopens", "0"),
            (
                "reason",
                "failure_streak(2) was true: 2 of 2 failed (100.0%), 2 in a row"
            ),
        ])
    );
    assert_eq!(events[2].fields["reopens"], "1");
    assert_eq!(events[1].fields["reason"], "the retry wait was over");
    assert_eq!(events[5].fields["reason"], "force_open() was called");
}

#[test]
fn level_is_configurable_per_state() {
    let listener = TracingListener::new()
        .with_level(State::Open, Level::ERROR)
        .with_level(State::HalfOpen, Level::DEBUG);
    assert_eq!(listener.level(State::Closed), Level::INFO);

    let events = capture_cycle(listener);
    let levels: Vec<Level> = events.iter().map(|event| event.level).collect();
    assert_eq!(
        levels,
        [
            Level::ERROR,
            Level::DEBUG,
            Level::ERROR,
            Level::DEBUG,
            Level::INFO,
            Level::WARN,
        ]
    );
}
