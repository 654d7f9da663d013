//! Feeds arbitrary bytes to the replay tool's input parsers and replays
//! what parses.
//!
//! The first byte picks the format (JSON Lines, CSV with its header on
//! the first line, or an access log) and the rest is the file, read line
//! by line as the tool reads it. Every line must parse or fail without a
//! panic. The parsed calls and commands run through a breaker that fails
//! fast, and the tally must match the lines, with every event written as
//! one valid JSON object per line. The same bytes, as text, also go to
//! the parsers of the `--errors` and `--inject` options and of line times.
#![no_main]

use std::io::Cursor;
use std::time::Duration;

use fluxgate::CircuitBreaker;
use fluxgate::retries::Cooldown;
use fluxgate::trippers::FailureStreak;
use fluxgate_cli::input::{
    Body, CsvHeader, Detection, FormatDetector, Line, LineReader, Record, parse_access_log,
    parse_json_line, parse_time_text,
};
use fluxgate_cli::report::MAX_LISTED_MALFORMED;
use fluxgate_cli::replay::{JsonlEvents, Replayer};
use fluxgate_cli::{Injection, StatusSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    if let Ok(text) = std::str::from_utf8(input) {
        check_option_parsers(text);
    }

    let lines = read_lines(input);
    let borrowed: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    detect(&borrowed);
    let records = match selector % 3 {
        0 => borrowed
            .iter()
            .filter_map(|line| parse_json_line(line).ok())
            .collect(),
        1 => parse_csv(&borrowed),
        _ => {
            let errors = StatusSet::default();
            borrowed
                .iter()
                .filter_map(|line| parse_access_log(line, &errors).ok())
                .collect()
        }
    };
    replay(&records);
});

/// Offers `lines` to format detection until it decides, and checks that it
/// keeps no more lines than it lists.
fn detect(lines: &[&[u8]]) {
    let mut detector = FormatDetector::new();
    for (index, line) in lines.iter().enumerate() {
        let outcome = detector.offer(index as u64 + 1, Line::Text(line));
        assert!(detector.listed_malformed().len() <= MAX_LISTED_MALFORMED);
        if outcome != Detection::Undecided {
            return;
        }
    }
    let _ = detector.finish();
}

/// Splits `input` into lines with the tool's own reader, keeping the
/// lines that are not too long.
fn read_lines(input: &[u8]) -> Vec<Vec<u8>> {
    let mut reader = LineReader::new(Box::new(Cursor::new(input.to_vec())));
    let mut lines = Vec::new();
    while let Ok(Some((_, line))) = reader.next_line() {
        if let Line::Text(text) = line {
            lines.push(text.to_vec());
        }
    }
    lines
}

fn parse_csv<'a>(lines: &[&'a [u8]]) -> Vec<Record<'a>> {
    let Some((header, rows)) = lines.split_first() else {
        return Vec::new();
    };
    let Ok(header) = CsvHeader::parse(header) else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|row| header.parse_record(row).ok())
        .collect()
}

/// Replays `records` and checks the tally and the events.
fn replay(records: &[Record<'_>]) {
    let builder = CircuitBreaker::builder()
        .tripper(FailureStreak::new(2).unwrap())
        .retry(Cooldown::new(Duration::from_secs(1)).unwrap())
        .measure_durations(true);
    let events = JsonlEvents::new(Vec::new());
    let mut replayer = Replayer::new(builder, 7, events, true).expect("a valid breaker");
    for record in records {
        assert!(record.time.seconds.is_finite(), "{record:?}");
        assert!(record.time.seconds >= 0.0, "{record:?}");
        replayer.feed(record).expect("writing to memory succeeds");
    }

    let calls = records
        .iter()
        .filter(|record| matches!(record.body, Body::Call { .. }))
        .count() as u64;
    let counts = *replayer.counts();
    assert_eq!(counts.calls, calls);
    assert_eq!(counts.commands, records.len() as u64 - calls);
    assert_eq!(counts.admitted + counts.rejected, counts.calls);
    assert_eq!(
        counts.successes + counts.failures + counts.ignored,
        counts.admitted
    );
    assert_eq!(
        counts.saved + counts.lost + counts.rejected_ignored,
        counts.rejected
    );

    let (result, events) = replayer.finish();
    let written = events
        .finish(
            result.counts.calls,
            result.counts.rejected,
            result.transition_count,
        )
        .expect("writing to memory succeeds");
    let text = String::from_utf8(written).expect("events are UTF-8");
    for line in text.lines() {
        if let Err(error) = serde_json::from_str::<serde_json::Value>(line) {
            panic!("event is not one JSON object: {line}\n{error}");
        }
    }
}

/// Parses `text` as the `--errors` and `--inject` options and as a line
/// time. A status list that parses must print as a list that parses back
/// to an equal one.
fn check_option_parsers(text: &str) {
    if let Ok(statuses) = text.parse::<StatusSet>() {
        let printed = statuses.to_string();
        assert_eq!(
            printed.parse::<StatusSet>().ok(),
            Some(statuses),
            "{printed}"
        );
    }
    let _ = text.parse::<Injection>();
    let _ = parse_time_text(text);
}
