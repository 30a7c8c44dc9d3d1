//! Combines JSON lines of any suite (this bench, the Godot bench) into one
//! table of medians over runs, and checks that every planned row produced numbers.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::stats::{median, round};

/// Rows and metrics in table order: (row, metric, label).
const METRICS: &[(&str, &str, &str)] = &[
    ("connect", "p50_ms", "connect p50 ms"),
    ("connect", "p90_ms", "connect p90 ms"),
    ("connect", "max_ms", "connect max ms"),
    ("connect", "slow_pct", "  connects > 500 ms %"),
    ("connect", "fast_p50_ms", "  p50 of the others ms"),
    ("reliable_1k", "mb_s", "reliable 1 KiB MB/s"),
    ("reliable_1k", "cpu_ms_per_mb", "  CPU ms per MB"),
    ("reliable_1k", "udp_drops", "  UDP rcvbuf drops"),
    ("reliable_16k", "mb_s", "reliable 16 KiB MB/s"),
    ("reliable_16k", "cpu_ms_per_mb", "  CPU ms per MB"),
    ("reliable_16k", "udp_drops", "  UDP rcvbuf drops"),
    ("reliable_64k", "mb_s", "reliable 64 KiB MB/s"),
    ("reliable_64k", "cpu_ms_per_mb", "  CPU ms per MB"),
    ("reliable_64k", "udp_drops", "  UDP rcvbuf drops"),
    ("rtt", "p50_us", "RTT 32 B p50 us"),
    ("rtt", "p99_us", "RTT 32 B p99 us"),
    ("unreliable_1200", "mb_s", "unreliable 1200 B MB/s"),
    ("unreliable_1200", "delivered_pct", "  delivered %"),
    ("unreliable_1200", "udp_drops", "  UDP rcvbuf drops"),
    ("rpc_rtt", "p50_us", "RPC round trip p50 us"),
    ("rpc_rtt", "p99_us", "RPC round trip p99 us"),
    ("memory", "peak_rss_mb", "peak RSS MB"),
    ("memory", "threads", "OS threads"),
    ("scale_64", "connect_p50_ms", "64 conns: connect p50 ms"),
    ("scale_64", "connect_max_ms", "  connect max ms"),
    ("scale_64", "all_open_ms", "  all open after ms"),
    ("scale_64", "rss_kb_per_peer", "  RSS KiB per peer"),
    ("scale_64", "poll_us_total", "  idle poll all us"),
    ("scale_64", "poll_us_per_peer", "  idle poll per peer us"),
    ("scale_64", "threads", "  OS threads"),
    ("scale_256", "connect_p50_ms", "256 conns: connect p50 ms"),
    ("scale_256", "connect_max_ms", "  connect max ms"),
    ("scale_256", "all_open_ms", "  all open after ms"),
    ("scale_256", "rss_kb_per_peer", "  RSS KiB per peer"),
    ("scale_256", "poll_us_total", "  idle poll all us"),
    ("scale_256", "poll_us_per_peer", "  idle poll per peer us"),
    ("scale_256", "threads", "  OS threads"),
];

const SUITE_ORDER: &[&str] = &[
    "rust-dev",
    "rust-release",
    "godot-debug",
    "godot-release",
    "godot-release-2w",
];
const MODE_ORDER: &[&str] = &["tight", "frame", "2proc", "scale"];

/// Parses JSON lines; accepts bare lines and lines prefixed with `BENCH `.
pub fn parse_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let json = line.strip_prefix("BENCH ").unwrap_or(line);
            if json.starts_with('{') {
                serde_json::from_str(json).ok()
            } else {
                None
            }
        })
        .collect()
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or("").to_owned()
}

fn order_of(list: &[&str], name: &str) -> usize {
    list.iter().position(|s| *s == name).unwrap_or(list.len())
}

/// (row, mode, metric) -> suite -> values over runs.
pub(crate) type Grid = BTreeMap<(String, String, String), BTreeMap<String, Vec<f64>>>;

pub(crate) fn grid(lines: &[Value]) -> (Grid, Vec<String>) {
    let mut grid: Grid = BTreeMap::new();
    let mut suites: Vec<String> = Vec::new();
    for line in lines {
        let suite = text(line, "suite");
        if line["ok"] != Value::Bool(true) {
            continue;
        }
        let Some(metrics) = line["metrics"].as_object() else {
            continue;
        };
        if !suites.contains(&suite) && !suite.is_empty() {
            suites.push(suite.clone());
        }
        for (metric, value) in metrics {
            if let Some(x) = value.as_f64() {
                grid.entry((text(line, "row"), text(line, "mode"), metric.clone()))
                    .or_default()
                    .entry(suite.clone())
                    .or_default()
                    .push(x);
            }
        }
    }
    suites.sort_by_key(|s| (order_of(SUITE_ORDER, s), s.clone()));
    (grid, suites)
}

fn cell(x: Option<f64>) -> String {
    match x {
        Some(x) if x.is_finite() => format!("{}", round(x)),
        Some(_) => "nan".into(),
        None => "-".into(),
    }
}

/// The readable table: one line per metric, one column per suite (median
/// over runs) and Godot ÷ pure Rust for the same build. The comparison with
/// another plugin, measured in the same run, is compare::table.
pub fn table(lines: &[Value]) -> String {
    let (grid, suites) = grid(lines);
    let ratios: Vec<(&str, &str, &str)> = [
        ("godot-debug", "rust-dev", "gd-dbg/rs-dev"),
        ("godot-release", "rust-release", "gd-rel/rs-rel"),
    ]
    .into_iter()
    .filter(|(g, r, _)| suites.iter().any(|s| s == g) && suites.iter().any(|s| s == r))
    .collect();
    let mut keys: Vec<&(String, String, String)> = grid.keys().collect();
    let known = |k: &(String, String, String)| {
        METRICS
            .iter()
            .position(|(row, metric, _)| *row == k.0 && *metric == k.2)
    };
    keys.retain(|k| known(k).is_some());
    keys.sort_by_key(|k| (order_of(MODE_ORDER, &k.1), k.1.clone(), known(k)));
    let mut header = vec![
        format!("{:<30}", "metric (median of runs)"),
        format!("{:<6}", "mode"),
    ];
    header.extend(suites.iter().map(|s| format!("{s:>14}")));
    header.extend(ratios.iter().map(|(_, _, name)| format!("{name:>14}")));
    let mut out = header.join(" ") + "\n";
    out += &"-".repeat(out.len().saturating_sub(1));
    out += "\n";
    let mut last_mode = String::new();
    for key in keys {
        let (_, mode, _) = key;
        if *mode != last_mode && !last_mode.is_empty() {
            out += "\n";
        }
        last_mode = mode.clone();
        let label = METRICS[known(key).unwrap_or(0)].2;
        let by_suite = &grid[key];
        let value = |suite: &str| by_suite.get(suite).map(|v| median(v));
        let mut cols = vec![format!("{label:<30}"), format!("{mode:<6}")];
        cols.extend(suites.iter().map(|s| format!("{:>14}", cell(value(s)))));
        for (g, r, _) in &ratios {
            let ratio = match (value(g), value(r)) {
                (Some(g), Some(r)) if r != 0.0 => format!("x{:.2}", g / r),
                _ => "-".into(),
            };
            cols.push(format!("{ratio:>14}"));
        }
        out += cols.join(" ").trim_end();
        out += "\n";
    }
    out
}

/// Every way the lines fall short: failed rows, planned rows without a number,
/// suites that never finished (no `_summary` line). `expected` names suites,
/// or `suite:part` for one part of a suite (each part prints its own summary).
pub fn problems(lines: &[Value], expected: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for line in lines {
        if line["ok"] != Value::Bool(true) && text(line, "row") != "_summary" {
            problems.push(format!(
                "{} {}/{} run {}: {}",
                text(line, "suite"),
                text(line, "row"),
                text(line, "mode"),
                line["run"],
                line["error"].as_str().unwrap_or("failed")
            ));
        }
    }
    for spec in expected {
        let (suite, part) = match spec.split_once(':') {
            Some((suite, part)) => (suite.to_owned(), Some(part)),
            None => (spec.clone(), None),
        };
        let summary = lines.iter().find(|l| {
            text(l, "suite") == suite
                && text(l, "row") == "_summary"
                && part.is_none_or(|p| text(l, "part") == p)
        });
        let Some(summary) = summary else {
            problems.push(format!(
                "{spec}: no summary line (the bench did not finish)"
            ));
            continue;
        };
        let before = problems.len();
        for planned in summary["planned"].as_array().into_iter().flatten() {
            let planned = planned.as_str().unwrap_or("");
            let (row, mode) = planned.split_once('/').unwrap_or((planned, ""));
            let produced = lines.iter().any(|l| {
                text(l, "suite") == *suite
                    && text(l, "row") == row
                    && text(l, "mode") == mode
                    && l["ok"] == Value::Bool(true)
                    && l["metrics"]
                        .as_object()
                        .is_some_and(|m| m.values().any(|v| v.as_f64().is_some_and(f64::is_finite)))
            });
            if !produced {
                problems.push(format!("{suite} {planned}: planned but produced no number"));
            }
        }
        let reported = problems[..before]
            .iter()
            .any(|p| p.starts_with(suite.as_str()));
        if summary["ok"] != Value::Bool(true) && !reported && problems.len() == before {
            let why = summary["error"]
                .as_str()
                .unwrap_or("its summary says it failed");
            problems.push(format!("{spec}: {why}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_checks() {
        let text = r#"
BENCH {"suite":"godot-debug","row":"rtt","mode":"tight","run":1,"ok":true,"metrics":{"p50_us":200,"p99_us":400}}
{"suite":"rust-dev","row":"rtt","mode":"tight","run":1,"ok":true,"metrics":{"p50_us":100,"p99_us":300}}
{"suite":"rust-dev","row":"rtt","mode":"tight","run":2,"ok":true,"metrics":{"p50_us":120,"p99_us":320}}
{"suite":"rust-dev","row":"_summary","ok":true,"planned":["rtt/tight"]}
{"suite":"godot-debug","row":"_summary","part":"inproc","ok":true,"planned":["rtt/tight","connect/tight"]}
noise
"#;
        let lines = parse_lines(text);
        assert_eq!(lines.len(), 5);
        let t = table(&lines);
        assert!(t.contains("RTT 32 B p50 us"), "{t}");
        assert!(t.contains("110"), "median of rust-dev runs: {t}");
        assert!(t.contains("x1.82"), "ratio godot/rust: {t}");
        let expected = [
            "rust-dev",
            "godot-debug:inproc",
            "godot-debug:2proc",
            "godot-release",
        ];
        let p = problems(&lines, &expected.map(String::from));
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].contains("connect/tight"));
        assert!(p[1].contains("godot-debug:2proc"));
        assert!(p[2].contains("godot-release"));
    }
}
