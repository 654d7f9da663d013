//! The comparison table: criterion's estimates read back, Fluxgate's
//! ratios to the fastest peer and to the floor, and Markdown rendering.

use std::fmt::Write;
use std::fs;
use std::path::Path;

use crate::footprint::Footprint;
use crate::run::{CONTENDERS, costs_growing_with_traffic};
use crate::workload::{Mode, WORKLOADS, Workload};

const FLOOR: usize = 0;
const FLUXGATE: usize = 1;
const FIRST_PEER: usize = 2;

/// Nanoseconds per call of every contender on one workload, in
/// [`CONTENDERS`] order, with `None` where a contender has no result.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The workload measured.
    pub workload: Workload,
    /// Nanoseconds per call, per contender.
    pub nanos: Vec<Option<f64>>,
    /// Whether each contender's cost grows with traffic on this workload,
    /// so that it was not timed.
    pub grows: Vec<bool>,
}

impl Row {
    /// Returns the fastest peer and its time, ignoring the floor and
    /// Fluxgate.
    pub fn fastest_peer(&self) -> Option<(&'static str, f64)> {
        CONTENDERS
            .iter()
            .zip(&self.nanos)
            .skip(FIRST_PEER)
            .filter_map(|(name, nanos)| nanos.map(|nanos| (*name, nanos)))
            .min_by(|left, right| left.1.total_cmp(&right.1))
    }

    /// Returns Fluxgate's time divided by the fastest peer's.
    pub fn ratio_to_fastest_peer(&self) -> Option<f64> {
        let fluxgate = self.nanos[FLUXGATE]?;
        self.fastest_peer().map(|(_, peer)| fluxgate / peer)
    }

    /// Returns Fluxgate's time divided by the floor's.
    pub fn ratio_to_floor(&self) -> Option<f64> {
        Some(self.nanos[FLUXGATE]? / self.nanos[FLOOR]?)
    }
}

/// Reads criterion's median estimate, in nanoseconds per call, of
/// `contender` on `workload` from `criterion_dir` (criterion's output
/// directory, `target/criterion`). Returns `None` when there is no result
/// or it cannot be read.
pub fn read_estimate(criterion_dir: &Path, workload: &str, contender: &str) -> Option<f64> {
    let path = criterion_dir
        .join(workload)
        .join(contender)
        .join("new")
        .join("estimates.json");
    let text = fs::read_to_string(path).ok()?;
    parse_median(&text)
}

/// Returns `median.point_estimate` of a criterion `estimates.json`.
pub fn parse_median(estimates: &str) -> Option<f64> {
    let value: serde_json::Value = serde_json::from_str(estimates).ok()?;
    value.get("median")?.get("point_estimate")?.as_f64()
}

/// Reads every workload's row from `criterion_dir`.
pub fn read_rows(criterion_dir: &Path) -> Vec<Row> {
    WORKLOADS
        .iter()
        .map(|workload| Row {
            workload: *workload,
            nanos: CONTENDERS
                .iter()
                .map(|contender| read_estimate(criterion_dir, workload.id, contender))
                .collect(),
            grows: costs_growing_with_traffic(workload.policy),
        })
        .collect()
}

/// Combines the rows of several runs into one, each cell the lowest of the
/// runs' figures. Noise on a shared machine only adds time, so the lowest
/// median is the closest to the contender's own cost.
pub fn combine_runs(runs: &[Vec<Row>]) -> Vec<Row> {
    let Some((first, rest)) = runs.split_first() else {
        return Vec::new();
    };
    let mut combined = first.clone();
    for run in rest {
        for (row, other) in combined.iter_mut().zip(run) {
            for (nanos, other) in row.nanos.iter_mut().zip(&other.nanos) {
                *nanos = match (*nanos, *other) {
                    (Some(left), Some(right)) => Some(left.min(right)),
                    (left, right) => left.or(right),
                };
            }
        }
    }
    combined
}

/// Returns the lowest and highest of `values`, or `None` when there are
/// none.
fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |range, value| match range {
        None => Some((value, value)),
        Some((low, high)) => Some((low.min(value), high.max(value))),
    })
}

fn range_cell(range: Option<(f64, f64)>) -> String {
    match range {
        Some((low, high)) => format!("{low:.2} – {high:.2}"),
        None => "n/a".to_owned(),
    }
}

/// Renders, per workload, the lowest and highest of Fluxgate's ratios to
/// the fastest peer and to the floor over several runs.
pub fn render_spread(runs: &[Vec<Row>]) -> String {
    let columns = ["fluxgate / fastest peer", "fluxgate / floor"];
    let mut out = header("workload (range over runs)", &columns);
    for (index, workload) in WORKLOADS.iter().enumerate() {
        let rows = || runs.iter().filter_map(move |run| run.get(index));
        let versus_peer = range(rows().filter_map(Row::ratio_to_fastest_peer));
        let versus_floor = range(rows().filter_map(Row::ratio_to_floor));
        writeln!(
            out,
            "| {} | {} | {} |",
            workload.title,
            range_cell(versus_peer),
            range_cell(versus_floor)
        )
        .expect("writing to a String cannot fail");
    }
    out
}

fn cell(value: Option<f64>, precision: usize) -> String {
    match value {
        Some(value) => format!("{value:.precision$}"),
        None => "n/a".to_owned(),
    }
}

fn header(first: &str, columns: &[&str]) -> String {
    let mut out = format!("| {first} |");
    for column in columns {
        write!(out, " {column} |").expect("writing to a String cannot fail");
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(columns.len()));
    out.push('\n');
    out
}

/// Renders the time table: nanoseconds per call for every contender, then
/// Fluxgate's ratio to the fastest peer (naming it) and to the floor.
pub fn render_times(rows: &[Row]) -> String {
    let mut columns: Vec<&str> = CONTENDERS.to_vec();
    columns.extend(["fluxgate / fastest peer", "fluxgate / floor"]);
    let mut out = header("workload (ns per call)", &columns);
    for row in rows {
        write!(out, "| {} |", row.workload.title).expect("writing to a String cannot fail");
        for (nanos, grows) in row.nanos.iter().zip(&row.grows) {
            let text = if *grows {
                "grows".to_owned()
            } else {
                cell(*nanos, 1)
            };
            write!(out, " {text} |").expect("writing to a String cannot fail");
        }
        let versus_peer = match (row.ratio_to_fastest_peer(), row.fastest_peer()) {
            (Some(ratio), Some((peer, _))) => format!("{ratio:.2} ({peer})"),
            _ => "n/a".to_owned(),
        };
        writeln!(out, " {versus_peer} | {} |", cell(row.ratio_to_floor(), 2))
            .expect("writing to a String cannot fail");
    }
    out
}

/// Returns each contender's throughput on two threads divided by its
/// throughput on one, from the one-thread and two-thread count-window rows,
/// in [`CONTENDERS`] order.
pub fn scaling(rows: &[Row]) -> Vec<Option<f64>> {
    let find = |mode: Mode| {
        rows.iter().find(|row| {
            row.workload.mode == mode && row.workload.policy == crate::workload::Policy::Count
        })
    };
    let (Some(one), Some(two)) = (find(Mode::Sync), find(Mode::TwoThreads)) else {
        return vec![None; CONTENDERS.len()];
    };
    one.nanos
        .iter()
        .zip(&two.nanos)
        .map(|(one, two)| Some((*one)? / (*two)?))
        .collect()
}

/// Renders the two-thread scaling line as a one-row table.
pub fn render_scaling(rows: &[Row]) -> String {
    let mut out = header("throughput, 2 threads / 1 thread", &CONTENDERS);
    out.push_str("| ratio |");
    for ratio in scaling(rows) {
        write!(out, " {} |", cell(ratio, 2)).expect("writing to a String cannot fail");
    }
    out.push('\n');
    out
}

/// Renders the memory table: one row per window, each cell the size of
/// the value plus its heap bytes, and their total.
pub fn render_memory(windows: &[(&str, Vec<Option<Footprint>>)]) -> String {
    let mut out = header("bytes: size_of + heap = total", &CONTENDERS);
    for (window, footprints) in windows {
        write!(out, "| {window} |").expect("writing to a String cannot fail");
        for footprint in footprints {
            let text = match footprint {
                Some(footprint) => format!(
                    "{} + {} = {}",
                    footprint.inline,
                    footprint.heap,
                    footprint.total()
                ),
                None => "n/a".to_owned(),
            };
            write!(out, " {text} |").expect("writing to a String cannot fail");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(nanos: [Option<f64>; 6]) -> Row {
        Row {
            workload: WORKLOADS[0],
            nanos: nanos.to_vec(),
            grows: vec![false; 6],
        }
    }

    #[test]
    fn ratios_use_fastest_peer_and_floor() {
        let row = row([
            Some(2.0),
            Some(3.0),
            Some(60.0),
            Some(12.0),
            None,
            Some(6.0),
        ]);
        assert_eq!(row.fastest_peer(), Some(("circuitbreaker-rs", 6.0)));
        assert_eq!(row.ratio_to_fastest_peer(), Some(0.5));
        assert_eq!(row.ratio_to_floor(), Some(1.5));
    }

    #[test]
    fn ratios_missing_without_peers() {
        let row = row([Some(2.0), Some(3.0), None, None, None, None]);
        assert_eq!(row.fastest_peer(), None);
        assert_eq!(row.ratio_to_fastest_peer(), None);
    }

    #[test]
    fn median_parses_from_estimates() {
        let estimates = r#"{"mean":{"point_estimate":5.5},"median":{"point_estimate":4.25}}"#;
        assert_eq!(parse_median(estimates), Some(4.25));
        assert_eq!(parse_median("{}"), None);
        assert_eq!(parse_median("not json"), None);
    }

    #[test]
    fn times_table_renders_cells() {
        let table = render_times(&[row([Some(2.0), Some(3.0), None, Some(12.0), None, None])]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[2],
            "| 1. closed, count(100), Ok | 2.0 | 3.0 | n/a | 12.0 | n/a | n/a | 0.25 (recloser) | 1.50 |"
        );
    }

    #[test]
    fn scaling_divides_one_thread_by_two() {
        let one = Row {
            workload: WORKLOADS[0],
            nanos: vec![Some(2.0), Some(4.0), None, None, None, None],
            grows: vec![false; 6],
        };
        let two = Row {
            workload: WORKLOADS[3],
            nanos: vec![Some(4.0), Some(2.0), None, None, None, None],
            grows: vec![false; 6],
        };
        let ratios = scaling(&[one, two]);
        assert_eq!(ratios[0], Some(0.5));
        assert_eq!(ratios[1], Some(2.0));
        assert_eq!(ratios[2], None);
    }

    #[test]
    fn runs_combine_to_lowest() {
        let first = vec![row([Some(2.0), Some(9.0), None, Some(4.0), None, None])];
        let second = vec![row([Some(3.0), Some(6.0), Some(8.0), None, None, None])];
        let combined = combine_runs(&[first, second]);
        assert_eq!(
            combined[0].nanos,
            vec![Some(2.0), Some(6.0), Some(8.0), Some(4.0), None, None]
        );
    }

    #[test]
    fn spread_shows_ratio_ranges() {
        let first = vec![row([Some(2.0), Some(4.0), None, Some(4.0), None, None])];
        let second = vec![row([Some(2.0), Some(6.0), None, Some(3.0), None, None])];
        let table = render_spread(&[first, second]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[2],
            "| 1. closed, count(100), Ok | 1.00 – 2.00 | 2.00 – 3.00 |"
        );
        assert_eq!(
            lines[3],
            "| 2. closed, count(100) + slow_rate, Ok | n/a | n/a |"
        );
    }

    #[test]
    fn memory_table_sums_footprints() {
        let footprint = Footprint {
            inline: 16,
            heap: 800,
        };
        let table = render_memory(&[("count(100)", vec![Some(footprint), None])]);
        assert!(table.contains("| count(100) | 16 + 800 = 816 | n/a |"));
    }
}
