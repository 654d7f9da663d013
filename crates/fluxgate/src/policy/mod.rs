#![doc = include_str!("reference.md")]

/// Implements `From` for each core component that a policy enum wraps.
macro_rules! impl_from_components {
    ($enum:ident { $($variant:ident($component:ty)),+ $(,)? }) => {$(
        impl From<$component> for $enum {
            fn from(component: $component) -> Self {
                $enum::$variant(component)
            }
        }
    )+};
}

/// Implements `FromStr` for a component through its parse function.
macro_rules! impl_from_str {
    ($component:ty, $parse:ident) => {
        impl std::str::FromStr for $component {
            type Err = PolicyError;

            #[doc = concat!("Parses an expression, as [`", stringify!($parse), "`] does.")]
            fn from_str(text: &str) -> Result<$component, PolicyError> {
                $parse(text)
            }
        }
    };
}

/// Implements `&`, `|` and `!` for a policy enum with `And`, `Or` and `Not`
/// variants, so that combining gives the same enum again.
macro_rules! impl_policy_operators {
    ($enum:ident) => {
        impl<R: Into<$enum>> std::ops::BitAnd<R> for $enum {
            type Output = $enum;

            fn bitand(self, right: R) -> $enum {
                $enum::And(crate::ops::And::new(Box::new(self), Box::new(right.into())))
            }
        }

        impl<R: Into<$enum>> std::ops::BitOr<R> for $enum {
            type Output = $enum;

            fn bitor(self, right: R) -> $enum {
                $enum::Or(crate::ops::Or::new(Box::new(self), Box::new(right.into())))
            }
        }

        impl std::ops::Not for $enum {
            type Output = $enum;

            fn not(self) -> $enum {
                $enum::Not(crate::ops::Not::new(Box::new(self)))
            }
        }
    };
}

mod error;
mod lexer;
mod number;
mod permit;
mod resolve;
mod retry;
mod rules;
mod signature;
mod suggest;
mod syntax;
mod tracker;
mod tripper;
mod window;

#[cfg(feature = "policy-file")]
mod file;
#[cfg(feature = "policy-file")]
mod toml_error;
#[cfg(feature = "policy-file")]
mod toml_string;

pub use error::PolicyError;
pub use permit::{PolicyPermit, parse_permit};
pub use retry::{PolicyRetry, parse_retry};
pub use rules::{Policy, parse_duration};
pub use tracker::{PolicyTracker, parse_tracker};
pub use tripper::{PolicyTripper, parse_tripper};
pub use window::parse_window;

#[cfg(feature = "policy-file")]
pub use file::PolicyFile;
