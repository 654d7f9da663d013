//! Reading the inputs line by line into a replay: format detection, the
//! malformed-line accounts, `--strict` and `--inject`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fluxgate::trackers::Tracker;

use crate::StatusSet;
use crate::error::Error;
use crate::inject::Injection;
use crate::input::{
    Body, CsvHeader, ErrorKind, Format, Line, LineError, LineReader, MAX_LINE_BYTES, Record,
    detect_format, open_input, parse_access_log, parse_json_line,
};
use crate::progress::Progress;
use crate::replay::{EventSink, Replayer};
use crate::report::{InputFile, InputStats, MAX_LISTED_MALFORMED, MalformedLine};

/// The number of non-empty lines format detection reads.
const DETECTION_LINES: usize = 8;

/// The inputs of a replay and how to read them.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// The inputs, replayed one after the other; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// The format of every input, or `None` to detect each one's.
    pub format: Option<Format>,
    /// The access-log statuses that are errors.
    pub error_statuses: StatusSet,
    /// Spans of time whose calls become errors.
    pub injections: Vec<Injection>,
    /// Stop at the first malformed line.
    pub strict: bool,
}

/// Reads every input into `replayer` and returns what was read.
///
/// # Errors
///
/// Returns [`Error::Unreadable`] when an input cannot be read,
/// [`Error::Input`] for an undetectable format, a bad CSV header, or under
/// `strict` a malformed line, and [`Error::Output`] when writing an event
/// fails.
pub fn read_inputs<K, S>(
    options: &InputOptions,
    replayer: &mut Replayer<K, S>,
) -> Result<InputStats, Error>
where
    K: Tracker<String>,
    S: EventSink,
{
    let mut progress = Progress::new(total_size(&options.paths));
    let mut reading = Reading {
        options,
        stats: InputStats::default(),
        spans: None,
    };
    let outcome = options
        .paths
        .iter()
        .try_for_each(|path| reading.read_input(path, replayer, &mut progress));
    progress.finish();
    outcome.map(|()| reading.stats)
}

/// Returns the summed size of the inputs when every one is a regular file.
fn total_size(paths: &[PathBuf]) -> Option<u64> {
    paths.iter().try_fold(0u64, |total, path| {
        let metadata = std::fs::metadata(path).ok()?;
        metadata.is_file().then(|| total + metadata.len())
    })
}

/// The parser for one input's lines.
enum Parser {
    Jsonl,
    /// CSV, with its header once read.
    Csv(Option<CsvHeader>),
    AccessLog,
}

struct Reading<'o> {
    options: &'o InputOptions,
    stats: InputStats,
    /// The injected spans on the replay clock, once the first line's time
    /// is known.
    spans: Option<Vec<(Duration, Duration, u16)>>,
}

impl Reading<'_> {
    fn read_input<K, S>(
        &mut self,
        path: &Path,
        replayer: &mut Replayer<K, S>,
        progress: &mut Progress,
    ) -> Result<(), Error>
    where
        K: Tracker<String>,
        S: EventSink,
    {
        let name = display_name(path);
        let reader = open_input(path, progress.counter()).map_err(|source| Error::Unreadable {
            location: name.clone(),
            source,
        })?;
        let mut lines = LineReader::new(reader);

        // Detection needs the first lines before any is replayed, so they
        // are copied aside (`None` for a line too long) and replayed after.
        let mut first_lines: Vec<(u64, Option<Vec<u8>>)> = Vec::new();
        let format = match self.options.format {
            Some(format) => Some(format),
            None => {
                let mut samples = 0;
                while samples < DETECTION_LINES {
                    let Some((number, line)) = next_line(&mut lines, &name)? else {
                        break;
                    };
                    let copy = match line {
                        Line::Text(text) => Some(text.to_vec()),
                        Line::TooLong => None,
                    };
                    samples += usize::from(copy.as_deref().is_some_and(|text| !is_blank(text)));
                    first_lines.push((number, copy));
                }
                self.detect(&name, &first_lines)?
            }
        };
        self.stats.inputs.push(InputFile {
            path: path.display().to_string(),
            format: format.map_or("empty", Format::as_str),
        });
        let mut parser = match format {
            Some(Format::Jsonl) | None => Parser::Jsonl,
            Some(Format::Csv) => Parser::Csv(None),
            Some(Format::AccessLog) => Parser::AccessLog,
        };

        for (number, copy) in &first_lines {
            let line = copy.as_deref().map_or(Line::TooLong, Line::Text);
            self.handle_line(&name, *number, line, &mut parser, replayer)?;
        }
        while let Some((number, line)) = next_line(&mut lines, &name)? {
            self.handle_line(&name, number, line, &mut parser, replayer)?;
            progress.tick(self.stats.lines);
        }
        Ok(())
    }

    /// Detects the format from the lines set aside; `None` for an input
    /// with no non-blank line.
    fn detect(
        &self,
        name: &str,
        first_lines: &[(u64, Option<Vec<u8>>)],
    ) -> Result<Option<Format>, Error> {
        let samples: Vec<&[u8]> = first_lines
            .iter()
            .filter_map(|(_, line)| line.as_deref())
            .filter(|line| !is_blank(line))
            .collect();
        if samples.is_empty() {
            return Ok(None);
        }
        detect_format(&samples)
            .map(Some)
            .ok_or_else(|| Error::Input {
                location: name.to_owned(),
                reason: "cannot detect the format from the first lines; \
                     pass --format jsonl, csv or clf"
                    .to_owned(),
            })
    }

    fn handle_line<K, S>(
        &mut self,
        name: &str,
        number: u64,
        line: Line<'_>,
        parser: &mut Parser,
        replayer: &mut Replayer<K, S>,
    ) -> Result<(), Error>
    where
        K: Tracker<String>,
        S: EventSink,
    {
        self.stats.lines += 1;
        let text = match line {
            Line::Text(text) if is_blank(text) => {
                self.stats.empty_lines += 1;
                return Ok(());
            }
            Line::Text(text) => text,
            Line::TooLong => {
                let reason = LineError::owned(format!(
                    "the line is longer than {} MiB",
                    MAX_LINE_BYTES >> 20
                ));
                return self.malformed(name, number, reason);
            }
        };

        let parsed = match parser {
            Parser::Jsonl => parse_json_line(text),
            Parser::AccessLog => parse_access_log(text, &self.options.error_statuses),
            Parser::Csv(Some(header)) => header.parse_record(text),
            Parser::Csv(header @ None) => {
                let parsed = CsvHeader::parse(text).map_err(|error| Error::Input {
                    location: format!("{name}:{number}"),
                    reason: error.to_string(),
                })?;
                *header = Some(parsed);
                return Ok(());
            }
        };
        match parsed {
            Ok(mut record) => {
                self.inject(&mut record);
                replayer.feed(&record).map_err(Error::stdout)
            }
            Err(reason) => self.malformed(name, number, reason),
        }
    }

    fn malformed(&mut self, name: &str, number: u64, reason: LineError) -> Result<(), Error> {
        let location = format!("{name}:{number}");
        if self.options.strict {
            return Err(Error::Input {
                location,
                reason: format!("malformed line: {reason}"),
            });
        }
        self.stats.malformed += 1;
        if self.stats.first_malformed.len() < MAX_LISTED_MALFORMED {
            self.stats.first_malformed.push(MalformedLine {
                location,
                reason: reason.to_string(),
            });
        }
        Ok(())
    }

    /// Turns a call inside an injected span into an error of the span's
    /// status.
    fn inject(&mut self, record: &mut Record<'_>) {
        if self.options.injections.is_empty() {
            return;
        }
        let at = record.time.reading;
        let spans = self.spans.get_or_insert_with(|| {
            self.options
                .injections
                .iter()
                .map(|injection| {
                    let (start, end) = injection.resolve(at);
                    (start, end, injection.status())
                })
                .collect()
        });
        let Body::Call { error, .. } = &mut record.body else {
            return;
        };
        if let Some(&(_, _, status)) = spans
            .iter()
            .find(|(start, end, _)| (*start..*end).contains(&at))
        {
            *error = Some(ErrorKind::Status(status));
        }
    }
}

/// Reads the next line, naming the input and line in a read error.
fn next_line<'r>(lines: &'r mut LineReader, name: &str) -> Result<Option<(u64, Line<'r>)>, Error> {
    let number = lines.line_number() + 1;
    lines.next_line().map_err(|source| Error::Unreadable {
        location: format!("{name}:{number}"),
        source,
    })
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}
