//! The canonical text form of durations, shared by every `Display` impl and
//! by the policy language.

use std::fmt;
use std::time::Duration;

const UNITS: [(&str, u128); 4] = [
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
];

/// Formats a duration the way policies write it.
///
/// A whole number of milliseconds prints as a sum of units from largest to
/// smallest (`1h`, `1m30s`, `1s500ms`, `250ms`); anything finer prints as
/// decimal seconds (`0.0005s`). Zero prints as `0s`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::DisplayDuration;
///
/// assert_eq!(DisplayDuration(Duration::from_secs(90)).to_string(), "1m30s");
/// assert_eq!(DisplayDuration(Duration::from_millis(1500)).to_string(), "1s500ms");
/// assert_eq!(DisplayDuration(Duration::from_micros(250)).to_string(), "0.00025s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisplayDuration(pub Duration);

impl fmt::Display for DisplayDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        if nanos == 0 {
            return f.write_str("0s");
        }
        if nanos % 1_000_000 != 0 {
            return write_decimal_seconds(f, nanos);
        }

        let mut rest = nanos;
        for (unit, size) in UNITS {
            let amount = rest / size;
            if amount > 0 {
                write!(f, "{amount}{unit}")?;
                rest -= amount * size;
            }
        }
        Ok(())
    }
}

fn write_decimal_seconds(f: &mut fmt::Formatter<'_>, nanos: u128) -> fmt::Result {
    let whole = nanos / 1_000_000_000;
    let fraction = format!("{:09}", nanos % 1_000_000_000);
    write!(f, "{whole}.{}s", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(duration: Duration) -> String {
        DisplayDuration(duration).to_string()
    }

    #[test]
    fn whole_units_use_largest_first() {
        assert_eq!(text(Duration::from_secs(60)), "1m");
        assert_eq!(text(Duration::from_secs(3600)), "1h");
        assert_eq!(text(Duration::from_secs(3661)), "1h1m1s");
        assert_eq!(text(Duration::from_millis(61_001)), "1m1s1ms");
        assert_eq!(text(Duration::from_secs(100 * 3600)), "100h");
    }

    #[test]
    fn sub_millisecond_uses_decimal_seconds() {
        assert_eq!(text(Duration::from_nanos(1)), "0.000000001s");
        assert_eq!(text(Duration::new(2, 500_100)), "2.0005001s");
    }

    #[test]
    fn zero_prints_as_seconds() {
        assert_eq!(text(Duration::ZERO), "0s");
    }
}
