//! Message templates: text with `{placeholder}` fields, checked when the
//! listener starts and filled in per transition.

use std::fmt::Write as _;

use crate::error::ConfigError;
use crate::listeners::Transition;
use crate::state::State;

/// The placeholders a template may use, as the error message lists them.
const ALLOWED: &str = "{name}, {from}, {to}, {reason}, {reopens}, and {{ or }} for a brace";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    From,
    To,
    Reason,
    Reopens,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Text(String),
    Field(Field),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Template {
    segments: Vec<Segment>,
}

impl Template {
    /// Parses `source`; `to` names the template in the error.
    pub(super) fn parse(source: &str, to: State) -> Result<Template, ConfigError> {
        let invalid = |problem: String| {
            ConfigError::new(
                "slack",
                "template",
                format!("{problem} in the {to} template"),
                ALLOWED,
            )
        };
        let mut segments = Vec::new();
        let mut text = String::new();
        let mut rest = source;
        while let Some(position) = rest.find(['{', '}']) {
            text.push_str(&rest[..position]);
            let tail = &rest[position..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                text.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if tail.starts_with('}') {
                return Err(invalid("unmatched '}'".to_owned()));
            }
            let Some(end) = tail.find('}') else {
                return Err(invalid(format!("unclosed placeholder {tail:?}")));
            };
            let field = match &tail[1..end] {
                "name" => Field::Name,
                "from" => Field::From,
                "to" => Field::To,
                "reason" => Field::Reason,
                "reopens" => Field::Reopens,
                unknown => return Err(invalid(format!("unknown placeholder {{{unknown}}}"))),
            };
            if !text.is_empty() {
                segments.push(Segment::Text(std::mem::take(&mut text)));
            }
            segments.push(Segment::Field(field));
            rest = &tail[end + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            segments.push(Segment::Text(text));
        }
        Ok(Template { segments })
    }

    /// Fills the template in with `transition`.
    pub(super) fn render(&self, transition: &Transition) -> String {
        let mut message = String::new();
        for segment in &self.segments {
            // Writing into a String cannot fail.
            let _ = match segment {
                Segment::Text(text) => message.write_str(text),
                Segment::Field(Field::Name) => message.write_str(&transition.name),
                Segment::Field(Field::From) => message.write_str(transition.from.as_str()),
                Segment::Field(Field::To) => message.write_str(transition.to.as_str()),
                Segment::Field(Field::Reason) => write!(message, "{}", transition.reason),
                Segment::Field(Field::Reopens) => write!(message, "{}", transition.reopens),
            };
        }
        message
    }
}

/// Returns the default template for transitions to `to`.
pub(super) fn default_source(to: State) -> &'static str {
    match to {
        State::Open => {
            ":red_circle: Circuit breaker *{name}* opened from {from} \
             (reopens: {reopens}): {reason}"
        }
        State::HalfOpen => ":large_yellow_circle: Circuit breaker *{name}* is half-open: {reason}",
        State::Closed => ":large_green_circle: Circuit breaker *{name}* closed: {reason}",
        State::ForcedOpen => ":no_entry: Circuit breaker *{name}* forced open: {reason}",
        State::Disabled => ":white_circle: Circuit breaker *{name}* disabled: {reason}",
        State::MetricsOnly => {
            ":large_blue_circle: Circuit breaker *{name}* records metrics only: {reason}"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_text_and_fields() {
        let template = Template::parse("{{{name}}} {to}!", State::Open).unwrap();
        assert_eq!(
            template.segments,
            [
                Segment::Text("{".to_owned()),
                Segment::Field(Field::Name),
                Segment::Text("} ".to_owned()),
                Segment::Field(Field::To),
                Segment::Text("!".to_owned()),
            ]
        );
    }

    #[test]
    fn unknown_placeholder_is_named() {
        let error = Template::parse("{nmae} opened", State::Open).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid template for slack: unknown placeholder {nmae} in the open template \
             (allowed: {name}, {from}, {to}, {reason}, {reopens}, and {{ or }} for a brace)"
        );
    }

    #[test]
    fn unbalanced_braces_are_errors() {
        let unclosed = Template::parse("{name", State::Closed).unwrap_err();
        assert_eq!(
            unclosed.value(),
            "unclosed placeholder \"{name\" in the closed template"
        );
        let unmatched = Template::parse("name}", State::HalfOpen).unwrap_err();
        assert_eq!(unmatched.value(), "unmatched '}' in the half_open template");
    }

    #[test]
    fn default_templates_parse() {
        for state in State::ALL {
            assert!(Template::parse(default_source(state), state).is_ok());
        }
    }
}
