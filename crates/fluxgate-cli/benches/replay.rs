//! Replay throughput on a large Combined Log file.
//!
//! The file is the shipped 10,000-line sample repeated (100 times by
//! default, `FLUXGATE_BENCH_COPIES` to change), each copy moved to a later
//! year so that time keeps going forward. It is written to a temporary
//! directory and removed afterwards.
//!
//! Run with `cargo bench -p fluxgate-cli --bench replay`.

// The criterion macros generate undocumented public functions.
#![allow(missing_docs)]

use std::fs::{self, File};
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fluxgate::CircuitBreaker;
use fluxgate_cli::input::parse_access_log;
use fluxgate_cli::replay::{JsonlEvents, NoEvents, Replayer};
use fluxgate_cli::{InputOptions, StatusSet, read_inputs};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/data/apache-combined-10k.log"
);

/// Writes `copies` copies of the sample, copy `k` dated in the year
/// 2015 + k, and returns the number of lines.
fn write_large_log(path: &Path, copies: u32) -> u64 {
    let sample = fs::read_to_string(SAMPLE).expect("the sample log is readable");
    let mut out = BufWriter::new(File::create(path).expect("the temporary file is writable"));
    let mut lines = 0;
    for copy in 0..copies {
        let year = format!("/{}:", 2015 + copy);
        for line in sample.lines() {
            writeln!(out, "{}", line.replacen("/2015:", &year, 1)).expect("write");
            lines += 1;
        }
    }
    out.flush().expect("flush");
    lines
}

fn options(path: PathBuf, inject: bool) -> InputOptions {
    InputOptions {
        paths: vec![path],
        injections: if inject {
            vec!["86400..88200=503".parse().expect("valid injection")]
        } else {
            Vec::new()
        },
        ..InputOptions::default()
    }
}

fn replay_throughput(c: &mut Criterion) {
    let copies = std::env::var("FLUXGATE_BENCH_COPIES")
        .ok()
        .and_then(|copies| copies.parse().ok())
        .unwrap_or(100);
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("combined.log");
    let lines = write_large_log(&path, copies);

    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(lines));

    let content = fs::read(&path).expect("the generated log is readable");
    let statuses = StatusSet::default();
    group.bench_function("parse_access_log", |b| {
        b.iter(|| {
            let mut parsed = 0u64;
            for line in content.split(|&byte| byte == b'\n') {
                parsed += u64::from(parse_access_log(black_box(line), &statuses).is_ok());
            }
            parsed
        })
    });
    drop(content);

    group.bench_function("replay_default_policy", |b| {
        let options = options(path.clone(), false);
        b.iter(|| {
            let builder = CircuitBreaker::builder();
            let mut replayer = Replayer::new(builder, 0, NoEvents, false).expect("valid policy");
            read_inputs(&options, &mut replayer).expect("readable input");
            replayer.finish().0.counts.calls
        })
    });

    group.bench_function("replay_outage_jsonl_events_and_plot", |b| {
        let options = options(path.clone(), true);
        b.iter(|| {
            let builder = CircuitBreaker::builder();
            let events = JsonlEvents::new(std::io::sink());
            let mut replayer = Replayer::new(builder, 0, events, true).expect("valid policy");
            read_inputs(&options, &mut replayer).expect("readable input");
            replayer.finish().0.counts.rejected
        })
    });
    group.finish();
}

criterion_group!(benches, replay_throughput);
criterion_main!(benches);
