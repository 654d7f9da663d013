//! Exact conversions of the numbers a policy writes: decimal ratios,
//! whole counts and durations with units.

use std::time::Duration;

/// A decimal number as written, such as `20`, `0.5` or `-0.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal<'a> {
    pub(crate) negative: bool,
    /// The digits before the decimal point; never empty.
    pub(crate) whole: &'a str,
    /// The digits after the decimal point; empty when there is no point.
    pub(crate) fraction: &'a str,
}

/// The reason a number does not convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// A count with a sign or a fraction.
    NotWhole,
    /// A value beyond the largest the target type holds.
    TooLarge,
    /// A duration that is not a whole number of nanoseconds.
    FinerThanNanosecond,
}

impl Decimal<'_> {
    /// Returns the nearest `f64`, rounding correctly as `str::parse` does.
    pub(crate) fn to_f64(self) -> f64 {
        let text = format!("{}{}.{}0", sign(self.negative), self.whole, self.fraction);
        text.parse().unwrap_or(f64::NAN)
    }

    /// Returns the nearest `f64` to a hundredth of the number, for `50%`.
    ///
    /// The decimal point moves two digits left in the text before the
    /// conversion, so `12.5%` becomes exactly the `f64` nearest to 0.125.
    pub(crate) fn percent_to_f64(self) -> f64 {
        let split = self.whole.len().saturating_sub(2);
        let (high, low) = self.whole.split_at(split);
        let high = if high.is_empty() { "0" } else { high };
        let text = format!("{}{high}.{low:0>2}{}", sign(self.negative), self.fraction);
        text.parse().unwrap_or(f64::NAN)
    }

    /// Returns the number as a whole count.
    pub(crate) fn to_u64(self) -> Result<u64, NumberError> {
        if self.negative || !self.fraction.is_empty() {
            return Err(NumberError::NotWhole);
        }
        digits_value(self.whole)
            .and_then(|value| u64::try_from(value).ok())
            .ok_or(NumberError::TooLarge)
    }

    /// Returns the number times `unit` nanoseconds, exactly.
    pub(crate) fn times_nanos(self, unit: u128) -> Result<u128, NumberError> {
        let whole = digits_value(self.whole)
            .and_then(|value| value.checked_mul(unit))
            .ok_or(NumberError::TooLarge)?;

        // A fraction with more than 20 significant digits is never a whole
        // number of nanoseconds. Its last digit is not 0, so 10^digits
        // divides `fraction · unit` only if 2^digits or 5^digits divides
        // `unit`. No unit up to an hour has a factor 2^14 or 5^12.
        let fraction = self.fraction.trim_end_matches('0');
        if fraction.len() > 20 {
            return Err(NumberError::FinerThanNanosecond);
        }
        let scale = 10u128.pow(fraction.len() as u32);
        let numerator = digits_value(fraction)
            .and_then(|value| value.checked_mul(unit))
            .ok_or(NumberError::FinerThanNanosecond)?;
        if numerator % scale != 0 {
            return Err(NumberError::FinerThanNanosecond);
        }
        whole
            .checked_add(numerator / scale)
            .ok_or(NumberError::TooLarge)
    }
}

/// Converts a sum of nanoseconds to a `Duration`, if it fits.
pub(crate) fn duration_from_nanos(nanos: u128) -> Option<Duration> {
    let seconds = u64::try_from(nanos / 1_000_000_000).ok()?;
    let subsecond = (nanos % 1_000_000_000) as u32;
    Some(Duration::new(seconds, subsecond))
}

fn sign(negative: bool) -> &'static str {
    if negative { "-" } else { "" }
}

/// Returns the value of a run of ASCII digits, or `None` when it overflows.
fn digits_value(digits: &str) -> Option<u128> {
    digits.bytes().try_fold(0u128, |value, digit| {
        value
            .checked_mul(10)?
            .checked_add(u128::from(digit.wrapping_sub(b'0')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(whole: &'static str, fraction: &'static str) -> Decimal<'static> {
        Decimal {
            negative: false,
            whole,
            fraction,
        }
    }

    #[test]
    fn percent_moves_the_decimal_point() {
        assert_eq!(decimal("50", "").percent_to_f64(), 0.5);
        assert_eq!(decimal("5", "").percent_to_f64(), 0.05);
        assert_eq!(decimal("12", "5").percent_to_f64(), 0.125);
        assert_eq!(decimal("150", "").percent_to_f64(), 1.5);
        assert_eq!(decimal("0", "1").percent_to_f64(), 0.001);
        assert_eq!(decimal("33", "3").percent_to_f64(), 0.333);
    }

    #[test]
    fn decimals_round_like_std() {
        assert_eq!(decimal("0", "1").to_f64(), 0.1);
        assert_eq!(decimal("2", "").to_f64(), 2.0);
        let negative = Decimal {
            negative: true,
            whole: "0",
            fraction: "25",
        };
        assert_eq!(negative.to_f64(), -0.25);
    }

    #[test]
    fn counts_must_be_whole_and_fit() {
        assert_eq!(decimal("20", "").to_u64(), Ok(20));
        assert_eq!(decimal("1", "5").to_u64(), Err(NumberError::NotWhole));
        assert_eq!(
            decimal("18446744073709551616", "").to_u64(),
            Err(NumberError::TooLarge)
        );
        let long = "9".repeat(100);
        let long = Decimal {
            negative: false,
            whole: &long,
            fraction: "",
        };
        assert_eq!(long.to_u64(), Err(NumberError::TooLarge));
    }

    #[test]
    fn durations_are_exact_in_nanoseconds() {
        const SECOND: u128 = 1_000_000_000;
        assert_eq!(decimal("1", "5").times_nanos(SECOND), Ok(1_500_000_000));
        assert_eq!(decimal("0", "00025").times_nanos(SECOND), Ok(250_000));
        assert_eq!(decimal("0", "000000001").times_nanos(SECOND), Ok(1));
        assert_eq!(
            decimal("0", "0000000001").times_nanos(SECOND),
            Err(NumberError::FinerThanNanosecond)
        );
        assert_eq!(
            decimal("0", "5000000000000000000000000000").times_nanos(SECOND),
            Ok(500_000_000)
        );
        // 3.6 ns per 10^-12 hour: not whole, but 10^-11 hour is 36 ns.
        assert_eq!(
            decimal("0", "000000000001").times_nanos(3_600 * SECOND),
            Err(NumberError::FinerThanNanosecond)
        );
        assert_eq!(
            decimal("0", "00000000001").times_nanos(3_600 * SECOND),
            Ok(36)
        );
    }

    #[test]
    fn largest_duration_fits_and_one_more_does_not() {
        let max = Duration::MAX.as_nanos();
        assert_eq!(duration_from_nanos(max), Some(Duration::MAX));
        assert_eq!(duration_from_nanos(max + 1), None);
    }
}
