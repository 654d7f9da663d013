//! The set of HTTP statuses that a replayed access log counts as errors.

use std::fmt;
use std::str::FromStr;

const LOWEST: u16 = 100;
const HIGHEST: u16 = 999;

/// A set of HTTP statuses from 100 to 999, written as a comma-separated
/// list of statuses and inclusive ranges: `429,500-599`.
///
/// # Examples
///
/// ```
/// use fluxgate_cli::StatusSet;
///
/// let statuses: StatusSet = "429,500-599".parse()?;
/// assert!(statuses.contains(429));
/// assert!(statuses.contains(503));
/// assert!(!statuses.contains(404));
/// # Ok::<(), fluxgate_cli::InvalidStatusList>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct StatusSet {
    bits: [u64; 16],
    text: String,
}

impl StatusSet {
    /// Returns `true` when `status` is in the set.
    pub fn contains(&self, status: u16) -> bool {
        let index = usize::from(status);
        index < 1024 && self.bits[index / 64] & (1 << (index % 64)) != 0
    }

    fn insert_range(&mut self, from: u16, to: u16) {
        for status in from..=to {
            let index = usize::from(status);
            self.bits[index / 64] |= 1 << (index % 64);
        }
    }
}

impl Default for StatusSet {
    /// Server errors, `500-599`.
    fn default() -> Self {
        "500-599".parse().expect("the default list is valid")
    }
}

impl fmt::Debug for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusSet({})", self.text)
    }
}

impl fmt::Display for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The error for a status list that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidStatusList {
    list: String,
    item: String,
    /// The range in the right order, when the item is a reversed range.
    reordered: Option<(u16, u16)>,
}

impl fmt::Display for InvalidStatusList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid status list {:?}: ", self.list)?;
        match self.reordered {
            Some((from, to)) => write!(
                f,
                "the range {:?} is reversed (write it as {from}-{to})",
                self.item
            ),
            None => write!(
                f,
                "{:?} is not a status from {LOWEST} to {HIGHEST} or a range such as 500-599",
                self.item
            ),
        }
    }
}

impl std::error::Error for InvalidStatusList {}

impl FromStr for StatusSet {
    type Err = InvalidStatusList;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let mut set = StatusSet {
            bits: [0; 16],
            text: list.trim().to_owned(),
        };
        for item in list.split(',') {
            let invalid = |reordered| InvalidStatusList {
                list: list.to_owned(),
                item: item.trim().to_owned(),
                reordered,
            };
            let (from, to) = match item.split_once('-') {
                Some((from, to)) => (parse_status(from), parse_status(to)),
                None => (parse_status(item), parse_status(item)),
            };
            match (from, to) {
                (Some(from), Some(to)) if from <= to => set.insert_range(from, to),
                (Some(from), Some(to)) => return Err(invalid(Some((to, from)))),
                _ => return Err(invalid(None)),
            }
        }
        Ok(set)
    }
}

fn parse_status(text: &str) -> Option<u16> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let status = text.parse().ok()?;
    (LOWEST..=HIGHEST).contains(&status).then_some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_server_errors() {
        let set = StatusSet::default();
        assert!(set.contains(500));
        assert!(set.contains(599));
        assert!(!set.contains(499));
        assert!(!set.contains(600));
        assert_eq!(set.to_string(), "500-599");
    }

    #[test]
    fn lists_and_ranges() {
        let set: StatusSet = " 429 , 500-502,404".parse().unwrap();
        for status in [404, 429, 500, 501, 502] {
            assert!(set.contains(status), "{status}");
        }
        for status in [403, 428, 430, 503, 0, 1023] {
            assert!(!set.contains(status), "{status}");
        }
    }

    #[test]
    fn invalid_lists_name_the_item() {
        let cases = [
            ("5xx", "5xx"),
            ("500-", "500-"),
            ("599-500", "599-500"),
            ("42", "42"),
            ("1000", "1000"),
            ("500,,502", ""),
            ("+500", "+500"),
        ];
        for (list, item) in cases {
            let error = list.parse::<StatusSet>().unwrap_err();
            assert_eq!(error.item, item, "{list}");
        }
        let error = "5xx".parse::<StatusSet>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid status list \"5xx\": \"5xx\" is not a status from 100 to 999 \
             or a range such as 500-599"
        );
    }

    #[test]
    fn reversed_range_says_so() {
        let error = "429,500-400".parse::<StatusSet>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid status list \"429,500-400\": the range \"500-400\" is reversed \
             (write it as 400-500)"
        );
    }
}
