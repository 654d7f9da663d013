//! A reference model of the breaker: single-threaded, with plain fields
//! and a plain `Vec` window, written to be checked by reading.
//!
//! It evaluates the same tripper, retry, permit and tracker objects as the
//! breaker it is compared with. It draws from its own copy of the
//! breaker's generator (SplitMix64) at the same points: once per move to
//! `Open`, for the jitter, and once per half-open admission whose permit
//! probability is below 1.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use fluxgate::permits::Permit;
use fluxgate::retries::Retry;
use fluxgate::trippers::{Context, Tripper};
use fluxgate::{Command, Metric, Outcome, Reason, State};

/// The maximum duration a window keeps for one outcome, in microseconds:
/// 2^41 − 1, about 25 days. A longer call counts as this long in sums and
/// means, but its full length decides whether it was slow.
const MAX_KEPT_MICROS: u128 = (1 << 41) - 1;

/// Which window the model keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WindowRule {
    /// The last `n` outcomes.
    Count(usize),
    /// The outcomes of the last `n` whole seconds.
    Time(u64),
}

/// The rules both the model and the breaker run.
#[derive(Clone)]
pub(crate) struct Rules {
    pub(crate) window: WindowRule,
    pub(crate) tripper: Arc<dyn Tripper>,
    pub(crate) retry: Arc<dyn Retry>,
    pub(crate) permit: Arc<dyn Permit>,
    pub(crate) max_half_open_calls: u32,
    pub(crate) half_open_timeout: Option<Duration>,
    pub(crate) measure_durations: bool,
    pub(crate) seed: u64,
}

/// An admitted call, as the model remembers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ticket {
    pub(crate) epoch: u64,
    pub(crate) state: State,
    pub(crate) probe: bool,
    pub(crate) started: Option<Duration>,
}

/// A rejected call: the state that rejected it and the retry hint.
pub(crate) type Rejection = (State, Option<Duration>);

/// A transition, with the fields the model can predict.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Move {
    pub(crate) from: State,
    pub(crate) to: State,
    pub(crate) at: Duration,
    pub(crate) at_wall: SystemTime,
    pub(crate) reopens: u32,
    pub(crate) reason: Reason,
}

/// One recorded outcome in the window.
#[derive(Debug, Clone, Copy)]
struct Entry {
    // The second the time window counts it in.
    second: u64,
    failed: bool,
    // The duration the window keeps, if it keeps durations.
    kept_duration: Option<Duration>,
    // The measured duration, which decides slow counts.
    measured: Option<Duration>,
}

/// The state the model reports, as `CircuitBreaker::info` does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct View {
    pub(crate) state: State,
    pub(crate) changed_at: Duration,
    pub(crate) reopens: u32,
    pub(crate) consecutive_failures: u64,
    pub(crate) probes_in_flight: u32,
    pub(crate) metric: Metric,
}

pub(crate) struct Model {
    rules: Rules,
    thresholds: Vec<Duration>,
    keeps_durations: bool,
    timed: bool,

    state: State,
    epoch: u64,
    changed_at: Duration,
    // `None` while the retry strategy never lets a probe through.
    ready_at: Option<Duration>,
    reopens: u32,
    streak: u64,
    in_flight: u32,
    entries: Vec<Entry>,
    // The newest second the time window has seen, by a record or a read.
    newest: Option<u64>,
    generator: u64,
    moves: Vec<Move>,
}

impl Model {
    pub(crate) fn new(rules: Rules, now: Duration) -> Model {
        let mut thresholds = Vec::new();
        rules.tripper.visit_slow_thresholds(&mut |threshold| {
            if !thresholds.contains(&threshold) {
                thresholds.push(threshold);
            }
        });
        let keeps_durations = rules.measure_durations || rules.tripper.needs_durations();
        let timed = keeps_durations || !thresholds.is_empty();
        let generator = rules.seed;
        let mut model = Model {
            rules,
            thresholds,
            keeps_durations,
            timed,
            state: State::Closed,
            epoch: 0,
            changed_at: now,
            ready_at: None,
            reopens: 0,
            streak: 0,
            in_flight: 0,
            entries: Vec::new(),
            newest: None,
            generator,
            moves: Vec::new(),
        };
        // Building a breaker with listeners, as the equivalence test does,
        // reads its metric once for their `on_created`, and that read starts
        // a time window at `now`.
        model.advance(now);
        model
    }

    pub(crate) fn moves(&self) -> &[Move] {
        &self.moves
    }

    /// Draws the next number in `[0, 1)` from SplitMix64, as the breaker's
    /// generator does.
    fn draw(&mut self) -> f64 {
        self.generator = self.generator.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.generator;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Admits a call at `now` or rejects it.
    pub(crate) fn admit(&mut self, now: Duration) -> Result<Ticket, Rejection> {
        loop {
            match self.state {
                State::Closed | State::MetricsOnly | State::Disabled => {
                    return Ok(self.ticket(false, now));
                }
                State::ForcedOpen => return Err((State::ForcedOpen, None)),
                State::Open => match self.ready_at {
                    None => return Err((State::Open, None)),
                    Some(ready_at) if now < ready_at => {
                        return Err((State::Open, Some(ready_at - now)));
                    }
                    Some(_) => self.transition(State::HalfOpen, Reason::RetryDue, now),
                },
                State::HalfOpen => {
                    let elapsed = now.saturating_sub(self.changed_at);
                    if self
                        .rules
                        .half_open_timeout
                        .is_some_and(|timeout| elapsed >= timeout)
                    {
                        self.transition(State::Open, Reason::HalfOpenTimeout, now);
                        continue;
                    }
                    let probability = self.rules.permit.probability(elapsed);
                    let permitted = probability >= 1.0 || self.draw() < probability;
                    if !permitted || self.in_flight >= self.rules.max_half_open_calls {
                        return Err((State::HalfOpen, None));
                    }
                    self.in_flight += 1;
                    return Ok(self.ticket(true, now));
                }
            }
        }
    }

    fn ticket(&self, probe: bool, now: Duration) -> Ticket {
        Ticket {
            epoch: self.epoch,
            state: self.state,
            probe,
            started: self.timed.then_some(now),
        }
    }

    /// Completes an admitted call at `now`: records `outcome` with
    /// `duration` if the call's period is still current, evaluates the
    /// tripper, and frees the call's probe slot.
    pub(crate) fn complete(
        &mut self,
        ticket: Ticket,
        outcome: Outcome,
        duration: Option<Duration>,
        now: Duration,
    ) {
        let current = ticket.epoch == self.epoch;
        let failed = match outcome {
            Outcome::Success => false,
            Outcome::Failure => true,
            Outcome::Ignored => {
                self.release(ticket);
                return;
            }
        };
        if current && ticket.state.records_outcomes() {
            self.record(failed, duration, now);
        }
        self.release(ticket);
    }

    /// Frees the probe slot of a call that reports nothing.
    pub(crate) fn release(&mut self, ticket: Ticket) {
        if ticket.probe && ticket.epoch == self.epoch && self.in_flight > 0 {
            self.in_flight -= 1;
        }
    }

    fn record(&mut self, failed: bool, duration: Option<Duration>, now: Duration) {
        let second = self.advance(now);
        self.entries.push(Entry {
            second,
            failed,
            kept_duration: duration.filter(|_| self.keeps_durations),
            measured: duration,
        });
        if let WindowRule::Count(size) = self.rules.window {
            if self.entries.len() > size {
                self.entries.remove(0);
            }
        }
        self.streak = if failed { self.streak + 1 } else { 0 };

        let metric = self.metric(now);
        let context = Context::new(&metric, self.state, self.streak);
        let verdict = self.rules.tripper.trips(&context);
        let consecutive_failures = self.streak;
        match (self.state, failed, verdict) {
            (State::Closed, _, true) | (State::HalfOpen, true, true) => {
                let cause = self.rules.tripper.cause(&context);
                let reason = Reason::Tripped {
                    metric,
                    consecutive_failures,
                    cause,
                };
                self.transition(State::Open, reason, now);
            }
            (State::HalfOpen, false, false) => {
                let reason = Reason::Recovered {
                    metric,
                    consecutive_failures,
                };
                self.transition(State::Closed, reason, now);
            }
            _ => {}
        }
    }

    /// Moves the time window's newest second forward to `now`, never back,
    /// and returns it.
    fn advance(&mut self, now: Duration) -> u64 {
        let second = now.as_secs();
        let newest = self.newest.map_or(second, |newest| newest.max(second));
        self.newest = Some(newest);
        newest
    }

    /// Returns the window's metric at `now`, moving a time window forward.
    fn metric(&mut self, now: Duration) -> Metric {
        let newest = self.advance(now);
        let counted: Vec<Entry> = match self.rules.window {
            WindowRule::Count(_) => self.entries.clone(),
            WindowRule::Time(size) => self
                .entries
                .iter()
                .filter(|entry| entry.second + size > newest)
                .copied()
                .collect(),
        };

        let total = counted.len() as u64;
        let failures = counted.iter().filter(|entry| entry.failed).count() as u64;
        let kept: Vec<Duration> = counted
            .iter()
            .filter_map(|entry| entry.kept_duration)
            .collect();
        // Windows sum durations in whole microseconds.
        let micros: u128 = kept
            .iter()
            .map(|duration| duration.as_micros().min(MAX_KEPT_MICROS))
            .sum();
        let total_duration = Duration::from_micros(micros as u64);
        let mut metric =
            Metric::new(total, failures).with_durations(kept.len() as u64, total_duration);
        for &threshold in &self.thresholds {
            let slow = counted
                .iter()
                .filter(|entry| entry.measured.is_some_and(|taken| taken >= threshold))
                .count() as u64;
            metric = metric.with_slow_count(threshold, slow);
        }
        metric
    }

    pub(crate) fn command(&mut self, command: Command, now: Duration) {
        self.transition(command.target(), Reason::Command(command), now);
    }

    fn transition(&mut self, to: State, reason: Reason, now: Duration) {
        let from = self.state;
        self.reopens = match (from, to) {
            (State::HalfOpen, State::Open) => self.reopens.saturating_add(1),
            (_, State::Closed) => 0,
            _ => self.reopens,
        };
        if to == State::Open {
            let draw = self.draw();
            self.ready_at = self
                .rules
                .retry
                .wait(self.reopens, draw)
                .map(|wait| now + wait);
        }
        if matches!(to, State::HalfOpen | State::Closed) {
            self.streak = 0;
        }
        self.state = to;
        self.epoch += 1;
        self.changed_at = now;
        self.in_flight = 0;
        self.entries.clear();
        self.newest = None;
        self.moves.push(Move {
            from,
            to,
            at: now,
            at_wall: SystemTime::UNIX_EPOCH + now,
            reopens: self.reopens,
            reason,
        });
    }

    /// Returns what `info()` would report at `now`.
    pub(crate) fn view(&mut self, now: Duration) -> View {
        View {
            state: self.state,
            changed_at: self.changed_at,
            reopens: self.reopens,
            consecutive_failures: self.streak,
            probes_in_flight: self.in_flight,
            metric: self.metric(now),
        }
    }
}
