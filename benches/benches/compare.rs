//! Times every workload on every contender that can express it. Each
//! workload is a criterion group, each contender a benchmark in it, and
//! each iteration one call, so criterion's estimates are nanoseconds per
//! call.

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use fluxgate_bench::contenders::Contender;
use fluxgate_bench::run::{Visit, for_each_contender, prepare, time_calls};
use fluxgate_bench::workload::{WORKLOADS, Workload};

struct BenchWorkload<'a, 'c> {
    group: BenchmarkGroup<'c, WallTime>,
    workload: &'a Workload,
}

impl Visit for BenchWorkload<'_, '_> {
    fn visit<C: Contender>(&mut self) {
        if C::cost_grows_with_traffic(self.workload.policy) {
            return;
        }
        let Some(contender) = prepare::<C>(self.workload) else {
            return;
        };
        let workload = self.workload;
        self.group.bench_function(C::NAME, |bencher| {
            bencher.iter_custom(|calls| time_calls(&contender, workload, calls));
        });
    }
}

fn compare(criterion: &mut Criterion) {
    for workload in &WORKLOADS {
        let group = criterion.benchmark_group(workload.id);
        let mut bench = BenchWorkload { group, workload };
        for_each_contender(&mut bench);
        bench.group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5))
        .sample_size(60)
}

criterion_group! {
    name = benches;
    config = config();
    targets = compare
}
criterion_main!(benches);
