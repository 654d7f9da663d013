//! The functions of the policy language, their parameters, and the binding
//! of a call's arguments to those parameters.

use std::time::Duration;

use super::error::{Located, shorten};
use super::lexer::Span;
use super::number::NumberError;
use super::suggest::nearest;
use super::syntax::{Argument, Call, Value};
use crate::error::ConfigError;

/// The type of value a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgKind {
    /// A whole number without sign: `20`.
    Count,
    /// A number or a percentage: `0.5`, `50%`.
    Ratio,
    /// A plain number: `2`, `1.5`.
    Factor,
    /// A duration with units: `30s`, `1m30s`.
    Duration,
    /// A string in double quotes.
    Pattern,
}

impl ArgKind {
    fn describe(self) -> &'static str {
        match self {
            ArgKind::Count => "a whole number such as `20`",
            ArgKind::Ratio => "a ratio such as `0.5` or `50%`",
            ArgKind::Factor => "a number such as `2`",
            ArgKind::Duration => "a duration such as `30s`",
            ArgKind::Pattern => "a string such as `\"Timeout*\"`",
        }
    }
}

/// One parameter of a function, as named in the core's constructors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Param {
    pub(crate) name: &'static str,
    pub(crate) kind: ArgKind,
    pub(crate) required: bool,
}

impl Param {
    pub(crate) const fn required(name: &'static str, kind: ArgKind) -> Param {
        Param {
            name,
            kind,
            required: true,
        }
    }

    pub(crate) const fn optional(name: &'static str, kind: ArgKind) -> Param {
        Param {
            name,
            kind,
            required: false,
        }
    }
}

/// A function of the language and the code that builds its component.
pub(crate) struct Function<T> {
    pub(crate) name: &'static str,
    pub(crate) params: &'static [Param],
    /// Whether the one parameter takes any number of positional values.
    pub(crate) variadic: bool,
    pub(crate) build: fn(&Args<'_, '_>) -> Result<T, Located>,
}

impl<T> Function<T> {
    pub(crate) const fn new(
        name: &'static str,
        params: &'static [Param],
        build: fn(&Args<'_, '_>) -> Result<T, Located>,
    ) -> Function<T> {
        Function {
            name,
            params,
            variadic: false,
            build,
        }
    }

    pub(crate) const fn variadic(
        name: &'static str,
        param: &'static [Param; 1],
        build: fn(&Args<'_, '_>) -> Result<T, Located>,
    ) -> Function<T> {
        Function {
            name,
            params: param,
            variadic: true,
            build,
        }
    }

    /// Returns how the function is called: `cooldown(duration, [jitter])`.
    pub(crate) fn usage(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|param| match (self.variadic, param.required) {
                (true, _) => format!("{}...", param.name),
                (false, true) => param.name.to_owned(),
                (false, false) => format!("[{}]", param.name),
            })
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }

    /// Binds the arguments of `call` to the parameters and builds the
    /// component.
    pub(crate) fn call(&self, call: &Call<'_>) -> Result<T, Located> {
        let args = Args::bind(self, call)?;
        (self.build)(&args)
    }
}

/// The arguments of one call, each bound to its parameter.
pub(crate) struct Args<'c, 'a> {
    function: &'static str,
    params: &'static [Param],
    call: &'c Call<'a>,
    /// The argument given for each parameter, by parameter index.
    slots: Vec<Option<&'c Argument<'a>>>,
}

impl<'c, 'a> Args<'c, 'a> {
    fn bind<T>(function: &Function<T>, call: &'c Call<'a>) -> Result<Args<'c, 'a>, Located> {
        let mut slots = vec![None; function.params.len()];
        let mut named_seen = false;
        for (position, argument) in call.arguments.iter().enumerate() {
            let index = match argument.name {
                None if named_seen => {
                    return Err(Located::new(
                        argument.span,
                        "positional argument after a named argument",
                    )
                    .with_label("write positional arguments first"));
                }
                None if function.variadic => {
                    slots.push(Some(argument));
                    continue;
                }
                None => position,
                Some((name, span)) => {
                    named_seen = true;
                    named_index(function, name, span)?
                }
            };
            match slots.get_mut(index) {
                Some(slot @ None) => *slot = Some(argument),
                Some(Some(_)) => {
                    let (name, span) = argument.name.unwrap_or_default();
                    let message = format!("argument `{name}` of {} given twice", function.name);
                    return Err(Located::new(span, message));
                }
                None => return Err(too_many(function, argument.span)),
            }
        }

        let args = Args {
            function: function.name,
            params: function.params,
            call,
            slots,
        };
        let missing = function
            .params
            .iter()
            .zip(&args.slots)
            .position(|(param, slot)| param.required && slot.is_none());
        if let Some(missing) = missing.filter(|_| !function.variadic) {
            return Err(args
                .missing(missing)
                .with_label(format!("expected `{}`", function.usage())));
        }
        Ok(args)
    }

    fn missing(&self, index: usize) -> Located {
        let name = self.param(index).name;
        Located::new(
            self.call.span,
            format!("missing argument `{name}` for {}", self.function),
        )
    }

    fn argument(&self, index: usize) -> Option<&'c Argument<'a>> {
        self.slots.get(index).copied().flatten()
    }

    /// Returns the parameter at `index`; the values of a variadic call
    /// all belong to its one parameter.
    fn param(&self, index: usize) -> Param {
        let fallback = Param::required("argument", ArgKind::Pattern);
        let param = self.params.get(index).or(self.params.last());
        param.copied().unwrap_or(fallback)
    }

    fn mismatch(&self, index: usize, argument: &Argument<'_>) -> Located {
        let param = self.param(index);
        let found = match argument.value {
            Value::Number(_) => "the number",
            Value::Percent(_) => "the percentage",
            Value::Duration(_) => "the duration",
            Value::String(_) => "the string",
        };
        let message = format!(
            "expected {} for `{}` of {}, found {found} `{}`",
            param.kind.describe(),
            param.name,
            self.function,
            shorten(argument.text)
        );
        let label = match (param.kind, &argument.value) {
            (ArgKind::Duration, Value::Number(_)) => "add a unit: ms, s, m or h",
            (ArgKind::Count, Value::Number(_)) => "write a whole number without sign or fraction",
            _ => "",
        };
        Located::new(argument.span, message).with_label(label)
    }

    /// Reads the argument of parameter `index` with `read`, which returns
    /// `None` for a value of the wrong type.
    fn read<T>(
        &self,
        index: usize,
        read: impl Fn(&Value<'_>) -> Option<T>,
    ) -> Result<Option<T>, Located> {
        match self.argument(index) {
            None => Ok(None),
            Some(argument) => read(&argument.value)
                .map(Some)
                .ok_or_else(|| self.mismatch(index, argument)),
        }
    }

    /// Returns the whole number given for parameter `index`, if any.
    pub(crate) fn optional_count<T: TryFrom<u64>>(
        &self,
        index: usize,
    ) -> Result<Option<T>, Located> {
        let Some(argument) = self.argument(index) else {
            return Ok(None);
        };
        let Value::Number(decimal) = argument.value else {
            return Err(self.mismatch(index, argument));
        };
        match decimal
            .to_u64()
            .and_then(|value| T::try_from(value).map_err(|_| NumberError::TooLarge))
        {
            Ok(value) => Ok(Some(value)),
            Err(NumberError::TooLarge) => {
                let message = format!(
                    "number `{}` is too large for `{}` of {}",
                    shorten(argument.text),
                    self.param(index).name,
                    self.function
                );
                Err(Located::new(argument.span, message))
            }
            Err(_) => Err(self.mismatch(index, argument)),
        }
    }

    /// Returns the ratio or plain number given for parameter `index`, if
    /// any. A percentage is accepted where the parameter is a ratio.
    pub(crate) fn optional_real(&self, index: usize) -> Result<Option<f64>, Located> {
        let percent_allowed = self.param(index).kind == ArgKind::Ratio;
        self.read(index, |value| match value {
            Value::Number(decimal) => Some(decimal.to_f64()),
            Value::Percent(decimal) if percent_allowed => Some(decimal.percent_to_f64()),
            _ => None,
        })
    }

    /// Returns the duration given for parameter `index`, if any.
    pub(crate) fn optional_duration(&self, index: usize) -> Result<Option<Duration>, Located> {
        self.read(index, |value| match value {
            Value::Duration(duration) => Some(*duration),
            _ => None,
        })
    }

    pub(crate) fn count<T: TryFrom<u64>>(&self, index: usize) -> Result<T, Located> {
        self.optional_count(index)?
            .ok_or_else(|| self.missing(index))
    }

    pub(crate) fn real(&self, index: usize) -> Result<f64, Located> {
        self.optional_real(index)?
            .ok_or_else(|| self.missing(index))
    }

    pub(crate) fn duration(&self, index: usize) -> Result<Duration, Located> {
        self.optional_duration(index)?
            .ok_or_else(|| self.missing(index))
    }

    /// Returns every string of a variadic call, with its span.
    pub(crate) fn strings(&self) -> Result<Vec<(String, Span)>, Located> {
        let mut strings = Vec::with_capacity(self.slots.len());
        for (index, argument) in self.slots.iter().enumerate() {
            let Some(argument) = argument else { continue };
            match &argument.value {
                Value::String(text) => strings.push((text.clone(), argument.span)),
                _ => return Err(self.mismatch(index, argument)),
            }
        }
        Ok(strings)
    }

    /// Returns the span of the whole call.
    pub(crate) fn span(&self) -> Span {
        self.call.span
    }

    /// Turns a constructor's range error into one located at the argument
    /// it names, or at the call when no argument was written for it.
    pub(crate) fn check<T>(&self, result: Result<T, ConfigError>) -> Result<T, Located> {
        result.map_err(|error| {
            let index = self
                .params
                .iter()
                .position(|param| param.name == error.parameter());
            let argument = index.and_then(|index| self.argument(index));
            let span = argument.map_or(self.call.span, |argument| argument.span);
            let located = Located::new(span, error.to_string());
            match argument.and_then(|argument| percentage_hint(index, self.params, argument)) {
                Some(hint) => located.with_label(hint),
                None => located,
            }
        })
    }
}

/// Suggests `40%` for a ratio parameter given as a plain `40`.
fn percentage_hint(
    index: Option<usize>,
    params: &[Param],
    argument: &Argument<'_>,
) -> Option<String> {
    let param = params.get(index?)?;
    let Value::Number(decimal) = argument.value else {
        return None;
    };
    let value = decimal.to_f64();
    let plausible = param.kind == ArgKind::Ratio && value > 1.0 && value <= 100.0;
    plausible.then(|| format!("did you mean `{}%`?", argument.text))
}

fn named_index<T>(function: &Function<T>, name: &str, span: Span) -> Result<usize, Located> {
    if function.variadic {
        let message = format!("{} takes only positional arguments", function.name);
        return Err(
            Located::new(span, message).with_label(format!("expected `{}`", function.usage()))
        );
    }
    if let Some(index) = function.params.iter().position(|param| param.name == name) {
        return Ok(index);
    }
    let names = function.params.iter().map(|param| param.name);
    let label = match nearest(name, names) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => format!("expected `{}`", function.usage()),
    };
    let message = format!("unknown argument `{}` for {}", shorten(name), function.name);
    Err(Located::new(span, message).with_label(label))
}

fn too_many<T>(function: &Function<T>, span: Span) -> Located {
    let count = function.params.len();
    let plural = if count == 1 { "" } else { "s" };
    let message = format!(
        "too many arguments for {}: it takes {count} argument{plural}",
        function.name
    );
    Located::new(span, message).with_label(format!("expected `{}`", function.usage()))
}
