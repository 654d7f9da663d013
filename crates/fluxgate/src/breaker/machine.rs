//! The state machine behind every breaker, independent of the error type.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use super::word::{ONE_PROBE, Word};
use crate::breaker::Outcome;
use crate::clock::TimeSource;
use crate::error::Rejected;
use crate::listeners::{CallEvent, CallResult, Listener, Reason, Transition};
use crate::metric::{Metric, Sample, SlowThresholds, duration_to_nanos};
use crate::permits::Permit;
use crate::retries::Retry;
use crate::rng::Rng;
use crate::state::{Command, State};
use crate::sync::{AtomicU32, AtomicU64, Mutex, MutexGuard, Ordering};
use crate::trippers::{Context, Tripper};
use crate::windows::tagged::{CachePadded, TaggedCounter, overwrite, tag_of_epoch};
use crate::windows::{Recorded, Window, WindowState};

/// Settles an admitted call that ends without reporting its outcome: a
/// failure when it is dropped while its thread unwinds from a panic, and
/// nothing but a freed probe slot when it is dropped otherwise, as a
/// cancelled future is. `forget` it once the call has returned.
pub(crate) struct Unreported<'a> {
    pub(crate) machine: &'a Machine,
    pub(crate) ticket: Ticket,
    pub(crate) started: Option<Duration>,
}

impl Drop for Unreported<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.machine
                .finish(&self.ticket, Outcome::Failure, self.started, None);
        } else {
            self.machine.release(&self.ticket);
        }
    }
}

/// `ready_at` when the retry strategy never lets a probe through.
const NEVER: u64 = u64::MAX;

/// A call's admission in one word: the state word it was admitted under,
/// with the probe count replaced by a flag for holding a probe slot.
///
/// One word keeps the call path free of store-forwarding stalls: a ticket
/// built from several narrow stores and then copied with one wide load
/// would make the processor wait on every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ticket(Word);

impl Ticket {
    #[inline]
    fn new(word: Word, probe: bool) -> Ticket {
        Ticket(word.with_probe_flag(probe))
    }

    #[inline]
    pub(crate) fn epoch(self) -> u64 {
        self.0.epoch()
    }

    #[inline]
    pub(crate) fn state(self) -> State {
        self.0.state()
    }

    #[inline]
    pub(crate) fn probe(self) -> bool {
        self.0.in_flight() != 0
    }
}

/// The rules a machine runs, fixed at construction.
pub(crate) struct Rules {
    pub(crate) window: Window,
    pub(crate) tripper: Box<dyn Tripper>,
    pub(crate) retry: Box<dyn Retry>,
    pub(crate) permit: Box<dyn Permit>,
    pub(crate) max_half_open_calls: u32,
    pub(crate) half_open_timeout: Option<Duration>,
    pub(crate) slow_thresholds: SlowThresholds,
    // Calls are timed when a rule reads durations or slow counts, or when
    // asked; windows keep the durations themselves only for the first and
    // the last.
    pub(crate) timed: bool,
    pub(crate) keeps_durations: bool,
}

/// Transitions waiting for delivery to the listeners.
#[derive(Debug, Default)]
struct Outbox {
    queue: VecDeque<Transition>,
    delivering: bool,
}

pub(crate) struct Machine {
    pub(crate) name: Arc<str>,
    pub(crate) rules: Rules,
    // Read by every call and written only by transitions and half-open
    // probes, so it shares its cache line with the read-only rules.
    word: AtomicU64,
    // The next three are written only under `outbox`, before the word that
    // publishes the transition; readers load the word first.
    changed_at: AtomicU64,
    ready_at: AtomicU64,
    reopens: AtomicU32,
    period: CachePadded<Period>,
    // Serializes transitions and contains their delivery queue.
    outbox: Mutex<Outbox>,
    listeners: Box<[Arc<dyn Listener>]>,
    // The listeners that also observe every call.
    observers: Box<[Arc<dyn Listener>]>,
    pub(crate) clock: TimeSource,
    rng: Rng,
}

/// What calls that change the current period write: the window and the
/// failure streak. It sits on cache lines of its own, so those writes never
/// evict the line holding the state word and the rules, which every call
/// reads.
#[derive(Debug)]
struct Period {
    window: WindowState,
    // Consecutive failures of the current period.
    streak: TaggedCounter,
}

/// Frees a call's probe slot when dropped, even while unwinding.
struct SlotRelease<'a> {
    machine: &'a Machine,
    ticket: &'a Ticket,
}

impl Drop for SlotRelease<'_> {
    fn drop(&mut self) {
        self.machine.release(self.ticket);
    }
}

/// A consistent view of the machine at one moment.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub(crate) state: State,
    pub(crate) changed_at: Duration,
    pub(crate) reopens: u32,
    pub(crate) consecutive_failures: u64,
    pub(crate) metric: Metric,
    pub(crate) probes_in_flight: u32,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No code that can panic runs under these locks, but a poisoned lock
    // would still hold consistent data, so recover it rather than fail.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Machine {
    pub(crate) fn new(
        name: Arc<str>,
        rules: Rules,
        listeners: Vec<Arc<dyn Listener>>,
        clock: TimeSource,
        rng: Rng,
    ) -> Machine {
        let observers = listeners
            .iter()
            .filter(|listener| listener.observes_calls())
            .cloned()
            .collect();
        let window = WindowState::new(rules.window, rules.slow_thresholds, rules.keeps_durations);
        let streak = TaggedCounter::default();
        streak.reset(tag_of_epoch(0), 0);
        let changed_at = duration_to_nanos(clock.now());
        Machine {
            name,
            rules,
            word: AtomicU64::new(Word::new(0, State::Closed).0),
            changed_at: AtomicU64::new(changed_at),
            ready_at: AtomicU64::new(NEVER),
            reopens: AtomicU32::new(0),
            period: CachePadded(Period { window, streak }),
            outbox: Mutex::new(Outbox::default()),
            listeners: listeners.into_boxed_slice(),
            observers,
            clock,
            rng,
        }
    }

    pub(crate) fn state(&self) -> State {
        // Acquire: pairs with the Release store of a transition, so what the
        // caller reads next about the period is at least as new.
        Word(self.word.load(Ordering::Acquire)).state()
    }

    /// Admits a call or rejects it, making the lazy moves from `Open` to
    /// `HalfOpen` and from a timed-out `HalfOpen` to `Open` on the way.
    #[inline]
    pub(crate) fn admit(&self) -> Result<Ticket, Rejected> {
        // Acquire: as in `state`.
        let word = Word(self.word.load(Ordering::Acquire));
        if word.admits_freely() {
            return Ok(Ticket::new(word, false));
        }
        self.admit_slowly()
    }

    /// Returns the time a call starts, when the breaker times its calls.
    #[inline]
    pub(crate) fn start(&self) -> Option<Duration> {
        if self.rules.timed {
            Some(self.read_clock())
        } else {
            None
        }
    }

    /// Reads the clock out of line, so that the untimed call path, inlined
    /// into every caller, stays small.
    #[inline(never)]
    fn read_clock(&self) -> Duration {
        self.clock.now()
    }

    #[inline(never)]
    fn admit_slowly(&self) -> Result<Ticket, Rejected> {
        loop {
            // Acquire: as in `state`.
            let word = Word(self.word.load(Ordering::Acquire));
            let probe = match word.state() {
                State::Closed | State::MetricsOnly | State::Disabled => false,
                State::ForcedOpen => return Err(Rejected::new(State::ForcedOpen)),
                State::Open => {
                    self.leave_open(word)?;
                    continue;
                }
                State::HalfOpen => match self.admit_probe(word)? {
                    Some(()) => true,
                    None => continue,
                },
            };
            return Ok(Ticket::new(word, probe));
        }
    }

    /// Rejects the call while the retry wait lasts; once it is over, moves
    /// to `HalfOpen` so the caller can try again.
    fn leave_open(&self, word: Word) -> Result<(), Rejected> {
        let now = duration_to_nanos(self.clock.now());
        // Relaxed: ordered after the Acquire load of `word`; a value from a
        // newer period only changes the hint, and the transition below
        // checks the epoch.
        let ready_at = self.ready_at.load(Ordering::Relaxed);
        if now < ready_at {
            return Err(if ready_at == NEVER {
                Rejected::new(State::Open)
            } else {
                Rejected::after_nanos(State::Open, ready_at - now)
            });
        }
        self.transition(Some(word.epoch()), State::HalfOpen, || Reason::RetryDue);
        Ok(())
    }

    /// Returns `Some` when the call got a probe slot, `None` when the period
    /// ended meanwhile and admission must start over.
    fn admit_probe(&self, word: Word) -> Result<Option<()>, Rejected> {
        let now = self.clock.now();
        // Relaxed: as in `leave_open`.
        let entered = Duration::from_nanos(self.changed_at.load(Ordering::Relaxed));
        let elapsed = now.saturating_sub(entered);
        if self
            .rules
            .half_open_timeout
            .is_some_and(|timeout| elapsed >= timeout)
        {
            self.transition(Some(word.epoch()), State::Open, || Reason::HalfOpenTimeout);
            return Ok(None);
        }

        let rejected = Rejected::new(State::HalfOpen);
        let probability = self.rules.permit.probability(elapsed);
        let permitted = probability >= 1.0 || self.rng.next_f64() < probability;
        if !permitted {
            return Err(rejected);
        }

        let mut current = word;
        loop {
            if current.in_flight() >= self.rules.max_half_open_calls {
                return Err(rejected);
            }
            // AcqRel on success: the slot is taken in this period and later
            // reads see the period's data; Acquire on failure to re-check.
            match self.word.compare_exchange_weak(
                current.0,
                current.0 + ONE_PROBE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(Some(())),
                Err(actual) if Word(actual).epoch() == word.epoch() => current = Word(actual),
                Err(_) => return Ok(None),
            }
        }
    }

    /// Finishes an admitted call with `outcome`. `given` overrides the
    /// measured duration: `Some(None)` records none.
    ///
    /// An untimed success that changes nothing returns after a few loads,
    /// inlined into the caller; everything else goes out of line.
    #[inline]
    pub(crate) fn finish(
        &self,
        ticket: &Ticket,
        outcome: Outcome,
        started: Option<Duration>,
        given: Option<Option<Duration>>,
    ) {
        if outcome == Outcome::Success
            && given.is_none()
            && started.is_none()
            && self.success_changes_nothing(ticket)
        {
            return;
        }
        self.finish_changed(ticket, outcome, started, given);
    }

    #[inline(never)]
    fn finish_changed(
        &self,
        ticket: &Ticket,
        outcome: Outcome,
        started: Option<Duration>,
        given: Option<Option<Duration>>,
    ) {
        let duration = given
            .unwrap_or_else(|| started.map(|started| self.clock.now().saturating_sub(started)));
        self.complete(ticket, outcome, duration);
    }

    /// Records the outcome of an admitted call, evaluates the tripper, frees
    /// the call's probe slot and notifies the call observers.
    pub(crate) fn complete(&self, ticket: &Ticket, outcome: Outcome, duration: Option<Duration>) {
        let failed = match outcome {
            Outcome::Success => false,
            Outcome::Failure => true,
            Outcome::Ignored => return self.ignore(ticket, duration),
        };
        // The tripper is user code: if it panics, the slot is still freed.
        let slot = SlotRelease {
            machine: self,
            ticket,
        };
        if ticket.state().records_outcomes() {
            self.record(ticket, failed, duration);
        }
        drop(slot);
        if !self.observers.is_empty() {
            let result = if failed {
                CallResult::Failure
            } else {
                CallResult::Success
            };
            self.observe(ticket.state(), result, duration);
        }
    }

    /// Returns `true` when a success of `ticket`'s call, untimed, would
    /// change nothing: the breaker records nothing in its state, or its
    /// window is full of plain successes and the failure streak is zero, so
    /// the window stays as it is and the tripper would judge exactly what it
    /// judged after the last outcome. A call of a finished period may get
    /// either result, since `record` drops it.
    ///
    /// Steady healthy traffic completes here with loads alone, inlined into
    /// the caller, and never writes a shared cache line.
    #[inline]
    pub(crate) fn success_changes_nothing(&self, ticket: &Ticket) -> bool {
        if ticket.probe() || !self.observers.is_empty() {
            return false;
        }
        match ticket.state() {
            State::Disabled => true,
            State::Closed | State::MetricsOnly => {
                let WindowState::Count(window) = &self.period.window else {
                    return false;
                };
                // No epoch check is needed. The window's words carry their
                // period's tag, so a finished period reads as empty and the
                // call goes on to `record`, which drops it. A finished period
                // whose words are not yet reset ends the call here, which
                // records nothing either.
                let tag = tag_of_epoch(ticket.epoch());
                window.is_full_of_plain_successes(tag) && self.period.streak.get(tag) == 0
            }
            _ => false,
        }
    }

    /// Completes a call whose error the tracker does not count.
    fn ignore(&self, ticket: &Ticket, duration: Option<Duration>) {
        self.release(ticket);
        if !self.observers.is_empty() {
            self.observe(ticket.state(), CallResult::Ignored, duration);
        }
    }

    /// Tells the call observers about a rejected call.
    #[inline]
    pub(crate) fn observe_rejection(&self, rejected: &Rejected) {
        if !self.observers.is_empty() {
            self.observe(rejected.state(), CallResult::Rejected, None);
        }
    }

    #[cold]
    fn observe(&self, state: State, result: CallResult, duration: Option<Duration>) {
        let call = CallEvent {
            name: &self.name,
            state,
            result,
            duration,
        };
        for observer in self.observers.iter() {
            // An observer runs on the caller's thread; its panic must not
            // reach the caller.
            let _ = catch_unwind(AssertUnwindSafe(|| observer.on_call(&call)));
        }
    }

    /// Frees the call's probe slot, if it has one, and records nothing.
    pub(crate) fn release(&self, ticket: &Ticket) {
        if !ticket.probe() {
            return;
        }
        // AcqRel: the slot count belongs to the period named by the epoch;
        // a slot of a finished period is gone with it.
        let _ = self
            .word
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
                let word = Word(word);
                (word.epoch() == ticket.epoch() && word.in_flight() > 0).then(|| word.0 - ONE_PROBE)
            });
    }

    fn record(&self, ticket: &Ticket, failed: bool, duration: Option<Duration>) {
        // Acquire: pairs with the Release store of the transition that began
        // this period, so the window's reset for it is visible.
        if Word(self.word.load(Ordering::Acquire)).epoch() != ticket.epoch() {
            // The call was admitted in a period that has ended.
            return;
        }
        let slow_mask = duration.map_or(0, |duration| self.rules.slow_thresholds.mask(duration));
        let kept = duration.filter(|_| self.rules.keeps_durations);
        let sample = Sample::new(failed, kept, slow_mask);
        let recorded =
            self.period
                .window
                .record(ticket.epoch(), sample, self.rules.slow_thresholds, || {
                    self.clock.now()
                });
        let tag = tag_of_epoch(ticket.epoch());
        let metric = match recorded {
            Recorded::Stale => return,
            Recorded::Changed(metric) => metric,
            Recorded::Unchanged if !failed && self.period.streak.get(tag) == 0 => {
                // The window and the streak are as the last recorded outcome
                // left them, and the tripper already judged exactly this.
                return;
            }
            Recorded::Unchanged => {
                self.period
                    .window
                    .metric(ticket.epoch(), self.rules.slow_thresholds, || {
                        self.clock.now()
                    })
            }
        };
        let consecutive_failures = if failed {
            match self.period.streak.increment_saturating(tag) {
                Some(streak) => streak,
                None => return,
            }
        } else if self.period.streak.clear(tag) {
            0
        } else {
            return;
        };

        let context = Context::new(&metric, ticket.state(), consecutive_failures);
        let verdict = match ticket.state() {
            State::Closed | State::HalfOpen => self.rules.tripper.trips(&context),
            _ => return,
        };
        let tripped = || Reason::Tripped {
            metric,
            consecutive_failures,
            cause: self.rules.tripper.cause(&context),
        };
        match (ticket.state(), failed, verdict) {
            (State::Closed, _, true) | (State::HalfOpen, true, true) => {
                self.transition(Some(ticket.epoch()), State::Open, tripped);
            }
            (State::HalfOpen, false, false) => {
                self.transition(Some(ticket.epoch()), State::Closed, || Reason::Recovered {
                    metric,
                    consecutive_failures,
                });
            }
            _ => {}
        }
    }

    pub(crate) fn command(&self, command: Command) {
        self.transition(None, command.target(), || Reason::Command(command));
    }

    /// Moves to `to`, if the current period is still `expected` (or
    /// unconditionally for `None`), and delivers the transition. Returns
    /// `false` when another transition came first.
    pub(crate) fn transition(
        &self,
        expected: Option<u64>,
        to: State,
        reason: impl FnOnce() -> Reason,
    ) -> bool {
        let now = self.clock.now();
        // The reason may run user code (a tripper's `cause`), so it is built
        // before taking the lock.
        let reason = (!self.listeners.is_empty()).then(reason);
        let mut outbox = lock(&self.outbox);
        // Acquire: see the newest period; only this lock's holder changes it.
        let word = Word(self.word.load(Ordering::Acquire));
        if expected.is_some_and(|epoch| epoch != word.epoch()) {
            return false;
        }
        let from = word.state();
        let epoch = word.epoch() + 1;

        // User code (the retry strategy, the clock's wall time) runs before
        // anything changes, so a panic in it leaves the period as it was.
        let reopens = self.next_reopens(from, to);
        let nanos = duration_to_nanos(now);
        let ready_at = (to == State::Open).then(|| {
            let wait = self.rules.retry.wait(reopens, self.rng.next_f64());
            wait.map_or(NEVER, |wait| {
                nanos.saturating_add(duration_to_nanos(wait)).min(NEVER - 1)
            })
        });
        let at_wall = reason.is_some().then(|| self.clock.to_system_time(now));

        // Relaxed stores: published by the Release swap of the word below.
        self.reopens.store(reopens, Ordering::Relaxed);
        self.changed_at.store(nanos, Ordering::Relaxed);
        if let Some(ready_at) = ready_at {
            self.ready_at.store(ready_at, Ordering::Relaxed);
        }
        self.start_period(epoch, to);

        // Release: publishes the period fields stored above. Only probe
        // counts change the word outside this lock, and the new period
        // starts with none, so the old count is simply overwritten.
        overwrite(&self.word, Word::new(epoch, to).0, Ordering::Release);

        let (Some(reason), Some(at_wall)) = (reason, at_wall) else {
            return true;
        };
        outbox.queue.push_back(Transition {
            name: Arc::clone(&self.name),
            from,
            to,
            at: now,
            at_wall,
            reopens,
            reason,
        });
        self.deliver(outbox);
        true
    }

    fn next_reopens(&self, from: State, to: State) -> u32 {
        // Relaxed: read under the transition lock, which orders it.
        let reopens = self.reopens.load(Ordering::Relaxed);
        match (from, to) {
            (State::HalfOpen, State::Open) => reopens.saturating_add(1),
            (_, State::Closed) => 0,
            _ => reopens,
        }
    }

    fn start_period(&self, epoch: u64, to: State) {
        self.period.window.reset(epoch);
        let streak = if matches!(to, State::HalfOpen | State::Closed) {
            0
        } else {
            self.period.streak.raw_value()
        };
        self.period.streak.reset(tag_of_epoch(epoch), streak);
    }

    /// Delivers queued transitions in order, unless another thread already
    /// is; that thread then delivers what this one queued.
    fn deliver<'a>(&'a self, mut outbox: MutexGuard<'a, Outbox>) {
        if outbox.delivering {
            return;
        }
        outbox.delivering = true;
        while let Some(transition) = outbox.queue.pop_front() {
            drop(outbox);
            for listener in self.listeners.iter() {
                // A panicking listener must not stop the others or the
                // breaker; the panic hook has already reported it.
                let _ = catch_unwind(AssertUnwindSafe(|| listener.on_transition(&transition)));
            }
            outbox = lock(&self.outbox);
        }
        outbox.delivering = false;
    }

    /// Starts period `epoch` in `Closed` with `streak` consecutive
    /// failures, as if `epoch` transitions had happened, so tests can reach
    /// counter limits.
    #[cfg(test)]
    pub(crate) fn restart_at(&self, epoch: u64, streak: u64) {
        let _outbox = lock(&self.outbox);
        self.start_period(epoch, State::Closed);
        self.period.streak.reset(tag_of_epoch(epoch), streak);
        // SeqCst: tests only, which run no call meanwhile.
        overwrite(
            &self.word,
            Word::new(epoch, State::Closed).0,
            Ordering::SeqCst,
        );
    }

    /// Sets the reopen count, so tests can reach its limit.
    #[cfg(test)]
    pub(crate) fn set_reopens(&self, reopens: u32) {
        let _outbox = lock(&self.outbox);
        // SeqCst: tests only, which run no call meanwhile.
        self.reopens.store(reopens, Ordering::SeqCst);
    }

    pub(crate) fn has_listeners(&self) -> bool {
        !self.listeners.is_empty()
    }

    /// Tells every listener that the breaker exists, with its first state.
    pub(crate) fn announce_created(&self, info: &crate::breaker::Info) {
        for listener in self.listeners.iter() {
            // Isolated like a transition: a panicking listener must not
            // fail the build or stop the others.
            let _ = catch_unwind(AssertUnwindSafe(|| listener.on_created(info)));
        }
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        // Holding the transition lock keeps the period from changing while
        // its fields are read.
        let _outbox = lock(&self.outbox);
        // Acquire/Relaxed: as in `admit`; the lock orders the rest.
        let word = Word(self.word.load(Ordering::Acquire));
        let metric = self
            .period
            .window
            .metric(word.epoch(), self.rules.slow_thresholds, || {
                self.clock.now()
            });
        Snapshot {
            state: word.state(),
            changed_at: Duration::from_nanos(self.changed_at.load(Ordering::Relaxed)),
            reopens: self.reopens.load(Ordering::Relaxed),
            consecutive_failures: self.period.streak.get(tag_of_epoch(word.epoch())),
            metric,
            probes_in_flight: word.in_flight(),
        }
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        for listener in self.listeners.iter() {
            // A panic must not escape a destructor, which could abort.
            let _ = catch_unwind(AssertUnwindSafe(|| listener.on_removed(&self.name)));
        }
    }
}
