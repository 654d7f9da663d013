//! The Common and Combined Log Formats of web-server access logs.
//!
//! ```text
//! client ident user [date] "request" status size ["referer" "user agent"] [request time]
//! ```
//!
//! The parser works on bytes and allocates nothing, so it accepts lines
//! that are not UTF-8. The optional last field is the request time in
//! seconds (`0.180`), as nginx writes `$request_time`.

use std::time::Duration;

use super::{Body, ErrorKind, LineError, Record, parse_log_date};
use crate::StatusSet;

/// Parses one access-log line. A status in `errors` makes the call an error
/// of kind `http_<status>`.
///
/// # Errors
///
/// Returns the reason when the line does not have the shape above.
pub fn parse_access_log<'a>(line: &[u8], errors: &StatusSet) -> Result<Record<'a>, LineError> {
    let mut cursor = Cursor { rest: line };
    for _ in 0..3 {
        cursor
            .token()
            .ok_or("expected the client, identity and user fields before the date")?;
    }

    let date = cursor
        .bracketed()
        .ok_or("expected the date in brackets after the user field")?;
    let time = parse_log_date(date)?;
    cursor
        .quoted()
        .ok_or("expected the quoted request line after the date")?;
    let status = cursor
        .token()
        .and_then(parse_status)
        .ok_or("expected a three-digit status after the request line")?;
    cursor
        .token()
        .filter(|size| *size == b"-" || size.iter().all(u8::is_ascii_digit))
        .ok_or("expected the response size (digits or -) after the status")?;

    // Combined Log Format: a quoted referer and user agent.
    if cursor.next_is_quote() {
        cursor.quoted().ok_or("unterminated quoted referer")?;
        cursor
            .last_quoted()
            .ok_or("expected the quoted user agent after the referer")?;
    }
    let duration = match cursor.token() {
        None => None,
        Some(field) => Some(
            parse_seconds(field).ok_or("expected a request time in seconds as the last field")?,
        ),
    };
    if cursor.token().is_some() {
        return Err(LineError::new("unexpected text after the request time"));
    }

    let error = errors.contains(status).then_some(ErrorKind::Status(status));
    Ok(Record {
        time,
        body: Body::Call { duration, error },
    })
}

/// A position in a line, moving over space-separated fields.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn skip_spaces(&mut self) {
        let spaces = self.rest.iter().take_while(|&&byte| byte == b' ').count();
        self.rest = &self.rest[spaces..];
    }

    /// Returns the next field up to a space or the end of the line.
    fn token(&mut self) -> Option<&'a [u8]> {
        self.skip_spaces();
        if self.rest.is_empty() {
            return None;
        }
        let end = self
            .rest
            .iter()
            .position(|&byte| byte == b' ')
            .unwrap_or(self.rest.len());
        let (token, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(token)
    }

    fn next_is_quote(&mut self) -> bool {
        self.skip_spaces();
        self.rest.first() == Some(&b'"')
    }

    /// Returns the text between `[` and the next `]`.
    fn bracketed(&mut self) -> Option<&'a [u8]> {
        self.skip_spaces();
        let inner = self.rest.strip_prefix(b"[")?;
        let end = inner.iter().position(|&byte| byte == b']')?;
        self.rest = &inner[end + 1..];
        Some(&inner[..end])
    }

    /// Returns the text of the line's last quoted field, which ends at the
    /// line's last quote, so that a user agent with unescaped quotes inside
    /// it (which some servers write) still parses.
    fn last_quoted(&mut self) -> Option<&'a [u8]> {
        self.skip_spaces();
        let inner = self.rest.strip_prefix(b"\"")?;
        let end = inner.iter().rposition(|&byte| byte == b'"')?;
        self.rest = &inner[end + 1..];
        Some(&inner[..end])
    }

    /// Returns the text of a quoted field.
    ///
    /// A backslash escapes the next byte. A quote closes the field only
    /// when a space or the end of the line follows it.
    fn quoted(&mut self) -> Option<&'a [u8]> {
        self.skip_spaces();
        let inner = self.rest.strip_prefix(b"\"")?;
        let mut index = 0;
        while index < inner.len() {
            match inner[index] {
                b'\\' => index += 2,
                b'"' if matches!(inner.get(index + 1), None | Some(b' ')) => {
                    self.rest = &inner[index + 1..];
                    return Some(&inner[..index]);
                }
                _ => index += 1,
            }
        }
        None
    }
}

fn parse_status(field: &[u8]) -> Option<u16> {
    match *field {
        [a @ b'1'..=b'9', b @ b'0'..=b'9', c @ b'0'..=b'9'] => {
            Some(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => None,
    }
}

/// Parses non-negative decimal seconds such as `2`, `0.180` or `.5`;
/// digits past the ninth decimal are truncated.
pub(crate) fn parse_seconds(field: &[u8]) -> Option<Duration> {
    let (whole, fraction) = match field.iter().position(|&byte| byte == b'.') {
        Some(dot) => (&field[..dot], &field[dot + 1..]),
        None => (field, &[][..]),
    };
    let all_digits = |part: &[u8]| part.iter().all(u8::is_ascii_digit);
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    if whole.len() > 12 {
        return None;
    }
    let seconds = whole
        .iter()
        .fold(0u64, |value, &digit| value * 10 + u64::from(digit - b'0'));
    let mut nanos = 0u32;
    for position in 0..9 {
        let digit = fraction
            .get(position)
            .map_or(0, |&byte| u32::from(byte - b'0'));
        nanos = nanos * 10 + digit;
    }
    Some(Duration::new(seconds, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAY_17: f64 = 1_431_857_103.0;

    fn parse(line: &[u8]) -> Result<Record<'static>, LineError> {
        parse_access_log(line, &StatusSet::default())
    }

    fn call(line: &[u8]) -> (f64, Option<Duration>, Option<ErrorKind<'static>>) {
        match parse(line) {
            Ok(Record {
                time,
                body: Body::Call { duration, error },
            }) => (time.seconds, duration, error),
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(line)),
        }
    }

    #[test]
    fn valid_lines() {
        let cases: [(&[u8], Option<Duration>, Option<u16>); 10] = [
            // Common Log Format.
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 512",
                None,
                None,
            ),
            // A `-` size, and a server error.
            (
                b"192.0.2.1 - frank [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.0\" 503 -",
                None,
                Some(503),
            ),
            // Combined, with an IPv6 client.
            (
                b"2001:db8::34f - - [17/May/2015:10:05:03 +0000] \"OPTIONS / HTTP/1.1\" 500 626 \"-\" \"Microsoft Office\"",
                None,
                Some(500),
            ),
            // Escaped quotes in the user agent.
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET /a HTTP/1.1\" 200 5 \"http://e.test/\" \"Bot \\\"quoted\\\" 1.0\"",
                None,
                None,
            ),
            // Unescaped quotes inside the user agent.
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"Bot \"quoted\" 1.0\"",
                None,
                None,
            ),
            // A request time in seconds.
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl/8\" 0.180",
                Some(Duration::from_millis(180)),
                None,
            ),
            // A request time after the Common Log Format fields.
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 502 5 2",
                Some(Duration::from_secs(2)),
                Some(502),
            ),
            // Bytes that are not UTF-8 in the request and the user agent.
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET /caf\xe9 HTTP/1.1\" 404 5 \"-\" \"\xff\xfe\"",
                None,
                None,
            ),
            // An empty request line and a trailing space.
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"\" 400 0 ",
                None,
                None,
            ),
            // A zone offset other than UTC.
            (
                b"192.0.2.1 - - [17/May/2015:12:05:03 +0200] \"GET / HTTP/1.1\" 599 1",
                None,
                Some(599),
            ),
        ];
        for (line, duration, status) in cases {
            let (seconds, parsed_duration, error) = call(line);
            let text = String::from_utf8_lossy(line);
            assert_eq!(seconds, MAY_17, "{text}");
            assert_eq!(parsed_duration, duration, "{text}");
            assert_eq!(error, status.map(ErrorKind::Status), "{text}");
        }
    }

    #[test]
    fn invalid_lines() {
        let cases: [(&[u8], &str); 11] = [
            (b"", "expected the client, identity and user fields before the date"),
            (b"192.0.2.1 - -", "expected the date in brackets after the user field"),
            (
                b"192.0.2.1 - - 17/May/2015:10:05:03 +0000 \"GET /\" 200 5",
                "expected the date in brackets after the user field",
            ),
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000 \"GET /\" 200 5",
                "expected the date in brackets after the user field",
            ),
            (
                b"192.0.2.1 - - [17/Foo/2015:10:05:03 +0000] \"GET /\" 200 5",
                "unknown month name in the date",
            ),
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] GET / 200 5",
                "expected the quoted request line after the date",
            ),
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET / 200 5",
                "expected the quoted request line after the date",
            ),
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET /\" 20 5",
                "expected a three-digit status after the request line",
            ),
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET /\" 200 5k",
                "expected the response size (digits or -) after the status",
            ),
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET /\" 200 5 \"-\" \"ua\" fast",
                "expected a request time in seconds as the last field",
            ),
            (
                b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET /\" 200 5 \"-\" \"ua\" 0.1 extra",
                "unexpected text after the request time",
            ),
        ];
        for (line, reason) in cases {
            let error = parse(line).unwrap_err();
            assert_eq!(error.reason(), reason, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn error_statuses_follow_the_set() {
        let statuses: StatusSet = "429,404".parse().unwrap();
        let line = b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 404 5";
        let record = parse_access_log(line, &statuses).unwrap();
        let Body::Call { error, .. } = record.body else {
            panic!("not a call")
        };
        assert_eq!(error, Some(ErrorKind::Status(404)));
        let line = b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 503 5";
        let record = parse_access_log(line, &statuses).unwrap();
        assert_eq!(
            record.body,
            Body::Call {
                duration: None,
                error: None
            }
        );
    }

    #[test]
    fn long_user_agent_line() {
        let mut line =
            b"192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 500 5 \"-\" \""
                .to_vec();
        line.extend(std::iter::repeat_n(b'x', 1 << 20));
        line.extend_from_slice(b"\" 1.5");
        let (_, duration, error) = call(&line);
        assert_eq!(duration, Some(Duration::from_millis(1500)));
        assert_eq!(error, Some(ErrorKind::Status(500)));
    }

    #[test]
    fn seconds_fields() {
        assert_eq!(parse_seconds(b"0.180"), Some(Duration::from_millis(180)));
        assert_eq!(parse_seconds(b".5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_seconds(b"3."), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_seconds(b"0.0000000019"),
            Some(Duration::from_nanos(1))
        );
        assert_eq!(parse_seconds(b"."), None);
        assert_eq!(parse_seconds(b"-1"), None);
        assert_eq!(parse_seconds(b"1e3"), None);
        assert_eq!(parse_seconds(b"1.2.3"), None);
    }
}
