//! Feeds arbitrary bytes to every policy parser.
//!
//! The first byte picks the parser and the rest is the input. Each parser
//! must return instead of panicking, and a component that parses must
//! print as text that parses back to an equal component.
#![no_main]

use std::fmt::Debug;
use std::fmt::Display;

use fluxgate::policy::{
    PolicyError, PolicyFile, parse_duration, parse_permit, parse_retry, parse_tracker,
    parse_tripper, parse_window,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    if selector % 7 == 6 {
        if let Err(error) = PolicyFile::parse_bytes(input) {
            let _ = error.to_string();
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    match selector % 7 {
        0 => check_round_trip(text, parse_window),
        1 => check_round_trip(text, parse_tracker),
        2 => check_round_trip(text, parse_tripper),
        3 => check_round_trip(text, parse_retry),
        4 => check_round_trip(text, parse_permit),
        _ => {
            if let Ok(duration) = parse_duration(text) {
                let printed = fluxgate::DisplayDuration(duration).to_string();
                assert_eq!(parse_duration(&printed).ok(), Some(duration), "{printed}");
            }
        }
    }
});

/// Parses `text`; when it parses, checks that the printed component parses
/// back to an equal one.
fn check_round_trip<T>(text: &str, parse: fn(&str) -> Result<T, PolicyError>)
where
    T: Display + Debug + PartialEq,
{
    match parse(text) {
        Ok(component) => {
            let printed = component.to_string();
            match parse(&printed) {
                Ok(again) => assert_eq!(again, component, "{printed}"),
                Err(error) => panic!("printed form does not parse: {printed}\n{error}"),
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
}
