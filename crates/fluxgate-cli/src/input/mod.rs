//! Recorded calls: the line formats, their parsers, and the readers that
//! stream them from files, standard input and gzip archives.

mod access_log;
mod csv;
mod detect;
mod jsonl;
mod reader;
mod time;

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use fluxgate::Command;

pub use access_log::parse_access_log;
pub use csv::CsvHeader;
pub use detect::{
    DETECTION_LINES, Detection, FormatDetector, InputFormat, is_blank, too_long_reason,
};
pub use jsonl::parse_json_line;
pub use reader::{Line, LineReader, MAX_LINE_BYTES, open_input};
pub use time::{DisplayDate, LineTime, MAX_SECONDS, parse_log_date, parse_rfc3339};

/// A line format of recorded calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line: `{"t": 12.5, "duration": 0.18}`.
    Jsonl,
    /// Comma-separated values under a header naming the columns
    /// `t`, `duration`, `error` and `op`.
    Csv,
    /// A web server's access log in the Common or Combined Log Format.
    AccessLog,
}

impl Format {
    /// Returns the name the `--format` option uses.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::AccessLog => "clf",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parsed input line.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    /// When the call, or the command, happened.
    pub time: LineTime,
    /// The call or command.
    pub body: Body<'a>,
}

/// The content of one input line: a call or a manual command.
#[derive(Debug, Clone, PartialEq)]
pub enum Body<'a> {
    /// A call, admitted and completed at the line's time.
    Call {
        /// Its duration, when the line gives one.
        duration: Option<Duration>,
        /// Its error, or `None` for a success.
        error: Option<ErrorKind<'a>>,
    },
    /// A manual command issued at the line's time.
    Command(Command),
}

/// The error of a failed call, as its kind name is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind<'a> {
    /// A kind named by the line, such as `ConnectTimeout`.
    Named(Cow<'a, str>),
    /// An HTTP status, whose kind name is `http_<status>`.
    Status(u16),
}

impl ErrorKind<'_> {
    /// Writes the kind name into `buffer`, replacing its contents.
    pub fn write_name(&self, buffer: &mut String) {
        buffer.clear();
        match self {
            ErrorKind::Named(name) => buffer.push_str(name),
            ErrorKind::Status(status) => {
                buffer.push_str("http_");
                push_decimal(buffer, *status);
            }
        }
    }
}

/// Appends a number in decimal without going through the formatter.
fn push_decimal(buffer: &mut String, value: u16) {
    let mut digits = [0u8; 5];
    let mut rest = value;
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        buffer.push(char::from(digit));
    }
}

/// The reason a line could not be read as a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError(Cow<'static, str>);

impl LineError {
    /// Creates an error with a fixed reason.
    pub const fn new(reason: &'static str) -> LineError {
        LineError(Cow::Borrowed(reason))
    }

    /// Creates an error with a reason built at run time.
    pub fn owned(reason: String) -> LineError {
        LineError(Cow::Owned(reason))
    }

    /// Returns the reason.
    pub fn reason(&self) -> &str {
        &self.0
    }
}

impl From<&'static str> for LineError {
    fn from(reason: &'static str) -> Self {
        LineError::new(reason)
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LineError {}

/// Parses a time written as seconds (`12.5`) or as an RFC 3339 date.
///
/// # Errors
///
/// Returns a reason when the text is neither, or out of range.
pub fn parse_time_text(text: &str) -> Result<LineTime, LineError> {
    let text = text.trim();
    let looks_numeric = text
        .bytes()
        .all(|byte| byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b'+' | b'e' | b'E'));
    if looks_numeric && !text.is_empty() {
        let seconds: f64 = text.parse().map_err(|_| {
            LineError::owned(format!(
                "t {text:?} is neither seconds nor an RFC 3339 time"
            ))
        })?;
        return Ok(LineTime::from_seconds(seconds)?);
    }
    Ok(parse_rfc3339(text.as_bytes())?)
}

/// Parses a duration in seconds, such as `0.180`.
///
/// # Errors
///
/// Returns a reason when the value is negative, not finite, or too large.
pub fn duration_from_seconds(seconds: f64) -> Result<Duration, LineError> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        LineError::owned(format!(
            "duration {seconds} is not a number of seconds, 0 or more"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_kind_names() {
        let mut buffer = String::from("stale");
        ErrorKind::Status(503).write_name(&mut buffer);
        assert_eq!(buffer, "http_503");
        ErrorKind::Status(100).write_name(&mut buffer);
        assert_eq!(buffer, "http_100");
        ErrorKind::Named(Cow::Borrowed("ConnectTimeout")).write_name(&mut buffer);
        assert_eq!(buffer, "ConnectTimeout");
    }

    #[test]
    fn time_text_takes_seconds_or_dates() {
        assert_eq!(parse_time_text("12.5").unwrap().seconds, 12.5);
        assert!(!parse_time_text("12.5").unwrap().is_date);
        let date = parse_time_text("2015-05-17T10:05:03Z").unwrap();
        assert_eq!(date.seconds, 1_431_857_103.0);
        assert!(date.is_date);
        assert_eq!(
            parse_time_text("1.2.3").unwrap_err().reason(),
            "t \"1.2.3\" is neither seconds nor an RFC 3339 time"
        );
        assert_eq!(
            parse_time_text("-4").unwrap_err().reason(),
            "t must be a number of seconds, 0 or more"
        );
    }
}
