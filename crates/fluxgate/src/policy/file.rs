//! Policy files: TOML documents with the rules of one or more named
//! breakers.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::PolicyTracker;
use super::error::{Located, PolicyError, shorten};
use super::lexer::Span;
use super::rules::{Policy, unknown_key};
use super::suggest::nearest;
use super::syntax::ComponentKind;
use super::toml_error::toml_error;
use super::toml_string::DecodedString;
use crate::CircuitBreaker;
use crate::breaker;

/// The name of the breaker that a file's top-level keys describe.
const DEFAULT_NAME: &str = "default";

/// The breakers of a policy file, by name, in file order.
///
/// A file contains one `[breaker.NAME]` table per breaker, with any of the
/// keys of a [`Policy`]. The five components are expression strings,
/// `max_half_open_calls` is an integer and `half_open_timeout` a duration
/// string such as `"2m"`. A missing key takes its default; an unknown key
/// is an error. Keys at the top level, outside any table, describe a
/// breaker named `default`, so a file for one breaker needs no table.
///
/// # Examples
///
/// ```
/// use fluxgate::policy::PolicyFile;
///
/// let file = PolicyFile::parse(r#"
/// tripper = "min_requests(20) & failure_rate(50%)"
///
/// [breaker.payments]
/// window  = "time(5m)"
/// tracker = "kind(\"Timeout*\", \"http_5*\")"
/// retry   = "backoff(initial=30s, max=10m, jitter=0.1)"
/// max_half_open_calls = 5
/// "#)?;
///
/// let names: Vec<&str> = file.iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["default", "payments"]);
/// assert_eq!(file.get("payments").unwrap().max_half_open_calls, 5);
///
/// let breaker = file.build("payments")?;
/// assert_eq!(breaker.name(), "payments");
/// # Ok::<(), fluxgate::policy::PolicyError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyFile {
    breakers: Vec<(String, Policy)>,
}

impl PolicyFile {
    /// Parses the text of a policy file.
    ///
    /// # Errors
    ///
    /// Returns an error for invalid TOML, an unknown key, a value of the
    /// wrong type, an expression that does not parse, or rules that a
    /// breaker would reject. The error names the breaker and the key and
    /// points at the offending token in the file.
    pub fn parse(text: &str) -> Result<PolicyFile, PolicyError> {
        let document = DeTable::parse(text).map_err(|error| toml_error(text, &error))?;
        let mut file = PolicyFile::default();
        let mut top_level = Vec::new();
        for (key, value) in in_file_order(document.get_ref()) {
            if key.get_ref() == "breaker" {
                file.add_tables(text, value)?;
            } else if Policy::KEYS.contains(&key.get_ref().as_ref()) {
                top_level.push((key, value));
            } else {
                return Err(unknown_top_level_key(text, key));
            }
        }

        if !top_level.is_empty() {
            if file.get(DEFAULT_NAME).is_some() {
                let key = top_level[0].0;
                let message = "breaker `default` is described twice, by top-level keys and by [breaker.default]";
                return Err(located(text, key.span(), message));
            }
            let policy = read_policy(text, DEFAULT_NAME, &top_level, None)?;
            file.breakers.insert(0, (DEFAULT_NAME.to_owned(), policy));
        }
        Ok(file)
    }

    /// Parses a policy file given as bytes, which must be UTF-8.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse), and an error located at the first byte
    /// that is not UTF-8.
    pub fn parse_bytes(bytes: &[u8]) -> Result<PolicyFile, PolicyError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => PolicyFile::parse(text),
            Err(error) => {
                let start = error.valid_up_to();
                let span = Span {
                    start,
                    end: start + error.error_len().unwrap_or(1),
                };
                let text = String::from_utf8_lossy(bytes);
                let located = Located::new(span, "policy file is not valid UTF-8");
                Err(PolicyError::located(&text, located))
            }
        }
    }

    /// Reads and parses the policy file at `path`.
    ///
    /// # Errors
    ///
    /// As [`parse_bytes`](Self::parse_bytes), and an error when the file
    /// cannot be read. Every error names the file.
    pub fn load(path: impl AsRef<Path>) -> Result<PolicyFile, PolicyError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|error| {
            PolicyError::unlocated(format!("cannot read policy file: {error}")).with_path(path)
        })?;
        PolicyFile::parse_bytes(&bytes).map_err(|error| error.with_path(path))
    }

    /// Returns the rules of the breaker called `name`.
    pub fn get(&self, name: &str) -> Option<&Policy> {
        self.breakers
            .iter()
            .find(|(candidate, _)| candidate == name)
            .map(|(_, policy)| policy)
    }

    /// Returns every breaker with its name, in file order, with `default`
    /// first when the file has top-level keys.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Policy)> {
        self.breakers
            .iter()
            .map(|(name, policy)| (name.as_str(), policy))
    }

    /// Returns the number of breakers in the file.
    pub fn len(&self) -> usize {
        self.breakers.len()
    }

    /// Returns `true` when the file describes no breaker.
    pub fn is_empty(&self) -> bool {
        self.breakers.is_empty()
    }

    /// Builds the breaker called `name`, named so, with its rules.
    ///
    /// Use [`Policy::builder`] through [`get`](Self::get) instead to add
    /// listeners or a clock.
    ///
    /// # Errors
    ///
    /// Returns an error when the file has no breaker called `name`,
    /// suggesting the nearest name it has.
    pub fn build(&self, name: &str) -> Result<CircuitBreaker<PolicyTracker>, PolicyError> {
        let Some(policy) = self.get(name) else {
            let mut error =
                PolicyError::unlocated(format!("no breaker named `{name}` in the policy file"));
            let names = self.breakers.iter().map(|(name, _)| name.as_str());
            if let Some(suggestion) = nearest(name, names) {
                error.set_hint(format!("did you mean `{suggestion}`?"));
            }
            return Err(error);
        };
        // The rules were validated when the file was parsed.
        policy
            .builder()
            .name(name)
            .build()
            .map_err(|error| PolicyError::unlocated(error.to_string()).with_breaker(name))
    }

    /// Adds the breakers of the `breaker` table.
    fn add_tables(&mut self, text: &str, tables: &Spanned<DeValue<'_>>) -> Result<(), PolicyError> {
        let DeValue::Table(tables) = tables.get_ref() else {
            let message = "`breaker` must be a table of breakers, such as [breaker.payments]";
            return Err(located(text, tables.span(), message));
        };
        for (name, table) in in_file_order(tables) {
            let name_text = name.get_ref().as_ref();
            let DeValue::Table(keys) = table.get_ref() else {
                let message = format!("breaker `{name_text}` must be a table of keys");
                return Err(located(text, table.span(), &message).with_breaker(name_text));
            };
            let entries: Vec<_> = in_file_order(keys).collect();
            let policy = read_policy(text, name_text, &entries, Some(table.span()))?;
            self.breakers.push((name_text.to_owned(), policy));
        }
        Ok(())
    }
}

type Entry<'d, 'i> = (
    &'d Spanned<std::borrow::Cow<'i, str>>,
    &'d Spanned<DeValue<'i>>,
);

/// Returns the entries of a table in the order they appear in the file.
fn in_file_order<'d, 'i>(table: &'d DeTable<'i>) -> impl Iterator<Item = Entry<'d, 'i>> {
    let mut entries: Vec<Entry<'d, 'i>> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries.into_iter()
}

/// Reads the keys of one breaker into a policy, starting from the
/// defaults. `header` is the span of the breaker's table, where an error
/// about the whole breaker points.
fn read_policy(
    text: &str,
    name: &str,
    entries: &[Entry<'_, '_>],
    header: Option<Range<usize>>,
) -> Result<Policy, PolicyError> {
    let mut policy = Policy::default();
    for &(key, value) in entries {
        read_key(text, &mut policy, key, value)
            .map_err(|error| error.with_breaker(name).with_key(key.get_ref()))?;
    }

    policy.validate().map_err(|error| {
        let key = match error.parameter() {
            "max_half_open_calls" | "half_open_timeout" => error.parameter(),
            _ => "tripper",
        };
        let span = entries
            .iter()
            .find(|(candidate, _)| candidate.get_ref() == key)
            .map(|(_, value)| value.span())
            .or(header)
            .unwrap_or(0..0);
        located(text, span, &error.to_string())
            .with_breaker(name)
            .with_key(key)
    })?;
    Ok(policy)
}

/// Reads one key of a breaker into `policy`.
fn read_key(
    text: &str,
    policy: &mut Policy,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Spanned<DeValue<'_>>,
) -> Result<(), PolicyError> {
    let key_text = key.get_ref().as_ref();
    match (key_text, value.get_ref()) {
        ("max_half_open_calls", DeValue::Integer(integer)) => {
            let parsed = i64::from_str_radix(integer.as_str(), integer.radix());
            let checked = parsed
                .ok()
                .and_then(|value| u32::try_from(value).ok())
                .ok_or_else(|| {
                    let written = text.get(value.span()).unwrap_or(integer.as_str());
                    breaker::max_half_open_calls_error(shorten(written))
                })
                .and_then(breaker::check_max_half_open_calls);
            match checked {
                Ok(max) => policy.max_half_open_calls = max,
                Err(error) => return Err(located(text, value.span(), &error.to_string())),
            }
        }
        ("max_half_open_calls", _) => {
            let message = format!("expected an integer, found {}", describe(value.get_ref()));
            return Err(located(text, value.span(), &message));
        }
        (_, DeValue::String(string)) if Policy::KEYS.contains(&key_text) => {
            policy
                .set(key_text, string)
                .map_err(|error| relocate(text, value, error))?;
        }
        (_, other) if Policy::KEYS.contains(&key_text) => {
            let message = format!("expected a string, found {}", describe(other));
            let mut error = located(text, value.span(), &message);
            let written = text.get(value.span()).unwrap_or_default();
            error.set_hint(string_value_hint(key_text, other, written));
            return Err(error);
        }
        _ => {
            let mut error = unknown_key(key_text);
            let hint = error.hint().to_owned();
            error = located(text, key.span(), error.message());
            error.set_hint(hint);
            return Err(error);
        }
    }
    Ok(())
}

/// Moves an error located in a string value to the same token in the file,
/// or leaves it located in the value when the literal cannot be mapped.
fn relocate(text: &str, value: &Spanned<DeValue<'_>>, error: PolicyError) -> PolicyError {
    let span = value.span();
    let decoded = text.get(span.clone()).and_then(DecodedString::decode);
    let matches = matches!(
        (&decoded, value.get_ref()),
        (Some(decoded), DeValue::String(string)) if decoded.value == *string
    );
    match decoded.filter(|_| matches) {
        Some(decoded) => error.relocate(text, |inner| Span {
            start: span.start + decoded.offset(inner.start),
            end: span.start + decoded.offset(inner.end),
        }),
        None => error,
    }
}

/// Creates an error located at the byte range `span` of the file `text`.
pub(crate) fn located(text: &str, span: Range<usize>, message: &str) -> PolicyError {
    let span = Span {
        start: span.start,
        end: span.end,
    };
    PolicyError::located(text, Located::new(span, message))
}

fn unknown_top_level_key(text: &str, key: &Spanned<std::borrow::Cow<'_, str>>) -> PolicyError {
    let name = key.get_ref().as_ref();
    let known = Policy::KEYS.iter().copied().chain(["breaker"]);
    let hint = match nearest(name, known) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => format!(
            "expected one of: {}, or a [breaker.NAME] table",
            Policy::KEYS.join(", ")
        ),
    };
    let mut error = located(text, key.span(), &format!("unknown key `{name}`"));
    error.set_hint(hint);
    error
}

/// Shows how to write the value of `key`, which takes a string, after it
/// was given as `value`.
fn string_value_hint(key: &str, value: &DeValue<'_>, written: &str) -> String {
    if key == "half_open_timeout" {
        return match value {
            DeValue::Integer(_) | DeValue::Float(_) => format!(
                "write a duration string with a unit, such as \"{}s\"",
                shorten(written)
            ),
            _ => "write a duration string such as \"30s\"".to_owned(),
        };
    }
    let example = ComponentKind::ALL
        .into_iter()
        .find(|kind| kind.name() == key)
        .map_or("all()", ComponentKind::example);
    format!("write the expression as a quoted string, such as \"{example}\"")
}

/// Names the type of a TOML value for a message.
fn describe(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}
