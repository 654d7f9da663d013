//! The replay engine: recorded calls run through a breaker on a virtual
//! clock.
//!
//! Each call is admitted and completed at its line's time: the shared
//! [`ManualClock`] is set to that time before admission, so the admission,
//! the outcome and any transition they cause all happen then. The call's
//! duration is recorded without moving the clock.
//!
//! Lines are processed in input order. A line earlier than the newest one
//! seen is processed at its own earlier time: the breaker's time windows
//! count it in their newest second, and waits (cooldowns, ramp-ups) treat
//! the time as not yet elapsed. Such lines are counted with the largest
//! step back. Time spent in each state is measured on the newest time seen,
//! so it never runs backwards.

mod events;
mod result;
mod timeline;

use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use fluxgate::trackers::Tracker;
use fluxgate::{Builder, CircuitBreaker, ConfigError, ManualClock, Reason, State, Transition};

pub use events::{EventSink, JsonlEvents, NoEvents, write_spaced_json};
pub use result::{CallCounts, MAX_LISTED_TRANSITIONS, Ordering, ReplayResult, TransitionRow};
pub use timeline::{Bucket, MAX_BUCKETS, Timeline};

use crate::input::{Body, Record};

/// Runs records through one breaker and tallies what it does.
pub struct Replayer<K, S> {
    // In an `Arc` so that a guard holds no borrow of the replayer.
    breaker: Arc<CircuitBreaker<K>>,
    clock: ManualClock,
    inbox: Arc<Mutex<Vec<Transition>>>,
    events: S,
    kind: String,
    state: State,
    state_since: Duration,
    result: ReplayResult,
}

impl<K, S> std::fmt::Debug for Replayer<K, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replayer")
            .field("breaker", &self.breaker)
            .field("counts", &self.result.counts)
            .finish_non_exhaustive()
    }
}

impl<K: Tracker<String>, S: EventSink> Replayer<K, S> {
    /// Builds the breaker from `builder` on a virtual clock, seeded with
    /// `seed`, sending events to `events`; `plot` keeps a timeline.
    ///
    /// # Errors
    ///
    /// Returns the builder's error for an invalid configuration.
    pub fn new(builder: Builder<K>, seed: u64, events: S, plot: bool) -> Result<Self, ConfigError> {
        let clock = ManualClock::new();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&inbox);
        let breaker = builder
            .clock(clock.clone())
            .seed(seed)
            .listener(move |transition: &Transition| {
                let mut queue = sink.lock().unwrap_or_else(PoisonError::into_inner);
                queue.push(transition.clone());
            })
            .build()?;

        let timeline = plot.then(|| Timeline::new(first_slow_threshold(&breaker)));
        Ok(Replayer {
            state: breaker.state(),
            breaker: Arc::new(breaker),
            clock,
            inbox,
            events,
            kind: String::with_capacity(64),
            state_since: Duration::ZERO,
            result: ReplayResult {
                counts: CallCounts::default(),
                transitions: Vec::new(),
                transition_count: 0,
                time_in_state: [Duration::ZERO; 6],
                first_time: None,
                earliest_time: None,
                newest_time: None,
                times_are_dates: false,
                ordering: Ordering::default(),
                timeline,
                final_state: State::Closed,
            },
        })
    }

    /// Returns the breaker.
    pub fn breaker(&self) -> &CircuitBreaker<K> {
        &self.breaker
    }

    /// Returns the calls counted so far.
    pub fn counts(&self) -> &CallCounts {
        &self.result.counts
    }

    /// Replays one record at its time.
    ///
    /// # Errors
    ///
    /// Returns the error of writing an event.
    pub fn feed(&mut self, record: &Record<'_>) -> io::Result<()> {
        let t = record.time.seconds;
        self.advance_time(record);

        match &record.body {
            Body::Command(command) => {
                self.result.counts.commands += 1;
                self.breaker.command(*command);
                self.deliver_transitions(t)?;
            }
            Body::Call { duration, error } => {
                self.result.counts.calls += 1;
                if let Some(error) = error {
                    error.write_name(&mut self.kind);
                }
                self.call(t, *duration, error.is_some())?;
            }
        }
        Ok(())
    }

    /// Moves the clock to the record's time and keeps the time accounts.
    fn advance_time(&mut self, record: &Record<'_>) {
        let reading = record.time.reading;
        let newest = match self.result.newest_time {
            None => {
                self.result.first_time = Some((record.time.seconds, reading));
                self.result.times_are_dates = record.time.is_date;
                self.state_since = reading;
                reading
            }
            Some((_, newest)) if reading < newest => {
                let ordering = &mut self.result.ordering;
                ordering.out_of_order += 1;
                ordering.max_step_back = ordering.max_step_back.max(newest - reading);
                newest
            }
            Some(_) => reading,
        };
        if self.result.newest_time.is_none_or(|(_, old)| newest > old) {
            self.result.newest_time = Some((record.time.seconds, newest));
        }
        if self
            .result
            .earliest_time
            .is_none_or(|(_, old)| reading < old)
        {
            self.result.earliest_time = Some((record.time.seconds, reading));
        }

        if let Some(timeline) = &mut self.result.timeline {
            if timeline.crosses_interval(newest) {
                timeline.sample(&self.breaker.info().metric);
            }
            timeline.advance(newest, self.state);
        }
        self.clock.set(reading);
    }

    /// Admits and completes one call. When `failed` is true, `self.kind`
    /// contains the error's kind name.
    fn call(&mut self, t: f64, duration: Option<Duration>, failed: bool) -> io::Result<()> {
        let admission = self.breaker.try_acquire_owned();
        let counts = &mut self.result.counts;
        let mut guard = match admission {
            Ok(guard) => guard,
            Err(rejected) => {
                counts.rejected += 1;
                if !failed {
                    counts.lost += 1;
                } else if self.breaker.tracker().is_failure(&self.kind) {
                    counts.saved += 1;
                } else {
                    counts.rejected_ignored += 1;
                }
                self.deliver_transitions(t)?;
                if let Some(timeline) = &mut self.result.timeline {
                    timeline.add_rejection();
                }
                return self.events.rejected(t, rejected.state());
            }
        };

        counts.admitted += 1;
        guard.set_duration(duration);
        if !failed {
            guard.record_success();
            counts.successes += 1;
        } else if guard.record_error(&self.kind) {
            counts.failures += 1;
        } else {
            counts.ignored += 1;
        }
        self.deliver_transitions(t)
    }

    /// Sends the transitions the breaker made since the last call to the
    /// events and the tallies, all at the line time `t`.
    fn deliver_transitions(&mut self, t: f64) -> io::Result<()> {
        let transitions = {
            let mut inbox = self.inbox.lock().unwrap_or_else(PoisonError::into_inner);
            if inbox.is_empty() {
                return Ok(());
            }
            std::mem::take(&mut *inbox)
        };
        for transition in transitions {
            self.account_transition(t, &transition);
            self.events.transition(t, transition.from, transition.to)?;
        }
        Ok(())
    }

    fn account_transition(&mut self, t: f64, transition: &Transition) {
        let newest = self.result.newest_time.map_or(Duration::ZERO, |(_, at)| at);
        let spent = newest.saturating_sub(self.state_since);
        self.result.time_in_state[state_index(self.state)] += spent;
        self.state_since = newest;
        self.state = transition.to;

        if let Some(timeline) = &mut self.result.timeline {
            match &transition.reason {
                Reason::Tripped { metric, .. } | Reason::Recovered { metric, .. } => {
                    timeline.sample(metric);
                }
                _ => {}
            }
            timeline.clear_window();
        }
        self.result.transition_count += 1;
        if self.result.transitions.len() < MAX_LISTED_TRANSITIONS {
            self.result.transitions.push(TransitionRow {
                t,
                from: transition.from.as_str(),
                to: transition.to.as_str(),
                reason: describe_reason(&transition.reason),
            });
        }
    }

    /// Closes the time accounts at the newest line and returns the result
    /// with the event sink.
    pub fn finish(mut self) -> (ReplayResult, S) {
        let newest = self.result.newest_time.map_or(Duration::ZERO, |(_, at)| at);
        self.result.time_in_state[state_index(self.state)] +=
            newest.saturating_sub(self.state_since);
        if let Some(timeline) = &mut self.result.timeline {
            timeline.sample(&self.breaker.info().metric);
        }
        self.result.final_state = self.state;
        (self.result, self.events)
    }
}

/// Returns the slow-call threshold the plot follows: the first one the
/// tripper reads.
fn first_slow_threshold<K>(breaker: &CircuitBreaker<K>) -> Option<Duration> {
    let mut first = None;
    breaker.tripper().visit_slow_thresholds(&mut |threshold| {
        first.get_or_insert(threshold);
    });
    first
}

/// Returns the index of `state` in [`State::ALL`].
pub fn state_index(state: State) -> usize {
    State::ALL
        .iter()
        .position(|candidate| *candidate == state)
        .expect("State::ALL lists every state")
}

fn describe_reason(reason: &Reason) -> String {
    match reason {
        Reason::Command(command) => format!("command {command}"),
        Reason::Tripped { cause, .. } => format!("tripped: {cause}"),
        Reason::Recovered { .. } => "probe succeeded".to_owned(),
        Reason::RetryDue => "retry wait over".to_owned(),
        Reason::HalfOpenTimeout => "half-open timeout".to_owned(),
        _ => "other".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use fluxgate::Command;
    use fluxgate::permits;
    use fluxgate::retries::Cooldown;
    use fluxgate::trippers::FailureStreak;

    use super::*;
    use crate::input::{ErrorKind, LineTime};

    fn call(t: f64, error: Option<&'static str>) -> Record<'static> {
        Record {
            time: LineTime::from_seconds(t).unwrap(),
            body: Body::Call {
                duration: None,
                error: error.map(|name| ErrorKind::Named(Cow::Borrowed(name))),
            },
        }
    }

    fn command(t: f64, command: Command) -> Record<'static> {
        Record {
            time: LineTime::from_seconds(t).unwrap(),
            body: Body::Command(command),
        }
    }

    fn streak_replayer() -> Replayer<fluxgate::trackers::All, JsonlEvents<Vec<u8>>> {
        let builder = CircuitBreaker::builder()
            .tripper(FailureStreak::new(2).unwrap())
            .retry(Cooldown::new(Duration::from_secs(10)).unwrap())
            .permit(permits::All);
        Replayer::new(builder, 0, JsonlEvents::new(Vec::new()), true).unwrap()
    }

    #[test]
    fn breaker_opens_rejects_and_recovers() {
        let mut replayer = streak_replayer();
        let records = [
            call(1.0, None),
            call(2.0, Some("Timeout")),
            call(3.0, Some("Timeout")),
            call(4.0, None),
            call(5.0, Some("Timeout")),
            call(13.0, None),
            call(14.0, None),
        ];
        for record in &records {
            replayer.feed(record).unwrap();
        }

        let (result, events) = replayer.finish();
        let output = String::from_utf8(events.finish(7, 2, 3).unwrap()).unwrap();
        assert_eq!(
            output,
            "{\"t\": 3.0, \"event\": \"transition\", \"from\": \"closed\", \"to\": \"open\"}\n\
             {\"t\": 4.0, \"event\": \"rejected\", \"state\": \"open\"}\n\
             {\"t\": 5.0, \"event\": \"rejected\", \"state\": \"open\"}\n\
             {\"t\": 13.0, \"event\": \"transition\", \"from\": \"open\", \"to\": \"half_open\"}\n\
             {\"t\": 13.0, \"event\": \"transition\", \"from\": \"half_open\", \"to\": \"closed\"}\n\
             {\"event\": \"summary\", \"calls\": 7, \"rejected\": 2, \"transitions\": 3}\n"
        );

        let counts = result.counts;
        assert_eq!(counts.calls, 7);
        assert_eq!(counts.admitted, 5);
        assert_eq!(counts.rejected, 2);
        assert_eq!(counts.saved, 1);
        assert_eq!(counts.lost, 1);
        assert_eq!(counts.failures, 2);
        assert_eq!(counts.successes, 3);

        assert_eq!(result.transition_count, 3);
        assert_eq!(result.transitions[0].reason, "tripped: failure_streak(2)");
        assert_eq!(result.time_in_state[0], Duration::from_secs(3));
        assert_eq!(result.time_in_state[1], Duration::from_secs(10));
        assert_eq!(result.final_state, State::Closed);
    }

    #[test]
    fn lines_back_in_time_are_counted() {
        let mut replayer = streak_replayer();
        for t in [10.0, 12.0, 9.5, 12.0, 4.0, 13.0] {
            replayer.feed(&call(t, None)).unwrap();
        }
        let (result, _) = replayer.finish();
        assert_eq!(result.ordering.out_of_order, 2);
        assert_eq!(result.ordering.max_step_back, Duration::from_secs(8));
        assert_eq!(result.first_time.map(|(seconds, _)| seconds), Some(10.0));
        assert_eq!(result.earliest_time.map(|(seconds, _)| seconds), Some(4.0));
        assert_eq!(result.newest_time.map(|(seconds, _)| seconds), Some(13.0));
        assert_eq!(result.time_in_state[0], Duration::from_secs(3));
    }

    #[test]
    fn commands_move_between_manual_states() {
        let mut replayer = streak_replayer();
        replayer.feed(&command(1.0, Command::ForceOpen)).unwrap();
        replayer.feed(&call(2.0, None)).unwrap();
        replayer.feed(&command(3.0, Command::Disable)).unwrap();
        replayer.feed(&call(4.0, Some("Timeout"))).unwrap();
        replayer.feed(&call(5.0, Some("Timeout"))).unwrap();
        replayer.feed(&command(6.0, Command::MetricsOnly)).unwrap();
        replayer.feed(&command(7.0, Command::Reset)).unwrap();
        let (result, _) = replayer.finish();
        let moves: Vec<(&str, &str)> = result
            .transitions
            .iter()
            .map(|row| (row.from, row.to))
            .collect();
        assert_eq!(
            moves,
            [
                ("closed", "forced_open"),
                ("forced_open", "disabled"),
                ("disabled", "metrics_only"),
                ("metrics_only", "closed"),
            ]
        );
        assert_eq!(result.counts.commands, 4);
        assert_eq!(result.counts.rejected, 1);
        assert_eq!(result.counts.lost, 1);
        assert_eq!(result.transitions[1].reason, "command disable");
    }
}
