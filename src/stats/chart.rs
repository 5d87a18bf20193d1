//! Charts as SVG, written directly: a bar series with an optional line series on a 0–100 %
//! axis. (plotters would need a TrueType font stack — font-kit and fontconfig — to lay out text;
//! an SVG file can leave text to the browser.) Each bar and the line carry their data in
//! `data-*` attributes, so the figures are machine-readable too.

use std::fmt::Write;

const W: f64 = 960.0;
const H: f64 = 480.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 70.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 90.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A bar per category (left axis, `bar_unit`), and optionally a line of rates in [0, 1] (right
/// axis, percent).
pub fn bars_and_line(
    title: &str,
    bar_name: &str,
    categories: &[String],
    bars: &[f64],
    line: Option<(&str, &[f64])>,
) -> String {
    let mut svg = String::new();
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let max = bars.iter().copied().fold(0.0_f64, f64::max).max(1.0);
    let n = categories.len().max(1) as f64;
    let step = plot_w / n;
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif" font-size="13">"#
    );
    let _ = write!(svg, r##"<rect width="{W}" height="{H}" fill="#ffffff"/>"##);
    let _ = write!(
        svg,
        r#"<text x="{}" y="32" text-anchor="middle" font-size="20">{}</text>"#,
        W / 2.0,
        esc(title)
    );
    // axes and grid (left: bar values, right: percent)
    for i in 0..=4 {
        let y = TOP + plot_h * (1.0 - i as f64 / 4.0);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#dddddd"/>"##,
            W - RIGHT
        );
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 8.0,
            y + 4.0,
            fmt_num(max * i as f64 / 4.0)
        );
        if line.is_some() {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}">{}%</text>"#,
                W - RIGHT + 8.0,
                y + 4.0,
                i * 25
            );
        }
    }
    let _ = write!(
        svg,
        r#"<g class="series bars" data-name="{}">"#,
        esc(bar_name)
    );
    for (i, (label, value)) in categories.iter().zip(bars).enumerate() {
        let h = plot_h * value / max;
        let x = LEFT + step * i as f64 + step * 0.15;
        let _ = write!(
            svg,
            r##"<rect class="bar" x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="#3b7dd8" data-label="{}" data-value="{value}"><title>{}: {}</title></rect>"##,
            TOP + plot_h - h,
            step * 0.7,
            esc(label),
            esc(label),
            fmt_num(*value)
        );
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" transform="rotate(-40 {:.1} {:.1})">{}</text>"#,
            x + step * 0.35,
            H - BOTTOM + 16.0,
            x + step * 0.35,
            H - BOTTOM + 16.0,
            esc(label)
        );
    }
    svg.push_str("</g>");
    if let Some((name, values)) = line {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "{:.1},{:.1}",
                    LEFT + step * (i as f64 + 0.5),
                    TOP + plot_h * (1.0 - v.clamp(0.0, 1.0))
                )
            })
            .collect();
        let data: Vec<String> = values.iter().map(|v| format!("{v:.6}")).collect();
        let _ = write!(
            svg,
            r##"<g class="series line" data-name="{}"><polyline class="line" points="{}" fill="none" stroke="#d8503b" stroke-width="2.5" data-values="{}"/></g>"##,
            esc(name),
            points.join(" "),
            data.join(",")
        );
    }
    // legend
    let _ = write!(
        svg,
        r##"<rect x="{LEFT}" y="44" width="12" height="12" fill="#3b7dd8"/><text x="{}" y="54">{}</text>"##,
        LEFT + 16.0,
        esc(bar_name)
    );
    if let Some((name, _)) = line {
        let _ = write!(
            svg,
            r##"<line x1="{}" y1="50" x2="{}" y2="50" stroke="#d8503b" stroke-width="2.5"/><text x="{}" y="54">{}</text>"##,
            LEFT + 200.0,
            LEFT + 216.0,
            LEFT + 222.0,
            esc(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn fmt_num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_carries_its_data_and_escapes_text() {
        let svg = bars_and_line(
            "趋势 <旬>",
            "认购套数",
            &["2026-03 上旬".into(), "A&B".into()],
            &[3.0, 1.0],
            Some(("累计去化率", &[0.25, 0.5])),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"data-label="2026-03 上旬" data-value="3""#));
        assert!(svg.contains("A&amp;B") && svg.contains("趋势 &lt;旬&gt;"));
        assert!(svg.contains(r#"data-values="0.250000,0.500000""#));
    }
}
