//! The errors of the `fluxgate` command and their exit statuses.

use std::fmt;
use std::io;

/// Exit status of a run that completed.
pub const EXIT_SUCCESS: u8 = 0;
/// Exit status for input that cannot be read or recognised, output that
/// cannot be written, or a malformed line under `--strict`.
pub const EXIT_INPUT: u8 = 1;
/// Exit status for invalid arguments or an invalid policy.
pub const EXIT_USAGE: u8 = 2;

/// A failure of the `fluxgate` command.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The arguments are invalid.
    Usage(String),
    /// The policy file is invalid, or its rules do not build a breaker. The
    /// message is complete, starting with `error: ` and locating the error.
    Policy(String),
    /// An input could not be opened or read.
    Unreadable {
        /// The input's path, with a line number once lines were read.
        location: String,
        /// The error of reading it.
        source: io::Error,
    },
    /// An input is not in a format the replay reads.
    Input {
        /// The input's path and line number.
        location: String,
        /// The reason the input is invalid.
        reason: String,
    },
    /// Writing an output failed.
    Output {
        /// The output: a file path, or standard output.
        target: String,
        /// The error of writing it.
        source: io::Error,
    },
}

impl Error {
    /// Returns the process exit status for this error: 2 for usage and
    /// policy errors, 1 for the others.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Policy(_) => EXIT_USAGE,
            Error::Unreadable { .. } | Error::Input { .. } | Error::Output { .. } => EXIT_INPUT,
        }
    }

    /// Returns `true` when writing to a closed pipe failed. A reader such as
    /// `head` closes the pipe once it has read enough, so this is no error.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }

    /// Wraps an error of writing to standard output.
    pub fn stdout(source: io::Error) -> Error {
        Error::Output {
            target: "standard output".to_owned(),
            source,
        }
    }
}

impl Error {
    /// Writes the message as the command prints it on standard error,
    /// starting with `error: `.
    ///
    /// # Errors
    ///
    /// Returns the error of writing.
    pub fn write_message(&self, out: &mut impl std::io::Write) -> io::Result<()> {
        match self {
            Error::Policy(message) => writeln!(out, "{message}"),
            _ => writeln!(out, "error: {self}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Policy(message) => f.write_str(message),
            Error::Unreadable { location, source } => {
                write!(f, "failed to read {location}: {source}")
            }
            Error::Input { location, reason } => write!(f, "{location}: {reason}"),
            Error::Output { target, source } => write!(f, "failed to write {target}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Unreadable { source, .. } | Error::Output { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(Error::Usage("x".into()).exit_code(), 2);
        assert_eq!(Error::Policy("x".into()).exit_code(), 2);
        let input = Error::Input {
            location: "a.log:3".into(),
            reason: "bad".into(),
        };
        assert_eq!(input.exit_code(), 1);
        assert_eq!(input.to_string(), "a.log:3: bad");
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let error = Error::stdout(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(error.is_broken_pipe());
        let error = Error::stdout(io::Error::from(io::ErrorKind::StorageFull));
        assert!(!error.is_broken_pipe());
    }
}
