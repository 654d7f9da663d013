//! A bounded summary of a replay over time, for the plot: how long each
//! state lasted, how many calls were rejected, and the window's rates, in
//! at most [`MAX_BUCKETS`] equal intervals however long the input.
//!
//! The interval width starts at one millisecond and doubles, merging
//! neighbours, whenever the replay runs past the last interval.

use std::time::Duration;

use fluxgate::{Metric, State};

/// The maximum number of intervals a timeline keeps.
pub const MAX_BUCKETS: usize = 1024;

const FIRST_WIDTH: Duration = Duration::from_millis(1);

/// One interval of a timeline.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bucket {
    /// Seconds spent in each state, indexed like [`State::ALL`].
    pub state_seconds: [f64; 6],
    /// Calls rejected in the interval.
    pub rejected: u64,
    /// The number of window samples taken in the interval.
    pub samples: u32,
    /// `true` when the window was empty at the interval's last sample, as
    /// after a transition, which clears it.
    pub ends_empty: bool,
    /// The highest failure rate of the window sampled in the interval.
    pub failure_rate: Option<f64>,
    /// The highest slow-call rate sampled in the interval, for the first
    /// slow threshold of the tripper.
    pub slow_rate: Option<f64>,
}

impl Bucket {
    fn merge(self, other: Bucket) -> Bucket {
        let mut state_seconds = self.state_seconds;
        for (total, extra) in state_seconds.iter_mut().zip(other.state_seconds) {
            *total += extra;
        }
        Bucket {
            state_seconds,
            rejected: self.rejected + other.rejected,
            samples: self.samples + other.samples,
            ends_empty: if other.samples > 0 {
                other.ends_empty
            } else {
                self.ends_empty
            },
            failure_rate: max_rate(self.failure_rate, other.failure_rate),
            slow_rate: max_rate(self.slow_rate, other.slow_rate),
        }
    }

    /// Returns the state that lasted longest in the interval, if any time
    /// passed in it.
    pub fn main_state(&self) -> Option<State> {
        let (index, seconds) = self
            .state_seconds
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))?;
        (*seconds > 0.0).then(|| State::ALL[index])
    }
}

fn max_rate(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The replay summarized over time.
#[derive(Debug, Clone)]
pub struct Timeline {
    origin: Option<Duration>,
    width: Duration,
    buckets: Vec<Bucket>,
    cursor: Duration,
    slow_threshold: Option<Duration>,
}

impl Timeline {
    /// Creates an empty timeline; `slow_threshold` is the threshold whose
    /// slow-call rate to sample, when the tripper reads one.
    pub fn new(slow_threshold: Option<Duration>) -> Timeline {
        Timeline {
            origin: None,
            width: FIRST_WIDTH,
            buckets: Vec::new(),
            cursor: Duration::ZERO,
            slow_threshold,
        }
    }

    /// Returns the time of the first line, once there is one.
    pub fn origin(&self) -> Option<Duration> {
        self.origin
    }

    /// Returns the newest time the timeline covers.
    pub fn end(&self) -> Duration {
        self.cursor
    }

    /// Returns the width of each interval.
    pub fn width(&self) -> Duration {
        self.width
    }

    /// Returns the intervals, oldest first.
    pub fn buckets(&self) -> &[Bucket] {
        &self.buckets
    }

    /// Returns the slow threshold whose rate is sampled.
    pub fn slow_threshold(&self) -> Option<Duration> {
        self.slow_threshold
    }

    /// Returns `true` when `to` falls in a later interval than the newest
    /// time covered, so the caller should sample the window first.
    pub fn crosses_interval(&self, to: Duration) -> bool {
        match self.origin {
            None => false,
            Some(origin) => {
                let width = self.width.as_nanos();
                (to.saturating_sub(origin).as_nanos() / width)
                    > (self.cursor.saturating_sub(origin).as_nanos() / width)
            }
        }
    }

    /// Extends the timeline to `to`, counting the time since the newest
    /// time covered as spent in `state`. Earlier times change nothing.
    pub fn advance(&mut self, to: Duration, state: State) {
        let origin = *self.origin.get_or_insert(to);
        if self.buckets.is_empty() {
            self.cursor = origin;
            self.buckets.push(Bucket::default());
        }
        if to <= self.cursor {
            return;
        }
        self.index_growing(to);

        let state_index = state_index(state);
        while self.cursor < to {
            let index = self.index_growing(self.cursor);
            let bucket_end = origin + self.width * (index as u32 + 1);
            let step_end = bucket_end.min(to);
            self.buckets[index].state_seconds[state_index] +=
                (step_end - self.cursor).as_secs_f64();
            self.cursor = step_end;
        }
    }

    /// Counts a rejected call at the newest time covered.
    pub fn add_rejection(&mut self) {
        if let Some(bucket) = self.current_bucket() {
            bucket.rejected += 1;
        }
    }

    /// Samples the window's rates at the newest time covered.
    pub fn sample(&mut self, metric: &Metric) {
        let failure_rate = metric.failure_rate();
        let slow_rate = self
            .slow_threshold
            .and_then(|threshold| metric.slow_rate(threshold));
        if let Some(bucket) = self.current_bucket() {
            bucket.samples += 1;
            bucket.ends_empty = metric.total_count() == 0;
            bucket.failure_rate = max_rate(bucket.failure_rate, failure_rate);
            bucket.slow_rate = max_rate(bucket.slow_rate, slow_rate);
        }
    }

    /// Records that a transition cleared the window at the newest time
    /// covered.
    pub fn clear_window(&mut self) {
        if let Some(bucket) = self.current_bucket() {
            bucket.samples += 1;
            bucket.ends_empty = true;
        }
    }

    fn current_bucket(&mut self) -> Option<&mut Bucket> {
        let origin = self.origin?;
        let index = self.index_of(self.cursor, origin);
        self.buckets.get_mut(index)
    }

    fn index_of(&self, at: Duration, origin: Duration) -> usize {
        let offset = at.saturating_sub(origin).as_nanos();
        (offset / self.width.as_nanos()) as usize
    }

    /// Returns the interval of `at`, first widening the intervals until
    /// `at` fits and adding empty ones up to it.
    fn index_growing(&mut self, at: Duration) -> usize {
        let origin = self.origin.expect("advance sets the origin first");
        let mut index = self.index_of(at, origin);
        while index >= MAX_BUCKETS {
            self.merge_pairs();
            index = self.index_of(at, origin);
        }
        if index >= self.buckets.len() {
            self.buckets.resize(index + 1, Bucket::default());
        }
        index
    }

    fn merge_pairs(&mut self) {
        let merged = self
            .buckets
            .chunks(2)
            .map(|pair| match *pair {
                [first, second] => first.merge(second),
                [only] => only,
                _ => unreachable!("chunks of two"),
            })
            .collect();
        self.buckets = merged;
        self.width *= 2;
    }
}

fn state_index(state: State) -> usize {
    State::ALL
        .iter()
        .position(|candidate| *candidate == state)
        .expect("State::ALL lists every state")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(value: f64) -> Duration {
        Duration::from_secs_f64(value)
    }

    #[test]
    fn time_is_split_by_state() {
        let mut timeline = Timeline::new(None);
        timeline.advance(seconds(10.0), State::Closed);
        timeline.advance(seconds(12.0), State::Closed);
        timeline.advance(seconds(13.0), State::Open);
        timeline.advance(seconds(11.0), State::HalfOpen);
        let total: [f64; 6] = timeline.buckets().iter().fold([0.0; 6], |mut sum, bucket| {
            for (total, spent) in sum.iter_mut().zip(bucket.state_seconds) {
                *total += spent;
            }
            sum
        });
        assert!((total[0] - 2.0).abs() < 1e-9, "{total:?}");
        assert!((total[1] - 1.0).abs() < 1e-9, "{total:?}");
        assert_eq!(total[2], 0.0);
        assert_eq!(timeline.origin(), Some(seconds(10.0)));
        assert_eq!(timeline.end(), seconds(13.0));
    }

    #[test]
    fn intervals_stay_bounded() {
        let mut timeline = Timeline::new(None);
        for second in 0..100_000u64 {
            timeline.advance(Duration::from_secs(second), State::Closed);
            timeline.add_rejection();
        }
        assert!(timeline.buckets().len() <= MAX_BUCKETS);
        assert!(timeline.buckets().len() > MAX_BUCKETS / 2);
        let rejected: u64 = timeline
            .buckets()
            .iter()
            .map(|bucket| bucket.rejected)
            .sum();
        assert_eq!(rejected, 100_000);
        let width = timeline.width();
        assert_eq!(width.as_nanos() % FIRST_WIDTH.as_nanos(), 0);
        assert!(width * MAX_BUCKETS as u32 > Duration::from_secs(99_999));
    }

    #[test]
    fn samples_keep_the_peak() {
        let mut timeline = Timeline::new(Some(Duration::from_secs(1)));
        timeline.advance(Duration::ZERO, State::Closed);
        timeline.sample(&Metric::new(10, 2).with_slow_count(Duration::from_secs(1), 5));
        timeline.sample(&Metric::new(10, 6));
        timeline.sample(&Metric::default());
        let bucket = timeline.buckets()[0];
        assert_eq!(bucket.samples, 3);
        assert!(bucket.ends_empty);
        assert_eq!(bucket.failure_rate, Some(0.6));
        assert_eq!(bucket.slow_rate, Some(0.5));
    }

    #[test]
    fn cleared_window_ends_the_interval_empty() {
        let mut timeline = Timeline::new(None);
        timeline.advance(Duration::ZERO, State::Closed);
        timeline.sample(&Metric::new(10, 6));
        assert!(!timeline.buckets()[0].ends_empty);
        timeline.clear_window();
        let bucket = timeline.buckets()[0];
        assert!(bucket.ends_empty);
        assert_eq!(bucket.samples, 2);
        assert_eq!(bucket.failure_rate, Some(0.6));
    }

    #[test]
    fn crossing_follows_intervals() {
        let mut timeline = Timeline::new(None);
        assert!(!timeline.crosses_interval(Duration::from_secs(5)));
        timeline.advance(Duration::from_secs(5), State::Closed);
        assert!(!timeline.crosses_interval(Duration::from_micros(5_000_500)));
        assert!(timeline.crosses_interval(Duration::from_millis(5_001)));
    }

    #[test]
    fn main_state_is_longest() {
        let mut bucket = Bucket::default();
        assert_eq!(bucket.main_state(), None);
        bucket.state_seconds[1] = 0.4;
        bucket.state_seconds[2] = 0.6;
        assert_eq!(bucket.main_state(), Some(State::HalfOpen));
    }
}
