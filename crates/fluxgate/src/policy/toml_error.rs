//! Policy-file errors for TOML that does not parse, explained in the terms
//! of a policy: an expression written without quotes, a key or a breaker
//! given twice.

use std::ops::Range;

use super::error::{PolicyError, shorten};
use super::file::located;
use super::syntax::ComponentKind;

/// Returns the error for a policy file that is not valid TOML.
pub(crate) fn toml_error(text: &str, error: &toml::de::Error) -> PolicyError {
    let message = error.message().trim_end();
    let Some(span) = error.span() else {
        return PolicyError::unlocated(format!("invalid TOML: {message}"));
    };
    if let Some(explained) = unquoted_value(text, span.clone()) {
        return explained;
    }
    // The toml crate (1.2) reports a duplicate with this message and points
    // at the second occurrence of the key.
    if message == "duplicate key" {
        return duplicate(text, span);
    }
    located(text, span, &format!("invalid TOML: {message}"))
}

/// Explains a value that TOML could not read when it is the unquoted value
/// of a policy key, such as `tripper = failure_rate(0.5)`, which the toml
/// crate (1.2) reports as an invalid boolean.
fn unquoted_value(text: &str, span: Range<usize>) -> Option<PolicyError> {
    let line_start = text[..span.start].rfind('\n').map_or(0, |index| index + 1);
    let (key, rest) = text[line_start..span.start].split_once('=')?;
    if !rest.trim().is_empty() {
        return None;
    }
    // The last part of a dotted key, `breaker.a.tripper`, names the key.
    let key = key.rsplit('.').next().map(unquote)?;
    let written = text.get(span.clone())?.trim();
    if written.starts_with(['"', '\'']) {
        return None;
    }

    let quoted = quote(written);
    let (message, hint) = match key {
        "half_open_timeout" => (
            format!("the value of `{key}` must be a quoted duration string"),
            format!("write `{key} = {}`", shorten(&quoted)),
        ),
        "max_half_open_calls" => (
            format!("the value of `{key}` must be a whole number"),
            format!("write a number without quotes, such as `{key} = 10`"),
        ),
        _ => {
            let kind = ComponentKind::ALL
                .into_iter()
                .find(|kind| kind.name() == key)?;
            (
                format!("the value of `{key}` must be a quoted expression string"),
                format!("write `{} = {}`", kind.name(), shorten(&quoted)),
            )
        }
    };
    let error = located_with_hint(text, span, &message, hint).with_key(key);
    Some(match breaker_at(&text[..line_start]) {
        Some(breaker) => error.with_breaker(breaker),
        None => error,
    })
}

/// Writes `value` as a TOML string: in double quotes, or in single quotes
/// when it contains a double quote or a backslash, so that no escape is
/// needed.
fn quote(value: &str) -> String {
    if !value.contains(['"', '\\']) {
        format!("\"{value}\"")
    } else if !value.contains('\'') {
        format!("'{value}'")
    } else {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

/// Names a key or a `[breaker.NAME]` table that is given twice, and where
/// it was first given when a plain scan of the earlier lines finds it.
fn duplicate(text: &str, span: Range<usize>) -> PolicyError {
    let name = unquote(text.get(span.clone()).unwrap_or_default().trim());
    let line_start = text[..span.start].rfind('\n').map_or(0, |index| index + 1);
    let line_end = text[span.start..]
        .find('\n')
        .map_or(text.len(), |index| span.start + index);
    let line = &text[line_start..line_end];
    let earlier = &text[..line_start];

    let (message, first) = match table_path(line) {
        Some(path) => {
            let message = match path.as_slice() {
                ["breaker", breaker] => format!("breaker `{breaker}` is defined twice"),
                _ => format!("table `[{}]` is defined twice", path.join(".")),
            };
            let first = earlier
                .lines()
                .position(|candidate| table_path(candidate).as_ref() == Some(&path));
            (
                message,
                first.map(|index| format!("first defined on line {}", index + 1)),
            )
        }
        None => {
            // Search back to the table's header for a line that sets the
            // same key.
            let lines: Vec<&str> = earlier.lines().collect();
            let first = lines
                .iter()
                .rposition(|candidate| {
                    table_path(candidate).is_some() || key_of(candidate) == Some(name)
                })
                .filter(|&index| key_of(lines[index]) == Some(name));
            let first = first.map(|index| format!("first set on line {}", index + 1));
            (format!("duplicate key `{name}`"), first)
        }
    };
    located_with_hint(text, span, &message, first.unwrap_or_default())
}

/// Returns the breaker whose keys follow `earlier`, the text before a
/// line: the one of the last `[breaker.NAME]` header, or `default` when
/// there is no header. Returns `None` after any other header.
fn breaker_at(earlier: &str) -> Option<&str> {
    let header = earlier.lines().rev().find_map(table_path);
    match header.as_deref() {
        None => Some("default"),
        Some(["breaker", name]) => Some(name),
        Some(_) => None,
    }
}

/// Returns the parts of a table header such as `[breaker."a b"]`, or
/// `None` when `line` is not one.
fn table_path(line: &str) -> Option<Vec<&str>> {
    let line = line.trim();
    let inner = line
        .strip_prefix("[[")
        .and_then(|rest| rest.split_once("]]"))
        .or_else(|| line.strip_prefix('[').and_then(|rest| rest.split_once(']')))?
        .0;
    Some(inner.split('.').map(|part| unquote(part.trim())).collect())
}

/// Returns the key that a `key = value` line sets, or `None` for any other
/// line.
fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = unquote(key.trim());
    (!key.is_empty() && !key.starts_with(['[', '#'])).then_some(key)
}

/// Removes the quotes around a quoted key.
fn unquote(key: &str) -> &str {
    let key = key.trim();
    ['"', '\'']
        .into_iter()
        .find_map(|quote| key.strip_prefix(quote)?.strip_suffix(quote))
        .unwrap_or(key)
}

/// Creates an error at `span` of `text` with `hint` after the carets.
fn located_with_hint(text: &str, span: Range<usize>, message: &str, hint: String) -> PolicyError {
    let mut error = located(text, span, message);
    error.set_hint(hint);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_avoids_escapes() {
        assert_eq!(quote("all()"), "\"all()\"");
        assert_eq!(quote("kind(\"x\")"), "'kind(\"x\")'");
        assert_eq!(quote("kind(\"it's\")"), "\"kind(\\\"it's\\\")\"");
    }

    #[test]
    fn table_paths_and_keys() {
        assert_eq!(table_path("[breaker.a]"), Some(vec!["breaker", "a"]));
        assert_eq!(
            table_path(" [ breaker . \"a b\" ] # note"),
            Some(vec!["breaker", "a b"])
        );
        assert_eq!(table_path("tripper = \"x\""), None);
        assert_eq!(key_of("  tripper = \"x\""), Some("tripper"));
        assert_eq!(key_of("'retry' = \"x\""), Some("retry"));
        assert_eq!(key_of("# tripper = x"), None);
        assert_eq!(key_of("[breaker.a]"), None);
    }
}
