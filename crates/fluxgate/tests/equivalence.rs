//! Property tests that drive the breaker and the reference model in
//! `tests/model` with the same random sequences of calls, outcomes,
//! durations, clock steps and manual commands. After every step they
//! compare the admission or rejection, the state, the metric, and every
//! transition sent to the listener.
//!
//! The rules are random too: both window kinds, trees of trippers and
//! trackers, and every retry and permit. The case count is fixed for CI;
//! set `PROPTEST_CASES` for a longer run.

mod model;

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fluxgate::ops::{And, Not, Or};
use fluxgate::permits::{self, Permit, RampUp, Random};
use fluxgate::retries::{Always, Backoff, Cooldown, Never, Retry};
use fluxgate::trackers::{self, Custom, Kind, KindName, Tracker, TypeOf};
use fluxgate::trippers::{
    AvgLatency, Closed, FailureRate, FailureStreak, HalfOpened, MinRequests, SlowRate, Tripper,
};
use fluxgate::windows::{CountWindow, TimeWindow};
use fluxgate::{
    BreakerRef, CircuitBreaker, Clock, Command, Guard, Info, ManualClock, Outcome, Rejected, State,
    Transition,
};
use model::{Model, Move, Rejection, Rules, Ticket, View, WindowRule};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// The error the protected calls return, with a kind name for `kind(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CallError {
    kind: &'static str,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call failed: {}", self.kind)
    }
}

impl std::error::Error for CallError {}

impl KindName for CallError {
    fn kind_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.kind)
    }
}

const KINDS: [&str; 4] = ["ConnectTimeout", "Refused", "NotFound", "http_503"];

type SharedTracker = Arc<dyn Tracker<CallError>>;
type Breaker = CircuitBreaker<SharedTracker>;

/// A tripper tree, kept as data so that a failing case prints it.
#[derive(Debug, Clone)]
enum TripperSpec {
    Closed,
    HalfOpened,
    MinRequests(u32),
    FailureRate(f64),
    AvgLatency(u64),
    SlowRate(f64, u64),
    FailureStreak(u32),
    And(Box<TripperSpec>, Box<TripperSpec>),
    Or(Box<TripperSpec>, Box<TripperSpec>),
    Not(Box<TripperSpec>),
}

impl TripperSpec {
    fn build(&self) -> Arc<dyn Tripper> {
        let millis = Duration::from_millis;
        match self {
            TripperSpec::Closed => Arc::new(Closed),
            TripperSpec::HalfOpened => Arc::new(HalfOpened),
            TripperSpec::MinRequests(count) => Arc::new(MinRequests::new(*count).unwrap()),
            TripperSpec::FailureRate(ratio) => Arc::new(FailureRate::new(*ratio).unwrap()),
            TripperSpec::AvgLatency(ms) => Arc::new(AvgLatency::new(millis(*ms)).unwrap()),
            TripperSpec::SlowRate(ratio, ms) => {
                Arc::new(SlowRate::new(*ratio, millis(*ms)).unwrap())
            }
            TripperSpec::FailureStreak(count) => Arc::new(FailureStreak::new(*count).unwrap()),
            TripperSpec::And(left, right) => Arc::new(And::new(left.build(), right.build())),
            TripperSpec::Or(left, right) => Arc::new(Or::new(left.build(), right.build())),
            TripperSpec::Not(inner) => Arc::new(Not::new(inner.build())),
        }
    }
}

fn tripper_spec() -> impl Strategy<Value = TripperSpec> {
    // Four distinct slow thresholds, the maximum one breaker tracks.
    let threshold = prop::sample::select(vec![100u64, 250, 1_000, 2_000]);
    let ratio = prop::sample::select(vec![0.2, 0.5, 0.75, 1.0]);
    let leaf = prop_oneof![
        Just(TripperSpec::Closed),
        Just(TripperSpec::HalfOpened),
        (1u32..6).prop_map(TripperSpec::MinRequests),
        ratio.clone().prop_map(TripperSpec::FailureRate),
        prop::sample::select(vec![50u64, 300, 1_500]).prop_map(TripperSpec::AvgLatency),
        (ratio, threshold).prop_map(|(ratio, ms)| TripperSpec::SlowRate(ratio, ms)),
        (1u32..5).prop_map(TripperSpec::FailureStreak),
    ];
    combined(leaf, 3, TripperSpec::And, TripperSpec::Or, TripperSpec::Not)
}

/// Returns trees up to `depth` deep of `leaf` values joined by `&`, `|`
/// and `!`, built with the given variants.
fn combined<T: fmt::Debug + Clone + 'static>(
    leaf: impl Strategy<Value = T> + 'static,
    depth: u32,
    and: fn(Box<T>, Box<T>) -> T,
    or: fn(Box<T>, Box<T>) -> T,
    not: fn(Box<T>) -> T,
) -> impl Strategy<Value = T> {
    leaf.prop_recursive(depth, 4 * depth, 2, move |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| and(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| or(Box::new(a), Box::new(b))),
            inner.prop_map(move |a| not(Box::new(a))),
        ]
    })
}

/// A tracker tree, kept as data so that a failing case prints it.
#[derive(Debug, Clone)]
enum TrackerSpec {
    All,
    Kind(Vec<&'static str>),
    LongKindName,
    TypeOfCallError,
    TypeOfIoError,
    And(Box<TrackerSpec>, Box<TrackerSpec>),
    Or(Box<TrackerSpec>, Box<TrackerSpec>),
    Not(Box<TrackerSpec>),
}

impl TrackerSpec {
    fn build(&self) -> SharedTracker {
        match self {
            TrackerSpec::All => Arc::new(trackers::All),
            TrackerSpec::Kind(patterns) => Arc::new(Kind::new(patterns.clone()).unwrap()),
            TrackerSpec::LongKindName => {
                Arc::new(Custom::new(|error: &CallError| error.kind.len() > 7))
            }
            TrackerSpec::TypeOfCallError => Arc::new(TypeOf::<CallError>::new()),
            TrackerSpec::TypeOfIoError => Arc::new(TypeOf::<std::io::Error>::new()),
            TrackerSpec::And(left, right) => Arc::new(And::new(left.build(), right.build())),
            TrackerSpec::Or(left, right) => Arc::new(Or::new(left.build(), right.build())),
            TrackerSpec::Not(inner) => Arc::new(Not::new(inner.build())),
        }
    }
}

fn tracker_spec() -> impl Strategy<Value = TrackerSpec> {
    let pattern = prop::sample::select(vec!["*Timeout", "http_5*", "NotFound", "R*d", "*"]);
    let leaf = prop_oneof![
        3 => Just(TrackerSpec::All),
        2 => prop::collection::vec(pattern, 1..3).prop_map(TrackerSpec::Kind),
        1 => Just(TrackerSpec::LongKindName),
        1 => Just(TrackerSpec::TypeOfCallError),
        1 => Just(TrackerSpec::TypeOfIoError),
    ];
    combined(leaf, 2, TrackerSpec::And, TrackerSpec::Or, TrackerSpec::Not)
}

#[derive(Debug, Clone)]
enum RetrySpec {
    Always,
    Never,
    Cooldown {
        millis: u64,
        jitter: f64,
    },
    Backoff {
        millis: u64,
        multiplier: f64,
        max_factor: u32,
        jitter: f64,
    },
}

impl RetrySpec {
    fn build(&self) -> Arc<dyn Retry> {
        match *self {
            RetrySpec::Always => Arc::new(Always),
            RetrySpec::Never => Arc::new(Never),
            RetrySpec::Cooldown { millis, jitter } => Arc::new(
                Cooldown::new(Duration::from_millis(millis))
                    .unwrap()
                    .with_jitter(jitter)
                    .unwrap(),
            ),
            RetrySpec::Backoff {
                millis,
                multiplier,
                max_factor,
                jitter,
            } => {
                let initial = Duration::from_millis(millis);
                Arc::new(
                    Backoff::new(initial)
                        .unwrap()
                        .with_multiplier(multiplier)
                        .unwrap()
                        .with_max(initial * max_factor)
                        .unwrap()
                        .with_jitter(jitter)
                        .unwrap(),
                )
            }
        }
    }
}

fn retry_spec() -> impl Strategy<Value = RetrySpec> {
    let jitter = prop::sample::select(vec![0.0, 0.1, 0.5, 0.9]);
    prop_oneof![
        1 => Just(RetrySpec::Always),
        1 => Just(RetrySpec::Never),
        3 => (1u64..20_000, jitter.clone())
            .prop_map(|(millis, jitter)| RetrySpec::Cooldown { millis, jitter }),
        3 => (1u64..5_000, prop::sample::select(vec![1.5, 2.0, 3.0]), 1u32..10, jitter).prop_map(
            |(millis, multiplier, max_factor, jitter)| RetrySpec::Backoff {
                millis,
                multiplier,
                max_factor,
                jitter,
            }
        ),
    ]
}

#[derive(Debug, Clone)]
enum PermitSpec {
    All,
    Random(f64),
    RampUp {
        initial: f64,
        last: f64,
        millis: u64,
    },
}

impl PermitSpec {
    fn build(&self) -> Arc<dyn Permit> {
        match *self {
            PermitSpec::All => Arc::new(permits::All),
            PermitSpec::Random(probability) => Arc::new(Random::new(probability).unwrap()),
            PermitSpec::RampUp {
                initial,
                last,
                millis,
            } => Arc::new(RampUp::new(initial, last, Duration::from_millis(millis)).unwrap()),
        }
    }
}

fn permit_spec() -> impl Strategy<Value = PermitSpec> {
    prop_oneof![
        2 => Just(PermitSpec::All),
        1 => prop::sample::select(vec![0.0, 0.3, 0.8, 1.0]).prop_map(PermitSpec::Random),
        1 => (0.05f64..=1.0, 0.0f64..=1.0, 1u64..30_000).prop_map(|(initial, share, millis)| {
            PermitSpec::RampUp {
                initial,
                last: initial + (1.0 - initial) * share,
                millis,
            }
        }),
    ]
}

#[derive(Debug, Clone)]
struct Setup {
    window: WindowRule,
    tripper: TripperSpec,
    tracker: TrackerSpec,
    retry: RetrySpec,
    permit: PermitSpec,
    max_half_open_calls: u32,
    half_open_timeout: Option<u64>,
    measure_durations: bool,
    seed: u64,
}

fn setup() -> impl Strategy<Value = Setup> {
    let window = prop_oneof![
        (1usize..8).prop_map(WindowRule::Count),
        (1u64..6).prop_map(WindowRule::Time),
    ];
    (
        window,
        tripper_spec(),
        tracker_spec(),
        retry_spec(),
        permit_spec(),
        1u32..4,
        prop::option::weighted(0.3, 1u64..20_000),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(
            |(window, tripper, tracker, retry, permit, max, timeout, measure, seed)| Setup {
                window,
                tripper,
                tracker,
                retry,
                permit,
                max_half_open_calls: max,
                half_open_timeout: timeout,
                measure_durations: measure,
                seed,
            },
        )
}

/// What a protected call returns.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Ok,
    Err(&'static str),
    /// Reported through `Guard::record`, bypassing the tracker.
    Classified(Outcome),
}

/// The duration a call reports.
#[derive(Debug, Clone, Copy)]
enum Timing {
    /// The clock moves this far while the call runs.
    Elapsed(Duration),
    /// The call sets its duration, or sets none, with `set_duration`.
    Explicit(Option<Duration>),
}

#[derive(Debug, Clone)]
enum Step {
    /// A call from admission to its outcome.
    Call(Answer, Timing),
    /// Admits a call and keeps its guard in slot `n`. A guard already in
    /// that slot is dropped first, without reporting.
    Begin(usize),
    /// Reports the call kept in slot `n`, if any.
    Finish(usize, Answer, Timing),
    /// Drops the guard in slot `n` without reporting.
    Abandon(usize),
    Advance(Duration),
    /// Sets the clock back, as a manual clock or a replay can.
    Rewind(Duration),
    Command(Command),
}

const SLOTS: usize = 3;

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        4 => Just(Answer::Ok),
        4 => prop::sample::select(KINDS.to_vec()).prop_map(Answer::Err),
        1 => prop::sample::select(vec![Outcome::Success, Outcome::Failure, Outcome::Ignored])
            .prop_map(Answer::Classified),
    ]
}

fn timing() -> impl Strategy<Value = Timing> {
    prop_oneof![
        4 => (0u64..2_500).prop_map(|ms| Timing::Elapsed(Duration::from_millis(ms))),
        1 => (0u64..3_000_000).prop_map(|us| Timing::Explicit(Some(Duration::from_micros(us)))),
        1 => Just(Timing::Explicit(None)),
        // A sub-microsecond part, which the windows drop.
        1 => (0u64..5_000_000).prop_map(|ns| Timing::Elapsed(Duration::from_nanos(ns))),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let slot = 0..SLOTS;
    prop_oneof![
        12 => (answer(), timing()).prop_map(|(answer, timing)| Step::Call(answer, timing)),
        2 => slot.clone().prop_map(Step::Begin),
        2 => (slot.clone(), answer(), timing())
            .prop_map(|(slot, answer, timing)| Step::Finish(slot, answer, timing)),
        1 => slot.prop_map(Step::Abandon),
        4 => (0u64..4_000).prop_map(|ms| Step::Advance(Duration::from_millis(ms))),
        1 => (0u64..120_000).prop_map(|ms| Step::Advance(Duration::from_millis(ms))),
        // A year ahead.
        1 => Just(Step::Advance(Duration::from_secs(365 * 86_400))),
        1 => (0u64..10_000).prop_map(|ms| Step::Rewind(Duration::from_millis(ms))),
        1 => prop::sample::select(Command::ALL.to_vec()).prop_map(Step::Command),
    ]
}

/// Collects every transition the breaker sends.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Transition>>>);

impl Recorder {
    fn moves(&self) -> Vec<Move> {
        let transitions = self.0.lock().unwrap();
        transitions
            .iter()
            .map(|transition| Move {
                from: transition.from,
                to: transition.to,
                at: transition.at,
                at_wall: transition.at_wall,
                reopens: transition.reopens,
                reason: transition.reason.clone(),
            })
            .collect()
    }
}

/// The breaker and the model side by side.
struct Pair {
    breaker: Breaker,
    clock: ManualClock,
    recorder: Recorder,
    tracker: SharedTracker,
    model: Model,
}

fn build(setup: &Setup) -> Pair {
    let clock = ManualClock::starting_at(Duration::from_secs(10_000));
    let recorder = Recorder::default();
    let sink = Arc::clone(&recorder.0);
    let rules = Rules {
        window: setup.window,
        tripper: setup.tripper.build(),
        retry: setup.retry.build(),
        permit: setup.permit.build(),
        max_half_open_calls: setup.max_half_open_calls,
        half_open_timeout: setup.half_open_timeout.map(Duration::from_millis),
        measure_durations: setup.measure_durations,
        seed: setup.seed,
    };
    let tracker = setup.tracker.build();
    let mut builder = CircuitBreaker::builder()
        .tracker(Arc::clone(&tracker))
        .tripper(Arc::clone(&rules.tripper))
        .retry(Arc::clone(&rules.retry))
        .permit(Arc::clone(&rules.permit))
        .max_half_open_calls(rules.max_half_open_calls)
        .measure_durations(rules.measure_durations)
        .clock(clock.clone())
        .seed(rules.seed)
        .listener(move |transition: &Transition| sink.lock().unwrap().push(transition.clone()));
    builder = match setup.window {
        WindowRule::Count(size) => builder.window(CountWindow::new(size).unwrap()),
        WindowRule::Time(seconds) => {
            builder.window(TimeWindow::new(Duration::from_secs(seconds)).unwrap())
        }
    };
    if let Some(timeout) = rules.half_open_timeout {
        builder = builder.half_open_timeout(timeout);
    }
    let breaker = builder.build().unwrap();
    let model = Model::new(rules, clock.now());
    Pair {
        breaker,
        clock,
        recorder,
        tracker,
        model,
    }
}

type Admission = Result<(State, bool), Rejection>;

fn admission<B: BreakerRef>(result: &Result<Guard<B>, Rejected>) -> Admission {
    match result {
        Ok(guard) => Ok((guard.state(), guard.is_probe())),
        Err(rejected) => Err((rejected.state(), rejected.retry_after())),
    }
}

fn model_admission(result: &Result<Ticket, Rejection>) -> Admission {
    result.map(|ticket| (ticket.state, ticket.probe))
}

/// Returns the outcome the model records for `answer`, classified by the
/// breaker's own tracker.
fn outcome(tracker: &SharedTracker, answer: Answer) -> Outcome {
    match answer {
        Answer::Ok => Outcome::Success,
        Answer::Err(kind) if tracker.is_failure(&CallError { kind }) => Outcome::Failure,
        Answer::Err(_) => Outcome::Ignored,
        Answer::Classified(outcome) => outcome,
    }
}

/// Lets the call's time pass and returns the duration the breaker
/// records for it.
fn run(clock: &ManualClock, timing: Timing, ticket: &Ticket) -> Option<Duration> {
    match timing {
        Timing::Elapsed(elapsed) => {
            clock.advance(elapsed);
            ticket
                .started
                .map(|started| clock.now().saturating_sub(started))
        }
        Timing::Explicit(duration) => duration,
    }
}

/// Reports `answer` through the guard, as a caller would.
fn report<B: BreakerRef<Tracker = SharedTracker>>(
    mut guard: Guard<B>,
    answer: Answer,
    timing: Timing,
) {
    if let Timing::Explicit(duration) = timing {
        guard.set_duration(duration);
    }
    match answer {
        Answer::Ok => guard.record_result(&Ok::<(), CallError>(())),
        Answer::Err(kind) => guard.record_result(&Err::<(), _>(CallError { kind })),
        Answer::Classified(outcome) => guard.record(outcome),
    }
}

fn view(info: Info) -> View {
    View {
        state: info.state,
        changed_at: info.changed_at,
        reopens: info.reopens,
        consecutive_failures: info.consecutive_failures,
        probes_in_flight: info.probes_in_flight,
        metric: info.metric,
    }
}

/// Admits a call on both sides and fails unless they agree; returns the
/// guard and the ticket when both admitted it.
fn admit_both<'a>(
    breaker: &'a Breaker,
    model: &mut Model,
    now: Duration,
    index: usize,
) -> Result<Option<(Guard<&'a Breaker>, Ticket)>, TestCaseError> {
    let guard = breaker.try_acquire();
    let ticket = model.admit(now);
    prop_assert_eq!(
        admission(&guard),
        model_admission(&ticket),
        "step {}",
        index
    );
    Ok(guard.ok().zip(ticket.ok()))
}

/// Runs `steps` on a breaker and a model built from `setup`, and fails at
/// the first step after which they differ.
fn check_steps(setup: &Setup, steps: &[Step]) -> Result<(), TestCaseError> {
    let Pair {
        breaker,
        clock,
        recorder,
        tracker,
        mut model,
    } = build(setup);
    let mut open_calls: Vec<Option<(Guard<&Breaker>, Ticket)>> = (0..SLOTS).map(|_| None).collect();

    for (index, step) in steps.iter().enumerate() {
        let now = clock.now();
        let finish =
            |model: &mut Model, (guard, ticket): (Guard<&Breaker>, Ticket), answer, timing| {
                let duration = run(&clock, timing, &ticket);
                report(guard, answer, timing);
                model.complete(ticket, outcome(&tracker, answer), duration, clock.now());
            };
        match *step {
            Step::Call(answer, timing) => {
                if let Some(call) = admit_both(&breaker, &mut model, now, index)? {
                    finish(&mut model, call, answer, timing);
                }
            }
            Step::Begin(slot) => {
                if let Some((guard, ticket)) = open_calls[slot].take() {
                    drop(guard);
                    model.release(ticket);
                }
                open_calls[slot] = admit_both(&breaker, &mut model, now, index)?;
            }
            Step::Finish(slot, answer, timing) => {
                if let Some(call) = open_calls[slot].take() {
                    finish(&mut model, call, answer, timing);
                }
            }
            Step::Abandon(slot) => {
                if let Some((guard, ticket)) = open_calls[slot].take() {
                    drop(guard);
                    model.release(ticket);
                }
            }
            Step::Advance(step) => clock.advance(step),
            Step::Rewind(step) => clock.set(now.saturating_sub(step)),
            Step::Command(command) => {
                breaker.command(command);
                model.command(command, now);
            }
        }

        let expected = model.view(clock.now());
        prop_assert_eq!(view(breaker.info()), expected, "step {}: {:?}", index, step);
        prop_assert_eq!(
            recorder.moves(),
            model.moves(),
            "step {}: {:?}",
            index,
            step
        );
    }
    Ok(())
}

/// Returns 400 cases from a fixed seed, unless `PROPTEST_CASES` or
/// `PROPTEST_RNG_SEED` ask for others.
fn config() -> Config {
    let from_environment = Config::default();
    let set = |name| std::env::var_os(name).is_some();
    Config {
        cases: if set("PROPTEST_CASES") {
            from_environment.cases
        } else {
            400
        },
        rng_seed: if set("PROPTEST_RNG_SEED") {
            from_environment.rng_seed
        } else {
            RngSeed::Fixed(0x5EED_F1A5)
        },
        ..from_environment
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn breaker_matches_model(
        setup in setup(),
        steps in prop::collection::vec(step(), 1..120),
    ) {
        check_steps(&setup, &steps)?;
    }
}
