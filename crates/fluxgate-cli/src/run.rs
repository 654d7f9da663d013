//! Reading the inputs line by line into a replay: format detection, the
//! malformed-line accounts, `--strict` and `--inject`.

use std::path::{Path, PathBuf};

use fluxgate::trackers::Tracker;

use crate::StatusSet;
use crate::error::Error;
use crate::inject::{Injection, Injector};
use crate::input::{
    CsvHeader, Detection, Format, FormatDetector, InputFormat, Line, LineError, LineReader,
    is_blank, open_input, parse_access_log, parse_json_line, too_long_reason,
};
use crate::progress::Progress;
use crate::replay::{EventSink, Replayer};
use crate::report::{InputFile, InputStats, MAX_LISTED_MALFORMED, MalformedLine};

/// The inputs of a replay and how to read them.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// The inputs, replayed one after the other; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// The format of every input, or `None` to detect each one's.
    pub format: Option<Format>,
    /// The access-log and injected statuses that are errors.
    pub error_statuses: StatusSet,
    /// Spans of time whose calls get the outcome of a status.
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
/// `strict` a malformed line, [`Error::Usage`] for an injected span whose
/// END, once resolved, is not later than its START, and [`Error::Output`]
/// when writing an event fails.
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
        injector: Injector::new(&options.injections, &options.error_statuses),
    };
    let outcome = options
        .paths
        .iter()
        .try_for_each(|path| reading.read_input(path, replayer, &mut progress));
    progress.finish();
    outcome?;

    let mut stats = reading.stats;
    stats.injections = reading.injector.spans();
    Ok(stats)
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
    injector: Injector<'o>,
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

        let mut parser = match self.options.format {
            Some(format) => self.start_input(path, InputFormat::Known(format)),
            None => self.detect_format(path, &name, &mut lines, replayer, progress)?,
        };
        while let Some((number, line)) = next_line(&mut lines, &name)? {
            self.handle_line(&name, number, line, &mut parser, replayer)?;
            progress.tick(self.stats.lines);
        }
        Ok(())
    }

    /// Reads lines until one decides the input's format, counts the lines
    /// before it, replays that line, and returns the parser for the rest.
    fn detect_format<K, S>(
        &mut self,
        path: &Path,
        name: &str,
        lines: &mut LineReader,
        replayer: &mut Replayer<K, S>,
        progress: &mut Progress,
    ) -> Result<Parser, Error>
    where
        K: Tracker<String>,
        S: EventSink,
    {
        let mut detector = FormatDetector::new();
        loop {
            let Some((number, line)) = next_line(lines, name)? else {
                let format = detector.finish().map_err(|_| undetectable(name))?;
                let parser = self.start_input(path, format);
                self.count_examined_lines(name, &detector)?;
                return Ok(parser);
            };
            progress.tick(number);
            match detector.offer(number, line) {
                Detection::Undecided => {}
                Detection::Undetectable => return Err(undetectable(name)),
                Detection::Decided(format) => {
                    let mut parser = self.start_input(path, InputFormat::Known(format));
                    self.count_examined_lines(name, &detector)?;
                    self.handle_line(name, number, line, &mut parser, replayer)?;
                    return Ok(parser);
                }
            }
        }
    }

    /// Records the input and its format, and returns the parser for its
    /// lines.
    fn start_input(&mut self, path: &Path, format: InputFormat) -> Parser {
        self.stats.inputs.push(InputFile {
            path: path.display().to_string(),
            format: format.as_str(),
        });
        match format {
            InputFormat::Known(Format::Csv) => Parser::Csv(None),
            InputFormat::Known(Format::AccessLog) => Parser::AccessLog,
            InputFormat::Known(Format::Jsonl) | InputFormat::Empty | InputFormat::Unknown => {
                Parser::Jsonl
            }
        }
    }

    /// Counts the lines that format detection read before its decision:
    /// blank ones as empty, the others as malformed.
    fn count_examined_lines(&mut self, name: &str, detector: &FormatDetector) -> Result<(), Error> {
        let listed = detector.listed_malformed();
        let unlisted = detector.unlisted_malformed();
        self.stats.lines += detector.blank_lines() + listed.len() as u64 + unlisted;
        self.stats.empty_lines += detector.blank_lines();
        for (number, reason) in listed {
            self.malformed(name, *number, reason.clone())?;
        }
        self.stats.malformed += unlisted;
        Ok(())
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
            Line::TooLong => return self.malformed(name, number, too_long_reason()),
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
                self.injector
                    .apply(&mut record)
                    .map_err(|error| Error::Usage(error.to_string()))?;
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
}

/// Reads the next line, naming the input and line in a read error.
fn next_line<'r>(lines: &'r mut LineReader, name: &str) -> Result<Option<(u64, Line<'r>)>, Error> {
    let number = lines.line_number() + 1;
    lines.next_line().map_err(|source| Error::Unreadable {
        location: format!("{name}:{number}"),
        source,
    })
}

fn undetectable(name: &str) -> Error {
    Error::Input {
        location: name.to_owned(),
        reason: "cannot detect the format from the first lines; \
                 pass --format jsonl, csv or clf"
            .to_owned(),
    }
}

fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}
