//! A progress bar on standard error for long replays.
//!
//! The bar appears only when standard error is a terminal and the replay
//! has run for [`DELAY`]; short runs and redirected runs print nothing.

use std::cell::Cell;
use std::io::IsTerminal;
use std::rc::Rc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// The run time after which the progress bar appears.
pub(crate) const DELAY: Duration = Duration::from_secs(2);

/// Lines between two looks at the clock.
const CHECK_EVERY: u64 = 1 << 16;

/// Tracks the bytes read and shows them once the replay is slow enough.
#[derive(Debug)]
pub(crate) struct Progress {
    enabled: bool,
    started: Instant,
    consumed: Rc<Cell<u64>>,
    total_bytes: Option<u64>,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Creates a tracker; `total_bytes` is the size of the inputs when
    /// every one is a regular file.
    pub(crate) fn new(total_bytes: Option<u64>) -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            consumed: Rc::new(Cell::new(0)),
            total_bytes,
            bar: None,
        }
    }

    /// Returns the counter the input readers add their bytes to.
    pub(crate) fn counter(&self) -> Rc<Cell<u64>> {
        Rc::clone(&self.consumed)
    }

    /// Updates the bar every few thousand lines; `lines` is the count so
    /// far.
    pub(crate) fn tick(&mut self, lines: u64) {
        if !self.enabled || lines % CHECK_EVERY != 0 {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= DELAY {
            self.bar = Some(self.create_bar());
        }
        if let Some(bar) = &self.bar {
            bar.set_position(self.consumed.get());
        }
    }

    fn create_bar(&self) -> ProgressBar {
        match self.total_bytes {
            Some(total) => {
                let bar = ProgressBar::new(total);
                let style = ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
                )
                .expect("the template is valid");
                bar.set_style(style);
                bar
            }
            None => {
                let bar = ProgressBar::new_spinner();
                let style =
                    ProgressStyle::with_template("{spinner} {bytes} read ({bytes_per_sec})")
                        .expect("the template is valid");
                bar.set_style(style);
                bar
            }
        }
    }

    /// Removes the bar, if shown.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
