//! Policy files: defaults, unknown keys, the top-level `default` breaker,
//! and errors that name the breaker, the key and the position.
#![cfg(feature = "policy-file")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use fluxgate::policy::{
    Policy, PolicyFile, parse_permit, parse_retry, parse_tracker, parse_tripper, parse_window,
};

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/policies/services.toml")
}

#[test]
fn example_file_loads() {
    let file = PolicyFile::load(example_path()).unwrap();
    let names: Vec<&str> = file.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["default", "payments", "inventory", "email"]);

    let default = file.get("default").unwrap();
    assert_eq!(
        default.tripper,
        parse_tripper("min_requests(20) & failure_rate(0.5)").unwrap()
    );
    assert_eq!(default.retry, parse_retry("cooldown(30s)").unwrap());
    assert_eq!(default.window, Policy::default().window);

    let payments = file.get("payments").unwrap();
    assert_eq!(payments.window, parse_window("time(5m)").unwrap());
    assert_eq!(
        payments.tracker,
        parse_tracker(r#"kind("Timeout*", "http_5*")"#).unwrap()
    );
    assert_eq!(payments.max_half_open_calls, 5);
    assert_eq!(payments.half_open_timeout, Some(Duration::from_secs(120)));

    let inventory = file.get("inventory").unwrap();
    assert_eq!(
        inventory.tripper.to_string(),
        "closed() & min_requests(50) & failure_rate(0.25) | half_open() & (!min_requests(5) | failure_rate(0.2))"
    );
    assert_eq!(
        inventory.permit,
        parse_permit("ramp_up(0.2, 1, 30s)").unwrap()
    );

    for (name, _) in file.iter() {
        let breaker = file.build(name).unwrap();
        assert_eq!(breaker.name(), name);
    }
}

#[test]
fn missing_keys_take_defaults() {
    let file =
        PolicyFile::parse("[breaker.empty]\n\n[breaker.one]\nretry = \"never()\"\n").unwrap();
    assert_eq!(file.get("empty"), Some(&Policy::default()));
    let one = file.get("one").unwrap();
    assert_eq!(one.retry, parse_retry("never()").unwrap());
    assert_eq!(one.tripper, Policy::default().tripper);
    assert_eq!(one.max_half_open_calls, 10);
    assert_eq!(one.half_open_timeout, None);
    assert!(
        file.get("default").is_none(),
        "no top-level keys, no default breaker"
    );
}

#[test]
fn top_level_keys_make_default_breaker() {
    let file = PolicyFile::parse("[breaker.b]\n\n[breaker.a]\n").unwrap();
    let names: Vec<&str> = file.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["b", "a"], "file order, not sorted");

    let text = "[breaker.z]\ntripper = \"closed()\"\n";
    let with_default = format!("window = \"count(5)\"\n{text}");
    let file = PolicyFile::parse(&with_default).unwrap();
    let names: Vec<&str> = file.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["default", "z"]);
    assert_eq!(
        file.get("default").unwrap().window,
        parse_window("count(5)").unwrap()
    );
    assert_eq!(file.len(), 2);

    let single = PolicyFile::parse("tripper = \"failure_streak(3)\"").unwrap();
    assert_eq!(single.len(), 1);
    assert_eq!(
        single.build("default").unwrap().tripper().to_string(),
        "failure_streak(3)"
    );

    assert!(PolicyFile::parse("").unwrap().is_empty());
}

/// Returns the rendered error of parsing `text` as a policy file.
fn error_of(text: &str) -> String {
    PolicyFile::parse(text).unwrap_err().to_string()
}

#[test]
fn errors_name_breaker_key_and_position() {
    let text = "[breaker.payments]\nwindow = \"time(5m)\"\ntripper = \"failure_streak(5) | (min_requests(20) & failure_rat(0.4))\"\n";
    let error = PolicyFile::parse(text).unwrap_err();
    assert_eq!(error.breaker(), Some("payments"));
    assert_eq!(error.key(), Some("tripper"));
    assert_eq!(error.line(), Some(3));
    assert_eq!(error.column(), Some(52));
    assert_eq!(
        error.to_string(),
        "\
error: unknown function `failure_rat` in tripper
 --> line 3, column 52 (breaker `payments`, key `tripper`)
  |
3 | tripper = \"failure_streak(5) | (min_requests(20) & failure_rat(0.4))\"
  |                                                    ^^^^^^^^^^^ did you mean `failure_rate`?"
    );
}

#[test]
fn errors_point_through_escapes_and_multi_line_strings() {
    let escaped = "tracker = \"kind(\\\"a\\\", 5)\"\n";
    assert_eq!(
        error_of(escaped),
        "\
error: expected a string such as `\"Timeout*\"` for `patterns` of kind, found the number `5`
 --> line 1, column 24 (breaker `default`, key `tracker`)
  |
1 | tracker = \"kind(\\\"a\\\", 5)\"
  |                        ^"
    );

    let multi_line = "[breaker.x]\ntripper = \"\"\"\n  closed()\n  & min_requests(0)\n\"\"\"\n";
    assert_eq!(
        error_of(multi_line),
        "\
error: invalid count for min_requests: 0 (allowed: at least 1)
 --> line 4, column 18 (breaker `x`, key `tripper`)
  |
4 |   & min_requests(0)
  |                  ^"
    );

    let literal = "retry = 'cooldown(30s, jiter=0.1)'";
    assert_eq!(
        error_of(literal),
        "\
error: unknown argument `jiter` for cooldown
 --> line 1, column 24 (breaker `default`, key `retry`)
  |
1 | retry = 'cooldown(30s, jiter=0.1)'
  |                        ^^^^^ did you mean `jitter`?"
    );
}

#[test]
fn unknown_keys_are_errors() {
    assert_eq!(
        error_of("[breaker.payments]\nwindw = \"count(5)\"\n"),
        "\
error: unknown key `windw`
 --> line 2, column 1 (breaker `payments`, key `windw`)
  |
2 | windw = \"count(5)\"
  | ^^^^^ did you mean `window`?"
    );
    assert_eq!(
        error_of("colour = \"red\"\n"),
        "\
error: unknown key `colour`
 --> line 1, column 1
  |
1 | colour = \"red\"
  | ^^^^^^ expected one of: window, tracker, tripper, retry, permit, max_half_open_calls, half_open_timeout, or a [breaker.NAME] table"
    );
    assert_eq!(
        error_of("[breakers.x]\n"),
        "\
error: unknown key `breakers`
 --> line 1, column 2
  |
1 | [breakers.x]
  |  ^^^^^^^^ did you mean `breaker`?"
    );
}

#[test]
fn wrong_value_types_are_errors() {
    assert_eq!(
        error_of("[breaker.a]\nmax_half_open_calls = \"5\"\n"),
        "\
error: expected an integer, found a string
 --> line 2, column 23 (breaker `a`, key `max_half_open_calls`)
  |
2 | max_half_open_calls = \"5\"
  |                       ^^^"
    );
    assert_eq!(
        error_of("tripper = 5\n"),
        "\
error: expected a string, found an integer
 --> line 1, column 11 (breaker `default`, key `tripper`)
  |
1 | tripper = 5
  |           ^ write the expression as a quoted string, such as \"failure_rate(0.5)\""
    );
    assert_eq!(
        error_of("breaker = 1\n"),
        "\
error: `breaker` must be a table of breakers, such as [breaker.payments]
 --> line 1, column 11
  |
1 | breaker = 1
  |           ^"
    );
    assert_eq!(
        error_of("[breaker]\nx = 1\n"),
        "\
error: breaker `x` must be a table of keys
 --> line 2, column 5 (breaker `x`)
  |
2 | x = 1
  |     ^"
    );
}

#[test]
fn out_of_range_settings_are_errors() {
    assert_eq!(
        error_of("max_half_open_calls = 0\n"),
        "\
error: invalid max_half_open_calls for breaker: 0 (allowed: from 1 to 1000000)
 --> line 1, column 23 (breaker `default`, key `max_half_open_calls`)
  |
1 | max_half_open_calls = 0
  |                       ^"
    );
    let negative = PolicyFile::parse("max_half_open_calls = -5\n").unwrap_err();
    assert_eq!(
        negative.message(),
        "invalid max_half_open_calls for breaker: -5 (allowed: from 1 to 1000000)"
    );
    let timeout = PolicyFile::parse("[breaker.a]\nhalf_open_timeout = \"0s\"\n").unwrap_err();
    assert_eq!(
        timeout.message(),
        "invalid half_open_timeout for breaker: 0s (allowed: longer than 0)"
    );
    assert_eq!((timeout.line(), timeout.column()), (Some(2), Some(22)));

    let thresholds = "[breaker.slow]\ntripper = \"slow_rate(0.5, 1s) | slow_rate(0.5, 2s) | slow_rate(0.5, 3s) | slow_rate(0.5, 4s) | slow_rate(0.5, 5s)\"\n";
    let error = PolicyFile::parse(thresholds).unwrap_err();
    assert_eq!(
        error.message(),
        "invalid slow_rate thresholds for tripper: 5 distinct (allowed: at most 4 distinct slow_rate thresholds)"
    );
    assert_eq!(error.key(), Some("tripper"));
    assert_eq!(error.breaker(), Some("slow"));
    assert_eq!(error.line(), Some(2));
}

#[test]
fn default_twice_is_an_error() {
    let error = PolicyFile::parse("retry = \"never()\"\n[breaker.default]\n").unwrap_err();
    assert_eq!(
        error.message(),
        "breaker `default` is described twice, by top-level keys and by [breaker.default]"
    );
    assert_eq!(error.line(), Some(1));
}

#[test]
fn invalid_toml_and_bytes_are_located() {
    let error = PolicyFile::parse("tripper = \"closed()\nretry = 1\n").unwrap_err();
    assert!(error.message().starts_with("invalid TOML: "), "{error}");
    assert_eq!(error.line(), Some(1));

    let bytes = b"retry = \"never()\"\n# caf\xe9\n";
    let error = PolicyFile::parse_bytes(bytes).unwrap_err();
    assert_eq!(error.message(), "policy file is not valid UTF-8");
    assert_eq!((error.line(), error.column()), (Some(2), Some(6)));
}

#[test]
fn toml_errors_explain_policy_values() {
    let cases = [
        (
            "tripper = failure_rate(0.5)\n",
            "\
error: the value of `tripper` must be a quoted expression string
 --> line 1, column 11 (breaker `default`, key `tripper`)
  |
1 | tripper = failure_rate(0.5)
  |           ^^^^^^^^^^^^^^^^^ write `tripper = \"failure_rate(0.5)\"`",
        ),
        (
            "[breaker.a]\ntracker = !kind(\"x\")\n",
            "\
error: the value of `tracker` must be a quoted expression string
 --> line 2, column 11 (breaker `a`, key `tracker`)
  |
2 | tracker = !kind(\"x\")
  |           ^^^^^^^^^^ write `tracker = '!kind(\"x\")'`",
        ),
        (
            "[breaker.a]\nhalf_open_timeout = 30s\n",
            "\
error: the value of `half_open_timeout` must be a quoted duration string
 --> line 2, column 21 (breaker `a`, key `half_open_timeout`)
  |
2 | half_open_timeout = 30s
  |                     ^^^ write `half_open_timeout = \"30s\"`",
        ),
        (
            "max_half_open_calls = ten\n",
            "\
error: the value of `max_half_open_calls` must be a whole number
 --> line 1, column 23 (breaker `default`, key `max_half_open_calls`)
  |
1 | max_half_open_calls = ten
  |                       ^^^ write a number without quotes, such as `max_half_open_calls = 10`",
        ),
        (
            "half_open_timeout = 30\n",
            "\
error: expected a string, found an integer
 --> line 1, column 21 (breaker `default`, key `half_open_timeout`)
  |
1 | half_open_timeout = 30
  |                     ^^ write a duration string with a unit, such as \"30s\"",
        ),
        (
            "[breaker.a]\nretry = true\n",
            "\
error: expected a string, found a boolean
 --> line 2, column 9 (breaker `a`, key `retry`)
  |
2 | retry = true
  |         ^^^^ write the expression as a quoted string, such as \"cooldown(60s)\"",
        ),
        (
            "retry = \"never()\"\nretry = \"always()\"\n",
            "\
error: duplicate key `retry`
 --> line 2, column 1
  |
2 | retry = \"always()\"
  | ^^^^^ first set on line 1",
        ),
        (
            "[breaker.a]\nretry = \"never()\"\nwindow = \"count(5)\"\n'retry' = \"always()\"\n",
            "\
error: duplicate key `retry`
 --> line 4, column 1
  |
4 | 'retry' = \"always()\"
  | ^^^^^^^ first set on line 2",
        ),
        (
            "[breaker.a]\ntripper = \"closed()\"\n[breaker.b]\n[breaker.a]\n",
            "\
error: breaker `a` is defined twice
 --> line 4, column 10
  |
4 | [breaker.a]
  |          ^ first defined on line 1",
        ),
        (
            "[breaker.\"a b\"]\n\n[ breaker . \"a b\" ]\n",
            "\
error: breaker `a b` is defined twice
 --> line 3, column 13
  |
3 | [ breaker . \"a b\" ]
  |             ^^^^^ first defined on line 1",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error_of(text), expected, "{text}");
    }
}

#[test]
fn load_names_the_file() {
    let directory = std::env::temp_dir().join(format!("fluxgate-policy-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("bad.toml");
    std::fs::write(&path, "[breaker.a]\nretry = \"sometimes()\"\n").unwrap();

    let error = PolicyFile::load(&path).unwrap_err();
    assert_eq!(error.path(), Some(path.as_path()));
    let rendered = error.to_string();
    let first_lines: Vec<&str> = rendered.lines().take(2).collect();
    let position = format!(
        " --> {}, line 2, column 10 (breaker `a`, key `retry`)",
        path.display()
    );
    assert_eq!(
        first_lines,
        [
            "error: unknown function `sometimes` in retry",
            position.as_str()
        ]
    );

    let missing = directory.join("missing.toml");
    let error = PolicyFile::load(&missing).unwrap_err();
    assert!(
        error.message().starts_with("cannot read policy file: "),
        "{error}"
    );
    assert_eq!(error.path(), Some(missing.as_path()));
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn build_unknown_breaker_suggests_name() {
    let file = PolicyFile::load(example_path()).unwrap();
    let error = file.build("paymnts").unwrap_err();
    assert_eq!(
        error.to_string(),
        "error: no breaker named `paymnts` in the policy file\n  = did you mean `payments`?"
    );
}
