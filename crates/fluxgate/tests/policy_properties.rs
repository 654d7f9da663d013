//! Property tests of the policy language: printing any component and
//! parsing the text gives an equal component, and no input makes a parser
//! panic.
#![cfg(feature = "policy")]

use std::fmt::Debug;
use std::ops::{BitAnd, BitOr, Not};
use std::time::Duration;

use proptest::prelude::*;

use fluxgate::permits::{self, RampUp, Random};
use fluxgate::policy::{
    PolicyPermit, PolicyRetry, PolicyTracker, PolicyTripper, parse_duration, parse_permit,
    parse_retry, parse_tracker, parse_tripper, parse_window,
};
use fluxgate::retries::{Always, Backoff, Cooldown, Never};
use fluxgate::trackers::{self, Kind};
use fluxgate::trippers::{
    AvgLatency, Closed, FailureRate, FailureStreak, HalfOpened, MinRequests, SlowRate,
};
use fluxgate::windows::{CountWindow, TimeWindow, Window};

/// Generates positive durations: whole milliseconds, sub-millisecond
/// values, and the extremes.
fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (1u64..10_000_000).prop_map(Duration::from_millis),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(secs, nanos)| Duration::new(secs, nanos)),
        (1u64..1_000_000_000).prop_map(Duration::from_nanos),
        Just(Duration::MAX),
        Just(Duration::from_nanos(1)),
    ]
    .prop_filter("positive", |duration| !duration.is_zero())
}

/// Generates ratios in `(0, 1]`, including values with long shortest
/// forms.
fn ratio() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0.0..=1.0f64).prop_filter("positive", |ratio| *ratio > 0.0),
        (1u32..=100).prop_map(|percent| f64::from(percent) / 100.0),
        Just(1.0),
        Just(f64::MIN_POSITIVE),
        Just(0.1 + 0.2),
    ]
}

/// Generates jitters in `[0, 1)`.
fn jitter() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), 0.0..1.0f64]
}

fn window() -> impl Strategy<Value = Window> {
    prop_oneof![
        (1usize..=CountWindow::MAX_SIZE).prop_map(|size| CountWindow::new(size).unwrap().into()),
        (1u64..=86_400).prop_map(|secs| TimeWindow::new(Duration::from_secs(secs)).unwrap().into()),
    ]
}

/// Generates non-empty patterns of any characters, quotes, backslashes
/// and line breaks included.
fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_*]{1,12}",
        "[\"\\\\\n\t é*a]{1,8}",
        any::<String>().prop_filter("non-empty", |text| !text.is_empty()),
    ]
}

/// Generates trees of up to eight levels of `&`, `|` and `!` over `leaf`.
fn combinations<T>(leaf: impl Strategy<Value = T> + 'static) -> impl Strategy<Value = T>
where
    T: BitAnd<Output = T> + BitOr<Output = T> + Not<Output = T> + Clone + Debug + 'static,
{
    leaf.prop_recursive(8, 64, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(left, right)| left & right),
            (inner.clone(), inner.clone()).prop_map(|(left, right)| left | right),
            inner.prop_map(|operand| !operand),
        ]
    })
}

fn tracker() -> impl Strategy<Value = PolicyTracker> {
    let leaf = prop_oneof![
        Just(PolicyTracker::from(trackers::All)),
        prop::collection::vec(pattern(), 1..4)
            .prop_map(|patterns| Kind::new(patterns).unwrap().into()),
    ];
    combinations(leaf)
}

fn tripper() -> impl Strategy<Value = PolicyTripper> {
    let leaf = prop_oneof![
        Just(PolicyTripper::from(Closed)),
        Just(PolicyTripper::from(HalfOpened)),
        (1u32..=u32::MAX).prop_map(|count| MinRequests::new(count).unwrap().into()),
        ratio().prop_map(|ratio| FailureRate::new(ratio).unwrap().into()),
        duration().prop_map(|threshold| AvgLatency::new(threshold).unwrap().into()),
        (ratio(), duration())
            .prop_map(|(ratio, threshold)| SlowRate::new(ratio, threshold).unwrap().into()),
        (1u32..=u32::MAX).prop_map(|count| FailureStreak::new(count).unwrap().into()),
    ];
    combinations(leaf)
}

fn retry() -> impl Strategy<Value = PolicyRetry> {
    let multiplier = prop_oneof![
        Just(None),
        (1.0..1e6f64)
            .prop_filter("above 1", |factor| *factor > 1.0)
            .prop_map(Some),
        Just(Some(f64::MAX)),
    ];
    prop_oneof![
        Just(PolicyRetry::from(Always)),
        Just(PolicyRetry::from(Never)),
        (duration(), jitter()).prop_map(|(duration, jitter)| {
            Cooldown::new(duration)
                .unwrap()
                .with_jitter(jitter)
                .unwrap()
                .into()
        }),
        (duration(), multiplier, any::<Option<u32>>(), jitter()).prop_map(
            |(initial, multiplier, extra, jitter)| {
                let mut backoff = Backoff::new(initial).unwrap().with_jitter(jitter).unwrap();
                if let Some(multiplier) = multiplier {
                    backoff = backoff.with_multiplier(multiplier).unwrap();
                }
                if let Some(extra) = extra {
                    let max = initial.saturating_add(Duration::from_millis(u64::from(extra)));
                    backoff = backoff.with_max(max).unwrap();
                }
                backoff.into()
            }
        ),
    ]
}

fn permit() -> impl Strategy<Value = PolicyPermit> {
    prop_oneof![
        Just(PolicyPermit::from(permits::All)),
        prop_oneof![Just(0.0), ratio()]
            .prop_map(|probability| Random::new(probability).unwrap().into()),
        (ratio(), ratio(), duration()).prop_map(|(first, second, duration)| {
            let (initial, last) = if first <= second {
                (first, second)
            } else {
                (second, first)
            };
            RampUp::new(initial, last, duration).unwrap().into()
        }),
    ]
}

proptest! {
    #[test]
    fn windows_print_and_parse_back(window in window()) {
        prop_assert_eq!(parse_window(&window.to_string()).unwrap(), window);
    }

    #[test]
    fn trackers_print_and_parse_back(tracker in tracker()) {
        let text = tracker.to_string();
        prop_assert_eq!(parse_tracker(&text).unwrap(), tracker, "{}", text);
    }

    #[test]
    fn trippers_print_and_parse_back(tripper in tripper()) {
        let text = tripper.to_string();
        prop_assert_eq!(parse_tripper(&text).unwrap(), tripper, "{}", text);
    }

    #[test]
    fn retries_print_and_parse_back(retry in retry()) {
        let text = retry.to_string();
        prop_assert_eq!(parse_retry(&text).unwrap(), retry, "{}", text);
    }

    #[test]
    fn permits_print_and_parse_back(permit in permit()) {
        let text = permit.to_string();
        prop_assert_eq!(parse_permit(&text).unwrap(), permit, "{}", text);
    }

    #[test]
    fn durations_print_and_parse_back(duration in duration()) {
        let text = fluxgate::DisplayDuration(duration).to_string();
        prop_assert_eq!(parse_duration(&text).unwrap(), duration, "{}", text);
    }

    #[test]
    fn token_soup_never_panics(text in "[a-z_()&|!,=%.\"\\\\ 0-9\n#*-]{0,80}") {
        parse_all(&text);
    }

    #[test]
    fn near_valid_text_never_panics(
        tripper in tripper(),
        cut in any::<prop::sample::Index>(),
        insert in "[()&|!,=%.\"\\\\ 0-9a-z#-]{0,3}",
    ) {
        let mut text = tripper.to_string();
        let at = floor_char_boundary(&text, cut.index(text.len() + 1));
        text.insert_str(at, &insert);
        parse_all(&text);
    }

    #[test]
    fn any_string_never_panics(text in any::<String>()) {
        parse_all(&text);
    }

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        parse_all(&String::from_utf8_lossy(&bytes));
        #[cfg(feature = "policy-file")]
        {
            let _ = fluxgate::policy::PolicyFile::parse_bytes(&bytes);
        }
    }
}

/// Runs every parser on `text`; each must return, with `Ok` or `Err`.
fn parse_all(text: &str) {
    let _ = parse_window(text);
    let _ = parse_tracker(text);
    let _ = parse_tripper(text);
    let _ = parse_retry(text);
    let _ = parse_permit(text);
    let _ = parse_duration(text);
    if let Err(error) = parse_tripper(text) {
        let _ = error.to_string();
    }
    #[cfg(feature = "policy-file")]
    {
        if let Err(error) = fluxgate::policy::PolicyFile::parse(text) {
            let _ = error.to_string();
        }
        let _ = fluxgate::policy::PolicyFile::parse(&format!("tripper = \"\"\"{text}\"\"\""));
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}
