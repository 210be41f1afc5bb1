//! `--html FILE`: the run as one self-contained HTML page with inline-SVG charts (`plotters`'
//! SVG backend): raw events vs alarms after de-duplication and correlation over time, the noise
//! funnel, tickets by trigger, and — when the report has them (`sla_compliance`, the availability
//! SLAs per customer tier) — SLA availability per tier against its target and the credits owed.
//!
//! The page has no scripts and no external resources (styles, fonts or images from anywhere)
//! and is well-formed XML (polyglot XHTML), so tests can parse it. Every chart is a
//! `<figure data-chart="ID">` holding its `<svg>`; `scripts/test-noc-html.sh` opens the page in
//! headless Chromium (`examples/noc/html-check.ts`) and checks that each one rendered.
//!
//! The time series are gathered during the run by [`Timeline`] at O(1) per event and per
//! decision (a counter per bucket; one map entry per created alarm).

use chrono::{DateTime, Duration, Utc};
use faultdesk::fault::AlarmStatus;
use faultdesk::fault::decision::Decision;
use plotters::coord::ranged1d::{SegmentValue, SegmentedCoord};
use plotters::coord::types::RangedCoordu32;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use uuid::Uuid;

/// Runs of up to this many days get per-minute buckets; longer ones per-hour buckets.
const MINUTE_BUCKETS_UP_TO_DAYS: i64 = 2;

/// Raw events, alarms created and alarms left visible (not suppressed) per time bucket.
#[derive(Debug, Default)]
pub struct Timeline {
    enabled: bool,
    start: Option<DateTime<Utc>>,
    bucket_secs: i64,
    raw: Vec<u64>,
    created: Vec<u64>,
    visible: Vec<u64>,
    /// Bucket of each created alarm that has not been suppressed (yet).
    open: HashMap<Uuid, u32>,
}

impl Timeline {
    /// A timeline from `start` over `days` days; a disabled one records nothing.
    pub fn new(start: DateTime<Utc>, days: i64, enabled: bool) -> Self {
        let bucket_secs = if days <= MINUTE_BUCKETS_UP_TO_DAYS {
            60
        } else {
            3600
        };
        let n = if enabled {
            (days * 86_400 / bucket_secs) as usize
        } else {
            0
        };
        Timeline {
            enabled,
            start: Some(start),
            bucket_secs,
            raw: vec![0; n],
            created: vec![0; n],
            visible: vec![0; n],
            open: HashMap::new(),
        }
    }

    fn bucket(&mut self, at: DateTime<Utc>) -> usize {
        let start = self.start.unwrap_or(at);
        let i = ((at - start).num_seconds().max(0) / self.bucket_secs) as usize;
        if i >= self.raw.len() {
            self.raw.resize(i + 1, 0);
            self.created.resize(i + 1, 0);
            self.visible.resize(i + 1, 0);
        }
        i
    }

    /// Counts raw events by their `occurred_at`.
    pub fn events<'a>(&mut self, times: impl IntoIterator<Item = DateTime<Utc>> + 'a) {
        if !self.enabled {
            return;
        }
        for t in times {
            let b = self.bucket(t);
            self.raw[b] += 1;
        }
    }

    /// Counts a batch's decisions: alarms created (by first occurrence), and removes an alarm
    /// from the "visible" series when it is suppressed (correlated child or maintenance).
    pub fn decisions(&mut self, decisions: &[Decision]) {
        if !self.enabled {
            return;
        }
        for d in decisions {
            match d {
                Decision::Created { alarm } => {
                    let b = self.bucket(alarm.first_occurrence);
                    self.created[b] += 1;
                    if alarm.status == AlarmStatus::Suppressed {
                        continue;
                    }
                    self.visible[b] += 1;
                    self.open.insert(alarm.id, b as u32);
                }
                Decision::Suppressed { alarm_id, .. } => self.hide(*alarm_id),
                Decision::Correlated {
                    alarm_id, status, ..
                } if *status == AlarmStatus::Suppressed => self.hide(*alarm_id),
                _ => {}
            }
        }
    }

    fn hide(&mut self, alarm_id: Uuid) {
        if let Some(b) = self.open.remove(&alarm_id) {
            self.visible[b as usize] -= 1;
        }
    }

    fn unit(&self) -> &'static str {
        if self.bucket_secs == 60 {
            "minute"
        } else {
            "hour"
        }
    }

    fn label(&self, i: u32) -> String {
        let start = self.start.unwrap_or_default();
        let t = start + Duration::seconds(i as i64 * self.bucket_secs);
        if self.bucket_secs == 60 {
            t.format("%m-%d %H:%M").to_string()
        } else {
            t.format("%m-%d").to_string()
        }
    }
}

/// One chart of the page.
struct Chart {
    id: &'static str,
    title: String,
    caption: String,
    svg: String,
}

const WIDTH: u32 = 960;
const HEIGHT: u32 = 380;
const FONT: &str = "sans-serif";

fn plot_err<E: std::fmt::Debug>(e: E) -> String {
    format!("chart drawing failed: {e:?}")
}

/// The floor of the timeline's logarithmic axis: an empty bucket is drawn on it.
const LOG_FLOOR: f64 = 0.8;

fn timeline_chart(t: &Timeline) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let n = t.raw.len().max(2) as u32;
        let ymax = t
            .raw
            .iter()
            .chain(&t.created)
            .copied()
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0u32..n - 1, (LOG_FLOOR..ymax * 4.0).log_scale())
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels(8)
            .x_label_formatter(&|x| t.label(*x))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc(format!("per {} (log)", t.unit()))
            .label_style((FONT, 13))
            .draw()
            .map_err(plot_err)?;
        let series: [(&str, &Vec<u64>, RGBColor); 3] = [
            ("raw events", &t.raw, RGBColor(120, 144, 156)),
            (
                "alarms (after de-duplication)",
                &t.created,
                RGBColor(230, 126, 34),
            ),
            (
                "alarms after correlation and maintenance",
                &t.visible,
                RGBColor(192, 57, 43),
            ),
        ];
        for (name, values, color) in series {
            chart
                .draw_series(LineSeries::new(
                    values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (i as u32, (*v as f64).max(LOG_FLOOR))),
                    color.stroke_width(2),
                ))
                .map_err(plot_err)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 13))
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// Vertical bars, one per (label, value); `log` uses a logarithmic value axis.
fn bar_chart(
    bars: &[(String, f64)],
    y_desc: &str,
    log: bool,
    color: RGBColor,
    fmt: &dyn Fn(f64) -> String,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let n = bars.len().max(1) as u32;
        let max = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0);
        let labels: Vec<String> = bars.iter().map(|(l, _)| l.clone()).collect();
        let x_fmt = |x: &SegmentValue<u32>| match x {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        if log {
            let mut chart = ChartBuilder::on(&root)
                .margin(14)
                .x_label_area_size(40)
                .y_label_area_size(72)
                .build_cartesian_2d(
                    (0u32..n - 1).into_segmented(),
                    (1f64..max * 3.0).log_scale(),
                )
                .map_err(plot_err)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .light_line_style(TRANSPARENT)
                .y_label_formatter(&|y| format!("{y:.0}"))
                .x_label_formatter(&x_fmt)
                .y_desc(y_desc)
                .label_style((FONT, 13))
                .draw()
                .map_err(plot_err)?;
            draw_bars(&mut chart, bars, 1.0, color, fmt)?;
        } else {
            let mut chart = ChartBuilder::on(&root)
                .margin(14)
                .x_label_area_size(40)
                .y_label_area_size(72)
                .build_cartesian_2d((0u32..n - 1).into_segmented(), 0f64..max * 1.15)
                .map_err(plot_err)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .light_line_style(TRANSPARENT)
                .y_label_formatter(&|y| y_fmt(*y))
                .x_label_formatter(&x_fmt)
                .y_desc(y_desc)
                .label_style((FONT, 13))
                .draw()
                .map_err(plot_err)?;
            draw_bars(&mut chart, bars, 0.0, color, fmt)?;
        }
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// The style of a bar's value: centred just above the point it is drawn at (the top of the
/// bar; drawn 3 px higher, `EmptyElement::at(top) + Text::new(text, (0, -3), value_style())`).
fn value_style() -> TextStyle<'static> {
    TextStyle::from((FONT, 14).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Bottom))
}

/// A linear axis' tick label: whole numbers without decimals.
fn y_fmt(y: f64) -> String {
    if y.fract() == 0.0 {
        format!("{y:.0}")
    } else {
        format!("{y:.1}")
    }
}

fn draw_bars<DB, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<SegmentedCoord<RangedCoordu32>, Y>>,
    bars: &[(String, f64)],
    floor: f64,
    color: RGBColor,
    fmt: &dyn Fn(f64) -> String,
) -> Result<(), String>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64>,
{
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            let i = i as u32;
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(i), floor),
                    (SegmentValue::Exact(i + 1), v.max(floor)),
                ],
                color.filled(),
            );
            r.set_margin(0, 0, 18, 18);
            r
        }))
        .map_err(plot_err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            EmptyElement::at((SegmentValue::CenterOf(i as u32), v.max(floor)))
                + Text::new(fmt(*v), (0, -3), value_style())
        }))
        .map_err(plot_err)?;
    Ok(())
}

/// One bar per tier (measured availability, percent) with its target as a line across it, on
/// an axis zoomed to the values.
fn availability_chart(rows: &[(String, f64, f64)]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let n = rows.len().max(1) as u32;
        let low = rows
            .iter()
            .flat_map(|(_, a, t)| [*a, *t])
            .fold(100.0, f64::min);
        let floor = (low - (100.0 - low).max(0.05) * 0.5).clamp(0.0, 99.99);
        let labels: Vec<String> = rows
            .iter()
            .map(|(l, _, t)| format!("{l} (target {t:.2} %)"))
            .collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(72)
            .build_cartesian_2d((0u32..n - 1).into_segmented(), floor..100.0)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc("availability %")
            .y_label_formatter(&|y| format!("{y:.2}"))
            .label_style((FONT, 13))
            .draw()
            .map_err(plot_err)?;
        let measured = RGBColor(39, 174, 96);
        let missed = RGBColor(192, 57, 43);
        chart
            .draw_series(rows.iter().enumerate().map(|(i, (_, a, t))| {
                let i = i as u32;
                let c = if a < t { missed } else { measured };
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), floor),
                        (SegmentValue::Exact(i + 1), *a),
                    ],
                    c.filled(),
                );
                r.set_margin(0, 0, 30, 30);
                r
            }))
            .map_err(plot_err)?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, (_, _, t))| {
                let i = i as u32;
                PathElement::new(
                    vec![
                        (SegmentValue::Exact(i), *t),
                        (SegmentValue::Exact(i + 1), *t),
                    ],
                    BLACK.stroke_width(3),
                )
            }))
            .map_err(plot_err)?;
        // The measured value inside the top of its bar (the target line may run just above).
        let inside = TextStyle::from((FONT, 14).into_font())
            .color(&WHITE)
            .pos(Pos::new(HPos::Center, VPos::Top));
        chart
            .draw_series(rows.iter().enumerate().map(|(i, (_, a, _))| {
                EmptyElement::at((SegmentValue::CenterOf(i as u32), *a))
                    + Text::new(format!("{a:.3} %"), (0, 6), inside.clone())
            }))
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

fn num(v: &Value, key: &str) -> f64 {
    match &v[key] {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// SLA rows per customer tier from the report's `sla_compliance` list (the `sla` module's
/// `TierReport`s: `tier`, `average_availability` and `target` as fractions, `credits`):
/// (tier, availability %, target %, credits). Tiers without a measured availability are left
/// out.
fn sla_rows(report: &Value) -> Vec<(String, f64, f64, f64)> {
    let Some(tiers) = report["sla_compliance"].as_array() else {
        return Vec::new();
    };
    tiers
        .iter()
        .filter(|t| !t["average_availability"].is_null())
        .map(|t| {
            (
                t["tier"].as_str().unwrap_or("?").to_string(),
                num(t, "average_availability") * 100.0,
                num(t, "target") * 100.0,
                num(t, "credits"),
            )
        })
        .collect()
}

/// The currency of the report's SLA credits (`""` when it has none).
fn sla_currency(report: &Value) -> String {
    report["sla_compliance"][0]["currency"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Renders the page for a finished run: `report` is the run's JSON report, `timeline` its
/// time series.
pub fn render(report: &Value, timeline: &Timeline) -> Result<String, String> {
    let mut charts = Vec::new();
    charts.push(Chart {
        id: "timeline",
        title: format!(
            "Raw events vs alarms after de-duplication and correlation, per {}",
            timeline.unit()
        ),
        caption: "Every raw event, the alarms they created after de-duplication, and the alarms left for an operator once correlated children and maintenance-window alarms are suppressed.".into(),
        svg: timeline_chart(timeline)?,
    });
    let funnel = vec![
        ("events in".to_string(), num(report, "events_in")),
        ("alarms created".to_string(), num(report, "alarms_created")),
        (
            "actionable alarms".to_string(),
            num(report, "actionable_alarms"),
        ),
        ("tickets".to_string(), num(report, "tickets_created")),
    ];
    charts.push(Chart {
        id: "funnel",
        title: "Noise reduction".into(),
        caption: format!(
            "From raw events to tickets (logarithmic scale): {:.1} events per actionable alarm.",
            num(report, "noise_reduction_ratio")
        ),
        svg: bar_chart(&funnel, "count (log)", true, RGBColor(52, 152, 219), &|v| {
            format!("{v:.0}")
        })?,
    });
    let triggers: Vec<(String, f64)> = report["tickets_by_trigger"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.replace('_', " "), v.as_f64().unwrap_or(0.0)))
                .collect()
        })
        .unwrap_or_default();
    charts.push(Chart {
        id: "tickets-by-trigger",
        title: "Tickets by trigger".into(),
        caption: "Tickets the auto-ticket triggers opened (seed 002: critical alarms, major alarms with more than 10 subscribers, unacknowledged alarms, SLA breaches).".into(),
        svg: bar_chart(&triggers, "tickets", false, RGBColor(142, 68, 173), &|v| {
            format!("{v:.0}")
        })?,
    });
    let sla = sla_rows(report);
    if !sla.is_empty() {
        let avail: Vec<(String, f64, f64)> =
            sla.iter().map(|(n, a, t, _)| (n.clone(), *a, *t)).collect();
        charts.push(Chart {
            id: "sla-availability",
            title: "SLA availability per customer tier".into(),
            caption: "Bars: the tier's mean measured availability (maintenance excluded), green when it meets the target, red when it misses it; black line: the tier's target.".into(),
            svg: availability_chart(&avail)?,
        });
        let credits: Vec<(String, f64)> = sla.iter().map(|(n, _, _, c)| (n.clone(), *c)).collect();
        charts.push(Chart {
            id: "sla-credits",
            title: "SLA credits owed".into(),
            caption: format!(
                "Credits owed to customers per tier for the period ({}).",
                sla_currency(report)
            ),
            svg: bar_chart(&credits, "credits", false, RGBColor(211, 84, 0), &|v| {
                format!("{v:.2}")
            })?,
        });
    }
    Ok(page(report, &charts))
}

fn page(report: &Value, charts: &[Chart]) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>faultdesk noc report</title>\n<style>\n");
    h.push_str("body{font-family:sans-serif;margin:2em auto;max-width:1000px;color:#222}\nh1{font-size:1.6em}\nfigure{margin:2em 0;border:1px solid #ddd;padding:1em}\nfigcaption{color:#555;margin-bottom:.5em}\ntable{border-collapse:collapse}\ntd,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}\ntd.n{text-align:right}\nsvg{max-width:100%;height:auto}\n");
    h.push_str("</style>\n</head>\n<body>\n<h1>faultdesk noc — one simulated period of an FTTH network</h1>\n");
    h.push_str("<table id=\"summary\">\n");
    for (label, key) in [
        ("database", "database"),
        ("OLT failure", "olt_failure"),
        ("fibre cut", "fibre_cut"),
        ("events in", "events_in"),
        ("alarms created", "alarms_created"),
        ("de-duplicated", "deduplicated"),
        ("correlated", "correlated"),
        ("suppressed by maintenance", "suppressed_maintenance"),
        ("actionable alarms", "actionable_alarms"),
        ("tickets created", "tickets_created"),
        ("tickets closed", "tickets_closed"),
        ("ticket SLA breaches", "sla_breaches"),
        ("availability SLA breaches", "sla_availability_breaches"),
        ("ingest events/s", "events_per_second"),
    ] {
        let v = &report[key];
        if v.is_null() {
            continue;
        }
        let (class, text) = match v {
            Value::Number(n) => (
                " class=\"n\"",
                match n.as_f64() {
                    Some(f) if f.fract() != 0.0 => format!("{f:.1}"),
                    _ => n.to_string(),
                },
            ),
            Value::String(s) => ("", s.clone()),
            other => ("", other.to_string()),
        };
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td{class}>{}</td></tr>",
            escape(label),
            escape(&text)
        );
    }
    h.push_str("</table>\n");
    for c in charts {
        let _ = write!(
            h,
            "<figure id=\"{}\" data-chart=\"{}\">\n<h2>{}</h2>\n<figcaption>{}</figcaption>\n{}\n</figure>\n",
            c.id,
            c.id,
            escape(&c.title),
            escape(&c.caption),
            strip_xml_declaration(&c.svg)
        );
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// plotters writes a bare `<svg ...>` element; drop an XML declaration if a version adds one.
fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small noc run through the real command line (`--html`), then the page: well-formed,
    /// every chart present with content, no external resources, series that add up.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn renders_a_small_run() {
        let dir = tempfile::tempdir().unwrap();
        let html_path = dir.path().join("report.html");
        let html_arg = html_path.display().to_string();
        let opts = crate::small_run_options(
            dir.path(),
            &["--events", "4000", "--days", "1", "--html", &html_arg],
        );
        let report = crate::run_and_write(&opts).await.expect("noc run");
        let html = std::fs::read_to_string(&html_path).expect("report.html written");
        let xml = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&html, xml)
            .expect("the page is well-formed XML");
        let figures: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("figure"))
            .collect();
        let ids: Vec<&str> = figures
            .iter()
            .filter_map(|f| f.attribute("data-chart"))
            .collect();
        for id in [
            "timeline",
            "funnel",
            "tickets-by-trigger",
            "sla-availability",
            "sla-credits",
        ] {
            assert!(ids.contains(&id), "chart {id} present: {ids:?}");
        }
        for f in &figures {
            let svg = f
                .descendants()
                .find(|n| n.has_tag_name("svg"))
                .unwrap_or_else(|| panic!("{:?} has an inline svg", f.attribute("id")));
            let shapes = svg
                .descendants()
                .filter(|n| {
                    ["rect", "polyline", "path", "line"]
                        .iter()
                        .any(|t| n.has_tag_name(*t))
                })
                .count();
            assert!(shapes > 3, "{:?} draws something", f.attribute("id"));
            assert!(
                svg.descendants().any(|n| n.has_tag_name("text")),
                "{:?} has labels",
                f.attribute("id")
            );
        }
        for attr in ["src=", "href=", "<link", "@import", "url(", "<script"] {
            assert!(!html.contains(attr), "self-contained: no {attr}");
        }
        // The series add up to the report's totals.
        assert_eq!(report.timeline.raw.iter().sum::<u64>(), report.events_in);
        assert_eq!(
            report.timeline.created.iter().sum::<u64>(),
            report.alarms_created
        );
        let visible: u64 = report.timeline.visible.iter().sum();
        assert!(visible < report.alarms_created && visible > 0);
        assert_eq!(
            visible, report.actionable_alarms,
            "the series and the report count the same never-suppressed alarms"
        );
        assert_eq!(
            report.timeline.bucket_secs, 60,
            "a one-day run has minute buckets"
        );
        assert!(report.timeline.raw.len() >= 1440);
        // The summary names the run.
        assert!(html.contains(&report.events_in.to_string()));
    }

    /// A report with availability SLAs gets the two SLA charts: one bar per measured tier, the
    /// missed target in red, the credits labelled in the report's currency.
    #[test]
    fn sla_charts_when_the_report_has_tiers() {
        let start = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let mut t = Timeline::new(start, 30, true);
        t.events((0..500).map(|i| start + Duration::minutes(i * 7)));
        let report = serde_json::json!({
            "events_in": 500, "alarms_created": 40, "actionable_alarms": 6, "tickets_created": 3,
            "noise_reduction_ratio": 83.3, "tickets_by_trigger": {"critical": 1, "sla_breach": 2},
            "sla_compliance": [
                {"tier": "residential", "average_availability": "0.9952", "target": "0.99", "credits": "0", "currency": "EUR"},
                {"tier": "business", "average_availability": "0.9981", "target": "0.995", "credits": "12.50", "currency": "EUR"},
                {"tier": "enterprise", "average_availability": "0.9985", "target": "0.999", "credits": "480.00", "currency": "EUR"},
                {"tier": "unmeasured", "average_availability": null, "target": "0.99", "credits": "0", "currency": "EUR"}
            ]
        });
        let html = render(&report, &t).unwrap();
        if let Ok(path) = std::env::var("NOC_HTML_SAMPLE") {
            std::fs::write(path, &html).unwrap();
        }
        let xml = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&html, xml).unwrap();
        let figure = |id: &str| {
            doc.descendants()
                .find(|n| n.attribute("data-chart") == Some(id))
                .unwrap_or_else(|| panic!("chart {id}"))
        };
        let texts = |id: &str| -> Vec<String> {
            figure(id)
                .descendants()
                .filter(|n| n.has_tag_name("text"))
                .filter_map(|n| n.text().map(|s| s.trim().to_string()))
                .collect()
        };
        let avail = texts("sla-availability");
        for label in [
            "residential (target 99.00 %)",
            "business (target 99.50 %)",
            "enterprise (target 99.90 %)",
            "99.520 %",
            "99.850 %",
        ] {
            assert!(avail.iter().any(|t| t == label), "{label} in {avail:?}");
        }
        assert!(
            !avail.iter().any(|t| t.starts_with("unmeasured")),
            "a tier without a measured availability gets no bar: {avail:?}"
        );
        // The enterprise tier misses its 99.9 % target: its bar is red, the others green.
        let fills: Vec<String> = figure("sla-availability")
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter_map(|n| n.attribute("fill").map(str::to_lowercase))
            .collect();
        assert_eq!(
            fills.iter().filter(|f| *f == "#c0392b").count(),
            1,
            "{fills:?}"
        );
        assert!(
            fills.iter().filter(|f| *f == "#27ae60").count() >= 2,
            "{fills:?}"
        );
        let credits = texts("sla-credits");
        for label in ["12.50", "480.00"] {
            assert!(credits.iter().any(|t| t == label), "{label} in {credits:?}");
        }
        assert!(html.contains("(EUR)"));
    }

    #[test]
    fn disabled_timeline_records_nothing() {
        let mut t = Timeline::new(Utc::now(), 30, false);
        t.events([Utc::now()]);
        assert!(t.raw.is_empty());
    }

    #[test]
    fn sla_rows_read_the_tier_reports() {
        let r = serde_json::json!({"sla_compliance": [
            {"tier": "business", "average_availability": "0.9991", "target": "0.995", "credits": "12.50", "currency": "USD"},
            {"tier": "enterprise", "average_availability": "0.9985", "target": "0.999", "credits": "40"},
            {"tier": "none-measured", "average_availability": null, "target": "0.99", "credits": "0"}
        ]});
        let rows = sla_rows(&r);
        assert_eq!(rows.len(), 2);
        assert!((rows[0].1 - 99.91).abs() < 1e-9 && (rows[0].2 - 99.5).abs() < 1e-9);
        assert_eq!(rows[0].3, 12.5);
        assert_eq!(rows[1].0, "enterprise");
        assert_eq!(sla_currency(&r), "USD");
        assert!(sla_rows(&serde_json::json!({})).is_empty());
    }
}
