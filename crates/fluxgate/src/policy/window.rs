//! Windows in the policy language: `count(n)` and `time(d)`.

use super::error::{Located, PolicyError};
use super::resolve;
use super::signature::{ArgKind, Args, Function, Param};
use super::syntax::ComponentKind;
use crate::windows::{CountWindow, TimeWindow, Window};

pub(crate) const WINDOWS: &[Function<Window>] = &[
    Function::new("count", &[Param::required("size", ArgKind::Count)], count),
    Function::new("time", &[Param::required("size", ArgKind::Duration)], time),
];

fn count(args: &Args<'_, '_>) -> Result<Window, Located> {
    let size = args.count(0)?;
    args.check(CountWindow::new(size)).map(Window::Count)
}

fn time(args: &Args<'_, '_>) -> Result<Window, Located> {
    let size = args.duration(0)?;
    args.check(TimeWindow::new(size)).map(Window::Time)
}

/// Parses a window expression: `count(100)` or `time(60s)`.
///
/// # Errors
///
/// Returns an error, located in `text`, when the expression is malformed
/// or the size is out of range.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fluxgate::policy::parse_window;
/// use fluxgate::windows::{TimeWindow, Window};
///
/// let window = parse_window("time(5m)")?;
/// assert_eq!(window, Window::Time(TimeWindow::new(Duration::from_secs(300))?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_window(text: &str) -> Result<Window, PolicyError> {
    resolve::parse_with(text, ComponentKind::Window, |expr| {
        resolve::single(expr, WINDOWS, ComponentKind::Window)
    })
}

impl_from_str!(Window, parse_window);
