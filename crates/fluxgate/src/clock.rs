//! Where a breaker reads the time.
//!
//! A breaker never calls `Instant::now` directly: it asks its [`Clock`].
//! Production code uses [`MonotonicClock`]; tests and replays use
//! [`ManualClock`] and move time by hand, so nothing sleeps to wait out a
//! cooldown.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(feature = "quanta"))]
use std::time::Instant;
use std::time::{Duration, SystemTime};

/// A source of monotonic time for a breaker.
///
/// A reading is the time elapsed since the clock's own origin. Time windows
/// align their one-second buckets to whole seconds of these readings.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Returns the time elapsed since the clock's origin.
    fn now(&self) -> Duration;

    /// Converts a reading of this clock to wall-clock time, for reports.
    ///
    /// The default treats the origin as the Unix epoch, which is what a
    /// replay of timestamped logs wants.
    fn to_system_time(&self, reading: Duration) -> SystemTime {
        SystemTime::UNIX_EPOCH + reading
    }
}

/// The real monotonic clock, with its origin at its creation.
///
/// It reads `std::time::Instant`, or with the `quanta` feature the CPU's
/// time-stamp counter through the `quanta` crate, which costs less than
/// half as much per reading where the counter is usable and falls back to
/// the operating system's clock where it is not.
///
/// # Examples
///
/// ```
/// use fluxgate::{Clock, MonotonicClock};
///
/// let clock = MonotonicClock::new();
/// let first = clock.now();
/// assert!(clock.now() >= first);
/// ```
#[derive(Debug, Clone)]
pub struct MonotonicClock {
    source: Source,
    origin_wall: SystemTime,
}

#[cfg(not(feature = "quanta"))]
#[derive(Debug, Clone, Copy)]
struct Source {
    origin: Instant,
}

#[cfg(not(feature = "quanta"))]
impl Source {
    fn new() -> Source {
        Source {
            origin: Instant::now(),
        }
    }

    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }
}

#[cfg(feature = "quanta")]
#[derive(Debug, Clone)]
struct Source {
    clock: quanta::Clock,
    origin: quanta::Instant,
}

#[cfg(feature = "quanta")]
impl Source {
    fn new() -> Source {
        let clock = quanta::Clock::new();
        let origin = clock.now();
        Source { clock, origin }
    }

    fn elapsed(&self) -> Duration {
        self.clock.now().saturating_duration_since(self.origin)
    }
}

impl MonotonicClock {
    /// Creates a clock whose origin is now.
    pub fn new() -> Self {
        MonotonicClock {
            source: Source::new(),
            origin_wall: SystemTime::now(),
        }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        MonotonicClock::new()
    }
}

impl Clock for MonotonicClock {
    #[inline]
    fn now(&self) -> Duration {
        self.source.elapsed()
    }

    fn to_system_time(&self, reading: Duration) -> SystemTime {
        self.origin_wall + reading
    }
}

/// A clock that moves only when told to.
///
/// Clones share one time, so a test keeps a clone and advances the clock
/// the breaker reads. The time may also be set backwards, which a real
/// clock never does; the breaker tolerates it (see the crate docs).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::{Clock, ManualClock};
///
/// let clock = ManualClock::new();
/// let shared = clock.clone();
/// clock.advance(Duration::from_millis(1500));
/// assert_eq!(shared.now(), Duration::from_millis(1500));
/// shared.set(Duration::from_secs(10));
/// assert_eq!(clock.now(), Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// Creates a clock that reads zero.
    pub fn new() -> Self {
        ManualClock::default()
    }

    /// Creates a clock that reads `reading`.
    pub fn starting_at(reading: Duration) -> Self {
        let clock = ManualClock::new();
        clock.set(reading);
        clock
    }

    /// Moves the clock forward by `step`, saturating at about 584 years.
    pub fn advance(&self, step: Duration) {
        let step = saturating_nanos(step);
        // Relaxed: the clock is a single value with no data published
        // alongside it; callers that need ordering get it from the breaker.
        let _ = self
            .nanos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |now| {
                Some(now.saturating_add(step))
            });
    }

    /// Sets the clock to `reading`, forwards or backwards.
    pub fn set(&self, reading: Duration) {
        // Relaxed: as in `advance`.
        self.nanos
            .store(saturating_nanos(reading), Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        // Relaxed: as in `advance`.
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }
}

/// A breaker's clock: the default monotonic clock, called directly so the
/// compiler can inline it, or any other clock through its trait object.
#[derive(Debug)]
pub(crate) enum TimeSource {
    Monotonic(MonotonicClock),
    Shared(Arc<dyn Clock>),
}

impl TimeSource {
    #[inline]
    pub(crate) fn now(&self) -> Duration {
        match self {
            TimeSource::Monotonic(clock) => clock.now(),
            TimeSource::Shared(clock) => clock.now(),
        }
    }

    pub(crate) fn to_system_time(&self, reading: Duration) -> SystemTime {
        match self {
            TimeSource::Monotonic(clock) => clock.to_system_time(reading),
            TimeSource::Shared(clock) => clock.to_system_time(reading),
        }
    }
}

fn saturating_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
