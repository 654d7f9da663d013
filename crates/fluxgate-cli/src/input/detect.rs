//! Format detection from an input's first non-blank lines, in constant
//! memory.
//!
//! A first non-blank line that starts with `{` makes the input JSON Lines,
//! and a first line that is a CSV header with a `t` column makes it CSV.
//! Otherwise the input is an access log when one of its first
//! [`DETECTION_LINES`] non-blank lines parses as one.
//!
//! Only the first line can make an input JSON Lines or CSV, so every line
//! examined before the deciding one is a line that the access-log parser
//! rejected. The detector keeps only those lines' numbers and reasons, at
//! most [`MAX_LISTED_MALFORMED`] of them, and counts blank lines without
//! keeping them. The deciding line stays with the caller, which parses it.

use super::{Format, Line, LineError, MAX_LINE_BYTES, parse_access_log};
use crate::StatusSet;
use crate::input::CsvHeader;
use crate::report::MAX_LISTED_MALFORMED;

/// The maximum number of non-blank lines format detection examines.
pub const DETECTION_LINES: usize = 8;

/// The outcome of offering one line to a [`FormatDetector`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    /// The lines so far decide nothing; offer the next one.
    Undecided,
    /// The line just offered decides the format. It was not kept: parse
    /// it with the format's parser.
    Decided(Format),
    /// None of the first [`DETECTION_LINES`] non-blank lines fits a format.
    Undetectable,
}

/// The format of a whole input, once its lines have run out or decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One of the line formats.
    Known(Format),
    /// The input has no line, or only blank lines.
    Empty,
    /// Every non-blank line is longer than [`MAX_LINE_BYTES`], so none
    /// could be examined.
    Unknown,
}

impl InputFormat {
    /// Returns the name a report gives the format: `jsonl`, `csv`, `clf`,
    /// `empty` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            InputFormat::Known(format) => format.as_str(),
            InputFormat::Empty => "empty",
            InputFormat::Unknown => "unknown",
        }
    }
}

/// Detects an input's format from its first lines, offered one at a time.
///
/// # Examples
///
/// ```
/// use fluxgate_cli::input::{Detection, Format, FormatDetector, Line};
///
/// let mut detector = FormatDetector::new();
/// assert_eq!(detector.offer(1, Line::Text(b"")), Detection::Undecided);
/// assert_eq!(
///     detector.offer(2, Line::Text(br#"{"t": 1}"#)),
///     Detection::Decided(Format::Jsonl)
/// );
/// assert_eq!(detector.blank_lines(), 1);
/// ```
#[derive(Debug)]
pub struct FormatDetector {
    /// Non-blank lines examined, too-long ones included.
    examined: usize,
    /// Lines examined whose text could be read.
    samples: usize,
    blank_lines: u64,
    /// The first lines examined before the decision, each with the reason
    /// it is malformed under every format the input can still have.
    listed: Vec<(u64, LineError)>,
    /// Lines examined before the decision beyond those listed.
    unlisted: u64,
}

impl Default for FormatDetector {
    fn default() -> Self {
        FormatDetector::new()
    }
}

impl FormatDetector {
    /// Creates a detector that has seen no line.
    pub fn new() -> FormatDetector {
        FormatDetector {
            examined: 0,
            samples: 0,
            blank_lines: 0,
            listed: Vec::with_capacity(MAX_LISTED_MALFORMED),
            unlisted: 0,
        }
    }

    /// Examines line `number`, which is kept only as a count when blank and
    /// as its reason when it is malformed in the formats still possible.
    pub fn offer(&mut self, number: u64, line: Line<'_>) -> Detection {
        let text = match line {
            Line::Text(text) if is_blank(text) => {
                self.blank_lines += 1;
                return Detection::Undecided;
            }
            Line::Text(text) => text,
            Line::TooLong => {
                let reason = too_long_reason();
                return self.examined_without_decision(number, reason);
            }
        };

        if self.samples == 0 {
            if text.trim_ascii_start().starts_with(b"{") {
                return Detection::Decided(Format::Jsonl);
            }
            if CsvHeader::parse(text).is_ok() {
                return Detection::Decided(Format::Csv);
            }
        }
        self.samples += 1;
        // Access-log statuses only classify a call, so the default set
        // decides whether a line parses as well as any other.
        match parse_access_log(text, &StatusSet::default()) {
            Ok(_) => Detection::Decided(Format::AccessLog),
            Err(reason) => self.examined_without_decision(number, reason),
        }
    }

    /// Returns the format of an input whose lines ran out before a
    /// decision.
    ///
    /// # Errors
    ///
    /// Returns [`Detection::Undetectable`] when some line could be read but
    /// none fits a format.
    pub fn finish(&self) -> Result<InputFormat, Detection> {
        if self.samples > 0 {
            Err(Detection::Undetectable)
        } else if self.examined > 0 {
            Ok(InputFormat::Unknown)
        } else {
            Ok(InputFormat::Empty)
        }
    }

    /// Returns the number of blank lines offered.
    pub fn blank_lines(&self) -> u64 {
        self.blank_lines
    }

    /// Returns the first non-blank lines offered before the decision, at
    /// most [`MAX_LISTED_MALFORMED`], with the reason each is malformed.
    ///
    /// Once an input is decided, these lines are malformed in its format:
    /// only the first line can make an input JSON Lines or CSV, so every
    /// earlier line is one the access-log parser rejected or one too long
    /// to read.
    pub fn listed_malformed(&self) -> &[(u64, LineError)] {
        &self.listed
    }

    /// Returns the number of lines offered before the decision that are
    /// malformed but not listed.
    pub fn unlisted_malformed(&self) -> u64 {
        self.unlisted
    }

    fn examined_without_decision(&mut self, number: u64, reason: LineError) -> Detection {
        self.examined += 1;
        if self.listed.len() < MAX_LISTED_MALFORMED {
            self.listed.push((number, reason));
        } else {
            self.unlisted += 1;
        }
        if self.samples >= DETECTION_LINES {
            Detection::Undetectable
        } else {
            Detection::Undecided
        }
    }
}

/// Returns the reason a line longer than [`MAX_LINE_BYTES`] is malformed.
pub fn too_long_reason() -> LineError {
    LineError::owned(format!(
        "the line is longer than {} MiB",
        MAX_LINE_BYTES >> 20
    ))
}

/// Returns `true` for a line of ASCII whitespace only, the empty line
/// included.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &[u8] = b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 512";

    /// Offers `lines` in order, numbered from 1, and returns the last
    /// outcome.
    fn detect(detector: &mut FormatDetector, lines: &[&[u8]]) -> Detection {
        let mut outcome = Detection::Undecided;
        for (index, line) in lines.iter().enumerate() {
            outcome = detector.offer(index as u64 + 1, Line::Text(line));
            if outcome != Detection::Undecided {
                break;
            }
        }
        outcome
    }

    #[test]
    fn first_line_decides_jsonl_and_csv() {
        let cases: [(&[&[u8]], Format); 4] = [
            (&[b"{\"t\": 1}"], Format::Jsonl),
            (&[b"", b"  {\"t\": 1}"], Format::Jsonl),
            (&[b"error,t,duration"], Format::Csv),
            (&[LOG], Format::AccessLog),
        ];
        for (lines, format) in cases {
            let mut detector = FormatDetector::new();
            assert_eq!(detect(&mut detector, lines), Detection::Decided(format));
            assert!(detector.listed_malformed().is_empty(), "{format}");
        }
    }

    #[test]
    fn later_line_decides_only_access_logs() {
        let mut detector = FormatDetector::new();
        let lines: [&[u8]; 3] = [b"garbage first", b"{\"t\": 1}", LOG];
        assert_eq!(
            detect(&mut detector, &lines),
            Detection::Decided(Format::AccessLog)
        );
        let numbers: Vec<u64> = detector
            .listed_malformed()
            .iter()
            .map(|(number, _)| *number)
            .collect();
        assert_eq!(numbers, [1, 2]);
        assert_eq!(
            detector.listed_malformed()[0].1.reason(),
            "expected the client, identity and user fields before the date"
        );
    }

    #[test]
    fn eight_unreadable_lines_are_undetectable() {
        let mut detector = FormatDetector::new();
        let lines = [&b"garbage"[..]; DETECTION_LINES];
        assert_eq!(detect(&mut detector, &lines), Detection::Undetectable);
        assert_eq!(detector.listed_malformed().len(), MAX_LISTED_MALFORMED);
        assert_eq!(
            detector.unlisted_malformed(),
            (DETECTION_LINES - MAX_LISTED_MALFORMED) as u64
        );

        let mut detector = FormatDetector::new();
        assert_eq!(
            detect(&mut detector, &lines[..DETECTION_LINES - 1]),
            Detection::Undecided
        );
        assert_eq!(detector.finish(), Err(Detection::Undetectable));
    }

    #[test]
    fn inputs_without_readable_lines() {
        let mut detector = FormatDetector::new();
        assert_eq!(detector.finish(), Ok(InputFormat::Empty));
        detector.offer(1, Line::Text(b" \t"));
        assert_eq!(detector.finish(), Ok(InputFormat::Empty));
        detector.offer(2, Line::TooLong);
        assert_eq!(detector.finish(), Ok(InputFormat::Unknown));
        assert_eq!(
            detector.listed_malformed(),
            [(2, LineError::owned("the line is longer than 16 MiB".into()))]
        );
    }

    #[test]
    fn blank_lines_are_counted_not_kept() {
        let mut detector = FormatDetector::new();
        let mut number = 0;
        for _ in 0..3 {
            number += 1;
            assert_eq!(
                detector.offer(number, Line::Text(b"garbage")),
                Detection::Undecided
            );
            for _ in 0..1_000_000 {
                number += 1;
                assert_eq!(
                    detector.offer(number, Line::Text(b"  ")),
                    Detection::Undecided
                );
            }
        }
        assert_eq!(detector.blank_lines(), 3_000_000);
        assert_eq!(detector.listed_malformed().len(), 3);
        assert_eq!(detector.unlisted_malformed(), 0);
        assert_eq!(
            detector.offer(number + 1, Line::Text(LOG)),
            Detection::Decided(Format::AccessLog)
        );
    }

    #[test]
    fn unlisted_too_long_lines_counted() {
        let mut detector = FormatDetector::new();
        for number in 1..=100_000 {
            assert_eq!(detector.offer(number, Line::TooLong), Detection::Undecided);
        }
        assert_eq!(detector.listed_malformed().len(), MAX_LISTED_MALFORMED);
        assert_eq!(detector.unlisted_malformed(), 99_995);
        assert_eq!(detector.finish(), Ok(InputFormat::Unknown));
    }

    #[test]
    fn too_long_line_not_first_line() {
        let mut detector = FormatDetector::new();
        assert_eq!(detector.offer(1, Line::TooLong), Detection::Undecided);
        assert_eq!(
            detector.offer(2, Line::Text(b"{\"t\": 1}")),
            Detection::Decided(Format::Jsonl)
        );
        assert_eq!(detector.listed_malformed().len(), 1);
    }
}
