//! A progress bar on standard error for long replays.
//!
//! The bar appears only when standard error is a terminal and the replay
//! has run for [`DELAY`]; short runs and redirected runs print nothing.

use std::cell::Cell;
use std::io::IsTerminal;
use std::rc::Rc;
use std::time::{Duration, Instant};

use fluxgate::DisplayDuration;
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};

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
        let consumed = self.consumed.get();
        let elapsed = self.started.elapsed();
        let message = rate_text(consumed, self.total_bytes, elapsed);
        match &self.bar {
            Some(bar) => {
                bar.set_message(message);
                bar.set_position(consumed);
            }
            None if elapsed >= DELAY => self.bar = Some(self.create_bar(consumed, message)),
            None => {}
        }
    }

    /// Creates the bar with its first position and message set, so that
    /// its first drawing shows them.
    fn create_bar(&self, consumed: u64, message: String) -> ProgressBar {
        let (bar, template) = match self.total_bytes {
            Some(total) => (
                ProgressBar::new(total),
                "{bar:40} {bytes}/{total_bytes} ({msg})",
            ),
            None => (ProgressBar::new_spinner(), "{spinner} {bytes} read ({msg})"),
        };
        let style = ProgressStyle::with_template(template).expect("the template is valid");
        bar.with_style(style)
            .with_position(consumed)
            .with_message(message)
    }

    /// Removes the bar, if shown.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Returns the read rate averaged since the replay started and, when the
/// total is known, the time left at that rate: `200.00 MiB/s, 8s left`.
///
/// indicatif's own estimate (0.18) starts when the bar appears, so the bytes read
/// before then counted as read in an instant and made the first rate
/// absurd, such as 7 TiB/s.
fn rate_text(consumed: u64, total: Option<u64>, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if seconds <= 0.0 || consumed == 0 {
        return "measuring the rate".to_owned();
    }
    let per_second = consumed as f64 / seconds;
    let rate = format!("{}/s", HumanBytes(per_second as u64));
    match total {
        Some(total) => {
            let left = total.saturating_sub(consumed) as f64 / per_second;
            let left = Duration::from_secs(left.round() as u64);
            format!("{rate}, {} left", DisplayDuration(left))
        }
        None => rate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_is_averaged_since_the_start() {
        let mib = 1 << 20;
        let cases = [
            (400 * mib, Some(2048 * mib), 2.0, "200.00 MiB/s, 8s left"),
            (400 * mib, None, 2.0, "200.00 MiB/s"),
            (2048 * mib, Some(2048 * mib), 4.5, "455.11 MiB/s, 0s left"),
            (90 * mib, Some(5490 * mib), 1.0, "90.00 MiB/s, 1m left"),
            (0, Some(mib), 2.0, "measuring the rate"),
            (mib, Some(mib), 0.0, "measuring the rate"),
        ];
        for (consumed, total, seconds, expected) in cases {
            let elapsed = Duration::from_secs_f64(seconds);
            assert_eq!(
                rate_text(consumed, total, elapsed),
                expected,
                "{consumed} {seconds}"
            );
        }
    }
}
