//! The combinators behind `&`, `|` and `!`, shared by trackers and
//! trippers.
//!
//! `a & b` builds [`And`], `a | b` builds [`Or`] and `!a` builds [`Not`].
//! Evaluation short-circuits from left to right. Their `Display` prints the
//! flat expression a policy would contain, with parentheses only where
//! precedence needs them: `!` binds tighter than `&`, which binds tighter
//! than `|`, and both binary operators group to the left.
//!
//! # Examples
//!
//! ```
//! use fluxgate::trippers::{FailureRate, FailureStreak, MinRequests};
//!
//! let tripper = FailureStreak::new(5)? | (MinRequests::new(20)? & FailureRate::new(0.5)?);
//! assert_eq!(
//!     tripper.to_string(),
//!     "failure_streak(5) | min_requests(20) & failure_rate(0.5)"
//! );
//! let negated = !(MinRequests::new(5)? | FailureRate::new(0.2)?);
//! assert_eq!(negated.to_string(), "!(min_requests(5) | failure_rate(0.2))");
//! # Ok::<(), fluxgate::ConfigError>(())
//! ```

use std::fmt;

/// Both operands hold (`a & b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct And<A, B> {
    left: A,
    right: B,
}

/// Either operand holds (`a | b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Or<A, B> {
    left: A,
    right: B,
}

/// The operand does not hold (`!a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Not<A> {
    inner: A,
}

impl<A, B> And<A, B> {
    /// Creates `left & right`.
    pub const fn new(left: A, right: B) -> Self {
        And { left, right }
    }

    /// Returns the left operand.
    pub const fn left(&self) -> &A {
        &self.left
    }

    /// Returns the right operand.
    pub const fn right(&self) -> &B {
        &self.right
    }
}

impl<A, B> Or<A, B> {
    /// Creates `left | right`.
    pub const fn new(left: A, right: B) -> Self {
        Or { left, right }
    }

    /// Returns the left operand.
    pub const fn left(&self) -> &A {
        &self.left
    }

    /// Returns the right operand.
    pub const fn right(&self) -> &B {
        &self.right
    }
}

impl<A> Not<A> {
    /// Creates `!inner`.
    pub const fn new(inner: A) -> Self {
        Not { inner }
    }

    /// Returns the negated operand.
    pub const fn inner(&self) -> &A {
        &self.inner
    }
}

// The parent passes its binding strength to each operand through the
// formatter's precision, so an operand can decide alone whether it needs
// parentheses. Leaves format their own text with fresh `write!` calls and
// never see it.
const OR: usize = 1;
const AND: usize = 2;
const NOT: usize = 3;

fn needs_parentheses(f: &fmt::Formatter<'_>, own: usize) -> bool {
    f.precision().is_some_and(|required| own < required)
}

fn write_binary(
    f: &mut fmt::Formatter<'_>,
    own: usize,
    operator: &str,
    left: &dyn fmt::Display,
    right: &dyn fmt::Display,
) -> fmt::Result {
    let wrap = needs_parentheses(f, own);
    if wrap {
        f.write_str("(")?;
    }
    // The right operand needs parentheses at equal strength, because the
    // parser groups equal operators to the left.
    let stronger = own + 1;
    write!(f, "{left:.own$} {operator} {right:.stronger$}")?;
    if wrap {
        f.write_str(")")?;
    }
    Ok(())
}

impl<A: fmt::Display, B: fmt::Display> fmt::Display for And<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_binary(f, AND, "&", &self.left, &self.right)
    }
}

impl<A: fmt::Display, B: fmt::Display> fmt::Display for Or<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_binary(f, OR, "|", &self.left, &self.right)
    }
}

impl<A: fmt::Display> fmt::Display for Not<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wrap = needs_parentheses(f, NOT);
        if wrap {
            f.write_str("(")?;
        }
        write!(f, "!{:.NOT$}", self.inner)?;
        if wrap {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Implements `&`, `|` and `!` for component types, building [`And`],
/// [`Or`] and [`Not`].
///
/// Use it for a tracker or tripper of your own so that it combines with
/// the built-in ones by operator:
///
/// ```
/// use std::fmt;
/// use fluxgate::trippers::{Context, FailureRate, Tripper};
///
/// #[derive(Debug)]
/// struct NeverTrips;
///
/// impl fmt::Display for NeverTrips {
///     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
///         f.write_str("never_trips()")
///     }
/// }
///
/// impl Tripper for NeverTrips {
///     fn trips(&self, _: &Context<'_>) -> bool {
///         false
///     }
/// }
///
/// fluxgate::impl_operators!(NeverTrips);
///
/// let tripper = NeverTrips | FailureRate::new(0.5)?;
/// assert_eq!(tripper.to_string(), "never_trips() | failure_rate(0.5)");
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
#[macro_export]
macro_rules! impl_operators {
    ($($ty:ident $(<$($param:ident),+>)?),+ $(,)?) => {$(
        impl<__Rhs $($(, $param)+)?> ::std::ops::BitAnd<__Rhs> for $ty $(<$($param),+>)? {
            type Output = $crate::ops::And<Self, __Rhs>;

            fn bitand(self, rhs: __Rhs) -> Self::Output {
                $crate::ops::And::new(self, rhs)
            }
        }

        impl<__Rhs $($(, $param)+)?> ::std::ops::BitOr<__Rhs> for $ty $(<$($param),+>)? {
            type Output = $crate::ops::Or<Self, __Rhs>;

            fn bitor(self, rhs: __Rhs) -> Self::Output {
                $crate::ops::Or::new(self, rhs)
            }
        }

        impl $(<$($param),+>)? ::std::ops::Not for $ty $(<$($param),+>)? {
            type Output = $crate::ops::Not<Self>;

            fn not(self) -> Self::Output {
                $crate::ops::Not::new(self)
            }
        }
    )+};
}

impl_operators!(And<A, B>, Or<A, B>, Not<A>);

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy)]
    struct Leaf(&'static str);

    impl fmt::Display for Leaf {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl_operators!(Leaf);

    const A: Leaf = Leaf("a");
    const B: Leaf = Leaf("b");
    const C: Leaf = Leaf("c");

    #[test]
    fn left_grouping_needs_no_parentheses() {
        assert_eq!((A & B & C).to_string(), "a & b & c");
        assert_eq!((A | B | C).to_string(), "a | b | c");
        assert_eq!((A & B | C).to_string(), "a & b | c");
        assert_eq!((A | B & C).to_string(), "a | b & c");
    }

    #[test]
    fn right_grouping_keeps_parentheses() {
        assert_eq!((A & (B & C)).to_string(), "a & (b & c)");
        assert_eq!((A | (B | C)).to_string(), "a | (b | c)");
        assert_eq!(((A | B) & C).to_string(), "(a | b) & c");
    }

    #[test]
    fn negation_binds_tightest() {
        assert_eq!((!A & B).to_string(), "!a & b");
        assert_eq!((!(A & B)).to_string(), "!(a & b)");
        assert_eq!((!!A).to_string(), "!!a");
        assert_eq!((!(!A | B)).to_string(), "!(!a | b)");
    }
}
