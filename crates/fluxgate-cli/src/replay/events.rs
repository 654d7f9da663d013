//! The event stream of `--output jsonl`: one JSON object per line, with the
//! keys in a fixed order so that two runs compare line by line.

use std::io::{self, Write};

use fluxgate::State;
use serde::Serialize;

/// Receives the events of a replay as they happen.
pub trait EventSink {
    /// Handles a change of state at the line time `t` (seconds).
    ///
    /// # Errors
    ///
    /// Returns the error of writing the event.
    fn transition(&mut self, t: f64, from: State, to: State) -> io::Result<()>;

    /// Handles a call rejected in `state` at the line time `t` (seconds).
    ///
    /// # Errors
    ///
    /// Returns the error of writing the event.
    fn rejected(&mut self, t: f64, state: State) -> io::Result<()>;
}

/// Discards every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn transition(&mut self, _: f64, _: State, _: State) -> io::Result<()> {
        Ok(())
    }

    fn rejected(&mut self, _: f64, _: State) -> io::Result<()> {
        Ok(())
    }
}

/// Writes each event as one line of JSON:
///
/// ```json
/// {"t": 31.0, "event": "transition", "from": "closed", "to": "open"}
/// {"t": 31.4, "event": "rejected", "state": "open"}
/// {"event": "summary", "calls": 1000, "rejected": 120, "transitions": 4}
/// ```
#[derive(Debug)]
pub struct JsonlEvents<W> {
    writer: W,
}

#[derive(Serialize)]
struct TransitionEvent {
    t: f64,
    event: &'static str,
    from: &'static str,
    to: &'static str,
}

#[derive(Serialize)]
struct RejectedEvent {
    t: f64,
    event: &'static str,
    state: &'static str,
}

#[derive(Serialize)]
struct SummaryEvent {
    event: &'static str,
    calls: u64,
    rejected: u64,
    transitions: u64,
}

impl<W: Write> JsonlEvents<W> {
    /// Creates a sink writing to `writer`.
    pub fn new(writer: W) -> Self {
        JsonlEvents { writer }
    }

    /// Writes the closing summary line and flushes the writer.
    ///
    /// # Errors
    ///
    /// Returns the error of writing or flushing.
    pub fn finish(mut self, calls: u64, rejected: u64, transitions: u64) -> io::Result<W> {
        self.write_line(&SummaryEvent {
            event: "summary",
            calls,
            rejected,
            transitions,
        })?;
        self.writer.flush()?;
        Ok(self.writer)
    }

    fn write_line(&mut self, event: &impl Serialize) -> io::Result<()> {
        write_spaced_json(&mut self.writer, event)?;
        self.writer.write_all(b"\n")
    }
}

impl<W: Write> EventSink for JsonlEvents<W> {
    fn transition(&mut self, t: f64, from: State, to: State) -> io::Result<()> {
        self.write_line(&TransitionEvent {
            t,
            event: "transition",
            from: from.as_str(),
            to: to.as_str(),
        })
    }

    fn rejected(&mut self, t: f64, state: State) -> io::Result<()> {
        self.write_line(&RejectedEvent {
            t,
            event: "rejected",
            state: state.as_str(),
        })
    }
}

/// Writes `value` as one-line JSON with a space after each `:` and `,`.
///
/// # Errors
///
/// Returns the error of writing.
pub fn write_spaced_json(writer: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(writer, Spaced);
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// A JSON layout on one line with `", "` and `": "` separators.
struct Spaced;

impl serde_json::ser::Formatter for Spaced {
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        write_separator(writer, first)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        write_separator(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }
}

/// Writes `", "` before every element but the first.
fn write_separator<W: ?Sized + Write>(writer: &mut W, first: bool) -> io::Result<()> {
    if first {
        Ok(())
    } else {
        writer.write_all(b", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_fixed_layout() {
        let mut events = JsonlEvents::new(Vec::new());
        events.transition(31.0, State::Closed, State::Open).unwrap();
        events.rejected(31.4, State::Open).unwrap();
        events
            .transition(1_431_857_103.0, State::HalfOpen, State::ForcedOpen)
            .unwrap();
        let output = events.finish(1000, 120, 4).unwrap();
        assert_eq!(
            String::from_utf8(output).unwrap(),
            "{\"t\": 31.0, \"event\": \"transition\", \"from\": \"closed\", \"to\": \"open\"}\n\
             {\"t\": 31.4, \"event\": \"rejected\", \"state\": \"open\"}\n\
             {\"t\": 1431857103.0, \"event\": \"transition\", \"from\": \"half_open\", \"to\": \"forced_open\"}\n\
             {\"event\": \"summary\", \"calls\": 1000, \"rejected\": 120, \"transitions\": 4}\n"
        );
    }

    #[test]
    fn spaced_arrays() {
        let mut output = Vec::new();
        write_spaced_json(&mut output, &serde_json::json!({"a": [1, 2], "b": {}})).unwrap();
        assert_eq!(
            String::from_utf8(output).unwrap(),
            "{\"a\": [1, 2], \"b\": {}}"
        );
    }
}
