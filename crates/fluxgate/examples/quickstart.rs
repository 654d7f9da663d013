//! Guards a flaky dependency and prints what the breaker does.
//!
//! The "dependency" fails every call between 0.3 s and 0.8 s after the
//! start. The breaker opens after five failures in a row, waits 200 ms,
//! lets a probe through, and closes again once the dependency responds.
//!
//! Run it with `cargo run -p fluxgate-breaker --example quickstart`.

use std::thread;
use std::time::{Duration, Instant};

use fluxgate::permits::All;
use fluxgate::retries::Cooldown;
use fluxgate::trippers::{FailureRate, FailureStreak, MinRequests};
use fluxgate::{CircuitBreaker, Error, Transition};

#[derive(Debug)]
struct Unavailable;

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("service unavailable")
    }
}

impl std::error::Error for Unavailable {}

/// Fails while the outage lasts, from 0.3 s to 0.8 s after `start`.
fn flaky_dependency(start: Instant) -> Result<&'static str, Unavailable> {
    let elapsed = start.elapsed();
    if elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(800) {
        Err(Unavailable)
    } else {
        Ok("in stock")
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let breaker = CircuitBreaker::builder()
        .name("inventory")
        .tripper(FailureStreak::new(5)? | (MinRequests::new(20)? & FailureRate::new(0.5)?))
        .retry(Cooldown::new(Duration::from_millis(200))?)
        .permit(All)
        .listener(move |transition: &Transition| {
            println!(
                "{:>5} ms  {}: {} -> {}, because {}",
                start.elapsed().as_millis(),
                transition.name,
                transition.from,
                transition.to,
                transition.reason
            );
        })
        .build()?;
    println!("rules:\n{breaker}\n");

    let (mut served, mut failed, mut rejected) = (0, 0, 0);
    for _ in 0..120 {
        match breaker.call(|| flaky_dependency(start)) {
            Ok(_) => served += 1,
            Err(Error::Inner(_)) => failed += 1,
            Err(Error::Rejected(_)) => rejected += 1,
        }
        thread::sleep(Duration::from_millis(10));
    }

    println!("\nof 120 calls: {served} served, {failed} failed, {rejected} rejected");
    println!("the dependency was spared {rejected} calls while it was down");
    Ok(())
}
