//! The `--inject` spans of a replay, drawn as hatched bands across the
//! rate chart and the rejection bars.

use std::fmt::Write;
use std::time::Duration;

use super::axes::escape;
use super::{AXIS_Y, CHART_TOP, Scale};

/// The colour of the hatch, edges and labels of injected spans.
pub(super) const INJECTED_COLOUR: &str = "#263238";
/// The id of the hatch pattern that injected spans are filled with.
pub(super) const INJECTED_PATTERN: &str = "injected";

/// An `--inject` span on the replay clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedBand {
    /// The first time in the span.
    pub start: Duration,
    /// The time the span ends, excluded.
    pub end: Duration,
    /// The words written at the band's top, such as `http_503`.
    pub label: String,
}

/// Hatches each injected span over the rate chart and the rejection bars,
/// with dashed edges and its label at the top, and returns `true` when any
/// span falls inside the plotted time.
pub(super) fn write_injected_bands(
    svg: &mut String,
    bands: &[InjectedBand],
    scale: &Scale,
) -> bool {
    let visible: Vec<(f64, f64, &str)> = bands
        .iter()
        .filter(|band| band.end > scale.origin && band.start < scale.end)
        .map(|band| (scale.x(band.start), scale.x(band.end), band.label.as_str()))
        .collect();
    if visible.is_empty() {
        return false;
    }

    let _ = writeln!(
        svg,
        r##"<defs><pattern id="{INJECTED_PATTERN}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{INJECTED_COLOUR}" fill-opacity="0.08"/><line x1="0" y1="0" x2="0" y2="6" stroke="{INJECTED_COLOUR}" stroke-width="2" stroke-opacity="0.5"/></pattern></defs>"##
    );
    for (x0, x1, label) in visible {
        // A span narrower than two pixels is drawn two pixels wide.
        let width = (x1 - x0).max(2.0);
        let _ = writeln!(
            svg,
            r#"<rect x="{x0:.2}" y="{CHART_TOP}" width="{width:.2}" height="{}" fill="url(#{INJECTED_PATTERN})"/>"#,
            AXIS_Y - CHART_TOP
        );
        for x in [x0, x0 + width] {
            let _ = writeln!(
                svg,
                r#"<line x1="{x:.2}" y1="{CHART_TOP}" x2="{x:.2}" y2="{AXIS_Y}" stroke="{INJECTED_COLOUR}" stroke-width="1" stroke-dasharray="4 3"/>"#
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{:.2}" y="{}" font-size="11" fill="{INJECTED_COLOUR}">injected {}</text>"#,
            x0 + width + 3.0,
            CHART_TOP + 14.0,
            escape(label)
        );
    }
    true
}
