//! The recursive-descent parser from tokens to a syntax tree.
//!
//! ```text
//! expression := or
//! or         := and ("|" and)*
//! and        := unary ("&" unary)*
//! unary      := "!" unary | "(" or ")" | call
//! call       := name "(" [argument ("," argument)* [","]] ")"
//! argument   := [name "="] value
//! value      := number | percentage | duration | string
//! ```

use std::time::Duration;

use super::error::{Located, shorten};
use super::lexer::{Lexer, Span, Token, TokenKind, is_unit};
use super::number::Decimal;

/// The deepest an expression may nest. Each `!`, `&`, `|` and pair of
/// parentheses on the path from the root to a call counts one level.
pub(crate) const MAX_DEPTH: usize = 64;

/// The five kinds of component a policy describes, one expression each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ComponentKind {
    Window,
    Tracker,
    Tripper,
    Retry,
    Permit,
}

impl ComponentKind {
    pub(crate) const ALL: [ComponentKind; 5] = [
        ComponentKind::Window,
        ComponentKind::Tracker,
        ComponentKind::Tripper,
        ComponentKind::Retry,
        ComponentKind::Permit,
    ];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            ComponentKind::Window => "window",
            ComponentKind::Tracker => "tracker",
            ComponentKind::Tripper => "tripper",
            ComponentKind::Retry => "retry",
            ComponentKind::Permit => "permit",
        }
    }

    /// Returns `true` for the kinds that combine with `&`, `|` and `!`.
    pub(crate) const fn combines(self) -> bool {
        matches!(self, ComponentKind::Tracker | ComponentKind::Tripper)
    }

    /// Returns a short valid expression of this kind, for messages.
    pub(crate) const fn example(self) -> &'static str {
        match self {
            ComponentKind::Window => "count(100)",
            ComponentKind::Tracker => "all()",
            ComponentKind::Tripper => "failure_rate(0.5)",
            ComponentKind::Retry => "cooldown(60s)",
            ComponentKind::Permit => "ramp_up(0.1, 1, 60s)",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr<'a> {
    Call(Call<'a>),
    And(Box<Expr<'a>>, Box<Expr<'a>>, Span),
    Or(Box<Expr<'a>>, Box<Expr<'a>>, Span),
    Not(Box<Expr<'a>>, Span),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call<'a> {
    pub(crate) name: &'a str,
    pub(crate) name_span: Span,
    pub(crate) arguments: Vec<Argument<'a>>,
    /// From the name to the closing parenthesis.
    pub(crate) span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Argument<'a> {
    pub(crate) name: Option<(&'a str, Span)>,
    pub(crate) value: Value<'a>,
    /// The value as written.
    pub(crate) text: &'a str,
    pub(crate) span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Number(Decimal<'a>),
    Percent(Decimal<'a>),
    Duration(Duration),
    String(String),
}

/// Parses `text` as one expression of `kind`, which only shapes the error
/// messages.
pub(crate) fn parse(text: &str, kind: ComponentKind) -> Result<Expr<'_>, Located> {
    let mut parser = Parser::new(text, kind)?;
    let (expr, _) = parser.or(0)?;
    if parser.current.kind != TokenKind::End {
        let expected = if kind.combines() {
            "`&`, `|` or the end of the expression"
        } else {
            "the end of the expression"
        };
        return Err(parser.unexpected(expected));
    }
    Ok(expr)
}

/// A parsed subtree and its depth in levels.
type Parsed<'a> = Result<(Expr<'a>, usize), Located>;

struct Parser<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    current: Token<'a>,
    kind: ComponentKind,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, kind: ComponentKind) -> Result<Parser<'a>, Located> {
        let mut lexer = Lexer::new(text);
        let current = lexer.next_token()?;
        Ok(Parser {
            text,
            lexer,
            current,
            kind,
        })
    }

    /// Moves to the next token and returns the one it leaves.
    fn advance(&mut self) -> Result<Token<'a>, Located> {
        let next = self.lexer.next_token()?;
        Ok(std::mem::replace(&mut self.current, next))
    }

    fn unexpected(&self, expected: &str) -> Located {
        let found = describe(&self.current, self.text);
        Located::new(
            self.current.span,
            format!("expected {expected}, found {found}"),
        )
    }

    /// Parses `and ("|" and)*`; `depth` counts the levels above.
    fn or(&mut self, depth: usize) -> Parsed<'a> {
        self.chain(depth, &TokenKind::Or, Self::and, Expr::Or)
    }

    /// Parses `unary ("&" unary)*`.
    fn and(&mut self, depth: usize) -> Parsed<'a> {
        self.chain(depth, &TokenKind::And, Self::unary, Expr::And)
    }

    /// Parses `operand (operator operand)*`, grouping to the left with
    /// `join`.
    fn chain(
        &mut self,
        depth: usize,
        operator: &TokenKind<'a>,
        operand: fn(&mut Self, usize) -> Parsed<'a>,
        join: fn(Box<Expr<'a>>, Box<Expr<'a>>, Span) -> Expr<'a>,
    ) -> Parsed<'a> {
        let (mut left, mut left_depth) = operand(self, depth)?;
        while self.current.kind == *operator {
            let span = self.advance()?.span;
            let (right, right_depth) = operand(self, depth)?;
            left_depth = self.deeper(left_depth.max(right_depth), span)?;
            left = join(Box::new(left), Box::new(right), span);
        }
        Ok((left, left_depth))
    }

    /// Parses `"!" unary | "(" or ")" | call`. The depth returned is that
    /// of the subtree; `depth` bounds the recursion before it happens.
    fn unary(&mut self, depth: usize) -> Parsed<'a> {
        match self.current.kind {
            TokenKind::Not => {
                let operator = self.current.span;
                self.deeper(depth, operator)?;
                self.advance()?;
                let (inner, inner_depth) = self.unary(depth + 1)?;
                let own = self.deeper(inner_depth, operator)?;
                Ok((Expr::Not(Box::new(inner), operator), own))
            }
            TokenKind::OpenParen => {
                let open = self.current.span;
                self.deeper(depth, open)?;
                self.advance()?;
                let (inner, inner_depth) = self.or(depth + 1)?;
                if self.current.kind != TokenKind::CloseParen {
                    return Err(self.unexpected("`)`"));
                }
                self.advance()?;
                let own = self.deeper(inner_depth, open)?;
                Ok((inner, own))
            }
            TokenKind::Name(name) => Ok((Expr::Call(self.call(name)?), 0)),
            _ => {
                let expected = format!("a {} such as `{}`", self.kind.name(), self.kind.example());
                Err(self.unexpected(&expected))
            }
        }
    }

    /// Returns `depth + 1`, or an error at `span` when that is too deep.
    fn deeper(&self, depth: usize, span: Span) -> Result<usize, Located> {
        if depth < MAX_DEPTH {
            Ok(depth + 1)
        } else {
            Err(Located::new(
                span,
                format!("expression nests more than {MAX_DEPTH} levels deep"),
            )
            .with_label("each `!`, `&`, `|` and pair of parentheses counts one level"))
        }
    }

    fn call(&mut self, name: &'a str) -> Result<Call<'a>, Located> {
        let name_span = self.advance()?.span;
        if self.current.kind != TokenKind::OpenParen {
            let name = shorten(name);
            return Err(self
                .unexpected(&format!("`(` after `{name}`"))
                .with_label(format!("write `{name}(...)` to call it")));
        }
        self.advance()?;

        let mut arguments = Vec::new();
        while self.current.kind != TokenKind::CloseParen {
            arguments.push(self.argument()?);
            match self.current.kind {
                TokenKind::Comma => {
                    self.advance()?;
                }
                TokenKind::CloseParen => {}
                _ => {
                    let error = self.unexpected("`,` or `)`");
                    let hint = arguments
                        .last()
                        .and_then(|last| self.split_value_hint(last));
                    return Err(match hint {
                        Some(hint) => error.with_label(hint),
                        None => error,
                    });
                }
            }
        }
        let close = self.advance()?.span;
        Ok(Call {
            name,
            name_span,
            arguments,
            span: name_span.to(close),
        })
    }

    fn argument(&mut self) -> Result<Argument<'a>, Located> {
        let mut name = None;
        if let TokenKind::Name(text) = self.current.kind {
            let span = self.advance()?.span;
            if self.current.kind != TokenKind::Equals {
                let message = format!("expected a value, found the name `{}`", shorten(text));
                return Err(Located::new(span, message).with_label(
                    "arguments are numbers, ratios, durations, strings, or `name=value`",
                ));
            }
            self.advance()?;
            name = Some((text, span));
        }

        let token = self.advance()?;
        let value = match token.kind {
            TokenKind::Number(decimal) => Value::Number(decimal),
            TokenKind::Percent(decimal) => Value::Percent(decimal),
            TokenKind::Duration(duration) => Value::Duration(duration),
            TokenKind::String(string) => Value::String(string),
            _ => {
                let found = describe(&token, self.text);
                return Err(
                    Located::new(token.span, format!("expected a value, found {found}"))
                        .with_label("arguments are numbers, ratios, durations or strings"),
                );
            }
        };
        Ok(Argument {
            name,
            value,
            text: &self.text[token.span.start..token.span.end],
            span: token.span,
        })
    }
}

impl Parser<'_> {
    /// Explains an argument that a space split in two, when the current
    /// token continues the argument `last`: a unit after its number
    /// (`90 s`) or a further part of a duration (`1m 30s`).
    fn split_value_hint(&self, last: &Argument<'_>) -> Option<String> {
        let written = &self.text[self.current.span.start..self.current.span.end];
        match (&last.value, &self.current.kind) {
            (Value::Number(_), TokenKind::Name(unit)) if is_unit(unit) => Some(format!(
                "write the unit right after its number, with no space: `{}{unit}`",
                shorten(last.text)
            )),
            (Value::Duration(_), TokenKind::Duration(_)) => Some(format!(
                "write the parts of a duration with no space between them: `{}{}`",
                shorten(last.text),
                shorten(written)
            )),
            _ => None,
        }
    }
}

/// Names a token for a message: "`)`", "the number `5`", "the end of the
/// expression".
fn describe(token: &Token<'_>, text: &str) -> String {
    let written = shorten(&text[token.span.start..token.span.end]);
    match token.kind {
        TokenKind::End => "the end of the expression".to_owned(),
        TokenKind::Name(_) => format!("the name `{written}`"),
        TokenKind::Number(_) => format!("the number `{written}`"),
        TokenKind::Percent(_) => format!("the percentage `{written}`"),
        TokenKind::Duration(_) => format!("the duration `{written}`"),
        TokenKind::String(_) => format!("the string {written}"),
        _ => format!("`{written}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> String {
        fn show(expr: &Expr<'_>) -> String {
            match expr {
                Expr::Call(call) => call.name.to_owned(),
                Expr::And(left, right, _) => format!("({} & {})", show(left), show(right)),
                Expr::Or(left, right, _) => format!("({} | {})", show(left), show(right)),
                Expr::Not(inner, _) => format!("!{}", show(inner)),
            }
        }
        show(&parse(text, ComponentKind::Tripper).unwrap())
    }

    fn error(text: &str) -> String {
        parse(text, ComponentKind::Tripper).unwrap_err().message
    }

    #[test]
    fn precedence_and_grouping() {
        assert_eq!(tree("a() | b() & c()"), "(a | (b & c))");
        assert_eq!(tree("a() & b() | c()"), "((a & b) | c)");
        assert_eq!(tree("a() & b() & c()"), "((a & b) & c)");
        assert_eq!(tree("a() | b() | c()"), "((a | b) | c)");
        assert_eq!(tree("!a() & b()"), "(!a & b)");
        assert_eq!(tree("!(a() & b())"), "!(a & b)");
        assert_eq!(tree("a() & (b() | c())"), "(a & (b | c))");
        assert_eq!(tree("!!a()"), "!!a");
    }

    #[test]
    fn arguments_keep_names_and_text() {
        let Expr::Call(call) = parse("f(1.5s, x = 50%, \"s\",)", ComponentKind::Retry).unwrap()
        else {
            panic!("not a call");
        };
        let names: Vec<_> = call.arguments.iter().map(|a| a.name.map(|n| n.0)).collect();
        let texts: Vec<_> = call.arguments.iter().map(|a| a.text).collect();
        assert_eq!(names, [None, Some("x"), None]);
        assert_eq!(texts, ["1.5s", "50%", "\"s\""]);
        assert_eq!(call.span, Span { start: 0, end: 22 });
    }

    #[test]
    fn syntax_errors_say_what_was_expected() {
        let empty =
            "expected a tripper such as `failure_rate(0.5)`, found the end of the expression";
        assert_eq!(error(""), empty);
        assert_eq!(error("  # only a comment"), empty);
        assert_eq!(error("a() &"), empty);
        assert_eq!(
            error("a"),
            "expected `(` after `a`, found the end of the expression"
        );
        assert_eq!(error("a(1 2)"), "expected `,` or `)`, found the number `2`");
        assert_eq!(error("a(b)"), "expected a value, found the name `b`");
        assert_eq!(error("a(,)"), "expected a value, found `,`");
        assert_eq!(
            error("(a()"),
            "expected `)`, found the end of the expression"
        );
        assert_eq!(
            error("a() b()"),
            "expected `&`, `|` or the end of the expression, found the name `b`"
        );
    }

    #[test]
    fn depth_is_bounded() {
        let nested = |levels: usize| format!("{}a(){}", "(".repeat(levels), ")".repeat(levels));
        assert!(parse(&nested(MAX_DEPTH), ComponentKind::Tripper).is_ok());
        assert_eq!(
            error(&nested(MAX_DEPTH + 1)),
            "expression nests more than 64 levels deep"
        );
        assert_eq!(
            error(&nested(100_000)),
            "expression nests more than 64 levels deep"
        );

        let negated = |levels: usize| format!("{}a()", "!".repeat(levels));
        assert!(parse(&negated(MAX_DEPTH), ComponentKind::Tripper).is_ok());
        assert!(parse(&negated(MAX_DEPTH + 1), ComponentKind::Tripper).is_err());

        let chain = |terms: usize| vec!["a()"; terms].join(" & ");
        assert!(parse(&chain(MAX_DEPTH + 1), ComponentKind::Tripper).is_ok());
        assert!(parse(&chain(MAX_DEPTH + 2), ComponentKind::Tripper).is_err());
        assert!(parse(&chain(100_000), ComponentKind::Tripper).is_err());
    }
}
