//! Prints the comparison: nanoseconds per call from criterion's estimates
//! (the lowest median per pair when given several runs), two-thread
//! scaling, and memory per breaker. With `--instructions`, also
//! instructions per call counted by callgrind.
//!
//! Run `cargo bench --bench compare` first, or `bench/compare`, which runs
//! both.

use std::env;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use fluxgate_bench::contenders::Contender;
use fluxgate_bench::footprint::{CountingAllocator, Footprint};
use fluxgate_bench::run::{CONTENDERS, Visit, costs_growing_with_traffic, for_each_contender};
use fluxgate_bench::table::{
    Row, combine_runs, read_rows, render_memory, render_scaling, render_spread, render_times,
};
use fluxgate_bench::workload::{Mode, Policy, WORKLOADS};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Calls per callgrind run. Instructions per call come from the difference
/// between a run of this many calls and a run of twice as many.
const PROBE_CALLS: u64 = 100_000;

struct MeasureMemory {
    policy: Policy,
    footprints: Vec<Option<Footprint>>,
}

impl Visit for MeasureMemory {
    fn visit<C: Contender>(&mut self) {
        self.footprints.push(C::footprint(self.policy));
    }
}

fn criterion_dir() -> PathBuf {
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

fn memory_table() -> String {
    let windows = [("count(100)", Policy::Count), ("time(60s)", Policy::Time)];
    let rows: Vec<(&str, Vec<Option<Footprint>>)> = windows
        .iter()
        .map(|(label, policy)| {
            let mut measure = MeasureMemory {
                policy: *policy,
                footprints: Vec::new(),
            };
            for_each_contender(&mut measure);
            (*label, measure.footprints)
        })
        .collect();
    render_memory(&rows)
}

/// Runs `probe` under callgrind and returns the instructions it executed.
fn count_instructions(
    probe: &PathBuf,
    contender: &str,
    workload: &str,
    calls: u64,
) -> Result<u64, String> {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(probe)
        .args([contender, workload, &calls.to_string()])
        .output()
        .map_err(|error| format!("failed to run valgrind: {error}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("probe {contender} {workload} failed: {stderr}"));
    }
    stderr
        .lines()
        .find_map(|line| line.split("Collected : ").nth(1))
        .and_then(|count| count.trim().parse().ok())
        .ok_or_else(|| format!("no instruction count in callgrind's output: {stderr}"))
}

fn instructions_table() -> Result<String, String> {
    let exe = env::current_exe().map_err(|error| format!("failed to locate report: {error}"))?;
    let probe = exe.with_file_name("probe");
    if !probe.exists() {
        return Err(format!(
            "missing {}: build it with cargo build --release --bins",
            probe.display()
        ));
    }
    let mut out = format!(
        "| workload (instructions per call) | {} |\n|---|",
        CONTENDERS.join(" | ")
    );
    out.push_str(&"---:|".repeat(CONTENDERS.len()));
    out.push('\n');
    for workload in WORKLOADS
        .iter()
        .filter(|workload| workload.mode != Mode::TwoThreads)
    {
        out.push_str(&format!("| {} |", workload.title));
        let growing = costs_growing_with_traffic(workload.policy);
        for (contender, grows) in CONTENDERS.into_iter().zip(growing) {
            if grows {
                out.push_str(" grows |");
                continue;
            }
            let once = count_instructions(&probe, contender, workload.id, PROBE_CALLS);
            let twice = count_instructions(&probe, contender, workload.id, 2 * PROBE_CALLS);
            let cell = match (once, twice) {
                (Ok(once), Ok(twice)) => {
                    format!(
                        "{:.0}",
                        twice.saturating_sub(once) as f64 / PROBE_CALLS as f64
                    )
                }
                _ => "n/a".to_owned(),
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    Ok(out)
}

/// The command line: whether to count instructions, and the criterion
/// output directories of the runs to combine.
struct Options {
    instructions: bool,
    runs: Vec<PathBuf>,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        instructions: false,
        runs: Vec::new(),
    };
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--instructions" => options.instructions = true,
            "--run" => match args.next() {
                Some(dir) => options.runs.push(PathBuf::from(dir)),
                None => return Err("missing directory after --run".to_owned()),
            },
            other => {
                return Err(format!(
                    "unknown argument {other:?} (allowed: --instructions, --run DIR)"
                ));
            }
        }
    }
    if options.runs.is_empty() {
        options.runs.push(criterion_dir());
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("report: {message}");
            return ExitCode::from(2);
        }
    };

    let runs: Vec<Vec<Row>> = options.runs.iter().map(|dir| read_rows(dir)).collect();
    let rows = combine_runs(&runs);
    if rows.iter().all(|row| row.nanos.iter().all(Option::is_none)) {
        let dirs: Vec<String> = options
            .runs
            .iter()
            .map(|dir| dir.display().to_string())
            .collect();
        eprintln!(
            "report: no criterion results under {}; run cargo bench --bench compare first",
            dirs.join(", ")
        );
        return ExitCode::FAILURE;
    }
    if runs.len() > 1 {
        println!("Each time is the lowest of {} runs' medians.\n", runs.len());
    }
    println!("{}", render_times(&rows));
    if runs.len() > 1 {
        println!("{}", render_spread(&runs));
    }
    println!("{}", render_scaling(&rows));
    println!("{}", memory_table());

    if options.instructions {
        match instructions_table() {
            Ok(table) => println!("{table}"),
            Err(message) => {
                eprintln!("report: {message}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
