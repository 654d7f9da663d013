//! Finds the known name nearest to a misspelt one.

/// Returns the candidate closest to `name`, if one is close enough to be a
/// likely intended spelling.
///
/// A candidate that differs only in case and underscores wins outright
/// (`FailureRate` → `failure_rate`). Otherwise the candidate with the
/// smallest edit distance wins, when that distance is at most 2 or a third
/// of the name's length, whichever is larger.
pub(crate) fn nearest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    const MAX_COMPARED_LENGTH: usize = 64;

    let written: Vec<char> = name.chars().collect();
    if written.len() > MAX_COMPARED_LENGTH {
        return None;
    }
    let folded = fold(name);
    let limit = (written.len() / 3).max(2);

    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if fold(candidate) == folded {
            return Some(candidate);
        }
        let distance = edit_distance(&written, candidate);
        if distance <= limit && best.is_none_or(|(shortest, _)| distance < shortest) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Lowercases and drops underscores.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|&character| character != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Counts the insertions, deletions and substitutions that turn `from`
/// into `to` (Levenshtein distance).
fn edit_distance(from: &[char], to: &str) -> usize {
    let mut previous: Vec<usize> = (0..=from.len()).collect();
    let mut current = vec![0; from.len() + 1];
    for (row, target) in to.chars().enumerate() {
        current[0] = row + 1;
        for (column, &source) in from.iter().enumerate() {
            let substitution = previous[column] + usize::from(source != target);
            let deletion = previous[column + 1] + 1;
            let insertion = current[column] + 1;
            current[column + 1] = substitution.min(deletion).min(insertion);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[from.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIPPERS: [&str; 4] = [
        "failure_rate",
        "failure_streak",
        "min_requests",
        "slow_rate",
    ];

    #[test]
    fn close_misspellings_are_found() {
        assert_eq!(nearest("failure_rat", TRIPPERS), Some("failure_rate"));
        assert_eq!(nearest("failure_straek", TRIPPERS), Some("failure_streak"));
        assert_eq!(nearest("min_request", TRIPPERS), Some("min_requests"));
        assert_eq!(nearest("FailureRate", TRIPPERS), Some("failure_rate"));
        assert_eq!(nearest("jiter", ["duration", "jitter"]), Some("jitter"));
    }

    #[test]
    fn distant_names_get_no_suggestion() {
        assert_eq!(nearest("latency", TRIPPERS), None);
        assert_eq!(nearest("x", TRIPPERS), None);
        assert_eq!(nearest(&"a".repeat(10_000), TRIPPERS), None);
    }

    #[test]
    fn distance_counts_each_edit() {
        let from: Vec<char> = "kitten".chars().collect();
        assert_eq!(edit_distance(&from, "sitting"), 3);
        assert_eq!(edit_distance(&[], "abc"), 3);
        assert_eq!(edit_distance(&from, ""), 6);
    }
}
