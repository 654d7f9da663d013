//! Turns a syntax tree into a component, checking each call against the
//! functions of its component kind.

use std::ops::{BitAnd, BitOr, Not};

use super::error::{Located, PolicyError, shorten};
use super::signature::Function;
use super::suggest::nearest;
use super::syntax::{self, Call, ComponentKind, Expr};
use super::{permit, retry, tracker, tripper, window};

/// Parses `text` as an expression of `kind` and resolves it with
/// `resolve`, rendering any error against `text`.
pub(crate) fn parse_with<T>(
    text: &str,
    kind: ComponentKind,
    resolve: impl FnOnce(&Expr<'_>) -> Result<T, Located>,
) -> Result<T, PolicyError> {
    syntax::parse(text, kind)
        .and_then(|expr| resolve(&expr))
        .map_err(|located| PolicyError::located(text, located))
}

/// Resolves a tree of calls joined by `&`, `|` and `!`.
pub(crate) fn combined<T>(
    expr: &Expr<'_>,
    functions: &[Function<T>],
    kind: ComponentKind,
) -> Result<T, Located>
where
    T: BitAnd<Output = T> + BitOr<Output = T> + Not<Output = T>,
{
    match expr {
        Expr::Call(call) => single_call(call, functions, kind),
        Expr::And(left, right, _) => {
            Ok(combined(left, functions, kind)? & combined(right, functions, kind)?)
        }
        Expr::Or(left, right, _) => {
            Ok(combined(left, functions, kind)? | combined(right, functions, kind)?)
        }
        Expr::Not(inner, _) => Ok(!combined(inner, functions, kind)?),
    }
}

/// Resolves an expression that must be one call, for the kinds that do not
/// combine.
pub(crate) fn single<T>(
    expr: &Expr<'_>,
    functions: &[Function<T>],
    kind: ComponentKind,
) -> Result<T, Located> {
    let (operator, span) = match expr {
        Expr::Call(call) => return single_call(call, functions, kind),
        Expr::And(_, _, span) => ("&", span),
        Expr::Or(_, _, span) => ("|", span),
        Expr::Not(_, span) => ("!", span),
    };
    let message = format!("operator `{operator}` cannot be used on a {}", kind.name());
    Err(Located::new(*span, message)
        .with_label("only trackers and trippers combine with `&`, `|` and `!`"))
}

fn single_call<T>(
    call: &Call<'_>,
    functions: &[Function<T>],
    kind: ComponentKind,
) -> Result<T, Located> {
    match functions.iter().find(|function| function.name == call.name) {
        Some(function) => function.call(call),
        None => Err(unknown_function(call, functions, kind)),
    }
}

/// Explains an unknown function name: a misspelling, a function of another
/// component kind, or a tracker that exists only in code.
fn unknown_function<T>(call: &Call<'_>, functions: &[Function<T>], kind: ComponentKind) -> Located {
    let name = call.name;
    let written = shorten(name);
    let span = call.name_span;
    if kind == ComponentKind::Tracker && matches!(name, "custom" | "type_of") {
        let message = format!("`{written}` trackers can be built in code but not in a policy");
        return Located::new(span, message).with_label("use `kind(...)` to match error kind names");
    }

    let names = functions.iter().map(|function| function.name);
    if let Some(suggestion) = nearest(name, names.clone()) {
        let message = format!("unknown function `{written}` in {}", kind.name());
        return Located::new(span, message).with_label(format!("did you mean `{suggestion}`?"));
    }

    let owner = ComponentKind::ALL
        .into_iter()
        .find(|&other| other != kind && function_names(other).contains(&name));
    let message = match owner {
        Some(owner) => format!(
            "`{written}` is a {} function, not a {} function",
            owner.name(),
            kind.name()
        ),
        None => format!("unknown function `{written}` in {}", kind.name()),
    };
    let known: Vec<_> = names.collect();
    Located::new(span, message).with_label(format!("expected one of: {}", known.join(", ")))
}

/// Returns the function names of a component kind.
fn function_names(kind: ComponentKind) -> Vec<&'static str> {
    fn names<T>(functions: &[Function<T>]) -> Vec<&'static str> {
        functions.iter().map(|function| function.name).collect()
    }
    match kind {
        ComponentKind::Window => names(window::WINDOWS),
        ComponentKind::Tracker => names(tracker::TRACKERS),
        ComponentKind::Tripper => names(tripper::TRIPPERS),
        ComponentKind::Retry => names(retry::RETRIES),
        ComponentKind::Permit => names(permit::PERMITS),
    }
}
