//! JSON Lines: one call or manual command per line.
//!
//! ```json
//! {"t": 12.5, "duration": 0.180}
//! {"t": "2015-05-17T10:05:03Z", "error": "ConnectTimeout", "duration": 2.0}
//! {"t": 60.0, "op": "force_open"}
//! ```
//!
//! Keys other than `t`, `duration`, `error` and `op` are ignored, and a
//! `null` value counts as absent.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use fluxgate::Command;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::{Body, ErrorKind, LineError, LineTime, Record, duration_from_seconds, parse_rfc3339};

#[derive(Deserialize)]
struct JsonLine<'a> {
    #[serde(borrow)]
    t: Option<JsonTime<'a>>,
    duration: Option<f64>,
    #[serde(borrow)]
    error: Option<Cow<'a, str>>,
    #[serde(borrow)]
    op: Option<Cow<'a, str>>,
}

/// A `t` value: a number of seconds or an RFC 3339 string.
enum JsonTime<'a> {
    Seconds(f64),
    Text(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for JsonTime<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonTimeVisitor(PhantomData))
    }
}

struct JsonTimeVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for JsonTimeVisitor<'a> {
    type Value = JsonTime<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number of seconds or an RFC 3339 time")
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(JsonTime::Seconds(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(JsonTime::Seconds(value as f64))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(JsonTime::Seconds(value as f64))
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(JsonTime::Text(Cow::Borrowed(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(JsonTime::Text(Cow::Owned(value.to_owned())))
    }
}

/// Parses one JSON Lines record.
///
/// # Errors
///
/// Returns the reason when the line is not a JSON object, lacks `t`, or
/// contains a value out of range.
pub fn parse_json_line(line: &[u8]) -> Result<Record<'_>, LineError> {
    let parsed: JsonLine<'_> = serde_json::from_slice(line)
        .map_err(|error| LineError::owned(format!("invalid JSON: {error}")))?;
    let time = match parsed.t {
        None => return Err(LineError::new("missing t, the time of the call")),
        Some(JsonTime::Seconds(seconds)) => LineTime::from_seconds(seconds)?,
        Some(JsonTime::Text(text)) => parse_rfc3339(text.as_bytes())?,
    };

    if let Some(op) = parsed.op {
        if parsed.error.is_some() || parsed.duration.is_some() {
            return Err(LineError::new(
                "a line with an op records a manual command and takes no error or duration",
            ));
        }
        let command = op
            .parse::<Command>()
            .map_err(|error| LineError::owned(format!("invalid op: {error}")))?;
        return Ok(Record {
            time,
            body: Body::Command(command),
        });
    }

    let duration = parsed.duration.map(duration_from_seconds).transpose()?;
    let error = match parsed.error {
        Some(name) if name.is_empty() => {
            return Err(LineError::new(
                "error is empty; leave it out or use null for a success",
            ));
        }
        Some(name) => Some(ErrorKind::Named(name)),
        None => None,
    };
    Ok(Record {
        time,
        body: Body::Call { duration, error },
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn named(name: &str) -> Option<ErrorKind<'_>> {
        Some(ErrorKind::Named(Cow::Borrowed(name)))
    }

    #[test]
    fn valid_lines() {
        let cases: [(&str, f64, Body<'_>); 8] = [
            (
                r#"{"t": 12.5, "duration": 0.180}"#,
                12.5,
                Body::Call {
                    duration: Some(Duration::from_millis(180)),
                    error: None,
                },
            ),
            (
                r#"{"t": 12.9, "error": "ConnectTimeout", "duration": 2.0}"#,
                12.9,
                Body::Call {
                    duration: Some(Duration::from_secs(2)),
                    error: named("ConnectTimeout"),
                },
            ),
            (
                r#"{"t": 7, "error": null, "duration": null}"#,
                7.0,
                Body::Call {
                    duration: None,
                    error: None,
                },
            ),
            (
                r#"{"t": 60.0, "op": "force_open"}"#,
                60.0,
                Body::Command(Command::ForceOpen),
            ),
            (
                r#"{"op": "metrics_only", "t": 1}"#,
                1.0,
                Body::Command(Command::MetricsOnly),
            ),
            (
                r#"{"t": "2015-05-17T10:05:03Z", "error": "http_503", "host": "a"}"#,
                1_431_857_103.0,
                Body::Call {
                    duration: None,
                    error: named("http_503"),
                },
            ),
            (
                r#"{"t": 3, "error": "Say \"no\"", "extra": {"nested": [1, 2]}}"#,
                3.0,
                Body::Call {
                    duration: None,
                    error: named("Say \"no\""),
                },
            ),
            (
                "{\"t\": 0, \"error\": \"caf\u{e9}\"}",
                0.0,
                Body::Call {
                    duration: None,
                    error: named("caf\u{e9}"),
                },
            ),
        ];
        for (line, seconds, body) in cases {
            let record = parse_json_line(line.as_bytes()).unwrap();
            assert_eq!(record.time.seconds, seconds, "{line}");
            assert_eq!(record.body, body, "{line}");
        }
    }

    #[test]
    fn invalid_lines() {
        let cases = [
            (r#"{"duration": 1}"#, "missing t, the time of the call"),
            (r#"{"t": -1}"#, "t must be a number of seconds, 0 or more"),
            (
                r#"{"t": "yesterday"}"#,
                "expected an RFC 3339 time such as 2015-05-17T10:05:03Z",
            ),
            (
                r#"{"t": 1, "duration": -0.5}"#,
                "duration -0.5 is not a number of seconds, 0 or more",
            ),
            (
                r#"{"t": 1, "op": "open"}"#,
                "invalid op: unknown command \"open\" (expected one of: reset, disable, \
                 metrics_only, force_open)",
            ),
            (
                r#"{"t": 1, "op": "reset", "error": "x"}"#,
                "a line with an op records a manual command and takes no error or duration",
            ),
            (
                r#"{"t": 1, "error": ""}"#,
                "error is empty; leave it out or use null for a success",
            ),
        ];
        for (line, reason) in cases {
            let error = parse_json_line(line.as_bytes()).unwrap_err();
            assert_eq!(error.reason(), reason, "{line}");
        }
    }

    #[test]
    fn syntax_errors_keep_the_parser_message() {
        let cases: [&[u8]; 6] = [
            b"{\"t\": 1",
            b"[1, 2]",
            b"{\"t\": true}",
            b"{\"t\": 1, \"error\": 5}",
            b"{\"t\": 1, \"error\": \"\xff\"}",
            b"not json",
        ];
        for line in cases {
            let error = parse_json_line(line).unwrap_err();
            assert!(
                error.reason().starts_with("invalid JSON: "),
                "{}: {}",
                String::from_utf8_lossy(line),
                error.reason()
            );
        }
    }
}
