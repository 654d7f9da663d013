//! The SVG timeline of a replay, written by hand: state bands over time,
//! the window's failure rate (and slow-call rate) as lines, rejected calls
//! per interval as bars, injected spans as hatched bands, time axis,
//! legend and title.
//!
//! Its size is bounded by the timeline's intervals, not by the input.

use std::fmt::Write;
use std::time::Duration;

use fluxgate::State;

use crate::replay::{Bucket, Timeline, state_index};

mod axes;
mod injected;

use axes::{escape, write_legend, write_time_axis};
pub use injected::InjectedBand;
use injected::write_injected_bands;

const WIDTH: f64 = 1200.0;
const HEIGHT: f64 = 630.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 1170.0;
const STRIP_TOP: f64 = 86.0;
const STRIP_HEIGHT: f64 = 26.0;
const CHART_TOP: f64 = 132.0;
const CHART_HEIGHT: f64 = 280.0;
const BARS_TOP: f64 = 440.0;
const BARS_HEIGHT: f64 = 70.0;
const AXIS_Y: f64 = BARS_TOP + BARS_HEIGHT;

const FAILURE_COLOUR: &str = "#212121";
const SLOW_COLOUR: &str = "#6d4c41";
const REJECTED_COLOUR: &str = "#c62828";

/// The words on a plot, and the injected spans it marks.
#[derive(Debug, Clone)]
pub struct PlotLabels {
    /// The title, naming the policy.
    pub title: String,
    /// Lines under the title, such as the tripper.
    pub subtitles: Vec<String>,
    /// `true` when times are seconds since the Unix epoch, shown as UTC
    /// dates.
    pub times_are_dates: bool,
    /// The `--inject` spans, each drawn as a hatched band.
    pub injections: Vec<InjectedBand>,
}

fn state_colour(state: State) -> &'static str {
    match state {
        State::Closed => "#43a047",
        State::Open => "#e53935",
        State::HalfOpen => "#ffb300",
        State::MetricsOnly => "#1e88e5",
        State::Disabled => "#9e9e9e",
        State::ForcedOpen => "#8e24aa",
    }
}

/// Renders the timeline as an SVG document.
pub fn render_svg(timeline: &Timeline, labels: &PlotLabels) -> String {
    let mut svg = String::with_capacity(64 << 10);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        svg,
        r#"<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>"#
    );
    write_titles(&mut svg, labels);

    let Some(origin) = timeline.origin() else {
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="16">No calls were replayed.</text>"#,
            WIDTH / 2.0,
            CHART_TOP + CHART_HEIGHT / 2.0
        );
        svg.push_str("</svg>\n");
        return svg;
    };
    let scale = Scale {
        origin,
        end: timeline.end().max(origin + Duration::from_millis(1)),
        width: timeline.width(),
    };

    write_state_strip(&mut svg, timeline, &scale);
    write_rate_chart(&mut svg, timeline, &scale);
    write_rejection_bars(&mut svg, timeline, &scale);
    let drawn = write_injected_bands(&mut svg, &labels.injections, &scale);
    write_time_axis(&mut svg, &scale, labels.times_are_dates);
    write_legend(&mut svg, timeline, drawn);
    svg.push_str("</svg>\n");
    svg
}

/// Maps times on the replay clock to x positions.
struct Scale {
    origin: Duration,
    end: Duration,
    width: Duration,
}

impl Scale {
    fn x(&self, at: Duration) -> f64 {
        let offset = at.saturating_sub(self.origin).as_secs_f64();
        let span = (self.end - self.origin).as_secs_f64();
        LEFT + (RIGHT - LEFT) * (offset / span).min(1.0)
    }

    /// Returns the x range of interval `index`, clipped to the end.
    fn bucket_x(&self, index: usize) -> (f64, f64) {
        let start = self.origin + self.width * index as u32;
        let end = (start + self.width).min(self.end);
        (self.x(start), self.x(end))
    }
}

fn write_titles(svg: &mut String, labels: &PlotLabels) {
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="28" font-size="18" font-weight="bold">{}</text>"#,
        escape(&labels.title)
    );
    for (line, subtitle) in labels.subtitles.iter().enumerate() {
        let _ = writeln!(
            svg,
            r##"<text x="{LEFT}" y="{}" font-size="12" fill="#424242">{}</text>"##,
            47.0 + 15.0 * line as f64,
            escape(subtitle)
        );
    }
}

/// Draws the state strip: each interval's states stacked by the share of
/// time spent in them, with runs of one state merged into one rectangle.
fn write_state_strip(svg: &mut String, timeline: &Timeline, scale: &Scale) {
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="end">state</text>"#,
        LEFT - 8.0,
        STRIP_TOP + STRIP_HEIGHT / 2.0 + 4.0
    );
    let buckets = timeline.buckets();
    let mut index = 0;
    while index < buckets.len() {
        let bucket = &buckets[index];
        let Some(single) = single_state(bucket) else {
            write_mixed_column(svg, bucket, scale.bucket_x(index));
            index += 1;
            continue;
        };
        let run_end = (index..buckets.len())
            .find(|&later| single_state(&buckets[later]) != Some(single))
            .unwrap_or(buckets.len());
        let (x0, _) = scale.bucket_x(index);
        let (_, x1) = scale.bucket_x(run_end - 1);
        write_rect(
            svg,
            x0,
            STRIP_TOP,
            x1 - x0,
            STRIP_HEIGHT,
            state_colour(single),
            1.0,
        );
        write_chart_band(svg, x0, x1, single);
        index = run_end;
    }
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{STRIP_TOP}" width="{}" height="{STRIP_HEIGHT}" fill="none" stroke="#616161"/>"##,
        RIGHT - LEFT
    );
}

/// Returns the only state an interval spent time in.
fn single_state(bucket: &Bucket) -> Option<State> {
    let mut states = State::ALL
        .into_iter()
        .filter(|state| bucket.state_seconds[state_index(*state)] > 0.0);
    let first = states.next()?;
    states.next().is_none().then_some(first)
}

fn write_mixed_column(svg: &mut String, bucket: &Bucket, (x0, x1): (f64, f64)) {
    let total: f64 = bucket.state_seconds.iter().sum();
    if total <= 0.0 {
        return;
    }
    let mut y = STRIP_TOP;
    for state in State::ALL {
        let share = bucket.state_seconds[state_index(state)] / total;
        if share > 0.0 {
            let height = STRIP_HEIGHT * share;
            write_rect(svg, x0, y, x1 - x0, height, state_colour(state), 1.0);
            y += height;
        }
    }
    if let Some(main) = bucket.main_state() {
        write_chart_band(svg, x0, x1, main);
    }
}

/// Shades the rate chart from `x0` to `x1` faintly in the state's colour.
fn write_chart_band(svg: &mut String, x0: f64, x1: f64, state: State) {
    write_rect(
        svg,
        x0,
        CHART_TOP,
        x1 - x0,
        CHART_HEIGHT,
        state_colour(state),
        0.12,
    );
}

fn write_rect(svg: &mut String, x: f64, y: f64, width: f64, height: f64, fill: &str, opacity: f64) {
    // Rectangles overlap by a fraction of a pixel so that no seam shows
    // between neighbours.
    let _ = write!(
        svg,
        r#"<rect x="{x:.2}" y="{y:.2}" width="{:.2}" height="{height:.2}" fill="{fill}""#,
        width + 0.3
    );
    if opacity < 1.0 {
        let _ = write!(svg, r#" fill-opacity="{opacity}""#);
    }
    svg.push_str("/>\n");
}

fn write_rate_chart(svg: &mut String, timeline: &Timeline, scale: &Scale) {
    // Grid and percentage labels.
    for step in 0..=4 {
        let share = f64::from(step) * 0.25;
        let y = CHART_TOP + CHART_HEIGHT * (1.0 - share);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{y}" x2="{RIGHT}" y2="{y}" stroke="#bdbdbd" stroke-width="0.6"/>"##
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}%</text>"#,
            LEFT - 8.0,
            y + 4.0,
            step * 25
        );
    }
    let _ = writeln!(
        svg,
        r#"<text transform="translate(22 {}) rotate(-90)" text-anchor="middle">rate in the window</text>"#,
        CHART_TOP + CHART_HEIGHT / 2.0
    );

    let sampled = |rate: fn(&Bucket) -> Option<f64>| -> Vec<RateSample> {
        let buckets = timeline.buckets();
        buckets
            .iter()
            .map(|bucket| RateSample {
                sampled: bucket.samples > 0,
                peak: rate(bucket),
                ends_empty: bucket.ends_empty,
            })
            .collect()
    };
    write_rate_line(
        svg,
        &sampled(|bucket| bucket.failure_rate),
        scale,
        FAILURE_COLOUR,
        None,
    );
    if timeline.slow_threshold().is_some() {
        let slow = sampled(|bucket| bucket.slow_rate);
        write_rate_line(svg, &slow, scale, SLOW_COLOUR, Some("6 4"));
    }
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{CHART_TOP}" width="{}" height="{CHART_HEIGHT}" fill="none" stroke="#616161"/>"##,
        RIGHT - LEFT
    );
}

/// One interval's samples of a rate.
struct RateSample {
    sampled: bool,
    peak: Option<f64>,
    ends_empty: bool,
}

/// Draws one rate as polylines through the centres of the sampled
/// intervals. The line joins samples across intervals without calls, and
/// breaks after an interval that ends with the window empty, as every
/// transition leaves it.
fn write_rate_line(
    svg: &mut String,
    rates: &[RateSample],
    scale: &Scale,
    colour: &str,
    dash: Option<&str>,
) {
    let dash = dash.map_or(String::new(), |dash| {
        format!(r#" stroke-dasharray="{dash}""#)
    });
    let mut points: Vec<(f64, f64)> = Vec::new();
    let flush = |points: &mut Vec<(f64, f64)>, svg: &mut String| {
        match points.as_slice() {
            [] => {}
            [(x, y)] => {
                let _ = writeln!(
                    svg,
                    r#"<circle cx="{x:.2}" cy="{y:.2}" r="2" fill="{colour}"/>"#
                );
            }
            _ => {
                svg.push_str("<polyline points=\"");
                for (x, y) in points.iter() {
                    let _ = write!(svg, "{x:.2},{y:.2} ");
                }
                let _ = writeln!(
                    svg,
                    r#"" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>"#
                );
            }
        }
        points.clear();
    };
    for (index, rate) in rates.iter().enumerate() {
        if !rate.sampled {
            continue;
        }
        if let Some(peak) = rate.peak {
            let (x0, x1) = scale.bucket_x(index);
            let y = CHART_TOP + CHART_HEIGHT * (1.0 - peak.clamp(0.0, 1.0));
            points.push(((x0 + x1) / 2.0, y));
        }
        if rate.ends_empty {
            flush(&mut points, svg);
        }
    }
    flush(&mut points, svg);
}

fn write_rejection_bars(svg: &mut String, timeline: &Timeline, scale: &Scale) {
    let highest = timeline
        .buckets()
        .iter()
        .map(|bucket| bucket.rejected)
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="{}">rejected calls per interval of {} (highest: {highest})</text>"#,
        BARS_TOP - 6.0,
        fluxgate::DisplayDuration(round_for_label(timeline.width()))
    );
    if highest > 0 {
        for (index, bucket) in timeline.buckets().iter().enumerate() {
            if bucket.rejected == 0 {
                continue;
            }
            let (x0, x1) = scale.bucket_x(index);
            let height = BARS_HEIGHT * bucket.rejected as f64 / highest as f64;
            let width = (x1 - x0).max(1.0);
            write_rect(
                svg,
                x0,
                AXIS_Y - height,
                width,
                height,
                REJECTED_COLOUR,
                1.0,
            );
        }
    }
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{BARS_TOP}" width="{}" height="{BARS_HEIGHT}" fill="none" stroke="#616161"/>"##,
        RIGHT - LEFT
    );
}

/// Rounds an interval width for its label: to the millisecond below ten
/// seconds, to the second above.
fn round_for_label(duration: Duration) -> Duration {
    if duration >= Duration::from_secs(10) {
        Duration::from_secs(duration.as_secs_f64().round() as u64)
    } else {
        Duration::from_millis(duration.as_millis().max(1) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxgate::Metric;

    fn labels() -> PlotLabels {
        PlotLabels {
            title: "Replay of \"default\" <demo.toml>".into(),
            subtitles: vec!["tripper = failure_streak(2) & min_requests(1)".into()],
            times_are_dates: false,
            injections: Vec::new(),
        }
    }

    #[test]
    fn empty_timeline_says_so() {
        let svg = render_svg(&Timeline::new(None), &labels());
        assert!(svg.contains("No calls were replayed."));
        assert!(svg.contains("Replay of &quot;default&quot; &lt;demo.toml&gt;"));
        assert!(svg.ends_with("</svg>\n"));
    }

    #[test]
    fn bands_lines_and_bars_are_drawn() {
        let mut timeline = Timeline::new(Some(Duration::from_secs(1)));
        timeline.advance(Duration::from_secs(0), State::Closed);
        timeline.sample(&Metric::new(4, 1));
        timeline.advance(Duration::from_secs(10), State::Closed);
        timeline.sample(&Metric::new(4, 3));
        timeline.advance(Duration::from_secs(20), State::Open);
        timeline.add_rejection();
        timeline.advance(Duration::from_secs(30), State::Closed);
        let svg = render_svg(&timeline, &labels());

        assert!(svg.contains("fill=\"#e53935\""), "open band");
        assert!(svg.contains("fill=\"#43a047\""), "closed band");
        assert!(
            svg.contains("<polyline") || svg.contains("<circle"),
            "rate line"
        );
        assert!(svg.contains("fill=\"#c62828\""), "rejection bar");
        assert!(svg.contains(">0s</text>"), "first tick");
        assert!(svg.contains(">30s</text>"), "last tick");
        assert!(svg.contains("slow-call rate, calls of 1s or more"));
        assert!(svg.contains("&amp;"));
        assert!(svg.len() < 200_000, "{} bytes", svg.len());
        assert!(!svg.contains("injected"), "no injection, no band");
    }

    #[test]
    fn injected_spans_are_hatched_bands() {
        let mut timeline = Timeline::new(None);
        timeline.advance(Duration::from_secs(100), State::Closed);
        timeline.advance(Duration::from_secs(200), State::Closed);
        let mut labels = labels();
        labels.injections = vec![
            InjectedBand {
                start: Duration::from_secs(125),
                end: Duration::from_secs(150),
                label: "http_503".into(),
            },
            InjectedBand {
                start: Duration::from_secs(300),
                end: Duration::from_secs(400),
                label: "after the input".into(),
            },
        ];
        let svg = render_svg(&timeline, &labels);

        // 100 s map to 1090 px, so 125 s is at 80 + 272.5 px.
        let band = format!(
            "<rect x=\"352.50\" y=\"{CHART_TOP}\" width=\"272.50\" height=\"{}\" \
             fill=\"url(#injected)\"/>",
            AXIS_Y - CHART_TOP
        );
        assert!(svg.contains(&band), "{svg}");
        assert_eq!(
            svg.matches("fill=\"url(#injected)\"").count(),
            2,
            "band and legend"
        );
        assert!(svg.contains(">injected http_503</text>"));
        assert!(!svg.contains("after the input"), "outside the plotted time");
        assert!(svg.contains(">span injected with --inject</text>"));
        assert_eq!(svg.matches("<pattern id=\"injected\"").count(), 1);
    }
}
