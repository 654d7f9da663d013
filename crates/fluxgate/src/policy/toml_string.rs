//! Maps positions in a decoded TOML string back to the string literal in
//! the file, so that an error in an expression can point into the file.

/// A decoded TOML string and, for each of its bytes, the offset in the
/// literal of the character or escape that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodedString {
    pub(crate) value: String,
    /// One entry per byte of `value`, plus one for its end.
    offsets: Vec<usize>,
}

impl DecodedString {
    /// Decodes a string literal as written in a TOML file, quotes
    /// included.
    ///
    /// Returns `None` when `literal` is not a string literal this decoder
    /// understands; callers then fall back to positions inside the value.
    pub(crate) fn decode(literal: &str) -> Option<DecodedString> {
        let (delimiter, escapes) = if literal.starts_with("\"\"\"") {
            ("\"\"\"", true)
        } else if literal.starts_with("'''") {
            ("'''", false)
        } else if literal.starts_with('"') {
            ("\"", true)
        } else if literal.starts_with('\'') {
            ("'", false)
        } else {
            return None;
        };
        let end = literal.len().checked_sub(delimiter.len())?;
        if end < delimiter.len() || !literal.ends_with(delimiter) {
            return None;
        }

        let mut start = delimiter.len();
        // A line break right after an opening triple quote is not part of
        // the string.
        if delimiter.len() == 3 {
            if literal[start..].starts_with("\r\n") {
                start += 2;
            } else if literal[start..].starts_with('\n') {
                start += 1;
            }
        }
        let mut decoder = Decoder {
            literal,
            position: start,
            end,
            decoded: DecodedString {
                value: String::new(),
                offsets: Vec::new(),
            },
        };
        if escapes {
            decoder.escaped()?;
        } else {
            decoder.push_raw(end);
        }
        let mut decoded = decoder.decoded;
        decoded.offsets.push(end);
        Some(decoded)
    }

    /// Returns the offset in the literal of byte `index` of the value.
    pub(crate) fn offset(&self, index: usize) -> usize {
        let last = self.offsets.len() - 1;
        self.offsets[index.min(last)]
    }
}

struct Decoder<'a> {
    literal: &'a str,
    position: usize,
    end: usize,
    decoded: DecodedString,
}

impl Decoder<'_> {
    /// Copies the literal up to `until` unchanged.
    fn push_raw(&mut self, until: usize) {
        let text = &self.literal[self.position..until];
        self.decoded.value.push_str(text);
        self.decoded.offsets.extend(self.position..until);
        self.position = until;
    }

    fn push_char(&mut self, character: char, from: usize) {
        self.decoded.value.push(character);
        let width = character.len_utf8();
        self.decoded
            .offsets
            .extend(std::iter::repeat_n(from, width));
    }

    /// Decodes a basic string, single- or multi-line, with escapes.
    fn escaped(&mut self) -> Option<()> {
        while self.position < self.end {
            let rest = &self.literal[self.position..self.end];
            let run = rest.find('\\').unwrap_or(rest.len());
            self.push_raw(self.position + run);
            if self.position < self.end {
                self.escape()?;
            }
        }
        Some(())
    }

    fn escape(&mut self) -> Option<()> {
        let start = self.position;
        let rest = &self.literal[start + 1..self.end];
        let letter = rest.chars().next()?;
        let simple = match letter {
            'b' => Some('\u{8}'),
            't' => Some('\t'),
            'n' => Some('\n'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            _ => None,
        };
        if let Some(character) = simple {
            self.push_char(character, start);
            self.position = start + 2;
            return Some(());
        }

        let digits = match letter {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => return self.line_ending_backslash(),
        };
        let hex = rest.get(1..1 + digits)?;
        let character = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
        self.push_char(character, start);
        self.position = start + 2 + digits;
        Some(())
    }

    /// Skips a backslash at the end of a line and the whitespace and line
    /// breaks after it.
    fn line_ending_backslash(&mut self) -> Option<()> {
        let rest = &self.literal[self.position + 1..self.end];
        let blank = rest.trim_start_matches([' ', '\t']);
        if !blank.starts_with('\n') && !blank.starts_with("\r\n") {
            return None;
        }
        let kept = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        self.position = self.end - kept.len();
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(literal: &str) -> DecodedString {
        DecodedString::decode(literal).unwrap()
    }

    #[test]
    fn plain_strings_shift_by_the_quote() {
        let decoded = decode("\"all()\"");
        assert_eq!(decoded.value, "all()");
        assert_eq!(decoded.offset(0), 1);
        assert_eq!(decoded.offset(5), 6);
        let literal = decode("'all()'");
        assert_eq!(literal.value, "all()");
        assert_eq!(literal.offset(2), 3);
    }

    #[test]
    fn escapes_map_to_their_start() {
        let decoded = decode(r#""kind(\"a\", \u00e9x)""#);
        assert_eq!(decoded.value, "kind(\"a\", éx)");
        let quote = decoded.value.find('"').unwrap();
        assert_eq!(decoded.offset(quote), 6);
        let accent = decoded.value.find('é').unwrap();
        assert_eq!(decoded.offset(accent), 13);
        assert_eq!(decoded.offset(accent + 1), 13);
        assert_eq!(decoded.offset(accent + 2), 19);
    }

    #[test]
    fn multi_line_strings_drop_first_break_and_continuations() {
        let decoded = decode("\"\"\"\nab \\\n    cd\"\"\"");
        assert_eq!(decoded.value, "ab cd");
        assert_eq!(decoded.offset(0), 4);
        assert_eq!(decoded.offset(3), 13);
        let literal = decode("'''\nx\\y'''");
        assert_eq!(literal.value, "x\\y");
        assert_eq!(literal.offset(2), 6);
    }

    #[test]
    fn non_strings_are_not_decoded() {
        assert_eq!(DecodedString::decode("5"), None);
        assert_eq!(DecodedString::decode("\""), None);
        assert_eq!(DecodedString::decode("\"\\q\""), None);
    }
}
