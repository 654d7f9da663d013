//! Splits a policy expression into tokens.

use std::time::Duration;

use super::error::{Located, shorten};
use super::number::{Decimal, NumberError, duration_from_nanos};
use crate::duration::DisplayDuration;

/// A byte range of the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Span {
    /// Returns the span from the start of `self` to the end of `other`.
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind<'a> {
    Name(&'a str),
    Number(Decimal<'a>),
    Percent(Decimal<'a>),
    Duration(Duration),
    String(String),
    OpenParen,
    CloseParen,
    Comma,
    Equals,
    And,
    Or,
    Not,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    pub(crate) kind: TokenKind<'a>,
    pub(crate) span: Span,
}

/// Duration units, largest first, with their length in nanoseconds.
const UNITS: [(&str, u128); 4] = [
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
];

/// Returns `true` for the name of a duration unit: `ms`, `s`, `m` or `h`.
pub(crate) fn is_unit(name: &str) -> bool {
    UNITS.iter().any(|(unit, _)| *unit == name)
}

pub(crate) struct Lexer<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str) -> Lexer<'a> {
        Lexer { text, position: 0 }
    }

    /// Returns the next token, or `End` once the text is used up.
    pub(crate) fn next_token(&mut self) -> Result<Token<'a>, Located> {
        self.skip_blanks_and_comments();
        let start = self.position;
        let Some(byte) = self.peek() else {
            return Ok(self.token(TokenKind::End, start));
        };

        let single = match byte {
            b'(' => Some(TokenKind::OpenParen),
            b')' => Some(TokenKind::CloseParen),
            b',' => Some(TokenKind::Comma),
            b'=' => Some(TokenKind::Equals),
            b'&' => Some(TokenKind::And),
            b'|' => Some(TokenKind::Or),
            b'!' => Some(TokenKind::Not),
            _ => None,
        };
        if let Some(kind) = single {
            self.position += 1;
            return Ok(self.token(kind, start));
        }

        match byte {
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let name = self.take_while(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
                Ok(self.token(TokenKind::Name(name), start))
            }
            _ => Err(self.unexpected_character()),
        }
    }

    fn token(&self, kind: TokenKind<'a>, start: usize) -> Token<'a> {
        Token {
            kind,
            span: Span {
                start,
                end: self.position,
            },
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn take_while(&mut self, accept: impl Fn(u8) -> bool) -> &'a str {
        let start = self.position;
        while self.peek().is_some_and(&accept) {
            self.position += 1;
        }
        &self.text[start..self.position]
    }

    fn skip_blanks_and_comments(&mut self) {
        loop {
            self.take_while(|byte| byte.is_ascii_whitespace());
            if self.peek() != Some(b'#') {
                return;
            }
            self.take_while(|byte| byte != b'\n');
        }
    }

    fn unexpected_character(&self) -> Located {
        let rest = &self.text[self.position..];
        let digits = rest.strip_prefix('.').map_or(0, |fraction| {
            fraction.bytes().take_while(u8::is_ascii_digit).count()
        });
        if digits > 0 {
            let span = Span {
                start: self.position,
                end: self.position + 1 + digits,
            };
            let written = shorten(&rest[..1 + digits]);
            return Located::new(
                span,
                format!("expected a digit before the decimal point of `{written}`"),
            )
            .with_label(format!("did you mean `0{written}`?"));
        }

        let character = rest.chars().next().unwrap_or('\0');
        let span = Span {
            start: self.position,
            end: self.position + character.len_utf8(),
        };
        Located::new(
            span,
            format!("unexpected character `{}`", character.escape_debug()),
        )
        .with_label("expected a function call, a value, or one of ( ) , = & | !")
    }

    /// Reads a string in double quotes, where `\"` and `\\` are the only
    /// escapes. Line breaks may appear inside.
    fn string(&mut self) -> Result<Token<'a>, Located> {
        let start = self.position;
        self.position += 1;
        let mut value = String::new();
        loop {
            let run = self.take_while(|byte| byte != b'"' && byte != b'\\');
            value.push_str(run);
            match self.peek() {
                Some(b'"') => {
                    self.position += 1;
                    return Ok(self.token(TokenKind::String(value), start));
                }
                Some(_) => value.push(self.escape()?),
                None => {
                    let span = Span {
                        start,
                        end: start + 1,
                    };
                    return Err(Located::new(span, "unterminated string")
                        .with_label("this quote has no closing `\"`"));
                }
            }
        }
    }

    /// Reads the escape at a backslash and returns the character it stands
    /// for.
    fn escape(&mut self) -> Result<char, Located> {
        let start = self.position;
        self.position += 1;
        match self.peek() {
            Some(byte @ (b'"' | b'\\')) => {
                self.position += 1;
                Ok(char::from(byte))
            }
            _ => {
                let next = self.text[self.position..].chars().next();
                let end = self.position + next.map_or(0, char::len_utf8);
                let written = &self.text[start..end];
                Err(
                    Located::new(Span { start, end }, format!("unknown escape `{written}`"))
                        .with_label("only \\\" and \\\\ are escapes"),
                )
            }
        }
    }

    /// Reads a number, a percentage (`50%`) or a duration (`1m30s`).
    fn number(&mut self) -> Result<Token<'a>, Located> {
        let start = self.position;
        let first = self.decimal()?;
        match self.peek() {
            Some(b'%') => {
                self.position += 1;
                Ok(self.token(TokenKind::Percent(first), start))
            }
            Some(byte) if byte.is_ascii_alphabetic() => self.duration(start, first),
            _ => Ok(self.token(TokenKind::Number(first), start)),
        }
    }

    /// Reads digits with an optional sign and fraction.
    fn decimal(&mut self) -> Result<Decimal<'a>, Located> {
        let start = self.position;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.position += 1;
        }
        let whole = self.take_while(|byte| byte.is_ascii_digit());
        if whole.is_empty() {
            let span = Span {
                start,
                end: self.position,
            };
            return Err(Located::new(span, "expected digits after `-`"));
        }
        let mut fraction = "";
        if self.peek() == Some(b'.') {
            self.position += 1;
            fraction = self.take_while(|byte| byte.is_ascii_digit());
            if fraction.is_empty() {
                let span = Span {
                    start,
                    end: self.position,
                };
                return Err(Located::new(
                    span,
                    "expected digits after the decimal point",
                ));
            }
        }
        Ok(Decimal {
            negative,
            whole,
            fraction,
        })
    }

    /// Reads the rest of a duration whose first number is `first`: a unit,
    /// then further number-and-unit parts, units from largest to smallest.
    fn duration(&mut self, start: usize, first: Decimal<'a>) -> Result<Token<'a>, Located> {
        let mut part = first;
        let mut nanos: u128 = 0;
        let mut previous_rank: Option<usize> = None;
        let mut failure = None;
        loop {
            let unit_start = self.position;
            let unit = self.take_while(|byte| byte.is_ascii_alphabetic());
            let Some(rank) = UNITS.iter().position(|(name, _)| *name == unit) else {
                return Err(self.unknown_unit(start, unit_start, unit));
            };
            // UNITS lists the largest first, so ranks must rise.
            if previous_rank.is_some_and(|previous| rank <= previous) || part.negative {
                failure.get_or_insert(DurationFailure::Order);
            }
            previous_rank = Some(rank);
            match part.times_nanos(UNITS[rank].1) {
                Ok(part_nanos) => nanos = nanos.saturating_add(part_nanos),
                Err(error) => {
                    failure.get_or_insert(DurationFailure::Number(error));
                }
            }
            if !self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
                break;
            }
            part = self.decimal()?;
        }

        let span = Span {
            start,
            end: self.position,
        };
        let written = shorten(&self.text[span.start..span.end]);
        let duration = match failure {
            None => duration_from_nanos(nanos),
            Some(DurationFailure::Number(NumberError::TooLarge)) => None,
            Some(other) => return Err(other.error(span, &written)),
        };
        match duration {
            Some(duration) => Ok(self.token(TokenKind::Duration(duration), start)),
            None => Err(DurationFailure::Number(NumberError::TooLarge).error(span, &written)),
        }
    }
}

impl Lexer<'_> {
    fn unknown_unit(&self, start: usize, unit_start: usize, unit: &str) -> Located {
        if unit.is_empty() {
            let span = Span {
                start,
                end: self.position,
            };
            let written = shorten(&self.text[start..self.position]);
            return Located::new(span, format!("missing unit at the end of `{written}`"))
                .with_label("expected ms, s, m or h");
        }
        let span = Span {
            start: unit_start,
            end: self.position,
        };
        Located::new(span, format!("unknown duration unit `{}`", shorten(unit)))
            .with_label("expected ms, s, m or h")
    }
}

#[derive(Debug, Clone, Copy)]
enum DurationFailure {
    Order,
    Number(NumberError),
}

impl DurationFailure {
    fn error(self, span: Span, written: &str) -> Located {
        match self {
            DurationFailure::Order => Located::new(span, format!("invalid duration `{written}`"))
                .with_label(
                    "write units from largest to smallest, each once, without a sign: 1m30s",
                ),
            DurationFailure::Number(NumberError::FinerThanNanosecond) => Located::new(
                span,
                format!("duration `{written}` is not a whole number of nanoseconds"),
            ),
            // Duration::MAX is 18446744073709551615.999999999 seconds, and a
            // Julian year 31557600 seconds.
            DurationFailure::Number(_) => Located::new(
                span,
                format!(
                    "duration `{written}` is longer than the maximum of {} (about 585 billion \
                     years)",
                    DisplayDuration(Duration::MAX)
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind<'_>> {
        let mut lexer = Lexer::new(text);
        let mut kinds = Vec::new();
        loop {
            let token = lexer.next_token().unwrap();
            if token.kind == TokenKind::End {
                return kinds;
            }
            kinds.push(token.kind);
        }
    }

    fn error(text: &str) -> Located {
        let mut lexer = Lexer::new(text);
        loop {
            match lexer.next_token() {
                Ok(token) if token.kind == TokenKind::End => panic!("no error in {text:?}"),
                Ok(_) => {}
                Err(error) => return error,
            }
        }
    }

    fn duration(text: &str) -> Duration {
        match kinds(text).as_slice() {
            [TokenKind::Duration(duration)] => *duration,
            other => panic!("{text:?} lexed as {other:?}"),
        }
    }

    #[test]
    fn durations_combine_units() {
        assert_eq!(duration("1m30s"), Duration::from_secs(90));
        assert_eq!(duration("1h1m1s1ms"), Duration::from_millis(3_661_001));
        assert_eq!(duration("1.5s"), Duration::from_millis(1500));
        assert_eq!(duration("0.00025s"), Duration::from_micros(250));
        assert_eq!(duration("250ms"), Duration::from_millis(250));
        assert_eq!(duration("1s500ms"), Duration::from_millis(1500));
        assert_eq!(duration("0s"), Duration::ZERO);
        assert_eq!(duration("18446744073709551615.999999999s"), Duration::MAX);
    }

    #[test]
    fn invalid_durations_name_the_problem() {
        let cases = [
            ("30s1m", "invalid duration `30s1m`"),
            ("1s1s", "invalid duration `1s1s`"),
            ("-5s", "invalid duration `-5s`"),
            ("5d", "unknown duration unit `d`"),
            ("5sec", "unknown duration unit `sec`"),
            ("1ms5", "missing unit at the end of `1ms5`"),
            (
                "0.0000000001s",
                "duration `0.0000000001s` is not a whole number of nanoseconds",
            ),
            (
                "18446744073709551616s",
                "duration `18446744073709551616s` is longer than the maximum of \
                 18446744073709551615.999999999s (about 585 billion years)",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(error(text).message, message, "{text}");
        }
    }

    #[test]
    fn operators_names_and_values() {
        assert_eq!(
            kinds("!a_1(x=50%, -0.5) & | # comment\n\"q\\\"\\\\\""),
            [
                TokenKind::Not,
                TokenKind::Name("a_1"),
                TokenKind::OpenParen,
                TokenKind::Name("x"),
                TokenKind::Equals,
                TokenKind::Percent(Decimal {
                    negative: false,
                    whole: "50",
                    fraction: "",
                }),
                TokenKind::Comma,
                TokenKind::Number(Decimal {
                    negative: true,
                    whole: "0",
                    fraction: "5",
                }),
                TokenKind::CloseParen,
                TokenKind::And,
                TokenKind::Or,
                TokenKind::String("q\"\\".to_owned()),
            ]
        );
    }

    #[test]
    fn bad_strings_and_characters() {
        assert_eq!(error("\"abc").message, "unterminated string");
        assert_eq!(error("\"a\\n\"").message, "unknown escape `\\n`");
        assert_eq!(error("\"a\\").message, "unknown escape `\\`");
        assert_eq!(error("a ; b").message, "unexpected character `;`");
        assert_eq!(error("é").span, Span { start: 0, end: 2 });
        assert_eq!(
            error("1.").message,
            "expected digits after the decimal point"
        );
        assert_eq!(error("- 1").message, "expected digits after `-`");
        assert_eq!(error(". 5").message, "unexpected character `.`");
    }

    #[test]
    fn leading_decimal_point_suggests_a_zero() {
        let located = error("f(.5)");
        assert_eq!(
            located.message,
            "expected a digit before the decimal point of `.5`"
        );
        assert_eq!(located.label, "did you mean `0.5`?");
        assert_eq!(located.span, Span { start: 2, end: 4 });
    }

    #[test]
    fn long_durations_are_shortened_in_messages() {
        let digits = "9".repeat(400);
        assert_eq!(
            error(&format!("{digits}h")).message,
            format!(
                "duration `{}…` is longer than the maximum of \
                 18446744073709551615.999999999s (about 585 billion years)",
                "9".repeat(40)
            )
        );
        assert_eq!(
            error(&format!("5{}", "x".repeat(100))).message,
            format!("unknown duration unit `{}…`", "x".repeat(40))
        );
    }
}
