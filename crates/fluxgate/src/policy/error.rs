//! The error of parsing or validating a policy, located in its source.

use std::fmt;
use std::path::{Path, PathBuf};

use super::lexer::Span;

/// An error found at one span of a policy expression, before the source
/// text is attached for rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) label: String,
}

impl Located {
    pub(crate) fn new(span: Span, message: impl Into<String>) -> Located {
        Located {
            span,
            message: message.into(),
            label: String::new(),
        }
    }

    /// Returns the error with `label` printed after the carets.
    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Located {
        self.label = label.into();
        self
    }
}

/// An invalid policy expression or policy file.
///
/// `Display` renders the message, the line and column (both counted from
/// 1, the column in characters), the source line and a run of `^` under the
/// offending token, followed by a hint when there is one:
///
/// ```text
/// error: unknown function `failure_rat` in tripper
///  --> line 1, column 20
///   |
/// 1 | min_requests(20) & failure_rat(0.5)
///   |                    ^^^^^^^^^^^ did you mean `failure_rate`?
/// ```
///
/// An error from a policy file also names the file, the breaker and the
/// key, and points into the file itself.
///
/// # Examples
///
/// ```
/// let error = fluxgate::policy::parse_tripper("min_requests(20) & failure_rat(0.5)")
///     .unwrap_err();
/// assert_eq!(error.message(), "unknown function `failure_rat` in tripper");
/// assert_eq!((error.line(), error.column()), (Some(1), Some(20)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    // Boxed so that a `Result` carrying it stays one pointer wide.
    details: Box<Details>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Details {
    message: String,
    label: String,
    /// The byte range of the offending token in the source it was located
    /// in, kept so that a policy file can point at it in the whole file.
    span: Option<Span>,
    snippet: Option<Snippet>,
    origin: Origin,
}

/// The source line of an error and where in it the offending token sits.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snippet {
    line: usize,
    column: usize,
    width: usize,
    text: String,
}

/// The origin of a policy: a file, a breaker in it and one of its keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Origin {
    path: Option<PathBuf>,
    breaker: Option<String>,
    key: Option<String>,
}

impl PolicyError {
    /// Creates an error located at `span` of `source`.
    pub(crate) fn located(source: &str, located: Located) -> PolicyError {
        PolicyError {
            details: Box::new(Details {
                message: located.message,
                label: located.label,
                span: Some(located.span),
                snippet: Some(Snippet::new(source, located.span)),
                origin: Origin::default(),
            }),
        }
    }

    /// Locates the error again in `source`, which contains the original
    /// source at the byte offsets `map` gives.
    #[cfg_attr(not(feature = "policy-file"), allow(dead_code))]
    pub(crate) fn relocate(mut self, source: &str, map: impl Fn(Span) -> Span) -> PolicyError {
        if let Some(span) = self.details.span {
            let span = map(span);
            self.details.span = Some(span);
            self.details.snippet = Some(Snippet::new(source, span));
        }
        self
    }

    pub(crate) fn set_hint(&mut self, hint: impl Into<String>) {
        self.details.label = hint.into();
    }

    /// Creates an error with no position, such as a file that cannot be
    /// read.
    pub(crate) fn unlocated(message: impl Into<String>) -> PolicyError {
        PolicyError {
            details: Box::new(Details {
                message: message.into(),
                label: String::new(),
                span: None,
                snippet: None,
                origin: Origin::default(),
            }),
        }
    }

    #[cfg_attr(not(feature = "policy-file"), allow(dead_code))]
    pub(crate) fn with_path(mut self, path: &Path) -> PolicyError {
        self.details.origin.path = Some(path.to_path_buf());
        self
    }

    #[cfg_attr(not(feature = "policy-file"), allow(dead_code))]
    pub(crate) fn with_breaker(mut self, breaker: &str) -> PolicyError {
        self.details.origin.breaker = Some(breaker.to_owned());
        self
    }

    #[cfg_attr(not(feature = "policy-file"), allow(dead_code))]
    pub(crate) fn with_key(mut self, key: &str) -> PolicyError {
        self.details.origin.key = Some(key.to_owned());
        self
    }

    /// Returns the message, without position or hint.
    pub fn message(&self) -> &str {
        &self.details.message
    }

    /// Returns the hint printed after the carets, such as ``did you mean
    /// `failure_rate`?``, or an empty string.
    pub fn hint(&self) -> &str {
        &self.details.label
    }

    /// Returns the line of the offending token, counted from 1.
    ///
    /// For an error in a policy file this is the line in the file;
    /// otherwise it is the line in the expression.
    pub fn line(&self) -> Option<usize> {
        self.details.snippet.as_ref().map(|snippet| snippet.line)
    }

    /// Returns the column of the offending token in characters, counted
    /// from 1.
    pub fn column(&self) -> Option<usize> {
        self.details.snippet.as_ref().map(|snippet| snippet.column)
    }

    /// Returns the policy file the error is in, when it was loaded from
    /// one.
    pub fn path(&self) -> Option<&Path> {
        self.details.origin.path.as_deref()
    }

    /// Returns the name of the breaker whose rules are invalid, for an
    /// error in a policy file.
    pub fn breaker(&self) -> Option<&str> {
        self.details.origin.breaker.as_deref()
    }

    /// Returns the policy-file key whose value is invalid (`tripper`,
    /// `max_half_open_calls`).
    pub fn key(&self) -> Option<&str> {
        self.details.origin.key.as_deref()
    }

    fn write_position(&self, f: &mut fmt::Formatter<'_>, snippet: &Snippet) -> fmt::Result {
        f.write_str(" --> ")?;
        if let Some(path) = &self.details.origin.path {
            write!(f, "{}, ", path.display())?;
        }
        write!(f, "line {}, column {}", snippet.line, snippet.column)?;
        self.write_breaker_and_key(f, " (", ")")
    }

    fn write_breaker_and_key(
        &self,
        f: &mut fmt::Formatter<'_>,
        open: &str,
        close: &str,
    ) -> fmt::Result {
        let parts = [
            self.details
                .origin
                .breaker
                .as_ref()
                .map(|name| ("breaker", name)),
            self.details.origin.key.as_ref().map(|name| ("key", name)),
        ];
        let mut first = true;
        for (what, name) in parts.into_iter().flatten() {
            f.write_str(if first { open } else { ", " })?;
            write!(f, "{what} `{name}`")?;
            first = false;
        }
        if !first {
            f.write_str(close)?;
        }
        Ok(())
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.details.message)?;
        let Some(snippet) = &self.details.snippet else {
            if let Some(path) = &self.details.origin.path {
                write!(f, "\n --> {}", path.display())?;
                self.write_breaker_and_key(f, " (", ")")?;
            } else {
                self.write_breaker_and_key(f, "\n --> ", "")?;
            }
            if !self.details.label.is_empty() {
                write!(f, "\n  = {}", self.details.label)?;
            }
            return Ok(());
        };

        f.write_str("\n")?;
        self.write_position(f, snippet)?;
        let number = snippet.line.to_string();
        let gutter = " ".repeat(number.len());
        write!(f, "\n{gutter} |\n{number} | {}\n{gutter} | ", snippet.text)?;

        // Tabs are copied into the padding so that the carets line up
        // under a tab-indented token.
        for character in snippet.text.chars().take(snippet.column - 1) {
            f.write_str(if character == '\t' { "\t" } else { " " })?;
        }
        f.write_str(&"^".repeat(snippet.width))?;
        if !self.details.label.is_empty() {
            write!(f, " {}", self.details.label)?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

impl Snippet {
    /// Locates `span` in `source`: the line that contains its start, the
    /// column of its start, and its width in characters up to the end of
    /// that line (at least one, so that the end of input gets a caret).
    fn new(source: &str, span: Span) -> Snippet {
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let end = floor_char_boundary(source, span.end.clamp(start, source.len()));

        let line_start = source[..start].rfind('\n').map_or(0, |index| index + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |index| start + index);
        let line = source[..start].matches('\n').count() + 1;
        let column = source[line_start..start].chars().count() + 1;
        let width = source[start..end.min(line_end)].chars().count().max(1);
        let text = source[line_start..line_end].trim_end_matches('\r');

        Snippet {
            line,
            column,
            width,
            text: text.to_owned(),
        }
    }
}

/// Cuts text written in a policy, such as a long string literal or a number
/// of hundreds of digits, to at most 40 characters and `…` for a message.
pub(crate) fn shorten(written: &str) -> String {
    const LIMIT: usize = 40;
    if written.chars().count() <= LIMIT {
        written.to_owned()
    } else {
        let head: String = written.chars().take(LIMIT).collect();
        format!("{head}…")
    }
}

/// Returns the largest character boundary of `text` at or before `index`.
fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(source: &str, start: usize, end: usize) -> String {
        let located = Located::new(Span { start, end }, "bad token").with_label("hint");
        PolicyError::located(source, located).to_string()
    }

    #[test]
    fn caret_covers_token_on_its_line() {
        assert_eq!(
            render("a(1)\n  & bad(2)", 9, 12),
            "error: bad token\n --> line 2, column 5\n  |\n2 |   & bad(2)\n  |     ^^^ hint"
        );
    }

    #[test]
    fn end_of_input_gets_one_caret() {
        assert_eq!(
            render("f(", 2, 2),
            "error: bad token\n --> line 1, column 3\n  |\n1 | f(\n  |   ^ hint"
        );
    }

    #[test]
    fn columns_count_characters_and_keep_tabs() {
        assert_eq!(
            render("\t\"é\" x", 6, 7),
            "error: bad token\n --> line 1, column 6\n  |\n1 | \t\"é\" x\n  | \t    ^ hint"
        );
    }

    #[test]
    fn token_spanning_lines_is_cut_at_line_end() {
        let error = render("kind(\"a\nb\")", 5, 10);
        assert!(error.ends_with("1 | kind(\"a\n  |      ^^ hint"), "{error}");
    }

    #[test]
    fn file_origin_names_breaker_and_key() {
        let located = Located::new(Span { start: 0, end: 1 }, "bad");
        let error = PolicyError::located("x", located)
            .with_path(Path::new("p.toml"))
            .with_breaker("payments")
            .with_key("tripper");
        assert_eq!(
            error.to_string(),
            "error: bad\n --> p.toml, line 1, column 1 (breaker `payments`, key `tripper`)\n  |\n1 | x\n  | ^"
        );
        assert_eq!(error.breaker(), Some("payments"));
        assert_eq!(error.key(), Some("tripper"));
    }

    #[test]
    fn unlocated_error_names_file() {
        let error = PolicyError::unlocated("cannot read").with_path(Path::new("p.toml"));
        assert_eq!(error.to_string(), "error: cannot read\n --> p.toml");
        assert_eq!(error.line(), None);
    }
}
