//! The time axis and the legend of the plot.

use std::fmt::Write;
use std::time::Duration;

use fluxgate::State;

use super::injected::{INJECTED_COLOUR, INJECTED_PATTERN};
use super::{
    AXIS_Y, FAILURE_COLOUR, HEIGHT, LEFT, REJECTED_COLOUR, RIGHT, SLOW_COLOUR, Scale, state_colour,
    write_rect,
};
use crate::input::DisplayDate;
use crate::replay::{Timeline, state_index};

/// Steps between time labels, in seconds, from which the axis picks the
/// first that gives at most ten labels.
const TICK_STEPS: [f64; 26] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0,
    120.0, 300.0, 600.0, 1800.0, 3600.0, 10_800.0, 21_600.0, 43_200.0, 86_400.0, 604_800.0,
];

pub(super) fn write_time_axis(svg: &mut String, scale: &Scale, dates: bool) {
    let start = scale.origin.as_secs_f64();
    let end = scale.end.as_secs_f64();
    let span = end - start;
    let step = TICK_STEPS
        .into_iter()
        .find(|step| span / step <= 10.0)
        .unwrap_or_else(|| (span / 10.0).ceil());

    let mut tick = (start / step).ceil() * step;
    while tick <= end + 1e-9 {
        let x = scale.x(Duration::from_secs_f64(tick));
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.2}" y1="{AXIS_Y}" x2="{x:.2}" y2="{}" stroke="#616161"/>"##,
            AXIS_Y + 5.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{x:.2}" y="{}" text-anchor="middle">{}</text>"#,
            AXIS_Y + 19.0,
            escape(&tick_label(tick, step, span, dates))
        );
        tick += step;
    }
    let caption = if dates { "time (UTC)" } else { "t (seconds)" };
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{caption}</text>"#,
        (LEFT + RIGHT) / 2.0,
        AXIS_Y + 38.0
    );
}

/// Writes a tick as a date part fine enough for the step, or as seconds.
fn tick_label(seconds: f64, step: f64, span: f64, dates: bool) -> String {
    if !dates {
        let decimals = if step >= 1.0 {
            0
        } else {
            (-step.log10()).ceil() as usize
        };
        return format!("{seconds:.decimals$}s");
    }
    // "2015-05-17 10:05:03.250Z": keep the parts the step and span need.
    let full = DisplayDate(Duration::from_secs_f64(seconds)).to_string();
    let full = full.trim_end_matches('Z');
    let (date, time) = full.split_once(' ').unwrap_or((full, ""));
    let time = if step >= 60.0 { &time[..5] } else { time };
    if step >= 86_400.0 {
        date[5..].to_owned()
    } else if span >= 86_400.0 {
        format!("{} {time}", &date[5..])
    } else {
        time.to_owned()
    }
}

/// Writes the legend: the states seen, then the hatch of injected spans
/// when `injected` is true, and a second row for the lines and bars.
pub(super) fn write_legend(svg: &mut String, timeline: &Timeline, injected: bool) {
    let y = HEIGHT - 44.0;
    let mut x = LEFT;
    let seen: Vec<State> = State::ALL
        .into_iter()
        .filter(|state| {
            timeline
                .buckets()
                .iter()
                .any(|bucket| bucket.state_seconds[state_index(*state)] > 0.0)
        })
        .collect();
    for state in seen {
        write_rect(svg, x, y - 10.0, 14.0, 12.0, state_colour(state), 1.0);
        let _ = writeln!(svg, r#"<text x="{}" y="{y}">{state}</text>"#, x + 19.0);
        x += 40.0 + 7.0 * state.as_str().len() as f64;
    }
    if injected {
        let _ = writeln!(
            svg,
            r##"<rect x="{x}" y="{}" width="14" height="12" fill="url(#{INJECTED_PATTERN})" stroke="{INJECTED_COLOUR}" stroke-width="0.8"/>"##,
            y - 10.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{y}">span injected with --inject</text>"#,
            x + 19.0
        );
    }

    let y = HEIGHT - 20.0;
    let mut x = LEFT;
    let mut entries = vec![(
        FAILURE_COLOUR,
        None,
        "failure rate of the window (highest per interval)".to_owned(),
    )];
    if let Some(threshold) = timeline.slow_threshold() {
        entries.push((
            SLOW_COLOUR,
            Some("6 4"),
            format!(
                "slow-call rate, calls of {} or more",
                fluxgate::DisplayDuration(threshold)
            ),
        ));
    }
    for (colour, dash, text) in entries {
        let dash = dash.map_or(String::new(), |dash| {
            format!(r#" stroke-dasharray="{dash}""#)
        });
        let _ = writeln!(
            svg,
            r#"<line x1="{x}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="2"{dash}/>"#,
            y - 4.0,
            x + 28.0,
            y - 4.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{y}">{}</text>"#,
            x + 34.0,
            escape(&text)
        );
        x += 60.0 + 6.5 * text.len() as f64;
    }
    write_rect(svg, x, y - 10.0, 10.0, 12.0, REJECTED_COLOUR, 1.0);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{y}">rejected calls</text>"#,
        x + 15.0
    );
}

pub(super) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_fit_the_step() {
        let may_17 = 1_431_857_103.0;
        assert_eq!(
            tick_label(may_17, 3600.0, 3.0 * 86_400.0, true),
            "05-17 10:05"
        );
        assert_eq!(tick_label(may_17, 600.0, 7200.0, true), "10:05");
        assert_eq!(tick_label(may_17, 10.0, 100.0, true), "10:05:03");
        assert_eq!(tick_label(may_17, 86_400.0, 9.0 * 86_400.0, true), "05-17");
        assert_eq!(tick_label(12.5, 0.5, 5.0, false), "12.5s");
        assert_eq!(tick_label(120.0, 60.0, 600.0, false), "120s");
    }
}
