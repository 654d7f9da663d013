//! Outages and recoveries injected into a replay: every call in a span of
//! time gets the outcome of a given HTTP status.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::StatusSet;
use crate::input::{Body, DisplayDate, ErrorKind, LineTime, MAX_SECONDS, Record, parse_rfc3339};
use crate::report::InjectedSpan;

/// One `--inject START..END=STATUS` span.
///
/// START and END are offsets in seconds from the time of the first input
/// line (`86400..88200`), or RFC 3339 times. The span includes START and
/// excludes END.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate_cli::Injection;
///
/// let outage: Injection = "60..90.5=503".parse()?;
/// assert_eq!(outage.status(), 503);
/// let (start, end) = outage.resolve(Duration::from_secs(1000))?;
/// assert_eq!(start, Duration::from_secs(1060));
/// assert_eq!(end, Duration::from_millis(1090_500));
/// # Ok::<(), fluxgate_cli::InvalidInjection>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Injection {
    start: Bound,
    end: Bound,
    status: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// Seconds after the first line's time.
    Offset(Duration),
    /// A time on the replay clock, from an RFC 3339 date.
    At(Duration),
}

impl Bound {
    fn resolve(self, first: Duration) -> Duration {
        match self {
            Bound::Offset(offset) => first.saturating_add(offset),
            Bound::At(time) => time,
        }
    }
}

impl fmt::Display for Injection {
    /// Writes the span as the option takes it, with dates in UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}={}", self.start, self.end, self.status)
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Offset(offset) => write!(f, "{}", offset.as_secs_f64()),
            Bound::At(time) => f.write_str(&rfc3339(*time)),
        }
    }
}

/// Writes a time on the replay clock as an RFC 3339 date in UTC.
fn rfc3339(time: Duration) -> String {
    DisplayDate(time).to_string().replacen(' ', "T", 1)
}

impl Injection {
    /// Returns the status whose outcome the span's calls get.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// Returns the span's start and end on the replay clock, given the time
    /// of the first input line.
    ///
    /// # Errors
    ///
    /// Returns an error when END is not later than START. Parsing already
    /// rejects that when both are offsets or both are dates, so this
    /// happens only when one is an offset and the other a date.
    pub fn resolve(&self, first: Duration) -> Result<(Duration, Duration), InvalidInjection> {
        let start = self.start.resolve(first);
        let end = self.end.resolve(first);
        if end <= start {
            return Err(InvalidInjection {
                value: self.to_string(),
                reason: format!(
                    "{END_BEFORE_START}, but END is {} and START is {}",
                    rfc3339(end),
                    rfc3339(start)
                ),
            });
        }
        Ok((start, end))
    }
}

const END_BEFORE_START: &str = "END must be later than START";

/// Applies the injected spans of a replay and counts the calls each one
/// changes.
///
/// The spans are resolved on the replay clock at the first record, whose
/// time is the origin of offsets.
#[derive(Debug)]
pub(crate) struct Injector<'i> {
    injections: &'i [Injection],
    error_statuses: &'i StatusSet,
    /// Each span's start and end, once resolved.
    resolved: Option<Vec<(Duration, Duration)>>,
    /// The calls inside each span.
    calls: Vec<u64>,
}

impl<'i> Injector<'i> {
    /// Creates an injector whose statuses in `error_statuses` are errors
    /// and whose other statuses are successes, as in an access log.
    pub(crate) fn new(injections: &'i [Injection], error_statuses: &'i StatusSet) -> Injector<'i> {
        Injector {
            injections,
            error_statuses,
            resolved: None,
            calls: vec![0; injections.len()],
        }
    }

    /// Gives a call inside an injected span the outcome of the span's
    /// status: an error of kind `http_<status>` when the status is an error
    /// status, a success otherwise. The first span that contains the
    /// call's time wins.
    ///
    /// # Errors
    ///
    /// Returns the error of resolving a span at the first record.
    pub(crate) fn apply(&mut self, record: &mut Record<'_>) -> Result<(), InvalidInjection> {
        if self.injections.is_empty() {
            return Ok(());
        }
        let at = record.time.reading;
        if self.resolved.is_none() {
            let spans = self
                .injections
                .iter()
                .map(|injection| injection.resolve(at))
                .collect::<Result<_, _>>()?;
            self.resolved = Some(spans);
        }

        let Body::Call { error, .. } = &mut record.body else {
            return Ok(());
        };
        let spans = self.resolved.as_deref().unwrap_or_default();
        if let Some(index) = spans
            .iter()
            .position(|(start, end)| (*start..*end).contains(&at))
        {
            self.calls[index] += 1;
            let status = self.injections[index].status;
            *error = self
                .error_statuses
                .contains(status)
                .then_some(ErrorKind::Status(status));
        }
        Ok(())
    }

    /// Returns each span as the report lists it.
    pub(crate) fn spans(&self) -> Vec<InjectedSpan> {
        let mut status_kind = String::new();
        self.injections
            .iter()
            .enumerate()
            .map(|(index, injection)| {
                let resolved = self.resolved.as_ref().map(|spans| spans[index]);
                let error = self.error_statuses.contains(injection.status).then(|| {
                    ErrorKind::Status(injection.status).write_name(&mut status_kind);
                    status_kind.clone()
                });
                InjectedSpan {
                    injection: injection.to_string(),
                    start: resolved.map(|(start, _)| start.as_secs_f64()),
                    end: resolved.map(|(_, end)| end.as_secs_f64()),
                    error,
                    calls: self.calls[index],
                }
            })
            .collect()
    }
}

/// The error for an `--inject` value that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInjection {
    value: String,
    reason: String,
}

impl fmt::Display for InvalidInjection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid injection {:?}: {} (expected START..END=STATUS, such as 86400..88200=503)",
            self.value, self.reason
        )
    }
}

impl std::error::Error for InvalidInjection {}

impl FromStr for Injection {
    type Err = InvalidInjection;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: String| InvalidInjection {
            value: value.to_owned(),
            reason,
        };
        let (span, status) = value
            .rsplit_once('=')
            .ok_or_else(|| invalid("missing =STATUS".into()))?;
        let (start, end) = span
            .split_once("..")
            .ok_or_else(|| invalid("missing .. between START and END".into()))?;
        let start = parse_bound(start).map_err(&invalid)?;
        let end = parse_bound(end).map_err(&invalid)?;
        let status: u16 = status
            .trim()
            .parse()
            .ok()
            .filter(|status| (100..=999).contains(status))
            .ok_or_else(|| invalid(format!("status {:?} is not from 100 to 999", status.trim())))?;

        let same_kind = matches!(
            (start, end),
            (Bound::Offset(_), Bound::Offset(_)) | (Bound::At(_), Bound::At(_))
        );
        if same_kind && end.resolve(Duration::ZERO) <= start.resolve(Duration::ZERO) {
            return Err(invalid(END_BEFORE_START.into()));
        }
        Ok(Injection { start, end, status })
    }
}

fn parse_bound(text: &str) -> Result<Bound, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return LineTime::from_seconds(seconds)
            .map(|time| Bound::Offset(time.reading))
            .map_err(|_| {
                if seconds > 0.0 && seconds.is_finite() {
                    format!("offset {text:?} is larger than the maximum of {MAX_SECONDS} seconds")
                } else {
                    format!("offset {text:?} must be a number of seconds, 0 or more")
                }
            });
    }
    if text.as_bytes().get(4) == Some(&b'-') {
        return parse_rfc3339(text.as_bytes())
            .map(|time| Bound::At(time.reading))
            .map_err(|reason| format!("{text:?}: {reason}"));
    }
    Err(format!("{text:?} is neither seconds nor an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_resolve_from_first_line() {
        let injection: Injection = "86400..88200=503".parse().unwrap();
        let (start, end) = injection.resolve(Duration::from_secs(100)).unwrap();
        assert_eq!(start, Duration::from_secs(86_500));
        assert_eq!(end, Duration::from_secs(88_300));
        assert_eq!(injection.status(), 503);
    }

    #[test]
    fn dates_are_absolute() {
        let injection: Injection = "2015-05-18T10:00:00Z..2015-05-18T10:30:00Z=502"
            .parse()
            .unwrap();
        let (start, end) = injection.resolve(Duration::from_secs(5)).unwrap();
        assert_eq!(start, Duration::from_secs(1_431_943_200));
        assert_eq!(end, Duration::from_secs(1_431_945_000));
    }

    #[test]
    fn mixed_bounds_are_checked_once_resolved() {
        // 2015-05-17T10:05:03Z, the first line of the sample log.
        let first = Duration::from_secs(1_431_857_103);
        let cases = [
            (
                "2015-05-18T10:05:03Z..100=503",
                "END must be later than START, but END is 2015-05-17T10:06:43Z and \
                 START is 2015-05-18T10:05:03Z",
            ),
            (
                "86400..2015-05-18T10:05:03Z=503",
                "END must be later than START, but END is 2015-05-18T10:05:03Z and \
                 START is 2015-05-18T10:05:03Z",
            ),
        ];
        for (value, reason) in cases {
            let injection: Injection = value.parse().unwrap();
            let error = injection.resolve(first).unwrap_err();
            assert_eq!(error.reason, reason, "{value}");
            assert_eq!(error.value, value, "{value}");
        }

        let injection: Injection = "2015-05-18T10:05:03Z..90000=503".parse().unwrap();
        let (start, end) = injection.resolve(first).unwrap();
        assert_eq!(start, Duration::from_secs(1_431_943_503));
        assert_eq!(end, Duration::from_secs(1_431_947_103));
    }

    #[test]
    fn display_gives_back_the_option() {
        let injection: Injection = "86400..88200.5=503".parse().unwrap();
        assert_eq!(injection.to_string(), "86400..88200.5=503");
        let injection: Injection = "2015-05-18T12:00:00+02:00..2015-05-18T10:30:00Z=502"
            .parse()
            .unwrap();
        assert_eq!(
            injection.to_string(),
            "2015-05-18T10:00:00Z..2015-05-18T10:30:00Z=502"
        );
    }

    #[test]
    fn invalid_values_say_why() {
        let cases = [
            ("10..20", "missing =STATUS"),
            ("10-20=503", "missing .. between START and END"),
            ("20..10=503", "END must be later than START"),
            ("10..10=503", "END must be later than START"),
            ("10..20=5xx", "status \"5xx\" is not from 100 to 999"),
            ("10..20=99", "status \"99\" is not from 100 to 999"),
            (
                "ten..20=503",
                "\"ten\" is neither seconds nor an RFC 3339 time",
            ),
            (
                "-5..20=503",
                "offset \"-5\" must be a number of seconds, 0 or more",
            ),
            (
                "0..99999999999999999999=503",
                "offset \"99999999999999999999\" is larger than the maximum of 13569465600 \
                 seconds",
            ),
            (
                "0..inf=503",
                "offset \"inf\" must be a number of seconds, 0 or more",
            ),
            (
                "2015-05-18T10:00..20=503",
                "\"2015-05-18T10:00\": expected an RFC 3339 time such as 2015-05-17T10:05:03Z",
            ),
        ];
        for (value, reason) in cases {
            let error = value.parse::<Injection>().unwrap_err();
            assert_eq!(error.reason, reason, "{value}");
        }
        let error = "10..20".parse::<Injection>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid injection \"10..20\": missing =STATUS (expected START..END=STATUS, \
             such as 86400..88200=503)"
        );
    }
}
