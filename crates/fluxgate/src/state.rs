//! The six states of a breaker and the manual commands that move between
//! them.

use std::fmt;
use std::str::FromStr;

/// The state of a circuit breaker.
///
/// | state | calls | records outcomes | leaves by |
/// |---|---|---|---|
/// | `Closed` | admitted | yes | the tripper → `Open` |
/// | `Open` | rejected | no | the retry strategy, at the next call → `HalfOpen` |
/// | `HalfOpen` | some admitted as probes | yes | the tripper → `Closed` or `Open` |
/// | `MetricsOnly` | admitted | yes | a manual command only |
/// | `Disabled` | admitted | no | a manual command only |
/// | `ForcedOpen` | rejected | no | a manual command only |
///
/// # Examples
///
/// ```
/// use fluxgate::State;
///
/// assert_eq!(State::HalfOpen.to_string(), "half_open");
/// assert_eq!("forced_open".parse::<State>(), Ok(State::ForcedOpen));
/// assert!(State::Open.rejects_calls());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Calls pass and their outcomes are judged by the tripper.
    Closed,
    /// Calls are rejected until the retry strategy allows a probe.
    Open,
    /// A limited number of probe calls pass to test the dependency.
    HalfOpen,
    /// Calls pass and are recorded, but the circuit never opens.
    MetricsOnly,
    /// Calls pass and nothing is recorded.
    Disabled,
    /// Every call is rejected until a manual command changes the state.
    ForcedOpen,
}

impl State {
    /// Every state, in declaration order.
    pub const ALL: [State; 6] = [
        State::Closed,
        State::Open,
        State::HalfOpen,
        State::MetricsOnly,
        State::Disabled,
        State::ForcedOpen,
    ];

    /// Returns the snake-case name used in policies, logs and metrics.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen => "half_open",
            State::MetricsOnly => "metrics_only",
            State::Disabled => "disabled",
            State::ForcedOpen => "forced_open",
        }
    }

    /// Returns `true` for the states that reject every call (`Open` and
    /// `ForcedOpen`).
    pub const fn rejects_calls(self) -> bool {
        matches!(self, State::Open | State::ForcedOpen)
    }

    /// Returns `true` for the states whose outcomes go into the window
    /// (`Closed`, `HalfOpen` and `MetricsOnly`).
    #[inline]
    pub const fn records_outcomes(self) -> bool {
        matches!(self, State::Closed | State::HalfOpen | State::MetricsOnly)
    }

    pub(crate) const fn to_bits(self) -> u64 {
        match self {
            State::Closed => 0,
            State::Open => 1,
            State::HalfOpen => 2,
            State::MetricsOnly => 3,
            State::Disabled => 4,
            State::ForcedOpen => 5,
        }
    }

    #[inline]
    /// Returns the state's position in [`State::ALL`], for tables indexed
    /// by state.
    #[cfg_attr(not(any(feature = "tracing", feature = "slack")), allow(dead_code))]
    pub(crate) const fn index(self) -> usize {
        // The bits number the states in the order of `ALL`.
        self.to_bits() as usize
    }

    pub(crate) const fn from_bits(bits: u64) -> State {
        match bits {
            0 => State::Closed,
            1 => State::Open,
            2 => State::HalfOpen,
            3 => State::MetricsOnly,
            4 => State::Disabled,
            _ => State::ForcedOpen,
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when parsing an unknown state or command name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    what: &'static str,
    name: String,
    allowed: &'static str,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?} (expected one of: {})",
            self.what, self.name, self.allowed
        )
    }
}

impl std::error::Error for UnknownName {}

impl FromStr for State {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|state| state.as_str() == name)
            .ok_or_else(|| UnknownName {
                what: "state",
                name: name.to_owned(),
                allowed: "closed, open, half_open, metrics_only, disabled, forced_open",
            })
    }
}

/// A manual command, issued by an operator or by code.
///
/// Each command is a transition like any other: it clears the window and is
/// sent to every listener, even when the breaker is already in the target
/// state.
///
/// # Examples
///
/// ```
/// use fluxgate::{Command, State};
///
/// let command: Command = "force_open".parse()?;
/// assert_eq!(command.target(), State::ForcedOpen);
/// # Ok::<(), fluxgate::UnknownName>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Moves to `Closed`.
    Reset,
    /// Moves to `Disabled`.
    Disable,
    /// Moves to `MetricsOnly`.
    MetricsOnly,
    /// Moves to `ForcedOpen`.
    ForceOpen,
}

impl Command {
    /// Every command, in declaration order.
    pub const ALL: [Command; 4] = [
        Command::Reset,
        Command::Disable,
        Command::MetricsOnly,
        Command::ForceOpen,
    ];

    /// Returns the state the command moves the breaker to.
    pub const fn target(self) -> State {
        match self {
            Command::Reset => State::Closed,
            Command::Disable => State::Disabled,
            Command::MetricsOnly => State::MetricsOnly,
            Command::ForceOpen => State::ForcedOpen,
        }
    }

    /// Returns the snake-case name of the method that issues the command.
    pub const fn as_str(self) -> &'static str {
        match self {
            Command::Reset => "reset",
            Command::Disable => "disable",
            Command::MetricsOnly => "metrics_only",
            Command::ForceOpen => "force_open",
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Command {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Command::ALL
            .into_iter()
            .find(|command| command.as_str() == name)
            .ok_or_else(|| UnknownName {
                what: "command",
                name: name.to_owned(),
                allowed: "reset, disable, metrics_only, force_open",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_position_in_all() {
        for (position, state) in State::ALL.into_iter().enumerate() {
            assert_eq!(state.index(), position);
        }
    }

    #[test]
    fn state_names_round_trip() {
        for state in State::ALL {
            assert_eq!(state.as_str().parse::<State>(), Ok(state));
            assert_eq!(State::from_bits(state.to_bits()), state);
        }
    }

    #[test]
    fn unknown_state_lists_allowed_names() {
        let error = "halfopen".parse::<State>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown state \"halfopen\" (expected one of: closed, open, half_open, \
             metrics_only, disabled, forced_open)"
        );
    }

    #[test]
    fn command_names_round_trip() {
        for command in Command::ALL {
            assert_eq!(command.as_str().parse::<Command>(), Ok(command));
        }
        assert_eq!(Command::MetricsOnly.target(), State::MetricsOnly);
    }
}
