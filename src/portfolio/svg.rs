//! Charts as inline SVG, drawn here: horizontal stacked bars for aggregates and a line chart
//! for the trend. No script and no external resource, so the page works offline and under a
//! `default-src 'none'` policy.

use std::fmt::Write as _;

use super::escape;
use super::model::{Row, TrendPoint};

/// Colour of open findings.
pub const OPEN: &str = "#c2410c";
/// Colour of accepted debt.
pub const DEBT: &str = "#6b7280";

const WIDTH: usize = 560;
const LABEL: usize = 200;
const BAR_HEIGHT: usize = 18;
const GAP: usize = 6;

/// Horizontal bars, one per row: open (left) and debt (right) stacked, counts at the end.
pub fn bars(title: &str, rows: &[Row]) -> String {
    let max = rows.iter().map(|r| r.open + r.debt).max().unwrap_or(0).max(1);
    let height = rows.len() * (BAR_HEIGHT + GAP) + GAP;
    let scale = (WIDTH - LABEL - 60) as f64 / max as f64;
    let mut out = format!(
        r#"<svg class="chart bars" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = GAP + i * (BAR_HEIGHT + GAP);
        let open = (r.open as f64 * scale).round();
        let debt = (r.debt as f64 * scale).round();
        let text_y = y + BAR_HEIGHT - 5;
        let key = escape(&shorten(&r.key, 30));
        let _ = write!(
            out,
            r#"<text x="{lx}" y="{text_y}" text-anchor="end" font-size="12">{key}</text><rect x="{LABEL}" y="{y}" width="{open}" height="{BAR_HEIGHT}" fill="{OPEN}"><title>{key}: {o} open</title></rect><rect x="{dx}" y="{y}" width="{debt}" height="{BAR_HEIGHT}" fill="{DEBT}"><title>{key}: {d} accepted</title></rect><text x="{nx}" y="{text_y}" font-size="12">{o} / {d}</text>"#,
            lx = LABEL - 6,
            o = r.open,
            d = r.debt,
            dx = LABEL as f64 + open,
            nx = LABEL as f64 + open + debt + 6.0,
        );
    }
    out.push_str("</svg>");
    out
}

/// Series of the trend chart: name, colour, value of a point.
type Series = (&'static str, &'static str, fn(&TrendPoint) -> usize);

const SERIES: &[Series] = &[
    ("open", OPEN, |p| p.open),
    ("baselined", DEBT, |p| p.baselined),
    ("suppressed", "#2563eb", |p| p.suppressed),
];

/// A line per series over the trend's points, with the first and last labels under the axis.
pub fn trend(points: &[TrendPoint]) -> String {
    let (w, h, pad) = (840.0, 240.0, 36.0);
    let max = points
        .iter()
        .flat_map(|p| SERIES.iter().map(move |(_, _, v)| v(p)))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let step = if points.len() > 1 {
        (w - 2.0 * pad) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| pad + step * i as f64;
    let y = |v: usize| h - pad - (h - 2.0 * pad) * v as f64 / max;
    let mut out = format!(
        r#"<svg class="chart trend" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="Findings over time"><title>Findings over time</title><line x1="{pad}" y1="{b}" x2="{r}" y2="{b}" stroke="gray"/><text x="4" y="{top}" font-size="11">{max}</text><text x="4" y="{b}" font-size="11">0</text>"#,
        b = h - pad,
        r = w - pad,
        top = pad,
    );
    for (name, colour, value) in SERIES {
        let values: Vec<usize> = points.iter().map(value).collect();
        line(&mut out, points, name, colour, "", &values, &x, &y);
    }
    // Open findings per category, dashed under the totals.
    for (category, colour) in CATEGORIES {
        let values: Vec<usize> = points
            .iter()
            .map(|p| p.by_category.get(*category).copied().unwrap_or(0))
            .collect();
        if values.iter().any(|&v| v > 0) {
            line(&mut out, points, category, colour, "4 3", &values, &x, &y);
        }
    }
    for i in [0, points.len().saturating_sub(1)] {
        if let Some(p) = points.get(i) {
            let anchor = if i == 0 { "start" } else { "end" };
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="{anchor}">{}</text>"#,
                x(i),
                h - pad + 16.0,
                escape(&p.label)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Colours of the per-category lines of the trend.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("security", "#b91c1c"),
    ("privacy", "#7c3aed"),
    ("fairness", "#0f766e"),
];

/// One series: a polyline and a point (with its value as a tooltip) per snapshot.
#[allow(clippy::too_many_arguments)]
fn line(
    out: &mut String,
    points: &[TrendPoint],
    name: &str,
    colour: &str,
    dash: &str,
    values: &[usize],
    x: &dyn Fn(usize) -> f64,
    y: &dyn Fn(usize) -> f64,
) {
    let coords: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v)))
        .collect();
    let _ = write!(
        out,
        r#"<polyline fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}" points="{}"><title>{name}</title></polyline>"#,
        coords.join(" ")
    );
    for (i, (p, v)) in points.iter().zip(values).enumerate() {
        let _ = write!(
            out,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"><title>{}: {v} {name}</title></circle>"#,
            x(i),
            y(*v),
            escape(&p.label),
        );
    }
}

/// At most `n` characters, with an ellipsis when cut.
pub fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push('…');
    out
}
