//! Streaming lines out of files, standard input and gzip archives, with one
//! reused buffer and a bound on the length of a line.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use flate2::bufread::MultiGzDecoder;

/// The maximum length of a line. A longer line is skipped and reported as
/// malformed, so that memory stays bounded.
pub const MAX_LINE_BYTES: usize = 16 << 20;

const BUFFER_BYTES: usize = 256 << 10;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens `path`, or standard input for `-`, and decompresses it when it
/// starts with the gzip magic bytes, whatever its name.
///
/// `consumed` is increased by every byte read from the file itself (before
/// decompression), for a progress bar.
///
/// # Errors
///
/// Returns the error of opening the file or of reading its first bytes.
pub fn open_input(path: &Path, consumed: Rc<Cell<u64>>) -> io::Result<Box<dyn BufRead>> {
    let inner: Box<dyn Read> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path)?)
    };
    let mut raw = CountingReader { inner, consumed };

    // Read the first two bytes aside, then put them back in front.
    let mut magic = [0u8; 2];
    let filled = read_up_to(&mut raw, &mut magic)?;
    let stream = io::Cursor::new(magic[..filled].to_vec()).chain(raw);
    let buffered = BufReader::with_capacity(BUFFER_BYTES, stream);
    if magic[..filled] == GZIP_MAGIC {
        let decoder = MultiGzDecoder::new(buffered);
        Ok(Box::new(BufReader::with_capacity(BUFFER_BYTES, decoder)))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Fills `buffer` unless the reader ends first; returns the bytes read.
fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(count) => filled += count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// A reader that counts the bytes it hands out.
struct CountingReader<R> {
    inner: R,
    consumed: Rc<Cell<u64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.consumed.set(self.consumed.get() + count as u64);
        Ok(count)
    }
}

/// One line as [`LineReader`] returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line's bytes, without the line ending.
    Text(&'a [u8]),
    /// A line longer than [`MAX_LINE_BYTES`], skipped.
    TooLong,
}

/// Reads lines one at a time into a buffer it reuses.
pub struct LineReader {
    reader: Box<dyn BufRead>,
    buffer: Vec<u8>,
    line_number: u64,
}

impl LineReader {
    /// Creates a reader over `reader`.
    pub fn new(reader: Box<dyn BufRead>) -> LineReader {
        LineReader {
            reader,
            buffer: Vec::with_capacity(1024),
            line_number: 0,
        }
    }

    /// Returns the number of lines returned so far.
    pub fn line_number(&self) -> u64 {
        self.line_number
    }

    /// Returns the next line, numbered from 1, without its `\n` or `\r\n`
    /// ending (and, on the first line, without a UTF-8 byte order mark), or
    /// `None` at the end.
    ///
    /// # Errors
    ///
    /// Returns the error of the underlying reader.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, Line<'_>)>> {
        self.buffer.clear();
        let limit = MAX_LINE_BYTES as u64 + 1;
        let count = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buffer)?;
        if count == 0 {
            return Ok(None);
        }
        self.line_number += 1;

        if self.buffer.last() != Some(&b'\n') && self.buffer.len() > MAX_LINE_BYTES {
            self.skip_rest_of_line()?;
            return Ok(Some((self.line_number, Line::TooLong)));
        }
        let mut line = &self.buffer[..];
        line = line.strip_suffix(b"\n").unwrap_or(line);
        line = line.strip_suffix(b"\r").unwrap_or(line);
        if self.line_number == 1 {
            line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
        }
        Ok(Some((self.line_number, Line::Text(line))))
    }

    fn skip_rest_of_line(&mut self) -> io::Result<()> {
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(());
            }
            match available.iter().position(|&byte| byte == b'\n') {
                Some(end) => {
                    self.reader.consume(end + 1);
                    return Ok(());
                }
                None => {
                    let length = available.len();
                    self.reader.consume(length);
                }
            }
        }
    }
}

impl std::fmt::Debug for LineReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineReader")
            .field("line_number", &self.line_number)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    fn lines_of(reader: Box<dyn BufRead>) -> Vec<Vec<u8>> {
        let mut lines = LineReader::new(reader);
        let mut all = Vec::new();
        while let Some((_, line)) = lines.next_line().unwrap() {
            match line {
                Line::Text(text) => all.push(text.to_vec()),
                Line::TooLong => all.push(b"<too long>".to_vec()),
            }
        }
        all
    }

    fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(bytes).unwrap();
        file
    }

    fn read_file(bytes: &[u8]) -> Vec<Vec<u8>> {
        let file = write_temp(bytes);
        let consumed = Rc::new(Cell::new(0));
        lines_of(open_input(file.path(), consumed).unwrap())
    }

    #[test]
    fn line_endings_and_bom() {
        let lines = read_file(b"\xef\xbb\xbfone\r\ntwo\n\nthree");
        assert_eq!(lines, [&b"one"[..], b"two", b"", b"three"]);
    }

    #[test]
    fn empty_file_has_no_lines() {
        assert!(read_file(b"").is_empty());
    }

    #[test]
    fn gzip_is_detected_by_magic_bytes() {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(b"first\nsecond\n").unwrap();
        let compressed = encoder.finish().unwrap();
        assert_eq!(read_file(&compressed), [&b"first"[..], b"second"]);
    }

    #[test]
    fn concatenated_gzip_members_are_one_stream() {
        let mut bytes = Vec::new();
        for text in [&b"a\n"[..], b"b\n"] {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
            encoder.write_all(text).unwrap();
            bytes.extend(encoder.finish().unwrap());
        }
        assert_eq!(read_file(&bytes), [&b"a"[..], b"b"]);
    }

    #[test]
    fn consumed_counts_file_bytes() {
        let file = write_temp(b"12345\n678\n");
        let consumed = Rc::new(Cell::new(0));
        let lines = lines_of(open_input(file.path(), Rc::clone(&consumed)).unwrap());
        assert_eq!(lines.len(), 2);
        assert_eq!(consumed.get(), 10);
    }

    #[test]
    fn over_long_line_is_skipped() {
        let mut bytes = b"short\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        bytes.extend_from_slice(b"\nafter\n");
        assert_eq!(read_file(&bytes), [&b"short"[..], b"<too long>", b"after"]);
    }

    #[test]
    fn line_of_exactly_the_limit_is_kept() {
        let mut bytes = vec![b'y'; MAX_LINE_BYTES];
        bytes.push(b'\n');
        let lines = read_file(&bytes);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].len(), MAX_LINE_BYTES);
    }

    #[test]
    fn missing_file_is_an_error() {
        let consumed = Rc::new(Cell::new(0));
        let error = open_input(Path::new("/nonexistent/fluxgate.log"), consumed).err();
        assert_eq!(
            error.map(|error| error.kind()),
            Some(io::ErrorKind::NotFound)
        );
    }
}
