//! JSON Lines: one call or manual command per line.
//!
//! ```json
//! {"t": 12.5, "duration": 0.180}
//! {"t": "2015-05-17T10:05:03Z", "error": "ConnectTimeout", "duration": 2.0}
//! {"t": 60.0, "op": "force_open"}
//! ```
//!
//! Each line must be a JSON object. Keys other than `t`, `duration`,
//! `error` and `op` are ignored, a `null` value counts as absent, and a
//! key given twice makes the line malformed.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use fluxgate::Command;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, de::Error as _};
use serde_json::error::Category;

use super::{Body, ErrorKind, LineError, LineTime, Record, duration_from_seconds, parse_rfc3339};

/// The keys of one line that the replay reads.
struct JsonLine<'a> {
    t: Option<JsonTime<'a>>,
    duration: Option<f64>,
    error: Option<Cow<'a, str>>,
    op: Option<Cow<'a, str>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for JsonLine<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(JsonLineVisitor(PhantomData))
    }
}

/// Reads a JSON object, and only an object, into a [`JsonLine`].
struct JsonLineVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for JsonLineVisitor<'a> {
    type Value = JsonLine<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(OBJECT_EXPECTED)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut line = JsonLine {
            t: None,
            duration: None,
            error: None,
            op: None,
        };
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match key.as_ref() {
                "t" => line.t = read_once(&mut map, &key, line.t.is_some())?,
                "duration" => line.duration = read_once(&mut map, &key, line.duration.is_some())?,
                "error" => {
                    let text: Option<Text<'a>> = read_once(&mut map, &key, line.error.is_some())?;
                    line.error = text.map(|Text(text)| text);
                }
                "op" => {
                    let text: Option<Text<'a>> = read_once(&mut map, &key, line.op.is_some())?;
                    line.op = text.map(|Text(text)| text);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(line)
    }
}

/// Reads the value of `key`, where `null` is `None`, naming the key in a
/// type error. `seen` is true when the line gave the key already.
fn read_once<'de, A, T>(map: &mut A, key: &str, seen: bool) -> Result<Option<T>, A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if seen {
        return Err(A::Error::custom(format_args!(
            "key \"{key}\" appears twice"
        )));
    }
    map.next_value::<Option<T>>().map_err(|error| {
        let message = error.to_string();
        A::Error::custom(format_args!(
            "key \"{key}\": {}",
            without_position(&message)
        ))
    })
}

/// A string value, borrowed from the line unless it has escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor(PhantomData))
    }
}

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(value.to_owned())))
    }
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
    if let Some(found) = non_object(line) {
        return Err(LineError::owned(format!(
            "{OBJECT_EXPECTED}, found {found}"
        )));
    }
    let parsed: JsonLine<'_> = serde_json::from_slice(line).map_err(json_error)?;
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

/// The shape every line must have, as messages state it.
const OBJECT_EXPECTED: &str = "expected a JSON object such as {\"t\": 12.5}";

/// Describes a line that does not start with `{`, by the JSON value it
/// starts with or, for other text, by its first characters.
fn non_object(line: &[u8]) -> Option<String> {
    const EXCERPT_CHARS: usize = 20;
    let line = line.trim_ascii();
    let described = match line.first()? {
        b'{' => return None,
        b'[' => "an array",
        b'"' => "a string",
        b'-' | b'0'..=b'9' => "a number",
        _ if line == b"true" || line == b"false" => "a boolean",
        _ if line == b"null" => "null",
        _ => {
            let text = String::from_utf8_lossy(line);
            // Escaped, so that control characters cannot garble a terminal.
            let mut excerpt: String = text
                .chars()
                .take(EXCERPT_CHARS)
                .flat_map(char::escape_debug)
                .collect();
            if text.chars().nth(EXCERPT_CHARS).is_some() {
                excerpt.push('…');
            }
            return Some(format!("`{excerpt}`"));
        }
    };
    Some(described.to_owned())
}

/// Turns a parser error into a line's reason. serde_json parses one line
/// at a time, so the line number it appends is always 1 and is dropped.
/// Only a syntax error keeps its column.
fn json_error(error: serde_json::Error) -> LineError {
    let message = error.to_string();
    let message = without_position(&message);
    match error.classify() {
        Category::Data => LineError::owned(message.to_owned()),
        Category::Syntax | Category::Eof | Category::Io => LineError::owned(format!(
            "invalid JSON at column {}: {message}",
            error.column()
        )),
    }
}

/// Removes the ` at line L column C` that serde_json (1.0) appends to its
/// messages.
fn without_position(message: &str) -> &str {
    let Some((head, position)) = message.rsplit_once(" at line ") else {
        return message;
    };
    let is_position = position
        .split_once(" column ")
        .is_some_and(|(line, column)| {
            [line, column].iter().all(|number| {
                !number.is_empty() && number.bytes().all(|byte| byte.is_ascii_digit())
            })
        });
    if is_position { head } else { message }
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
    fn syntax_and_type_errors_name_no_internal_type() {
        let cases: [(&[u8], &str); 13] = [
            (
                b"{\"t\": 1",
                "invalid JSON at column 7: EOF while parsing an object",
            ),
            (
                b"not json",
                "expected a JSON object such as {\"t\": 12.5}, found `not json`",
            ),
            (
                b"{\"t\": 1} x",
                "invalid JSON at column 10: trailing characters",
            ),
            (
                b"[1, 2]",
                "expected a JSON object such as {\"t\": 12.5}, found an array",
            ),
            (
                b"  [3, null, null, \"force_open\"]",
                "expected a JSON object such as {\"t\": 12.5}, found an array",
            ),
            (
                b"12.5",
                "expected a JSON object such as {\"t\": 12.5}, found a number",
            ),
            (
                b"null",
                "expected a JSON object such as {\"t\": 12.5}, found null",
            ),
            (
                b"\x1f\x8b\x08 binary junk, long past twenty characters",
                "expected a JSON object such as {\"t\": 12.5}, found `\\u{1f}\u{fffd}\\u{8} binary junk, lon…`",
            ),
            (
                b"{\"t\": true}",
                "key \"t\": invalid type: boolean `true`, expected a number of seconds or an \
                 RFC 3339 time",
            ),
            (
                b"{\"t\": 1, \"error\": 5}",
                "key \"error\": invalid type: integer `5`, expected a string",
            ),
            (
                b"{\"t\": 1, \"duration\": \"fast\"}",
                "key \"duration\": invalid type: string \"fast\", expected f64",
            ),
            (b"{\"t\": 1, \"t\": 2}", "key \"t\" appears twice"),
            (
                b"{\"t\": 1, \"error\": \"\xff\"}",
                "key \"error\": invalid unicode code point",
            ),
        ];
        for (line, reason) in cases {
            let error = parse_json_line(line).unwrap_err();
            assert_eq!(error.reason(), reason, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn escaped_and_ignored_keys() {
        let record = parse_json_line(br#"{"\u0074": 4, "extra": [1, {"t": "x"}]}"#).unwrap();
        assert_eq!(record.time.seconds, 4.0);
    }

    #[test]
    fn positions_are_removed_only_at_the_end() {
        assert_eq!(
            without_position("expected value at line 1 column 5"),
            "expected value"
        );
        assert_eq!(without_position("no position"), "no position");
        assert_eq!(
            without_position("name \"x at line 2\" at line 1 column 12"),
            "name \"x at line 2\""
        );
        assert_eq!(
            without_position("at line one column 2"),
            "at line one column 2"
        );
    }
}
