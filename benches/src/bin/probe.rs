//! Runs one workload on one contender, for profilers and callgrind:
//! `probe CONTENDER WORKLOAD CALLS`.

use std::env;
use std::process::ExitCode;

use fluxgate_bench::contenders::Contender;
use fluxgate_bench::run::{CONTENDERS, Visit, for_each_contender, prepare, time_calls};
use fluxgate_bench::workload::{WORKLOADS, Workload, workload};

struct Probe<'a> {
    contender: &'a str,
    workload: Workload,
    calls: u64,
    ran: Result<(), String>,
}

impl Visit for Probe<'_> {
    fn visit<C: Contender>(&mut self) {
        if C::NAME != self.contender {
            return;
        }
        self.ran = match prepare::<C>(&self.workload) {
            Some(contender) => {
                let elapsed = time_calls(&contender, &self.workload, self.calls);
                let nanos = elapsed.as_nanos() as f64 / self.calls as f64;
                println!("{} {}: {nanos:.1} ns per call", C::NAME, self.workload.id);
                Ok(())
            }
            None => Err(format!(
                "{} cannot express the policy of {}",
                C::NAME,
                self.workload.id
            )),
        };
    }
}

fn parse(args: &[String]) -> Result<Probe<'_>, String> {
    let [contender, workload_id, calls] = args else {
        return Err("expected 3 arguments: CONTENDER WORKLOAD CALLS".to_owned());
    };
    if !CONTENDERS.contains(&contender.as_str()) {
        return Err(format!(
            "unknown contender {contender:?} (allowed: {})",
            CONTENDERS.join(", ")
        ));
    }
    let Some(workload) = workload(workload_id) else {
        let ids: Vec<&str> = WORKLOADS.iter().map(|workload| workload.id).collect();
        return Err(format!(
            "unknown workload {workload_id:?} (allowed: {})",
            ids.join(", ")
        ));
    };
    let calls = calls
        .parse::<u64>()
        .ok()
        .filter(|calls| *calls > 0)
        .ok_or_else(|| format!("invalid CALLS {calls:?} (allowed: a whole number above 0)"))?;
    Ok(Probe {
        contender,
        workload,
        calls,
        ran: Ok(()),
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let mut probe = match parse(&args) {
        Ok(probe) => probe,
        Err(message) => {
            eprintln!("probe: {message}");
            return ExitCode::from(2);
        }
    };
    for_each_contender(&mut probe);
    match probe.ran {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("probe: {message}");
            ExitCode::FAILURE
        }
    }
}
