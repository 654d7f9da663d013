//! `Serialize` for the types a breaker reports, and `Deserialize` for the
//! state and command names. Enabled by the `serde` feature.
//!
//! The shapes suit a health or admin endpoint:
//!
//! * [`State`], [`Command`] and [`CallResult`] are snake-case strings
//!   (`"half_open"`, `"force_open"`, `"rejected"`).
//! * Durations are seconds as floating-point numbers, and a time of day
//!   (`changed_at_wall`, `at_wall`) is seconds since the Unix epoch.
//! * A value that has no basis, such as the failure rate of an empty window,
//!   is `null`, never 0.
//! * [`Reason`] is an object whose `kind` names the variant (`command`,
//!   `tripped`, `recovered`, `retry_due`, `half_open_timeout`).
//!
//! ```
//! use fluxgate::CircuitBreaker;
//!
//! let breaker = CircuitBreaker::builder().name("payments").build()?;
//! let _ = breaker.call(|| Err::<(), _>("timeout"));
//! let json = serde_json::to_value(breaker.info())?;
//! assert_eq!(json["name"], "payments");
//! assert_eq!(json["state"], "closed");
//! assert_eq!(json["metric"]["failure_rate"], 1.0);
//! assert_eq!(json["metric"]["avg_duration"], serde_json::Value::Null);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::{Duration, SystemTime};

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};

use crate::breaker::Info;
use crate::listeners::{CallResult, Reason, Transition};
use crate::metric::Metric;
use crate::state::{Command, State};

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// Returns seconds since the Unix epoch, negative for earlier times.
fn unix_seconds(time: SystemTime) -> f64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(since) => since.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

/// Implements `Serialize` and `Deserialize` for a type that has a
/// snake-case `as_str` and a `FromStr` whose error names the allowed values.
macro_rules! impl_snake_case_serde {
    ($($name:ty),*) => {$(
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                name.parse().map_err(D::Error::custom)
            }
        }
    )*};
}

impl_snake_case_serde!(State, Command);

impl Serialize for CallResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            CallResult::Success => "success",
            CallResult::Failure => "failure",
            CallResult::Ignored => "ignored",
            CallResult::Rejected => "rejected",
        })
    }
}

/// The slow-call counts of a metric, as a list of `{threshold, count}`.
struct SlowCounts<'a>(&'a Metric);

impl Serialize for SlowCounts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(None)?;
        for (threshold, count) in self.0.slow_counts() {
            list.serialize_element(&SlowCount { threshold, count })?;
        }
        list.end()
    }
}

struct SlowCount {
    threshold: Duration,
    count: u64,
}

impl Serialize for SlowCount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut entry = serializer.serialize_struct("SlowCount", 2)?;
        entry.serialize_field("threshold", &seconds(self.threshold))?;
        entry.serialize_field("count", &self.count)?;
        entry.end()
    }
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut metric = serializer.serialize_struct("Metric", 8)?;
        metric.serialize_field("total_count", &self.total_count())?;
        metric.serialize_field("failure_count", &self.failure_count())?;
        metric.serialize_field("success_count", &self.success_count())?;
        metric.serialize_field("failure_rate", &self.failure_rate())?;
        metric.serialize_field("timed_count", &self.timed_count())?;
        metric.serialize_field("total_duration", &self.total_duration().map(seconds))?;
        metric.serialize_field("avg_duration", &self.avg_duration().map(seconds))?;
        metric.serialize_field("slow_counts", &SlowCounts(self))?;
        metric.end()
    }
}

impl Serialize for Info {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut info = serializer.serialize_struct("Info", 8)?;
        info.serialize_field("name", &*self.name)?;
        info.serialize_field("state", &self.state)?;
        info.serialize_field("changed_at", &seconds(self.changed_at))?;
        info.serialize_field("changed_at_wall", &unix_seconds(self.changed_at_wall))?;
        info.serialize_field("reopens", &self.reopens)?;
        info.serialize_field("consecutive_failures", &self.consecutive_failures)?;
        info.serialize_field("probes_in_flight", &self.probes_in_flight)?;
        info.serialize_field("metric", &self.metric)?;
        info.end()
    }
}

impl Serialize for Transition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut transition = serializer.serialize_struct("Transition", 7)?;
        transition.serialize_field("name", &*self.name)?;
        transition.serialize_field("from", &self.from)?;
        transition.serialize_field("to", &self.to)?;
        transition.serialize_field("at", &seconds(self.at))?;
        transition.serialize_field("at_wall", &unix_seconds(self.at_wall))?;
        transition.serialize_field("reopens", &self.reopens)?;
        transition.serialize_field("reason", &self.reason)?;
        transition.end()
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut reason = serializer.serialize_map(None)?;
        match self {
            Reason::Command(command) => {
                reason.serialize_entry("kind", "command")?;
                reason.serialize_entry("command", command)?;
            }
            Reason::Tripped {
                metric,
                consecutive_failures,
                cause,
            } => {
                reason.serialize_entry("kind", "tripped")?;
                reason.serialize_entry("cause", cause)?;
                reason.serialize_entry("consecutive_failures", consecutive_failures)?;
                reason.serialize_entry("metric", metric)?;
            }
            Reason::Recovered {
                metric,
                consecutive_failures,
            } => {
                reason.serialize_entry("kind", "recovered")?;
                reason.serialize_entry("consecutive_failures", consecutive_failures)?;
                reason.serialize_entry("metric", metric)?;
            }
            Reason::RetryDue => reason.serialize_entry("kind", "retry_due")?,
            Reason::HalfOpenTimeout => reason.serialize_entry("kind", "half_open_timeout")?,
        }
        reason.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn state_names_round_trip() {
        for state in State::ALL {
            let json = serde_json::to_value(state).unwrap();
            assert_eq!(json, state.as_str());
            assert_eq!(serde_json::from_value::<State>(json).unwrap(), state);
        }
    }

    #[test]
    fn unknown_state_name_is_error() {
        let error = serde_json::from_str::<State>("\"halfopen\"").unwrap_err();
        assert!(error.to_string().starts_with("unknown state \"halfopen\""));
    }

    #[test]
    fn command_names_round_trip() {
        let command: Command = serde_json::from_str("\"force_open\"").unwrap();
        assert_eq!(command, Command::ForceOpen);
        assert_eq!(serde_json::to_value(Command::Reset).unwrap(), "reset");
    }

    #[test]
    fn metric_writes_seconds_and_nulls() {
        let metric = Metric::new(4, 1)
            .with_durations(4, Duration::from_secs(2))
            .with_slow_count(Duration::from_millis(250), 3);
        assert_eq!(
            serde_json::to_value(metric).unwrap(),
            json!({
                "total_count": 4,
                "failure_count": 1,
                "success_count": 3,
                "failure_rate": 0.25,
                "timed_count": 4,
                "total_duration": 2.0,
                "avg_duration": 0.5,
                "slow_counts": [{"threshold": 0.25, "count": 3}],
            })
        );
        let empty = serde_json::to_value(Metric::default()).unwrap();
        assert_eq!(empty["failure_rate"], serde_json::Value::Null);
        assert_eq!(empty["total_duration"], serde_json::Value::Null);
    }

    #[test]
    fn reason_is_tagged_by_kind() {
        let tripped = Reason::Tripped {
            metric: Metric::new(2, 2),
            consecutive_failures: 2,
            cause: "failure_streak(2)".to_owned(),
        };
        let json = serde_json::to_value(&tripped).unwrap();
        assert_eq!(json["kind"], "tripped");
        assert_eq!(json["cause"], "failure_streak(2)");
        assert_eq!(json["consecutive_failures"], 2);
        assert_eq!(json["metric"]["failure_count"], 2);

        let command = serde_json::to_value(Reason::Command(Command::Disable)).unwrap();
        assert_eq!(command, json!({"kind": "command", "command": "disable"}));
        let retry = serde_json::to_value(Reason::RetryDue).unwrap();
        assert_eq!(retry, json!({"kind": "retry_due"}));
    }

    #[test]
    fn info_writes_wall_time_as_unix_seconds() {
        let clock = crate::ManualClock::starting_at(Duration::from_secs(1_700_000_000));
        let breaker = crate::CircuitBreaker::builder()
            .name("search")
            .clock(clock)
            .build()
            .unwrap();
        let json = serde_json::to_value(breaker.info()).unwrap();

        assert_eq!(json["name"], "search");
        assert_eq!(json["state"], "closed");
        assert_eq!(json["changed_at"], 1_700_000_000.0);
        assert_eq!(json["changed_at_wall"], 1_700_000_000.0);
        assert_eq!(json["reopens"], 0);
        assert_eq!(json["probes_in_flight"], 0);
        assert_eq!(json["metric"]["total_count"], 0);
    }
}
