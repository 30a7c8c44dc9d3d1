//! The same-run comparison of our addon with another one (tools/bench.sh
//! --against): suites are named `ours-BUILD-LIMIT` and `theirs-BUILD-LIMIT`;
//! one table per (limit, build) with both medians, ours ÷ theirs and the
//! target that ratio has to meet.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::report::grid;
use crate::stats::{median, round};

/// What a row has to reach, relative to the other plugin.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// ours ÷ theirs at least this (higher is better).
    RatioAtLeast(f64),
    /// ours ÷ theirs at most this (lower is better).
    RatioAtMost(f64),
    /// ours at least this value, whatever theirs is.
    OursAtLeast(f64),
    /// ours at most theirs plus this.
    PlusAtMost(f64),
    /// Shown, not judged.
    None,
}

/// (row, metric, label, target); a target applies to the tight, 2proc and
/// all modes; frame and scale rows are shown but not judged.
const ROWS: &[(&str, &str, &str, Target)] = &[
    (
        "connect",
        "p50_ms",
        "connect p50 ms",
        Target::RatioAtMost(0.5),
    ),
    (
        "connect",
        "max_ms",
        "connect worst ms",
        Target::RatioAtMost(1.0),
    ),
    (
        "reliable_1k",
        "mb_s",
        "reliable 1 KiB MB/s",
        Target::RatioAtLeast(1.5),
    ),
    (
        "reliable_1k",
        "udp_drops",
        "  UDP rcvbuf drops",
        Target::None,
    ),
    (
        "reliable_16k",
        "mb_s",
        "reliable 16 KiB MB/s",
        Target::RatioAtLeast(1.5),
    ),
    (
        "reliable_16k",
        "udp_drops",
        "  UDP rcvbuf drops",
        Target::None,
    ),
    (
        "reliable_64k",
        "mb_s",
        "reliable 64 KiB MB/s",
        Target::RatioAtLeast(1.5),
    ),
    (
        "reliable_64k",
        "udp_drops",
        "  UDP rcvbuf drops",
        Target::None,
    ),
    ("rtt", "p50_us", "RTT 32 B p50 us", Target::RatioAtMost(1.0)),
    ("rtt", "p99_us", "RTT 32 B p99 us", Target::RatioAtMost(1.0)),
    (
        "unreliable_1200",
        "mb_s",
        "unreliable 1200 B MB/s",
        Target::RatioAtLeast(1.2),
    ),
    (
        "unreliable_1200",
        "delivered_pct",
        "  delivered %",
        Target::OursAtLeast(99.9),
    ),
    (
        "unreliable_1200",
        "udp_drops",
        "  UDP rcvbuf drops",
        Target::None,
    ),
    ("rpc_rtt", "p50_us", "RPC round trip p50 us", Target::None),
    ("rpc_rtt", "p99_us", "RPC round trip p99 us", Target::None),
    (
        "scale_64",
        "connect_max_ms",
        "64 conns: connect worst ms",
        Target::None,
    ),
    (
        "scale_64",
        "rss_kb_per_peer",
        "  RSS KiB per peer",
        Target::None,
    ),
    (
        "scale_64",
        "poll_us_per_peer",
        "  idle poll per peer us",
        Target::None,
    ),
    (
        "scale_256",
        "connect_max_ms",
        "256 conns: connect worst ms",
        Target::None,
    ),
    (
        "scale_256",
        "rss_kb_per_peer",
        "  RSS KiB per peer",
        Target::None,
    ),
    (
        "scale_256",
        "poll_us_per_peer",
        "  idle poll per peer us",
        Target::None,
    ),
    (
        "process",
        "cpu_s",
        "process CPU s (same work)",
        Target::RatioAtMost(0.7),
    ),
    (
        "process",
        "peak_rss_mb",
        "process peak RSS MB",
        Target::PlusAtMost(5.0),
    ),
];
const MODES: &[&str] = &["tight", "2proc", "all", "frame", "scale"];

fn judged_mode(mode: &str) -> bool {
    matches!(mode, "tight" | "2proc" | "all")
}

/// "met", "MISSED" or "" for one row.
fn verdict(target: Target, ours: f64, theirs: f64) -> &'static str {
    let met = match target {
        Target::RatioAtLeast(r) => theirs > 0.0 && ours / theirs >= r,
        Target::RatioAtMost(r) => theirs > 0.0 && ours / theirs <= r,
        Target::OursAtLeast(x) => ours >= x,
        Target::PlusAtMost(d) => ours <= theirs + d,
        Target::None => return "",
    };
    if met {
        "met"
    } else {
        "MISSED"
    }
}

fn target_text(target: Target) -> String {
    match target {
        Target::RatioAtLeast(r) => format!("≥ {r}×"),
        Target::RatioAtMost(r) => format!("≤ {r}×"),
        Target::OursAtLeast(x) => format!("≥ {x}"),
        Target::PlusAtMost(d) => format!("≤ +{d}"),
        Target::None => String::new(),
    }
}

/// (mode index, row index) -> (ours, theirs, most runs of the two).
type Cells = BTreeMap<(usize, usize), (f64, f64, u32)>;

/// Splits `ours-debug-stock` into ("ours", "debug-stock").
fn split_suite(suite: &str) -> Option<(&str, &str)> {
    let (plugin, rest) = suite.split_once('-')?;
    matches!(plugin, "ours" | "theirs").then_some((plugin, rest))
}

/// The comparison tables (markdown) and a last line counting the targets met.
pub fn table(lines: &[Value], theirs_name: &str) -> String {
    let (grid, _) = grid(lines);
    // "debug-stock" -> (row, mode, metric) -> plugin -> median
    let mut sections: BTreeMap<String, Cells> = BTreeMap::new();
    for ((row, mode, metric), by_suite) in &grid {
        let Some(index) = ROWS.iter().position(|(r, m, _, _)| r == row && m == metric) else {
            continue;
        };
        let Some(mode_index) = MODES.iter().position(|m| m == mode) else {
            continue;
        };
        for (suite, values) in by_suite {
            let Some((plugin, section)) = split_suite(suite) else {
                continue;
            };
            let cell = sections
                .entry(section.to_owned())
                .or_default()
                .entry((mode_index, index))
                .or_insert((f64::NAN, f64::NAN, 0));
            if plugin == "ours" {
                cell.0 = median(values);
            } else {
                cell.1 = median(values);
            }
            cell.2 = cell.2.max(values.len() as u32);
        }
    }
    let (mut met, mut judged) = (0, 0);
    let mut out = String::new();
    for (section, cells) in &sections {
        out += &format!("\n{section}: medians, {theirs_name} against ours\n\n");
        out += &format!(
            "| metric | mode | {theirs_name} | ours | ours ÷ {theirs_name} | target | | runs |\n"
        );
        out += "| --- | --- | ---: | ---: | ---: | --- | --- | ---: |\n";
        for (&(mode_index, index), &(ours, theirs, runs)) in cells {
            let (_, _, label, target) = ROWS[index];
            let mode = MODES[mode_index];
            let ratio = if theirs.is_finite() && ours.is_finite() && theirs != 0.0 {
                format!("{:.2}×", ours / theirs)
            } else {
                "-".into()
            };
            let judged_target = if judged_mode(mode) {
                target
            } else {
                Target::None
            };
            let word = if ours.is_finite() && theirs.is_finite() {
                verdict(judged_target, ours, theirs)
            } else if judged_target != Target::None {
                "no number"
            } else {
                ""
            };
            if judged_target != Target::None {
                judged += 1;
                met += usize::from(word == "met");
            }
            let show = |x: f64| {
                if x.is_finite() {
                    format!("{}", round(x))
                } else {
                    "-".into()
                }
            };
            out += &format!(
                "| {} | {mode} | {} | {} | {ratio} | {} | {word} | {runs} |\n",
                label.trim(),
                show(theirs),
                show(ours),
                target_text(judged_target)
            );
        }
    }
    out += &format!("\ntargets met: {met} of {judged}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::parse_lines;

    #[test]
    fn ratios_and_targets() {
        let text = r#"
BENCH {"suite":"ours-debug-stock","row":"reliable_1k","mode":"tight","ok":true,"metrics":{"mb_s":60}}
BENCH {"suite":"ours-debug-stock","row":"reliable_1k","mode":"tight","ok":true,"metrics":{"mb_s":80}}
BENCH {"suite":"theirs-debug-stock","row":"reliable_1k","mode":"tight","ok":true,"metrics":{"mb_s":50}}
BENCH {"suite":"ours-debug-stock","row":"rtt","mode":"tight","ok":true,"metrics":{"p50_us":40,"p99_us":200}}
BENCH {"suite":"theirs-debug-stock","row":"rtt","mode":"tight","ok":true,"metrics":{"p50_us":80,"p99_us":100}}
BENCH {"suite":"ours-debug-stock","row":"rtt","mode":"frame","ok":true,"metrics":{"p50_us":900}}
BENCH {"suite":"theirs-debug-stock","row":"rtt","mode":"frame","ok":true,"metrics":{"p50_us":100}}
BENCH {"suite":"ours-debug-stock","row":"process","mode":"all","ok":true,"metrics":{"peak_rss_mb":140}}
BENCH {"suite":"theirs-debug-stock","row":"process","mode":"all","ok":true,"metrics":{"peak_rss_mb":136}}
"#;
        let t = table(&parse_lines(text), "official");
        assert!(t.contains("debug-stock"), "{t}");
        // median 70 ÷ 50 = 1.4 < 1.5
        assert!(
            t.contains("| reliable 1 KiB MB/s | tight | 50 | 70 | 1.40× | ≥ 1.5× | MISSED | 2 |"),
            "{t}"
        );
        assert!(
            t.contains("| RTT 32 B p50 us | tight | 80 | 40 | 0.50× | ≤ 1× | met | 1 |"),
            "{t}"
        );
        assert!(
            t.contains("| RTT 32 B p99 us | tight | 100 | 200 | 2.00× | ≤ 1× | MISSED |"),
            "{t}"
        );
        // Frame rows are shown, not judged.
        assert!(
            t.contains("| RTT 32 B p50 us | frame | 100 | 900 | 9.00× |  |  | 1 |"),
            "{t}"
        );
        assert!(
            t.contains("| process peak RSS MB | all | 136 | 140 | 1.03× | ≤ +5 | met |"),
            "{t}"
        );
        assert!(t.ends_with("targets met: 2 of 4\n"), "{t}");
    }
}
