//! CSV input: a header naming the columns, then one call or command per
//! line.
//!
//! The columns `t`, `duration`, `error` and `op` may come in any order.
//! Other columns are ignored, and an empty or blank cell counts as absent.
//! A field may be quoted, with `""` for a quote inside it, but a record must
//! fit on one line.

use std::borrow::Cow;

use fluxgate::Command;

use super::{Body, ErrorKind, LineError, Record, duration_from_seconds, parse_time_text};

/// The positions of the known columns, read from a CSV header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvHeader {
    t: usize,
    duration: Option<usize>,
    error: Option<usize>,
    op: Option<usize>,
}

impl CsvHeader {
    /// Reads the header line.
    ///
    /// # Errors
    ///
    /// Returns the reason when the line has no `t` column, names a known
    /// column twice, or is not valid CSV.
    pub fn parse(line: &[u8]) -> Result<CsvHeader, LineError> {
        let mut columns: [Option<usize>; 4] = [None; 4];
        let mut duplicate = None;
        split_fields(line, |index, field| {
            let name = field.trim_ascii();
            let slot = match name {
                b"t" => 0,
                b"duration" => 1,
                b"error" => 2,
                b"op" => 3,
                _ => return,
            };
            if columns[slot].is_some() {
                duplicate = Some(String::from_utf8_lossy(name).into_owned());
            }
            columns[slot] = Some(index);
        })?;
        if let Some(name) = duplicate {
            return Err(LineError::owned(format!(
                "the CSV header names the column {name:?} twice"
            )));
        }
        let t = columns[0]
            .ok_or("the CSV header has no t column (expected columns: t, duration, error, op)")?;
        Ok(CsvHeader {
            t,
            duration: columns[1],
            error: columns[2],
            op: columns[3],
        })
    }

    /// Parses one record under this header.
    ///
    /// # Errors
    ///
    /// Returns the reason when a cell is invalid or `t` is empty.
    pub fn parse_record<'a>(&self, line: &'a [u8]) -> Result<Record<'a>, LineError> {
        let mut cells: [Option<Cow<'a, [u8]>>; 4] = [None, None, None, None];
        let columns = [Some(self.t), self.duration, self.error, self.op];
        split_fields(line, |index, field| {
            if let Some(slot) = columns.iter().position(|&column| column == Some(index)) {
                cells[slot] = Some(field).filter(|field| !field.trim_ascii().is_empty());
            }
        })?;
        let [t, duration, error, op] = cells;

        let t = t.ok_or("the t cell is empty")?;
        let time = parse_time_text(utf8(&t, "t")?)?;
        if let Some(op) = op {
            if error.is_some() || duration.is_some() {
                return Err(LineError::new(
                    "a line with an op records a manual command and takes no error or duration",
                ));
            }
            let command = utf8(&op, "op")?
                .trim()
                .parse::<Command>()
                .map_err(|error| LineError::owned(format!("invalid op: {error}")))?;
            return Ok(Record {
                time,
                body: Body::Command(command),
            });
        }

        let duration = match duration {
            None => None,
            Some(cell) => {
                let text = utf8(&cell, "duration")?.trim();
                let seconds: f64 = text.parse().map_err(|_| {
                    LineError::owned(format!("duration {text:?} is not a number of seconds"))
                })?;
                Some(duration_from_seconds(seconds)?)
            }
        };
        let error = error.map(into_text).transpose()?.map(ErrorKind::Named);
        Ok(Record {
            time,
            body: Body::Call { duration, error },
        })
    }
}

fn utf8<'c>(cell: &'c [u8], column: &str) -> Result<&'c str, LineError> {
    std::str::from_utf8(cell)
        .map_err(|_| LineError::owned(format!("the {column} cell is not valid UTF-8")))
}

fn into_text(cell: Cow<'_, [u8]>) -> Result<Cow<'_, str>, LineError> {
    let invalid = || LineError::new("the error cell is not valid UTF-8");
    match cell {
        Cow::Borrowed(bytes) => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| invalid()),
        Cow::Owned(bytes) => String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|_| invalid()),
    }
}

/// Calls `visit` with the index and text of each field of a CSV line.
///
/// A quoted field is unquoted, borrowing the line unless it contains an
/// escaped quote.
fn split_fields<'a>(
    line: &'a [u8],
    mut visit: impl FnMut(usize, Cow<'a, [u8]>),
) -> Result<(), LineError> {
    let mut rest = line;
    let mut index = 0;
    loop {
        let (field, after) = if let Some(quoted) = rest.strip_prefix(b"\"") {
            read_quoted(quoted)?
        } else {
            let end = rest
                .iter()
                .position(|&byte| byte == b',')
                .unwrap_or(rest.len());
            (Cow::Borrowed(&rest[..end]), &rest[end..])
        };
        visit(index, field);
        match after.split_first() {
            None => return Ok(()),
            Some((b',', next)) => rest = next,
            Some(_) => {
                return Err(LineError::owned(format!(
                    "unexpected text after the closing quote of field {}",
                    index + 1
                )));
            }
        }
        index += 1;
    }
}

/// Reads a quoted field's text after its opening quote; returns it and the
/// rest of the line after the closing quote.
fn read_quoted(quoted: &[u8]) -> Result<(Cow<'_, [u8]>, &[u8]), LineError> {
    let mut text: Cow<'_, [u8]> = Cow::Borrowed(&[]);
    let mut start = 0;
    let mut index = 0;
    while index < quoted.len() {
        if quoted[index] != b'"' {
            index += 1;
            continue;
        }
        if quoted.get(index + 1) == Some(&b'"') {
            // An escaped quote: keep one of the two.
            text.to_mut().extend_from_slice(&quoted[start..=index]);
            index += 2;
            start = index;
            continue;
        }
        let tail = &quoted[start..index];
        let text = match text {
            Cow::Borrowed(_) => Cow::Borrowed(tail),
            Cow::Owned(mut owned) => {
                owned.extend_from_slice(tail);
                Cow::Owned(owned)
            }
        };
        return Ok((text, &quoted[index + 1..]));
    }
    Err(LineError::new(
        "unterminated quoted field (a record must fit on one line)",
    ))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn header(line: &str) -> CsvHeader {
        CsvHeader::parse(line.as_bytes()).unwrap()
    }

    #[test]
    fn headers() {
        let parsed = header("t,duration,error,op");
        assert_eq!(
            parsed,
            CsvHeader {
                t: 0,
                duration: Some(1),
                error: Some(2),
                op: Some(3)
            }
        );
        let parsed = header("host, error ,\"t\",status");
        assert_eq!(
            parsed,
            CsvHeader {
                t: 2,
                duration: None,
                error: Some(1),
                op: None
            }
        );
        assert_eq!(header("t").t, 0);
    }

    #[test]
    fn invalid_headers() {
        let cases = [
            (
                "time,duration",
                "the CSV header has no t column (expected columns: t, duration, error, op)",
            ),
            ("t,error,t", "the CSV header names the column \"t\" twice"),
            (
                "t,\"error",
                "unterminated quoted field (a record must fit on one line)",
            ),
        ];
        for (line, reason) in cases {
            let error = CsvHeader::parse(line.as_bytes()).unwrap_err();
            assert_eq!(error.reason(), reason, "{line}");
        }
    }

    #[test]
    fn valid_records() {
        let parsed = header("error,t,host,duration,op");
        let named = |name: &'static str| Some(ErrorKind::Named(Cow::Borrowed(name)));
        let cases: [(&str, f64, Body<'_>); 7] = [
            (
                ",12.5,a,0.180,",
                12.5,
                Body::Call {
                    duration: Some(Duration::from_millis(180)),
                    error: None,
                },
            ),
            (
                "ConnectTimeout,12.9,b,2",
                12.9,
                Body::Call {
                    duration: Some(Duration::from_secs(2)),
                    error: named("ConnectTimeout"),
                },
            ),
            (",60,,,force_open", 60.0, Body::Command(Command::ForceOpen)),
            (
                "\"Bad, \"\"odd\"\" kind\",1,\"x,y\",",
                1.0,
                Body::Call {
                    duration: None,
                    error: named("Bad, \"odd\" kind"),
                },
            ),
            (
                "http_503,2015-05-17T10:05:03Z",
                1_431_857_103.0,
                Body::Call {
                    duration: None,
                    error: named("http_503"),
                },
            ),
            (
                " ,3,\"\",",
                3.0,
                Body::Call {
                    duration: None,
                    error: None,
                },
            ),
            (
                ",4, host ,  0.5 ,",
                4.0,
                Body::Call {
                    duration: Some(Duration::from_millis(500)),
                    error: None,
                },
            ),
        ];
        for (line, seconds, body) in cases {
            let record = parsed.parse_record(line.as_bytes()).unwrap();
            assert_eq!(record.time.seconds, seconds, "{line}");
            assert_eq!(record.body, body, "{line}");
        }
    }

    #[test]
    fn invalid_records() {
        let parsed = header("t,duration,error,op");
        let cases: [(&[u8], &str); 7] = [
            (b",1,x,", "the t cell is empty"),
            (b"1,fast,,", "duration \"fast\" is not a number of seconds"),
            (
                b"1,-2,,",
                "duration -2 is not a number of seconds, 0 or more",
            ),
            (
                b"1,,,explode",
                "invalid op: unknown command \"explode\" (expected one of: reset, disable, metrics_only, force_open)",
            ),
            (
                b"1,,x,reset",
                "a line with an op records a manual command and takes no error or duration",
            ),
            (
                b"1,,\"x\"y,",
                "unexpected text after the closing quote of field 3",
            ),
            (b"1,,\xff,", "the error cell is not valid UTF-8"),
        ];
        for (line, reason) in cases {
            let error = parsed.parse_record(line).unwrap_err();
            assert_eq!(error.reason(), reason, "{}", String::from_utf8_lossy(line));
        }
    }
}
