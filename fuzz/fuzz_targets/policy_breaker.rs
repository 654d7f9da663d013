//! Builds breakers from arbitrary policy files and drives them.
//!
//! The first byte gives the length of a call script, the script follows,
//! and the rest is the policy file. Every breaker the file describes must
//! build, print the same rules as its policy, and survive the script
//! (calls with outcomes, durations and clock steps, and manual commands)
//! with a consistent metric after every step.
#![no_main]

use std::time::Duration;

use fluxgate::policy::{Policy, PolicyFile, PolicyTracker};
use fluxgate::windows::Window;
use fluxgate::{CircuitBreaker, Command, ManualClock};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&length, rest)) = data.split_first() else {
        return;
    };
    let (script, text) = rest.split_at(usize::from(length).min(rest.len()));
    let Ok(file) = PolicyFile::parse_bytes(text) else {
        return;
    };
    for (name, policy) in file.iter() {
        check_printed_rules(policy);
        let clock = ManualClock::new();
        let breaker = policy
            .builder()
            .name(name)
            .clock(clock.clone())
            .seed(0)
            .build()
            .expect("a parsed policy builds");
        assert_eq!(breaker.to_string(), policy.to_string());
        for &step in script {
            drive(&breaker, &clock, step);
            check_metric(&breaker, policy);
        }
    }
});

/// Checks that setting each printed `key = expression` line on a default
/// policy gives back the same policy.
fn check_printed_rules(policy: &Policy) {
    let printed = policy.to_string();
    let mut again = Policy::default();
    for line in printed.lines() {
        let (key, value) = line.split_once(" = ").expect("a key = value line");
        if let Err(error) = again.set(key, value) {
            panic!("printed rule does not parse: {line}\n{error}");
        }
    }
    assert_eq!(&again, policy, "{printed}");
}

/// Runs one script step: bits 4..8 set how far the clock moves first, in
/// steps of 997 ms. When all four are set, bits 0..2 pick a command;
/// otherwise bits 0..2 pick what a call does and bits 2..4 its duration.
fn drive(breaker: &CircuitBreaker<PolicyTracker>, clock: &ManualClock, step: u8) {
    clock.advance(Duration::from_millis(u64::from(step >> 4) * 997));
    if step >> 4 == 0xF {
        breaker.command(Command::ALL[usize::from(step & 3)]);
        return;
    }
    let Ok(mut guard) = breaker.try_acquire() else {
        return;
    };
    guard.set_duration(Some(Duration::from_millis(
        u64::from((step >> 2) & 3) * 400,
    )));
    match step & 3 {
        0 => guard.record_success(),
        1 => {
            guard.record_error("ConnectTimeout");
        }
        2 => {
            guard.record_error("http_503");
        }
        _ => drop(guard),
    }
}

/// Panics unless the metric is one a consistent window could report.
fn check_metric(breaker: &CircuitBreaker<PolicyTracker>, policy: &Policy) {
    let info = breaker.info();
    let metric = info.metric;
    if let Window::Count(window) = policy.window {
        assert!(metric.total_count() <= window.size().get() as u64);
    }
    assert!(metric.failure_count() <= metric.total_count());
    assert!(metric.timed_count() <= metric.total_count());
    assert!(info.probes_in_flight <= policy.max_half_open_calls);
    assert_eq!(
        info.probes_in_flight, 0,
        "every call in the script finished"
    );
}
