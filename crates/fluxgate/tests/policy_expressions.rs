//! Policy expressions: what valid ones build, what invalid ones report,
//! and that parsed components behave like the ones built in code.
#![cfg(feature = "policy")]

use std::fmt;
use std::io;
use std::time::Duration;

use fluxgate::permits::{self, RampUp, Random};
use fluxgate::policy::{
    Policy, PolicyError, PolicyPermit, PolicyRetry, PolicyTracker, PolicyTripper, parse_duration,
    parse_permit, parse_retry, parse_tracker, parse_tripper, parse_window,
};
use fluxgate::retries::{Always, Backoff, Cooldown, Never};
use fluxgate::trackers::{self, ByName, Kind, KindName, Tracker};
use fluxgate::trippers::{
    AvgLatency, Closed, FailureRate, FailureStreak, HalfOpened, MinRequests, SlowRate,
};
use fluxgate::windows::{CountWindow, TimeWindow, Window};
use fluxgate::{CircuitBreaker, ManualClock, State};

fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

fn tripper(part: impl Into<PolicyTripper>) -> PolicyTripper {
    part.into()
}

fn kind(patterns: &[&str]) -> PolicyTracker {
    PolicyTracker::Kind(Kind::new(patterns.iter().copied()).unwrap())
}

#[test]
fn valid_windows() {
    let cases = [
        ("count(100)", Window::Count(CountWindow::new(100).unwrap())),
        ("count(size=1)", Window::Count(CountWindow::new(1).unwrap())),
        (
            "time(60s)",
            Window::Time(TimeWindow::new(secs(60)).unwrap()),
        ),
        (
            "time(1m30s)",
            Window::Time(TimeWindow::new(secs(90)).unwrap()),
        ),
        (
            "  time( size = 24h )  # a day",
            Window::Time(TimeWindow::new(secs(86_400)).unwrap()),
        ),
        ("(count(5))", Window::Count(CountWindow::new(5).unwrap())),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_window(text).unwrap(), expected, "{text}");
    }
}

#[test]
fn valid_trackers() {
    let cases = [
        ("all()", PolicyTracker::from(trackers::All)),
        (r#"kind("Timeout")"#, kind(&["Timeout"])),
        (r#"kind("A", "B*",)"#, kind(&["A", "B*"])),
        (
            r#"kind("say \"hi\"", "back\\slash")"#,
            kind(&["say \"hi\"", "back\\slash"]),
        ),
        ("kind(\"two\nlines\")", kind(&["two\nlines"])),
        (r#"kind("é*")"#, kind(&["é*"])),
        (
            r#"all() & !kind("NotFound")"#,
            PolicyTracker::from(trackers::All) & !kind(&["NotFound"]),
        ),
        (
            r#"kind("a") | kind("b") & kind("c")"#,
            kind(&["a"]) | (kind(&["b"]) & kind(&["c"])),
        ),
        (r#"!!kind("a")"#, !!kind(&["a"])),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_tracker(text).unwrap(), expected, "{text}");
    }
}

#[test]
fn valid_trippers() {
    let rate = |ratio| tripper(FailureRate::new(ratio).unwrap());
    let volume = |count| tripper(MinRequests::new(count).unwrap());
    let streak = |count| tripper(FailureStreak::new(count).unwrap());
    let cases = [
        ("closed()", tripper(Closed)),
        ("half_open()", tripper(HalfOpened)),
        ("min_requests(20)", volume(20)),
        ("min_requests(count=4294967295)", volume(u32::MAX)),
        ("failure_rate(0.5)", rate(0.5)),
        ("failure_rate(50%)", rate(0.5)),
        ("failure_rate(12.5%)", rate(0.125)),
        ("failure_rate(100%)", rate(1.0)),
        ("failure_rate(ratio=1)", rate(1.0)),
        (
            "avg_latency(800ms)",
            tripper(AvgLatency::new(Duration::from_millis(800)).unwrap()),
        ),
        (
            "avg_latency(0.00025s)",
            tripper(AvgLatency::new(Duration::from_micros(250)).unwrap()),
        ),
        (
            "slow_rate(0.3, 1s)",
            tripper(SlowRate::new(0.3, secs(1)).unwrap()),
        ),
        (
            "slow_rate(threshold=1.5s, ratio=30%)",
            tripper(SlowRate::new(0.3, Duration::from_millis(1500)).unwrap()),
        ),
        (
            "slow_rate(0.3, threshold=2s)",
            tripper(SlowRate::new(0.3, secs(2)).unwrap()),
        ),
        ("failure_streak(5)", streak(5)),
        (
            "failure_streak(5) | min_requests(20) & failure_rate(0.5)",
            streak(5) | (volume(20) & rate(0.5)),
        ),
        (
            "(failure_streak(5) | min_requests(20)) & failure_rate(0.5)",
            (streak(5) | volume(20)) & rate(0.5),
        ),
        (
            "min_requests(1) & min_requests(2) & min_requests(3)",
            (volume(1) & volume(2)) & volume(3),
        ),
        (
            "min_requests(1) & (min_requests(2) & min_requests(3))",
            volume(1) & (volume(2) & volume(3)),
        ),
        (
            "!min_requests(5) | failure_rate(0.2)",
            !volume(5) | rate(0.2),
        ),
        (
            "!(min_requests(5) | failure_rate(0.2))",
            !(volume(5) | rate(0.2)),
        ),
        (
            "(closed() & min_requests(20) & failure_rate(0.5))\n| (half_open() & (!min_requests(5) | failure_rate(0.2)))",
            ((tripper(Closed) & volume(20)) & rate(0.5))
                | (tripper(HalfOpened) & (!volume(5) | rate(0.2))),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_tripper(text).unwrap(), expected, "{text}");
    }
}

#[test]
fn valid_retries() {
    let backoff = Backoff::new(secs(30)).unwrap();
    let cases = [
        ("always()", PolicyRetry::from(Always)),
        ("never()", PolicyRetry::from(Never)),
        (
            "cooldown(30s)",
            PolicyRetry::from(Cooldown::new(secs(30)).unwrap()),
        ),
        (
            "cooldown(30s, jitter=0.1)",
            PolicyRetry::from(Cooldown::new(secs(30)).unwrap().with_jitter(0.1).unwrap()),
        ),
        (
            "cooldown(duration=1m, jitter=10%)",
            PolicyRetry::from(Cooldown::new(secs(60)).unwrap().with_jitter(0.1).unwrap()),
        ),
        ("backoff(30s)", PolicyRetry::from(backoff)),
        ("backoff(initial=30s)", PolicyRetry::from(backoff)),
        (
            "backoff(initial=30s, max=10m, jitter=0.1)",
            PolicyRetry::from(
                backoff
                    .with_max(secs(600))
                    .unwrap()
                    .with_jitter(0.1)
                    .unwrap(),
            ),
        ),
        (
            "backoff(30s, 1.5, 1h, 0.2)",
            PolicyRetry::from(
                backoff
                    .with_multiplier(1.5)
                    .unwrap()
                    .with_max(secs(3600))
                    .unwrap()
                    .with_jitter(0.2)
                    .unwrap(),
            ),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_retry(text).unwrap(), expected, "{text}");
    }
}

#[test]
fn backoff_defaults_follow_the_core() {
    let PolicyRetry::Backoff(short) = parse_retry("backoff(10s)").unwrap() else {
        panic!("not a backoff");
    };
    assert_eq!(short.multiplier(), 2.0);
    assert_eq!(short.max(), secs(300));
    assert_eq!(short.jitter(), 0.0);
    let PolicyRetry::Backoff(long) = parse_retry("backoff(10m)").unwrap() else {
        panic!("not a backoff");
    };
    assert_eq!(long.max(), secs(600));
}

#[test]
fn valid_permits() {
    let cases = [
        ("all()", PolicyPermit::from(permits::All)),
        (
            "random(0.25)",
            PolicyPermit::from(Random::new(0.25).unwrap()),
        ),
        (
            "random(probability=0)",
            PolicyPermit::from(Random::new(0.0).unwrap()),
        ),
        (
            "ramp_up(0.1, 1, 60s)",
            PolicyPermit::from(RampUp::new(0.1, 1.0, secs(60)).unwrap()),
        ),
        (
            "ramp_up(initial=10%, final=50%, duration=1m)",
            PolicyPermit::from(RampUp::new(0.1, 0.5, secs(60)).unwrap()),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_permit(text).unwrap(), expected, "{text}");
    }
}

/// Parses `text` as a component of kind `kind` and returns the rendered
/// error.
fn error_of(kind: &str, text: &str) -> String {
    let result: Result<String, PolicyError> = match kind {
        "window" => parse_window(text).map(|parsed| parsed.to_string()),
        "tracker" => parse_tracker(text).map(|parsed| parsed.to_string()),
        "tripper" => parse_tripper(text).map(|parsed| parsed.to_string()),
        "retry" => parse_retry(text).map(|parsed| parsed.to_string()),
        "permit" => parse_permit(text).map(|parsed| parsed.to_string()),
        _ => panic!("unknown kind {kind}"),
    };
    match result {
        Ok(parsed) => panic!("{kind} {text:?} parsed as {parsed}"),
        Err(error) => error.to_string(),
    }
}

/// Builds the rendering of an error on line 1 with the caret at `column`
/// (from 1) and `width` characters wide.
fn rendered(message: &str, source: &str, column: usize, width: usize, hint: &str) -> String {
    let hint = if hint.is_empty() {
        String::new()
    } else {
        format!(" {hint}")
    };
    format!(
        "error: {message}\n --> line 1, column {column}\n  |\n1 | {source}\n  | {}{}{hint}",
        " ".repeat(column - 1),
        "^".repeat(width)
    )
}

/// One expected error: the component kind, the expression, the message,
/// the caret's column and width, and the hint.
type ErrorCase<'a> = (&'a str, &'a str, &'a str, usize, usize, &'a str);

/// Asserts that each expression fails with exactly the rendered error.
fn assert_rendered_errors(cases: &[ErrorCase<'_>]) {
    for &(kind, text, message, column, width, hint) in cases {
        assert_eq!(
            error_of(kind, text),
            rendered(message, text, column, width, hint),
            "{kind} {text:?}"
        );
    }
}

#[test]
fn invalid_expressions_report_exact_messages() {
    let ratio_range = "(allowed: greater than 0 and at most 1)";
    let cases: &[ErrorCase<'_>] = &[
        (
            "tripper",
            "min_requests(20) & failure_rat(0.5)",
            "unknown function `failure_rat` in tripper",
            20,
            11,
            "did you mean `failure_rate`?",
        ),
        (
            "tripper",
            "FailureRate(0.5)",
            "unknown function `FailureRate` in tripper",
            1,
            11,
            "did you mean `failure_rate`?",
        ),
        (
            "tripper",
            "failure_rate(40)",
            &format!("invalid ratio for failure_rate: 40 {ratio_range}"),
            14,
            2,
            "did you mean `40%`?",
        ),
        (
            "tripper",
            "failure_rate(150%)",
            &format!("invalid ratio for failure_rate: 1.5 {ratio_range}"),
            14,
            4,
            "",
        ),
        (
            "tripper",
            "failure_rate(0)",
            &format!("invalid ratio for failure_rate: 0 {ratio_range}"),
            14,
            1,
            "",
        ),
        (
            "tripper",
            "failure_rate(30s)",
            "expected a ratio such as `0.5` or `50%` for `ratio` of failure_rate, found the duration `30s`",
            14,
            3,
            "",
        ),
        (
            "tripper",
            "failure_rate(\"half\")",
            "expected a ratio such as `0.5` or `50%` for `ratio` of failure_rate, found the string `\"half\"`",
            14,
            6,
            "",
        ),
        (
            "tripper",
            "failure_rate()",
            "missing argument `ratio` for failure_rate",
            1,
            14,
            "expected `failure_rate(ratio)`",
        ),
        (
            "tripper",
            "slow_rate(0.5)",
            "missing argument `threshold` for slow_rate",
            1,
            14,
            "expected `slow_rate(ratio, threshold)`",
        ),
        (
            "tripper",
            "failure_rate(0.5, 1)",
            "too many arguments for failure_rate: it takes 1 argument",
            19,
            1,
            "expected `failure_rate(ratio)`",
        ),
        (
            "tripper",
            "closed(1)",
            "too many arguments for closed: it takes 0 arguments",
            8,
            1,
            "expected `closed()`",
        ),
        (
            "tripper",
            "slow_rate(ratio=0.5, treshold=1s)",
            "unknown argument `treshold` for slow_rate",
            22,
            8,
            "did you mean `threshold`?",
        ),
        (
            "tripper",
            "slow_rate(0.5, ratio=0.4)",
            "argument `ratio` of slow_rate given twice",
            16,
            5,
            "",
        ),
        (
            "tripper",
            "slow_rate(threshold=1s, 0.5)",
            "positional argument after a named argument",
            25,
            3,
            "write positional arguments first",
        ),
        (
            "tripper",
            "min_requests(1.5)",
            "expected a whole number such as `20` for `count` of min_requests, found the number `1.5`",
            14,
            3,
            "write a whole number without sign or fraction",
        ),
        (
            "tripper",
            "min_requests(-3)",
            "expected a whole number such as `20` for `count` of min_requests, found the number `-3`",
            14,
            2,
            "write a whole number without sign or fraction",
        ),
        (
            "tripper",
            "min_requests(0)",
            "invalid count for min_requests: 0 (allowed: at least 1)",
            14,
            1,
            "",
        ),
        (
            "tripper",
            "min_requests(99999999999)",
            "number `99999999999` is too large for `count` of min_requests",
            14,
            11,
            "",
        ),
        (
            "tripper",
            "avg_latency(200)",
            "expected a duration such as `30s` for `threshold` of avg_latency, found the number `200`",
            13,
            3,
            "add a unit: ms, s, m or h",
        ),
        (
            "tripper",
            "avg_latency(0s)",
            "invalid threshold for avg_latency: 0s (allowed: longer than 0)",
            13,
            2,
            "",
        ),
        (
            "tripper",
            "avg_latency(5d)",
            "unknown duration unit `d`",
            14,
            1,
            "expected ms, s, m or h",
        ),
        (
            "tripper",
            "avg_latency(30s1m)",
            "invalid duration `30s1m`",
            13,
            5,
            "write units from largest to smallest, each once, without a sign: 1m30s",
        ),
        (
            "tripper",
            "avg_latency(0.0000000001s)",
            "duration `0.0000000001s` is not a whole number of nanoseconds",
            13,
            13,
            "",
        ),
        (
            "tripper",
            "count(5)",
            "`count` is a window function, not a tripper function",
            1,
            5,
            "expected one of: closed, half_open, min_requests, failure_rate, avg_latency, slow_rate, failure_streak",
        ),
        (
            "tripper",
            "latency(1s)",
            "unknown function `latency` in tripper",
            1,
            7,
            "expected one of: closed, half_open, min_requests, failure_rate, avg_latency, slow_rate, failure_streak",
        ),
        (
            "tripper",
            "",
            "expected a tripper such as `failure_rate(0.5)`, found the end of the expression",
            1,
            1,
            "",
        ),
        (
            "tripper",
            "# nothing",
            "expected a tripper such as `failure_rate(0.5)`, found the end of the expression",
            10,
            1,
            "",
        ),
        (
            "tripper",
            "closed() &",
            "expected a tripper such as `failure_rate(0.5)`, found the end of the expression",
            11,
            1,
            "",
        ),
        (
            "tripper",
            "closed() closed()",
            "expected `&`, `|` or the end of the expression, found the name `closed`",
            10,
            6,
            "",
        ),
        (
            "tripper",
            "closed",
            "expected `(` after `closed`, found the end of the expression",
            7,
            1,
            "write `closed(...)` to call it",
        ),
        (
            "tripper",
            "(closed()",
            "expected `)`, found the end of the expression",
            10,
            1,
            "",
        ),
        (
            "tripper",
            "closed())",
            "expected `&`, `|` or the end of the expression, found `)`",
            9,
            1,
            "",
        ),
        (
            "tripper",
            "min_requests(5 6)",
            "expected `,` or `)`, found the number `6`",
            16,
            1,
            "",
        ),
        (
            "tripper",
            "min_requests(count)",
            "expected a value, found the name `count`",
            14,
            5,
            "arguments are numbers, ratios, durations, strings, or `name=value`",
        ),
        (
            "tripper",
            "min_requests(count=)",
            "expected a value, found `)`",
            20,
            1,
            "arguments are numbers, ratios, durations or strings",
        ),
        (
            "tripper",
            "closed() && half_open()",
            "expected a tripper such as `failure_rate(0.5)`, found `&`",
            11,
            1,
            "",
        ),
        (
            "tripper",
            "closed() ; half_open()",
            "unexpected character `;`",
            10,
            1,
            "expected a function call, a value, or one of ( ) , = & | !",
        ),
        (
            "tripper",
            "failure_rate(1.)",
            "expected digits after the decimal point",
            14,
            2,
            "",
        ),
        (
            "tracker",
            "kind()",
            "invalid patterns for kind: none (allowed: at least one pattern)",
            1,
            6,
            "",
        ),
        (
            "tracker",
            "kind(\"a\", \"\")",
            "invalid pattern for kind: \"\" (allowed: a non-empty name, with * as a wildcard)",
            11,
            2,
            "",
        ),
        (
            "tracker",
            "kind(pattern=\"a\")",
            "kind takes only positional arguments",
            6,
            7,
            "expected `kind(patterns...)`",
        ),
        (
            "tracker",
            "kind(5)",
            "expected a string such as `\"Timeout*\"` for `patterns` of kind, found the number `5`",
            6,
            1,
            "",
        ),
        (
            "tracker",
            "kind(\"a)",
            "unterminated string",
            6,
            1,
            "this quote has no closing `\"`",
        ),
        (
            "tracker",
            "kind(\"a\\n\")",
            "unknown escape `\\n`",
            8,
            2,
            "only \\\" and \\\\ are escapes",
        ),
        (
            "tracker",
            "custom()",
            "`custom` trackers can be built in code but not in a policy",
            1,
            6,
            "use `kind(...)` to match error kind names",
        ),
        (
            "tracker",
            "alll()",
            "unknown function `alll` in tracker",
            1,
            4,
            "did you mean `all`?",
        ),
        (
            "window",
            "count(0)",
            "invalid size for count: 0 (allowed: from 1 to 1000000 outcomes)",
            7,
            1,
            "",
        ),
        (
            "window",
            "count(1000001)",
            "invalid size for count: 1000001 (allowed: from 1 to 1000000 outcomes)",
            7,
            7,
            "",
        ),
        (
            "window",
            "time(1.5s)",
            "invalid size for time: 1s500ms (allowed: a whole number of seconds from 1s to 24h)",
            6,
            4,
            "",
        ),
        (
            "window",
            "time(25h)",
            "invalid size for time: 25h (allowed: a whole number of seconds from 1s to 24h)",
            6,
            3,
            "",
        ),
        (
            "window",
            "count(5) & count(6)",
            "operator `&` cannot be used on a window",
            10,
            1,
            "only trackers and trippers combine with `&`, `|` and `!`",
        ),
        (
            "window",
            "count(5) count(6)",
            "expected the end of the expression, found the name `count`",
            10,
            5,
            "",
        ),
        (
            "retry",
            "cooldown(30s, jiter=0.1)",
            "unknown argument `jiter` for cooldown",
            15,
            5,
            "did you mean `jitter`?",
        ),
        (
            "retry",
            "cooldown(30s, jitter=1)",
            "invalid jitter for cooldown: 1 (allowed: at least 0 and less than 1)",
            22,
            1,
            "",
        ),
        (
            "retry",
            "cooldown(30s, jitter=-0.1)",
            "invalid jitter for cooldown: -0.1 (allowed: at least 0 and less than 1)",
            22,
            4,
            "",
        ),
        (
            "retry",
            "backoff(10s, max=5s)",
            "invalid max for backoff: 5s (allowed: at least initial)",
            18,
            2,
            "",
        ),
        (
            "retry",
            "backoff(initial=10s, multiplier=1)",
            "invalid multiplier for backoff: 1 (allowed: greater than 1)",
            33,
            1,
            "",
        ),
        (
            "retry",
            "backoff(10s, multiplier=150%)",
            "expected a number such as `2` for `multiplier` of backoff, found the percentage `150%`",
            25,
            4,
            "",
        ),
        (
            "retry",
            "!never()",
            "operator `!` cannot be used on a retry",
            1,
            1,
            "only trackers and trippers combine with `&`, `|` and `!`",
        ),
        (
            "retry",
            "always() | never()",
            "operator `|` cannot be used on a retry",
            10,
            1,
            "only trackers and trippers combine with `&`, `|` and `!`",
        ),
        (
            "permit",
            "ramp_up(0.5, 0.4, 1m)",
            "invalid final for ramp_up: 0.4 (allowed: at least initial and at most 1)",
            14,
            3,
            "",
        ),
        (
            "permit",
            "random(2)",
            "invalid probability for random: 2 (allowed: from 0 to 1)",
            8,
            1,
            "did you mean `2%`?",
        ),
        (
            "permit",
            "all() )",
            "expected the end of the expression, found `)`",
            7,
            1,
            "",
        ),
        (
            "permit",
            "min_requests(5)",
            "`min_requests` is a tripper function, not a permit function",
            1,
            12,
            "expected one of: all, random, ramp_up",
        ),
    ];
    assert_rendered_errors(cases);
}

#[test]
fn misplaced_and_long_values_get_hints() {
    let nines = "9".repeat(400);
    let streak = format!("failure_streak({nines})");
    let huge_duration = format!("cooldown({nines}h)");
    let long_name = format!("{}(1)", "a".repeat(100));
    let forty_nines = "9".repeat(40);
    let forty_a = "a".repeat(40);
    let cases: &[ErrorCase<'_>] = &[
        (
            "retry",
            "cooldown(90 s)",
            "expected `,` or `)`, found the name `s`",
            13,
            1,
            "write the unit right after its number, with no space: `90s`",
        ),
        (
            "retry",
            "cooldown(1m 30s)",
            "expected `,` or `)`, found the duration `30s`",
            13,
            3,
            "write the parts of a duration with no space between them: `1m30s`",
        ),
        (
            "retry",
            "cooldown(90 sec)",
            "expected `,` or `)`, found the name `sec`",
            13,
            3,
            "",
        ),
        (
            "tripper",
            "failure_rate(.5)",
            "expected a digit before the decimal point of `.5`",
            14,
            2,
            "did you mean `0.5`?",
        ),
        (
            "tripper",
            &streak,
            &format!("number `{forty_nines}…` is too large for `count` of failure_streak"),
            16,
            400,
            "",
        ),
        (
            "tripper",
            &format!("failure_rate(30s, {nines})"),
            "too many arguments for failure_rate: it takes 1 argument",
            19,
            400,
            "expected `failure_rate(ratio)`",
        ),
        (
            "retry",
            &huge_duration,
            &format!(
                "duration `{forty_nines}…` is longer than the maximum of \
                 18446744073709551615.999999999s (about 585 billion years)"
            ),
            10,
            401,
            "",
        ),
        (
            "tripper",
            &long_name,
            &format!("unknown function `{forty_a}…` in tripper"),
            1,
            100,
            "expected one of: closed, half_open, min_requests, failure_rate, avg_latency, \
             slow_rate, failure_streak",
        ),
        (
            "retry",
            &format!("cooldown({nines})"),
            &format!(
                "expected a duration such as `30s` for `duration` of cooldown, found the \
                 number `{forty_nines}…`"
            ),
            10,
            400,
            "add a unit: ms, s, m or h",
        ),
    ];
    assert_rendered_errors(cases);
}

#[test]
fn duration_values_get_unit_hints() {
    let cases = [
        (
            "30 s",
            "expected a duration such as `2m`, found `30`",
            "write the unit right after its number, with no space: `30s`",
        ),
        (
            "30",
            "expected a duration such as `2m`, found `30`",
            "add a unit: `30s`, or ms, m or h",
        ),
        ("soon", "expected a duration such as `2m`, found `soon`", ""),
    ];
    for (text, message, hint) in cases {
        let error = parse_duration(text).unwrap_err();
        assert_eq!(error.message(), message, "{text}");
        assert_eq!(error.hint(), hint, "{text}");
    }
}

#[test]
fn errors_on_later_lines_show_that_line() {
    let error = parse_tripper("min_requests(5) &\n  (failure_rate(0.5) | )").unwrap_err();
    assert_eq!(
        error.to_string(),
        "error: expected a tripper such as `failure_rate(0.5)`, found `)`\n --> line 2, column 24\n  |\n2 |   (failure_rate(0.5) | )\n  |                        ^"
    );
    assert_eq!(error.line(), Some(2));
    assert_eq!(error.column(), Some(24));
    assert_eq!(
        error.message(),
        "expected a tripper such as `failure_rate(0.5)`, found `)`"
    );
}

#[test]
fn nesting_beyond_the_limit_is_an_error() {
    let nested = format!("{}closed(){}", "(".repeat(65), ")".repeat(65));
    let error = parse_tripper(&nested).unwrap_err();
    assert_eq!(error.message(), "expression nests more than 64 levels deep");
    assert_eq!(error.column(), Some(65));

    let fits = format!("{}closed(){}", "(".repeat(64), ")".repeat(64));
    assert_eq!(parse_tripper(&fits).unwrap(), tripper(Closed));
}

#[test]
fn huge_inputs_end_in_errors() {
    let cases = [
        "!".repeat(1_000_000),
        "(".repeat(1_000_000),
        vec!["closed()"; 100_000].join(" | "),
        format!("min_requests({})", "9".repeat(1_000_000)),
        format!("failure_rate(1.{})", "1".repeat(1_000_000)),
        format!("avg_latency({}s)", "9".repeat(1_000_000)),
        format!("avg_latency(1.{}s)", "5".repeat(1_000_000)),
        format!("unknown_{}()", "x".repeat(1_000_000)),
        format!("kind(\"{}", "a".repeat(1_000_000)),
    ];
    for text in cases {
        assert!(parse_tripper(&text).is_err(), "{}…", &text[..20]);
    }
    let long_ratio = format!("failure_rate(0.{})", "1".repeat(1_000_000));
    assert!(parse_tripper(&long_ratio).is_ok());
    let long_pattern = format!("kind(\"{}\")", "a".repeat(1_000_000));
    assert!(parse_tracker(&long_pattern).is_ok());
}

#[test]
fn durations_parse_exactly() {
    let cases = [
        ("1m30s", secs(90)),
        ("1.5s", Duration::from_millis(1500)),
        ("0.00025s", Duration::from_micros(250)),
        ("0.000000001s", Duration::from_nanos(1)),
        ("0.1s", Duration::from_millis(100)),
        ("1h0.5m", Duration::from_secs(3630)),
        ("2m", secs(120)),
        ("18446744073709551615.999999999s", Duration::MAX),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_duration(text).unwrap(), expected, "{text}");
    }
    assert_eq!(
        parse_duration("90").unwrap_err().message(),
        "expected a duration such as `2m`, found `90`"
    );
    assert_eq!(
        parse_duration("1m 30s").unwrap_err().message(),
        "expected the end of the value"
    );
}

/// An error type of this test crate, named by its variant.
#[derive(Debug)]
enum ApiError {
    Timeout,
    Status(u16),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl KindName for ApiError {
    fn kind_name(&self) -> std::borrow::Cow<'_, str> {
        match self {
            ApiError::Timeout => "Timeout".into(),
            ApiError::Status(code) => format!("http_{code}").into(),
        }
    }
}

/// An error type named by its type name, the default.
#[derive(Debug)]
struct ConnectTimeout;

impl KindName for ConnectTimeout {}

#[test]
fn kind_tracker_matches_real_errors() {
    let tracker =
        parse_tracker(r#"kind("Timeout*", "http_5*") | kind("ConnectionRefused")"#).unwrap();
    assert!(tracker.is_failure(&ApiError::Timeout));
    assert!(tracker.is_failure(&ApiError::Status(503)));
    assert!(!tracker.is_failure(&ApiError::Status(404)));
    assert!(!tracker.is_failure(&ConnectTimeout));
    assert!(tracker.is_failure(&io::Error::new(io::ErrorKind::ConnectionRefused, "refused")));
    assert!(!tracker.is_failure(&io::Error::from(io::ErrorKind::NotFound)));
    assert!(tracker.is_failure("http_500"));
    assert!(tracker.is_failure(&String::from("Timeout")));

    let by_type = parse_tracker(r#"kind("Connect*")"#).unwrap();
    assert!(by_type.is_failure(&ConnectTimeout));
    assert!(by_type.is_failure(&Box::new(ConnectTimeout)));
}

#[test]
fn kind_tracker_guards_calls() {
    let breaker = CircuitBreaker::builder()
        .tracker(parse_tracker(r#"kind("http_5*")"#).unwrap())
        .tripper(parse_tripper("failure_streak(2)").unwrap())
        .build()
        .unwrap();
    let _ = breaker.call(|| Err::<(), _>(ApiError::Status(404)));
    let _ = breaker.call(|| Err::<(), _>(ApiError::Status(404)));
    assert_eq!(breaker.state(), State::Closed, "404 is not tracked");
    assert_eq!(
        breaker.info().metric.total_count(),
        0,
        "ignored errors are not recorded"
    );
    let _ = breaker.call(|| Err::<(), _>(ApiError::Status(502)));
    let _ = breaker.call(|| Err::<(), _>(ApiError::Timeout));
    assert_eq!(breaker.state(), State::Closed, "a timeout is not tracked");
    let _ = breaker.call(|| Err::<(), _>(ApiError::Status(503)));
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn by_name_tracks_foreign_errors() {
    let tracker = ByName::new(
        |error: &std::num::ParseIntError| format!("{:?}", error.kind()),
        parse_tracker(r#"kind("Empty")"#).unwrap(),
    );
    assert!(tracker.is_failure(&"".parse::<u8>().unwrap_err()));
    assert!(!tracker.is_failure(&"x".parse::<u8>().unwrap_err()));
    let breaker = CircuitBreaker::builder().tracker(tracker).build().unwrap();
    let _ = breaker.call(|| "".parse::<u8>());
    let _ = breaker.call(|| "x".parse::<u8>());
    assert_eq!(breaker.info().metric.failure_count(), 1);
    assert_eq!(breaker.tracker().to_string(), r#"kind("Empty")"#);
}

/// Runs the same outcomes through two breakers on manual clocks and
/// returns the states each passes through.
fn run_both(
    parsed: CircuitBreaker<PolicyTracker>,
    built: CircuitBreaker<trackers::All>,
    parsed_clock: &ManualClock,
    built_clock: &ManualClock,
) -> (Vec<State>, Vec<State>) {
    let outcomes = [
        false, false, true, false, false, false, true, true, false, false, false, false, true,
        true, true, true, true, false, false, false,
    ];
    let mut parsed_states = Vec::new();
    let mut built_states = Vec::new();
    for (step, &success) in outcomes.iter().cycle().take(200).enumerate() {
        let result = |success: bool| {
            if success {
                Ok(())
            } else {
                Err("down".to_owned())
            }
        };
        let _ = parsed.call(|| result(success));
        let _ = built.call(|| result(success));
        parsed_states.push(parsed.state());
        built_states.push(built.state());
        let tick = Duration::from_millis(700 + (step as u64 % 5) * 300);
        parsed_clock.advance(tick);
        built_clock.advance(tick);
    }
    (parsed_states, built_states)
}

#[test]
fn parsed_breaker_behaves_like_built_one() {
    let mut policy = Policy::default();
    policy.set("window", "time(10s)").unwrap();
    policy
        .set(
            "tripper",
            "failure_streak(3) | (min_requests(4) & failure_rate(50%))",
        )
        .unwrap();
    policy
        .set("retry", "backoff(initial=2s, max=8s, jitter=0.2)")
        .unwrap();
    policy.set("permit", "ramp_up(0.5, 1, 5s)").unwrap();
    policy.set("max_half_open_calls", "2").unwrap();

    let parsed_clock = ManualClock::new();
    let parsed = policy
        .builder()
        .clock(parsed_clock.clone())
        .seed(7)
        .build()
        .unwrap();

    let built_clock = ManualClock::new();
    let built = CircuitBreaker::builder()
        .window(TimeWindow::new(secs(10)).unwrap())
        .tripper(
            FailureStreak::new(3).unwrap()
                | (MinRequests::new(4).unwrap() & FailureRate::new(0.5).unwrap()),
        )
        .retry(
            Backoff::new(secs(2))
                .unwrap()
                .with_max(secs(8))
                .unwrap()
                .with_jitter(0.2)
                .unwrap(),
        )
        .permit(RampUp::new(0.5, 1.0, secs(5)).unwrap())
        .max_half_open_calls(2)
        .clock(built_clock.clone())
        .seed(7)
        .build()
        .unwrap();

    assert_eq!(parsed.to_string(), built.to_string());
    let (parsed_states, built_states) = run_both(parsed, built, &parsed_clock, &built_clock);
    assert_eq!(parsed_states, built_states);
    assert!(
        parsed_states.contains(&State::Open),
        "the sequence opens the circuit"
    );
    assert!(
        parsed_states.contains(&State::HalfOpen),
        "the sequence probes"
    );
}

#[test]
fn core_display_matches_parsed_display() {
    let built = FailureStreak::new(5).unwrap()
        | !(MinRequests::new(20).unwrap() & (FailureRate::new(0.5).unwrap() | Closed));
    let parsed = parse_tripper(&built.to_string()).unwrap();
    assert_eq!(parsed.to_string(), built.to_string());
    assert_eq!(
        parsed,
        tripper(FailureStreak::new(5).unwrap())
            | !(tripper(MinRequests::new(20).unwrap())
                & (tripper(FailureRate::new(0.5).unwrap()) | Closed))
    );
}

#[test]
fn policy_defaults_match_the_builder() {
    let policy = Policy::default();
    let from_policy = policy.build().unwrap();
    let from_builder = CircuitBreaker::builder().build().unwrap();
    assert_eq!(from_policy.to_string(), from_builder.to_string());
    assert_eq!(
        policy.to_string(),
        "window = count(100)\ntracker = all()\ntripper = min_requests(100) & failure_rate(0.5)\nretry = cooldown(1m)\npermit = ramp_up(0.1, 1, 1m)\nmax_half_open_calls = 10"
    );
}

#[test]
fn policy_set_checks_keys_and_values() {
    let mut policy = Policy::default();
    policy.set("half_open_timeout", "2m").unwrap();
    assert_eq!(policy.half_open_timeout, Some(secs(120)));
    assert!(policy.to_string().ends_with("\nhalf_open_timeout = 2m"));

    let unknown = policy.set("triper", "closed()").unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "error: unknown key `triper`\n  = did you mean `tripper`?"
    );

    let zero = policy.set("max_half_open_calls", "0").unwrap_err();
    assert_eq!(
        zero.message(),
        "invalid max_half_open_calls for breaker: 0 (allowed: from 1 to 1000000)"
    );
    let huge = policy.set("max_half_open_calls", "5000000000").unwrap_err();
    assert_eq!(
        huge.message(),
        "invalid max_half_open_calls for breaker: 5000000000 (allowed: from 1 to 1000000)"
    );
    let timeout = policy.set("half_open_timeout", " 0s ").unwrap_err();
    assert_eq!(
        timeout.to_string(),
        "error: invalid half_open_timeout for breaker: 0s (allowed: longer than 0)\n --> line 1, column 2\n  |\n1 |  0s \n  |  ^^"
    );
    let bad = policy.set("tripper", "closed(").unwrap_err();
    assert_eq!(bad.column(), Some(8));

    assert_eq!(
        policy.max_half_open_calls, 10,
        "a failed set changes nothing"
    );
    assert_eq!(policy.tripper, PolicyTripper::default());
}

#[test]
fn policy_validate_counts_slow_thresholds() {
    let mut policy = Policy::default();
    policy
        .set(
            "tripper",
            "slow_rate(0.5, 1s) | slow_rate(0.5, 2s) | slow_rate(0.5, 3s) | slow_rate(0.5, 4s) | slow_rate(0.5, 5s)",
        )
        .unwrap();
    let error = policy.validate().unwrap_err();
    assert_eq!(error.parameter(), "slow_rate thresholds");
    assert!(policy.build().is_err());
}

#[test]
fn from_str_parses_each_kind() {
    let window: Window = "count(7)".parse().unwrap();
    assert_eq!(window, Window::Count(CountWindow::new(7).unwrap()));
    let tripper: PolicyTripper = "closed()".parse().unwrap();
    assert_eq!(tripper, PolicyTripper::Closed(Closed));
    let tracker: PolicyTracker = "all()".parse().unwrap();
    assert_eq!(tracker, PolicyTracker::default());
    let retry: PolicyRetry = "never()".parse().unwrap();
    assert_eq!(retry, PolicyRetry::Never(Never));
    let permit: PolicyPermit = "all()".parse().unwrap();
    assert_eq!(permit, PolicyPermit::All(permits::All));
}
