//! End-to-end tests of `fluxgate replay`: the built binary runs on fixture
//! traces and its output is compared exactly.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

const SAMPLE_SUMMARY: &str =
    "{\"event\": \"summary\", \"calls\": 9999, \"rejected\": 0, \"transitions\": 0}";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn sample_log() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/apache-combined-10k.log")
}

fn fluxgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxgate"))
        .args(args)
        .output()
        .expect("the fluxgate binary runs")
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

fn stdout_of(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Runs a replay with `--output json` and returns the parsed report.
fn json_report(args: &[&str]) -> Value {
    let mut all = vec!["replay", "--output", "json"];
    all.extend_from_slice(args);
    let output = fluxgate(&all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    serde_json::from_slice(&output.stdout).expect("the report is JSON")
}

fn expected(name: &str) -> String {
    fs::read_to_string(fixture(name)).expect("the expected file exists")
}

#[test]
fn manual_ops_jsonl_events() {
    let trace = fixture("manual_ops.jsonl");
    let output = fluxgate(&["replay", "--output", "jsonl", path_text(&trace)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), expected("manual_ops.expected.jsonl"));
    assert_eq!(stderr_of(&output), "");
}

#[test]
fn manual_ops_csv_events_match_jsonl() {
    let trace = fixture("manual_ops.csv");
    let output = fluxgate(&["replay", "--output", "jsonl", path_text(&trace)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), expected("manual_ops.expected.jsonl"));
}

/// Runs `fluxgate` with `input` on its standard input.
fn fluxgate_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fluxgate"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the fluxgate binary runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn stdin_input() {
    let trace = fs::read(fixture("manual_ops.jsonl")).unwrap();
    let output = fluxgate_with_stdin(&["replay", "--output", "jsonl", "-"], &trace);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout_of(&output), expected("manual_ops.expected.jsonl"));
}

#[test]
fn gzip_input_detected_by_content() {
    let directory = tempfile::tempdir().unwrap();
    // The name hides the compression: detection reads the magic bytes.
    let path = directory.path().join("trace.txt");
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(&fs::read(fixture("manual_ops.jsonl")).unwrap())
        .unwrap();
    fs::write(&path, encoder.finish().unwrap()).unwrap();

    let output = fluxgate(&["replay", "--output", "jsonl", path_text(&path)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), expected("manual_ops.expected.jsonl"));
}

#[test]
fn gzip_on_stdin() {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(&fs::read(fixture("manual_ops.csv")).unwrap())
        .unwrap();
    let compressed = encoder.finish().unwrap();
    let output = fluxgate_with_stdin(&["replay", "--output", "jsonl", "-"], &compressed);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout_of(&output), expected("manual_ops.expected.jsonl"));
}

#[test]
fn several_inputs_are_one_stream() {
    let trace = fixture("crlf.jsonl");
    let report = json_report(&[path_text(&trace), path_text(&trace)]);
    assert_eq!(report["calls"]["calls"], 4);
    assert_eq!(report["calls"]["failures"], 2);
    assert_eq!(report["input"]["lines"], 4);
    assert_eq!(report["input"]["malformed"], 0);
    // The second copy starts at t = 1, after t = 2 of the first.
    assert_eq!(report["input"]["out_of_order"], 1);
    assert_eq!(report["input"]["max_step_back_seconds"], 1.0);
    assert_eq!(report["input"]["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(report["input"]["inputs"][1]["format"], "jsonl");
}

#[test]
fn malformed_lines_are_counted_with_reasons() {
    let trace = fixture("malformed.jsonl");
    let report = json_report(&[path_text(&trace)]);
    let name = path_text(&trace);
    assert_eq!(report["calls"]["calls"], 3);
    assert_eq!(report["input"]["lines"], 7);
    assert_eq!(report["input"]["empty_lines"], 1);
    assert_eq!(report["input"]["malformed"], 3);
    let listed = report["input"]["first_malformed"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["location"], format!("{name}:4"));
    assert_eq!(
        listed[0]["reason"],
        "expected an RFC 3339 time such as 2015-05-17T10:05:03Z"
    );
    assert_eq!(listed[1]["location"], format!("{name}:5"));
    assert_eq!(
        listed[1]["reason"],
        "invalid op: unknown command \"explode\" (expected one of: reset, disable, \
         metrics_only, force_open)"
    );
    assert_eq!(listed[2]["location"], format!("{name}:6"));
    assert_eq!(
        listed[2]["reason"],
        "expected a JSON object such as {\"t\": 12.5}, found `not json at all`"
    );
}

#[test]
fn jsonl_arrays_are_malformed() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("arrays.jsonl");
    fs::write(
        &path,
        "{\"t\": 1}\n[3, null, null, \"force_open\"]\n{\"t\": 2,\n",
    )
    .unwrap();
    let report = json_report(&[path_text(&path)]);
    assert_eq!(report["calls"]["commands"], 0);
    assert_eq!(report["transition_count"], 0);
    assert_eq!(report["input"]["malformed"], 2);
    let listed = report["input"]["first_malformed"].as_array().unwrap();
    assert_eq!(listed[0]["location"], format!("{}:2", path_text(&path)));
    assert_eq!(
        listed[0]["reason"],
        "expected a JSON object such as {\"t\": 12.5}, found an array"
    );
    // The position is the file's line 3, not serde_json's line 1.
    assert_eq!(listed[1]["location"], format!("{}:3", path_text(&path)));
    assert_eq!(
        listed[1]["reason"],
        "invalid JSON at column 8: EOF while parsing a value"
    );
}

#[test]
fn strict_stops_at_first_malformed_line() {
    let trace = fixture("malformed.jsonl");
    let output = fluxgate(&["replay", "--strict", path_text(&trace)]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr_of(&output),
        format!(
            "error: {}:4: malformed line: expected an RFC 3339 time such as \
             2015-05-17T10:05:03Z\n",
            path_text(&trace)
        )
    );
}

#[test]
fn strict_accepts_clean_input() {
    let trace = fixture("manual_ops.jsonl");
    let output = fluxgate(&["replay", "--strict", "--output", "jsonl", path_text(&trace)]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout_of(&output), expected("manual_ops.expected.jsonl"));
}

#[test]
fn empty_file_replays_nothing() {
    let trace = fixture("empty.jsonl");
    let output = fluxgate(&["replay", "--output", "jsonl", path_text(&trace)]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_of(&output),
        "{\"event\": \"summary\", \"calls\": 0, \"rejected\": 0, \"transitions\": 0}\n"
    );
    let report = json_report(&[path_text(&trace)]);
    assert_eq!(report["input"]["inputs"][0]["format"], "empty");
    assert_eq!(report["start"], Value::Null);
}

#[test]
fn access_log_statuses_and_durations() {
    let log = fixture("access.log");
    let report = json_report(&[path_text(&log)]);
    assert_eq!(report["input"]["inputs"][0]["format"], "clf");
    assert_eq!(report["calls"]["calls"], 5);
    assert_eq!(report["calls"]["failures"], 2);
    assert_eq!(report["input"]["out_of_order"], 1);
    assert_eq!(report["times_are_dates"], true);
    assert_eq!(report["start"], 1_431_943_200.0);

    let report = json_report(&["--error-status", "429,500-599", path_text(&log)]);
    assert_eq!(report["calls"]["failures"], 3);
    let report = json_report(&["--error-status", "404", path_text(&log)]);
    assert_eq!(report["calls"]["failures"], 1);
}

#[test]
fn sample_log_summary_counts() {
    let sample = sample_log();
    let output = fluxgate(&["replay", "--output", "jsonl", path_text(&sample)]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout_of(&output), format!("{SAMPLE_SUMMARY}\n"));

    let report = json_report(&[path_text(&sample)]);
    assert_eq!(report["input"]["lines"], 10_000);
    assert_eq!(report["input"]["malformed"], 1);
    assert_eq!(
        report["input"]["first_malformed"][0]["location"],
        format!("{}:8899", path_text(&sample))
    );
    assert_eq!(report["input"]["out_of_order"], 9447);
    assert_eq!(report["input"]["max_step_back_seconds"], 59.0);
    assert_eq!(report["calls"]["successes"], 9996);
    assert_eq!(report["calls"]["failures"], 3);
    assert_eq!(report["final_state"], "closed");
}

/// Returns the times of the transition events in jsonl output.
fn transition_times(jsonl: &str) -> Vec<f64> {
    jsonl
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|event| event["event"] == "transition")
        .map(|event| event["t"].as_f64().unwrap())
        .collect()
}

#[test]
fn inject_opens_the_breaker_inside_the_span() {
    let sample = sample_log();
    let output = fluxgate(&[
        "replay",
        "--output",
        "jsonl",
        "--inject",
        "86400..88200=503",
        path_text(&sample),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = stdout_of(&output);
    assert_eq!(
        stdout.lines().last(),
        Some("{\"event\": \"summary\", \"calls\": 9999, \"rejected\": 80, \"transitions\": 3}")
    );
    // The first line is at 2015-05-17T10:05:03Z, 1431857103 s.
    let start = 1_431_857_103.0 + 86_400.0;
    let times = transition_times(&stdout);
    assert_eq!(times.len(), 3);
    assert!(times[0] >= start, "{times:?}");
    assert!(times[0] < start + 1800.0, "{times:?}");

    // The same span written as dates gives the same replay.
    let dated = fluxgate(&[
        "replay",
        "--output",
        "jsonl",
        "--inject",
        "2015-05-18T10:05:03Z..2015-05-18T10:35:03Z=503",
        path_text(&sample),
    ]);
    assert_eq!(stdout_of(&dated), stdout);
}

#[test]
fn same_seed_same_replay() {
    let sample = sample_log();
    let args = [
        "replay",
        "--output",
        "jsonl",
        "--seed",
        "42",
        "--inject",
        "86400..90000=503",
        path_text(&sample),
    ];
    let first = fluxgate(&args);
    let second = fluxgate(&args);
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(stdout_of(&first), stdout_of(&second));
}

#[test]
fn default_output_is_the_text_report() {
    let trace = fixture("manual_ops.jsonl");
    // Standard output is a pipe here, and the report is still text.
    let output = fluxgate(&["replay", path_text(&trace)]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = stdout_of(&output);
    assert!(
        stdout.starts_with("Policy: breaker \"default\" of the default policy (seed 0)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\nTransitions: 5\n"), "{stdout}");
    assert!(
        stdout.contains("  1s    closed        forced_open   command force_open\n"),
        "{stdout}"
    );
}

#[test]
fn plot_writes_an_svg() {
    let directory = tempfile::tempdir().unwrap();
    let plot = directory.path().join("timeline.svg");
    let sample = sample_log();
    let output = fluxgate(&[
        "replay",
        "--output",
        "jsonl",
        "--inject",
        "86400..88200=503",
        "--plot",
        path_text(&plot),
        path_text(&sample),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let svg = fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("fluxgate replay: breaker &quot;default&quot; of the default policy"));
    assert!(svg.contains("injected: 86400..88200=503"));
    assert!(svg.contains(">open</text>"), "legend names the open state");
    assert!(svg.contains(">injected http_503</text>"), "band label");
    assert!(
        svg.contains(">span injected with --inject</text>"),
        "legend"
    );
    assert!(svg.len() < 100_000, "{} bytes", svg.len());
}

#[test]
fn unwritable_plot_is_an_error() {
    let trace = fixture("manual_ops.jsonl");
    let output = fluxgate(&[
        "replay",
        "--plot",
        "/nonexistent/dir/plot.svg",
        path_text(&trace),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).starts_with("error: failed to write /nonexistent/dir/plot.svg: "),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn missing_input_exits_with_one() {
    let output = fluxgate(&["replay", "/nonexistent/trace.jsonl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr_of(&output),
        "error: failed to read /nonexistent/trace.jsonl: No such file or directory (os error 2)\n"
    );
}

#[test]
fn undetectable_format_exits_with_one() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("notes.txt");
    fs::write(&path, "hello\nworld\n").unwrap();
    let output = fluxgate(&["replay", path_text(&path)]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr_of(&output),
        format!(
            "error: {}: cannot detect the format from the first lines; pass --format \
             jsonl, csv or clf\n",
            path_text(&path)
        )
    );
}

#[test]
fn forced_format_counts_every_line_malformed() {
    let trace = fixture("manual_ops.jsonl");
    let report = json_report(&["--format", "clf", path_text(&trace)]);
    assert_eq!(report["input"]["malformed"], 10);
    assert_eq!(report["calls"]["calls"], 0);
}

#[test]
fn usage_errors_exit_with_two() {
    let cases: [&[&str]; 6] = [
        &["replay"],
        &["replay", "--no-such-option", "a.log"],
        &["replay", "--error-status", "5xx", "a.log"],
        &["replay", "--inject", "88200..86400=503", "a.log"],
        &["replay", "--output", "xml", "a.log"],
        &["frobnicate"],
    ];
    for args in cases {
        let output = fluxgate(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr_of(&output).contains("error:"), "{args:?}");
    }
}

#[test]
fn help_documents_exit_statuses() {
    let output = fluxgate(&["replay", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = stdout_of(&output);
    assert!(help.contains("Exit status:\n  0  success"), "{help}");
    assert!(
        help.contains("  1  an input could not be read or its format recognised"),
        "{help}"
    );
    assert!(
        help.contains("  2  invalid arguments, or an invalid policy file or breaker name"),
        "{help}"
    );
}

#[test]
fn closed_pipe_is_not_an_error() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("rejections.jsonl");
    let mut trace = String::from("{\"t\": 0, \"op\": \"force_open\"}\n");
    for second in 1..=200_000 {
        trace.push_str(&format!("{{\"t\": {second}}}\n"));
    }
    fs::write(&path, trace).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_fluxgate"))
        .args(["replay", "--output", "jsonl", path_text(&path)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(stderr, "");
    assert_eq!(&first, b"{\"t\": 0.0, \"even");
}

#[test]
fn policy_cycle_covers_every_state() {
    let policy = fixture("cycle.toml");
    let trace = fixture("cycle.jsonl");
    let output = fluxgate(&[
        "replay",
        "--output",
        "jsonl",
        "--policy",
        path_text(&policy),
        path_text(&trace),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), expected("cycle.expected.jsonl"));
}

#[test]
fn policy_cycle_report_counts() {
    let policy = fixture("cycle.toml");
    let trace = fixture("cycle.jsonl");
    let report = json_report(&["--policy", path_text(&policy), path_text(&trace)]);
    assert_eq!(report["policy"]["source"], path_text(&policy));
    assert_eq!(report["policy"]["breaker"], "default");
    assert_eq!(
        report["policy"]["rules"][2],
        "tripper = closed() & failure_streak(2) | half_open() & (!min_requests(2) | \
         failure_rate(0.5))"
    );
    assert_eq!(report["calls"]["rejected"], 4);
    assert_eq!(report["calls"]["saved"], 1);
    assert_eq!(report["calls"]["lost"], 3);
    assert_eq!(report["calls"]["commands"], 4);
    assert_eq!(report["transition_count"], 14);
    assert_eq!(report["transitions"][4]["reason"], "probe succeeded");
    assert_eq!(report["transitions"][13]["from"], "half_open");
    assert_eq!(report["transitions"][11]["reason"], "half-open timeout");
    // Closed 0-2, 23-24 and 31-33; open 2-12, 12-22, 33-43 and 80-95.
    assert_eq!(report["time_in_state"]["closed"], 5.0);
    assert_eq!(report["time_in_state"]["open"], 45.0);
    assert_eq!(report["time_in_state"]["half_open"], 1.0 + 37.0 + 1.0);
    assert_eq!(report["time_in_state"]["forced_open"], 2.0);
    assert_eq!(report["time_in_state"]["metrics_only"], 3.0);
    assert_eq!(report["time_in_state"]["disabled"], 2.0);
}

#[test]
fn named_breaker_trips_on_slow_calls() {
    let policy = fixture("slow.toml");
    let log = fixture("slow_access.log");
    let output = fluxgate(&[
        "replay",
        "--output",
        "jsonl",
        "--policy",
        path_text(&policy),
        "--breaker",
        "api",
        path_text(&log),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), expected("slow_access.expected.jsonl"));
}

#[test]
fn breaker_must_be_named_among_several() {
    let policy = fixture("slow.toml");
    let log = fixture("slow_access.log");
    let output = fluxgate(&["replay", "--policy", path_text(&policy), path_text(&log)]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr_of(&output),
        "error: the policy file has several breakers and none named \"default\"; pick one \
         with --breaker (it has: \"api\", \"strict\")\n"
    );

    let output = fluxgate(&[
        "replay",
        "--policy",
        path_text(&policy),
        "--breaker",
        "payments",
        path_text(&log),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr_of(&output),
        "error: the policy file has no breaker named \"payments\" (it has: \"api\", \"strict\")\n"
    );
}

#[test]
fn invalid_policy_exits_with_two() {
    let policy = fixture("invalid.toml");
    let trace = fixture("manual_ops.jsonl");
    let output = fluxgate(&["replay", "--policy", path_text(&policy), path_text(&trace)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.starts_with("error: unknown function `failure_rat` in tripper\n"),
        "{stderr}"
    );
    assert!(stderr.contains("line 2, column 31"), "{stderr}");
    assert_eq!(stdout_of(&output), "");

    let output = fluxgate(&[
        "replay",
        "--policy",
        "/nonexistent/policy.toml",
        path_text(&trace),
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn check_prints_canonical_rules() {
    let policy = fixture("slow.toml");
    let output = fluxgate(&["check", path_text(&policy)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(
        stdout_of(&output),
        "breaker \"api\"\n\
         \x20 window = time(10s)\n\
         \x20 tracker = kind(\"http_5*\")\n\
         \x20 tripper = min_requests(3) & (failure_rate(0.5) | slow_rate(0.5, 1s))\n\
         \x20 retry = cooldown(5s)\n\
         \x20 permit = all()\n\
         \x20 max_half_open_calls = 10\n\
         \n\
         breaker \"strict\"\n\
         \x20 window = count(100)\n\
         \x20 tracker = all()\n\
         \x20 tripper = failure_streak(1)\n\
         \x20 retry = cooldown(1m)\n\
         \x20 permit = ramp_up(0.1, 1, 1m)\n\
         \x20 max_half_open_calls = 10\n"
    );
}

#[test]
fn check_locates_the_error() {
    let policy = fixture("invalid.toml");
    let output = fluxgate(&["check", path_text(&policy)]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout_of(&output), "");
    assert_eq!(
        stderr_of(&output),
        format!(
            "error: unknown function `failure_rat` in tripper\n \
             --> {}, line 2, column 31 (breaker `default`, key `tripper`)\n  \
             |\n\
             2 | tripper = \"min_requests(20) & failure_rat(0.5)\"\n  \
             |                               ^^^^^^^^^^^ did you mean `failure_rate`?\n",
            path_text(&policy)
        )
    );
}

#[test]
fn demo_replay_opens_and_recovers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let policy = root.join("examples/policies/demo.toml");
    let output = fluxgate(&[
        "replay",
        "--output",
        "jsonl",
        "--policy",
        path_text(&policy),
        "--inject",
        "86400..88200=503",
        path_text(&sample_log()),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let transitions: Vec<String> = stdout_of(&output)
        .lines()
        .filter(|line| line.contains("\"transition\""))
        .map(str::to_owned)
        .collect();
    // 2015-05-18 10:05:29Z, 26 s into the outage, and 11:05:36Z, at the
    // next burst after it.
    assert_eq!(
        transitions,
        [
            "{\"t\": 1431943529.0, \"event\": \"transition\", \"from\": \"closed\", \"to\": \"open\"}",
            "{\"t\": 1431947136.0, \"event\": \"transition\", \"from\": \"open\", \"to\": \"half_open\"}",
            "{\"t\": 1431947136.0, \"event\": \"transition\", \"from\": \"half_open\", \"to\": \"closed\"}",
        ]
    );
    assert_eq!(
        stdout_of(&output).lines().last(),
        Some("{\"event\": \"summary\", \"calls\": 9999, \"rejected\": 122, \"transitions\": 3}")
    );
}

#[test]
fn detection_counts_blank_lines_before_the_deciding_line() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("blank.log");
    let mut log = String::from("garbage one\ngarbage two\n");
    log.push_str(&"\n".repeat(200_000));
    log.push_str(&" \n".repeat(100_000));
    log.push_str("192.0.2.1 - - [18/May/2015:10:00:00 +0000] \"GET / HTTP/1.1\" 503 12\n");
    fs::write(&path, log).unwrap();

    let report = json_report(&[path_text(&path)]);
    assert_eq!(report["input"]["inputs"][0]["format"], "clf");
    assert_eq!(report["input"]["lines"], 300_003);
    assert_eq!(report["input"]["empty_lines"], 300_000);
    assert_eq!(report["input"]["malformed"], 2);
    assert_eq!(
        report["input"]["first_malformed"][1]["location"],
        format!("{}:2", path_text(&path))
    );
    assert_eq!(report["calls"]["calls"], 1);
    assert_eq!(report["calls"]["failures"], 1);
}

#[test]
fn policy_file_without_breakers_exits_with_two() {
    let directory = tempfile::tempdir().unwrap();
    let trace = fixture("manual_ops.jsonl");
    for (name, text) in [("empty.toml", ""), ("comment.toml", "# no keys yet\n")] {
        let policy = directory.path().join(name);
        fs::write(&policy, text).unwrap();
        let expected = format!(
            "error: the policy file defines no breakers\n --> {}\n  = add keys such as \
             `tripper = \"failure_streak(5)\"` at the top level for a breaker named \
             `default`, or a `[breaker.NAME]` table\n",
            path_text(&policy)
        );

        let check = fluxgate(&["check", path_text(&policy)]);
        assert_eq!(check.status.code(), Some(2), "check {name}");
        assert_eq!(stderr_of(&check), expected, "check {name}");
        assert_eq!(stdout_of(&check), "", "check {name}");

        let replay = fluxgate(&["replay", "--policy", path_text(&policy), path_text(&trace)]);
        assert_eq!(replay.status.code(), Some(2), "replay {name}");
        assert_eq!(stderr_of(&replay), expected, "replay {name}");
        assert_eq!(stdout_of(&replay), "", "replay {name}");
    }
}

#[test]
fn inject_end_before_start_in_mixed_forms() {
    let sample = sample_log();
    // END is 100 s after the first line, 2015-05-17T10:05:03Z, so a day
    // before START.
    let output = fluxgate(&[
        "replay",
        "--inject",
        "2015-05-18T10:05:03Z..100=503",
        path_text(&sample),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout_of(&output), "");
    assert_eq!(
        stderr_of(&output),
        "error: invalid injection \"2015-05-18T10:05:03Z..100=503\": END must be later than \
         START, but END is 2015-05-17T10:06:43Z and START is 2015-05-18T10:05:03Z (expected \
         START..END=STATUS, such as 86400..88200=503)\n"
    );
}

#[test]
fn reports_list_the_injections() {
    let sample = sample_log();
    let args = [
        "--inject",
        "86400..88200=503",
        "--inject",
        "2015-05-18T11:05:00Z..2015-05-18T11:06:00Z=502",
        path_text(&sample),
    ];
    let report = json_report(&args);
    let injections = report["input"]["injections"].as_array().unwrap();
    assert_eq!(injections.len(), 2);
    assert_eq!(injections[0]["injection"], "86400..88200=503");
    assert_eq!(injections[0]["start"], 1_431_943_503.0);
    assert_eq!(injections[0]["end"], 1_431_945_303.0);
    assert_eq!(injections[0]["error"], "http_503");
    assert_eq!(injections[0]["calls"], 127);
    assert_eq!(injections[1]["start"], 1_431_947_100.0);
    assert_eq!(injections[1]["calls"], 121);

    let mut text_args = vec!["replay"];
    text_args.extend_from_slice(&args);
    let text = stdout_of(&fluxgate(&text_args));
    assert!(
        text.contains(
            "\n  injected 86400..88200=503: from 2015-05-18 10:05:03Z to 2015-05-18 10:35:03Z, \
             127 calls turned into errors of kind http_503\n"
        ),
        "{text}"
    );
}

#[test]
fn injected_status_follows_error_status() {
    let sample = sample_log();
    let outage = "86400..88200=503";
    let summary = |args: &[&str]| {
        let mut all = vec!["replay", "--output", "jsonl"];
        all.extend_from_slice(args);
        all.push(path_text(&sample));
        let output = fluxgate(&all);
        assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
        stdout_of(&output).lines().last().unwrap().to_owned()
    };
    let tripped = "{\"event\": \"summary\", \"calls\": 9999, \"rejected\": 80, \"transitions\": 3}";
    assert_eq!(summary(&["--inject", outage]), tripped);

    // 200 is a success, so injecting it simulates a recovery.
    assert_eq!(summary(&["--inject", "86400..88200=200"]), SAMPLE_SUMMARY);
    let report = json_report(&["--inject", "86400..88200=200", path_text(&sample)]);
    assert_eq!(report["calls"]["failures"], 3);
    assert_eq!(report["input"]["injections"][0]["error"], Value::Null);
    assert_eq!(report["input"]["injections"][0]["calls"], 127);

    // A status listed in --error-status is an error, whatever its value.
    let listed = [
        "--error-status",
        "299,500-599",
        "--inject",
        "86400..88200=299",
    ];
    assert_eq!(summary(&listed), tripped);
    // 503 is a success once --error-status leaves it out.
    let unlisted = ["--error-status", "500-502", "--inject", outage];
    assert_eq!(summary(&unlisted), SAMPLE_SUMMARY);
}

#[test]
fn jsonl_output_warns_of_malformed_lines() {
    let trace = fixture("malformed.jsonl");
    let name = path_text(&trace);
    let output = fluxgate(&["replay", "--output", "jsonl", name]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_of(&output),
        "{\"event\": \"summary\", \"calls\": 3, \"rejected\": 0, \"transitions\": 0}\n"
    );
    assert_eq!(
        stderr_of(&output),
        format!(
            "warning: 7 lines: 1 empty, 3 malformed, at {name}:4, {name}:5 and {name}:6. \
             --output text or json gives the reasons.\n"
        )
    );
}

#[test]
fn option_values_say_what_is_wrong() {
    let cases = [
        (
            ["--error-status", "500-400"],
            "error: invalid value '500-400' for '--error-status <LIST>': invalid status list \
             \"500-400\": the range \"500-400\" is reversed (write it as 400-500)",
        ),
        (
            ["--inject", "0..99999999999999999999=503"],
            "error: invalid value '0..99999999999999999999=503' for '--inject \
             <START..END=STATUS>': invalid injection \"0..99999999999999999999=503\": offset \
             \"99999999999999999999\" is larger than the maximum of 13569465600 seconds \
             (expected START..END=STATUS, such as 86400..88200=503)",
        ),
        (
            ["--inject", "-1..3=503"],
            "error: invalid value '-1..3=503' for '--inject <START..END=STATUS>': invalid \
             injection \"-1..3=503\": offset \"-1\" must be a number of seconds, 0 or more \
             (expected START..END=STATUS, such as 86400..88200=503)",
        ),
    ];
    for (option, message) in cases {
        let output = fluxgate(&["replay", option[0], option[1], "a.log"]);
        assert_eq!(output.status.code(), Some(2), "{option:?}");
        let stderr = stderr_of(&output);
        assert_eq!(stderr.lines().next(), Some(message), "{option:?}");
    }
}

#[test]
fn check_escapes_breaker_names() {
    let directory = tempfile::tempdir().unwrap();
    let policy = directory.path().join("names.toml");
    fs::write(
        &policy,
        "[breaker.\"x\\\"\\nbreaker \\\"fake\"]\ntripper = \"failure_streak(5)\"\n",
    )
    .unwrap();
    let output = fluxgate(&["check", path_text(&policy)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    let headers: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("breaker"))
        .collect();
    assert_eq!(headers, ["breaker \"x\\\"\\nbreaker \\\"fake\""]);

    let trace = fixture("manual_ops.jsonl");
    let output = fluxgate(&[
        "replay",
        "--policy",
        path_text(&policy),
        "--breaker",
        "y\n",
        path_text(&trace),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr_of(&output),
        "error: the policy file has no breaker named \"y\\n\" (it has: \
         \"x\\\"\\nbreaker \\\"fake\")\n"
    );
}

#[test]
fn report_spans_earliest_to_latest_time() {
    let output = fluxgate_with_stdin(
        &["replay", "-"],
        b"{\"t\": 1000}\n{\"t\": 1}\n{\"t\": 2000}\n",
    );
    assert_eq!(output.status.code(), Some(0));
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("\n  from 1s to 2000s (33m19s)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n  1 line earlier than a line before it, 16m39s back\n"),
        "{stdout}"
    );
}

#[test]
fn over_long_only_line_format_unknown() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("one-line.log");
    // 17 MiB with no line break, past the 16 MiB line limit.
    fs::write(&path, vec![b'x'; 17 << 20]).unwrap();
    let report = json_report(&[path_text(&path)]);
    assert_eq!(report["input"]["inputs"][0]["format"], "unknown");
    assert_eq!(report["input"]["lines"], 1);
    assert_eq!(report["input"]["malformed"], 1);
    assert_eq!(
        report["input"]["first_malformed"][0]["reason"],
        "the line is longer than 16 MiB"
    );
}
