//! Timestamps of input lines: RFC 3339 and access-log dates, read from
//! bytes without allocating, and dates written back for reports.

use std::fmt;
use std::time::Duration;

/// The latest time a line may carry, in seconds since the Unix epoch: the
/// year 2400, well inside the 584 years of nanoseconds a breaker clock
/// holds. It also bounds an `--inject` offset.
pub const MAX_SECONDS: u64 = 13_569_465_600;

/// The time of one input line.
///
/// `seconds` is the value written to events, exactly as parsed for a plain
/// number. `reading` is the same instant as a reading of the replay clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineTime {
    /// Seconds from the input's origin, or since the Unix epoch for dates.
    pub seconds: f64,
    /// The same time as a clock reading.
    pub reading: Duration,
    /// `true` when the line gave a date rather than a plain number.
    pub is_date: bool,
}

impl LineTime {
    /// Creates a time from a plain number of seconds.
    ///
    /// # Errors
    ///
    /// Returns a reason when `seconds` is negative, not finite, or later
    /// than the year 2400 on the Unix epoch scale.
    pub fn from_seconds(seconds: f64) -> Result<LineTime, &'static str> {
        if !seconds.is_finite() || seconds < 0.0 {
            return Err("t must be a number of seconds, 0 or more");
        }
        if seconds > MAX_SECONDS as f64 {
            return Err("t is too large (the latest allowed is 13569465600, the year 2400)");
        }
        Ok(LineTime {
            seconds,
            reading: Duration::from_secs_f64(seconds),
            is_date: false,
        })
    }

    /// Creates a time from a date, as seconds and nanoseconds since the Unix
    /// epoch.
    fn from_epoch(seconds: i64, nanos: u32) -> Result<LineTime, &'static str> {
        let seconds = u64::try_from(seconds).map_err(|_| "dates before 1970 are not supported")?;
        if seconds > MAX_SECONDS {
            return Err("dates after the year 2400 are not supported");
        }
        let reading = Duration::new(seconds, nanos);
        Ok(LineTime {
            seconds: reading.as_secs_f64(),
            reading,
            is_date: true,
        })
    }
}

/// Parses an RFC 3339 date-time such as `2015-05-17T10:05:03.25+02:00`.
///
/// The separator may be `T`, `t` or a space, and the offset `Z`, `z` or
/// `±HH:MM`. Fractions finer than a nanosecond are truncated.
///
/// # Errors
///
/// Returns a reason naming the first part that is not valid.
pub fn parse_rfc3339(text: &[u8]) -> Result<LineTime, &'static str> {
    const SHAPE: &str = "expected an RFC 3339 time such as 2015-05-17T10:05:03Z";
    if text.len() < 20 {
        return Err(SHAPE);
    }
    let separators_ok = text[4] == b'-'
        && text[7] == b'-'
        && matches!(text[10], b'T' | b't' | b' ')
        && text[13] == b':'
        && text[16] == b':';
    if !separators_ok {
        return Err(SHAPE);
    }
    let year = digits(&text[0..4]).ok_or(SHAPE)?;
    let month = digits(&text[5..7]).ok_or(SHAPE)?;
    let day = digits(&text[8..10]).ok_or(SHAPE)?;
    let hour = digits(&text[11..13]).ok_or(SHAPE)?;
    let minute = digits(&text[14..16]).ok_or(SHAPE)?;
    let second = digits(&text[17..19]).ok_or(SHAPE)?;

    // An optional fraction, then the offset.
    let mut rest = &text[19..];
    let mut nanos = 0u32;
    if let Some((b'.', fraction)) = rest.split_first() {
        let length = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if length == 0 {
            return Err("expected digits after the decimal point of the seconds");
        }
        nanos = fraction_nanos(&fraction[..length]);
        rest = &fraction[length..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2]).ok_or(SHAPE)?;
            let minutes = digits(&[*m1, *m2]).ok_or(SHAPE)?;
            if hours > 23 || minutes > 59 {
                return Err("the UTC offset is out of range");
            }
            let offset = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return Err("expected Z or an offset such as +02:00 after the seconds"),
    };

    let civil = check_civil(year, month, day, hour, minute, second)?;
    LineTime::from_epoch(civil - offset, nanos)
}

/// Parses an access-log date such as `17/May/2015:10:05:03 +0000`.
///
/// # Errors
///
/// Returns a reason naming the first part that is not valid.
pub fn parse_log_date(text: &[u8]) -> Result<LineTime, &'static str> {
    const SHAPE: &str = "expected a date such as [17/May/2015:10:05:03 +0000]";
    let [
        d1,
        d2,
        b'/',
        m1,
        m2,
        m3,
        b'/',
        y1,
        y2,
        y3,
        y4,
        b':',
        h1,
        h2,
        b':',
        n1,
        n2,
        b':',
        s1,
        s2,
        b' ',
        sign,
        o1,
        o2,
        o3,
        o4,
    ] = *text
    else {
        return Err(SHAPE);
    };
    let day = digits(&[d1, d2]).ok_or(SHAPE)?;
    let month = month_number([m1, m2, m3]).ok_or("unknown month name in the date")?;
    let year = digits(&[y1, y2, y3, y4]).ok_or(SHAPE)?;
    let hour = digits(&[h1, h2]).ok_or(SHAPE)?;
    let minute = digits(&[n1, n2]).ok_or(SHAPE)?;
    let second = digits(&[s1, s2]).ok_or(SHAPE)?;
    let offset_hours = digits(&[o1, o2]).ok_or(SHAPE)?;
    let offset_minutes = digits(&[o3, o4]).ok_or(SHAPE)?;
    if offset_hours > 23 || offset_minutes > 59 {
        return Err("the UTC offset is out of range");
    }
    let offset = i64::from(offset_hours * 3600 + offset_minutes * 60);
    let offset = match sign {
        b'+' => offset,
        b'-' => -offset,
        _ => return Err(SHAPE),
    };

    let civil = check_civil(year, month, day, hour, minute, second)?;
    LineTime::from_epoch(civil - offset, 0)
}

/// Reads ASCII decimal digits, with no sign and no other character.
fn digits(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 9 {
        return None;
    }
    text.iter().try_fold(0u32, |value, &byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

/// Turns the digits after a decimal point into nanoseconds, truncating past
/// the ninth digit.
fn fraction_nanos(fraction: &[u8]) -> u32 {
    let mut nanos = 0;
    for position in 0..9 {
        let digit = fraction
            .get(position)
            .map_or(0, |byte| u32::from(byte - b'0'));
        nanos = nanos * 10 + digit;
    }
    nanos
}

fn month_number(name: [u8; 3]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let index = MONTHS.iter().position(|month| **month == name)?;
    Some(index as u32 + 1)
}

/// Validates a civil date and time and returns its seconds since the Unix
/// epoch, ignoring any UTC offset. A leap second (`:60`) is accepted and
/// counts as the first second of the next minute.
fn check_civil(
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
) -> Result<i64, &'static str> {
    if !(1..=12).contains(&month) {
        return Err("the month is out of range");
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err("the day is out of range for its month");
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("the time of day is out of range");
    }
    let days = days_from_civil(i64::from(year), month, day);
    Ok(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Counts the days from 1970-01-01 to a date of the proleptic Gregorian
/// calendar, counting in 400-year eras that start on March 1st so that the
/// leap day falls at the end of each year.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Converts days since 1970-01-01 to a (year, month, day) date; the
/// inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A clock reading written as a UTC date, `2015-05-17 10:05:03Z`, with
/// milliseconds when the reading has a fraction of a second.
#[derive(Debug, Clone, Copy)]
pub struct DisplayDate(pub Duration);

impl fmt::Display for DisplayDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.0.as_secs();
        let (year, month, day) = civil_from_days((total / 86_400) as i64);
        let second_of_day = total % 86_400;
        write!(
            f,
            "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )?;
        let millis = self.0.subsec_millis();
        if millis > 0 {
            write!(f, ".{millis:03}")?;
        }
        f.write_str("Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(text: &str) -> Result<Duration, &'static str> {
        parse_rfc3339(text.as_bytes()).map(|time| time.reading)
    }

    #[test]
    fn rfc3339_valid_times() {
        let cases = [
            ("1970-01-01T00:00:00Z", Duration::ZERO),
            ("2015-05-17T10:05:03Z", Duration::from_secs(1_431_857_103)),
            ("2015-05-17t10:05:03z", Duration::from_secs(1_431_857_103)),
            ("2015-05-17 10:05:03Z", Duration::from_secs(1_431_857_103)),
            (
                "2015-05-17T12:05:03+02:00",
                Duration::from_secs(1_431_857_103),
            ),
            (
                "2015-05-17T09:35:03-00:30",
                Duration::from_secs(1_431_857_103),
            ),
            (
                "2015-05-17T10:05:03.25Z",
                Duration::new(1_431_857_103, 250_000_000),
            ),
            (
                "2015-05-17T10:05:03.1234567891Z",
                Duration::new(1_431_857_103, 123_456_789),
            ),
            ("2024-02-29T00:00:00Z", Duration::from_secs(1_709_164_800)),
            ("2000-03-01T00:00:00Z", Duration::from_secs(951_868_800)),
        ];
        for (text, expected) in cases {
            assert_eq!(epoch(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn rfc3339_invalid_times() {
        let cases = [
            (
                "2015-05-17",
                "expected an RFC 3339 time such as 2015-05-17T10:05:03Z",
            ),
            (
                "2015-05-17T10:05:03",
                "expected an RFC 3339 time such as 2015-05-17T10:05:03Z",
            ),
            (
                "2015-05-17T10:05:03+0200",
                "expected Z or an offset such as +02:00 after the seconds",
            ),
            (
                "2015-05-17T10:05:03.Z",
                "expected digits after the decimal point of the seconds",
            ),
            ("2015-13-17T10:05:03Z", "the month is out of range"),
            (
                "2023-02-29T10:05:03Z",
                "the day is out of range for its month",
            ),
            ("2015-05-17T24:05:03Z", "the time of day is out of range"),
            (
                "1969-12-31T23:59:59Z",
                "dates before 1970 are not supported",
            ),
            (
                "2015-05-17T10:05:03+24:00",
                "the UTC offset is out of range",
            ),
            (
                "2015/05/17T10:05:03Z",
                "expected an RFC 3339 time such as 2015-05-17T10:05:03Z",
            ),
        ];
        for (text, reason) in cases {
            assert_eq!(epoch(text), Err(reason), "{text}");
        }
    }

    #[test]
    fn log_dates() {
        let parse = |text: &str| parse_log_date(text.as_bytes()).map(|time| time.reading);
        assert_eq!(
            parse("17/May/2015:10:05:03 +0000"),
            Ok(Duration::from_secs(1_431_857_103))
        );
        assert_eq!(
            parse("17/May/2015:12:05:03 +0200"),
            Ok(Duration::from_secs(1_431_857_103))
        );
        assert_eq!(
            parse("10/Oct/2000:13:55:36 -0700"),
            Ok(Duration::from_secs(971_211_336))
        );
        assert_eq!(
            parse("17/Mai/2015:10:05:03 +0000"),
            Err("unknown month name in the date")
        );
        assert_eq!(
            parse("17/May/2015:10:05:03"),
            Err("expected a date such as [17/May/2015:10:05:03 +0000]")
        );
        assert_eq!(
            parse("31/Apr/2015:10:05:03 +0000"),
            Err("the day is out of range for its month")
        );
    }

    #[test]
    fn plain_seconds_are_checked() {
        assert_eq!(
            LineTime::from_seconds(12.5).unwrap().reading,
            Duration::from_millis(12_500)
        );
        assert!(LineTime::from_seconds(-0.5).is_err());
        assert!(LineTime::from_seconds(f64::INFINITY).is_err());
        assert!(LineTime::from_seconds(1e11).is_err());
    }

    #[test]
    fn civil_round_trip() {
        for days in [-1, 0, 59, 60, 365, 10_957, 11_016, 16_572, 19_782, 200_000] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(
                days_from_civil(year, month, day),
                days,
                "{year}-{month}-{day}"
            );
        }
    }

    #[test]
    fn dates_display_in_utc() {
        let date = DisplayDate(Duration::from_secs(1_431_857_103));
        assert_eq!(date.to_string(), "2015-05-17 10:05:03Z");
        let date = DisplayDate(Duration::new(951_868_800, 250_000_000));
        assert_eq!(date.to_string(), "2000-03-01 00:00:00.250Z");
    }
}
