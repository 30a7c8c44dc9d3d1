//! Benchmarks of the backend without Godot, and the report that combines
//! them with the Godot bench (see tools/bench.sh).
//!
//!   webrtc-rs-bench [--short] [--runs N] [--suite NAME] [--only ROW,...] [--fps N]
//!       Runs the rows, each in mode "tight" (yield between passes) and
//!       "frame" (one pass per frame at N fps, default 60; 0 skips them); prints one JSON line per row per run, a `_summary`
//!       line, then a table of medians. Exits 1 if a row failed.
//!   webrtc-rs-bench report [--check SUITE,...] FILE...
//!       Prints the combined table of the JSON lines in FILEs (bare or
//!       prefixed with `BENCH `). With --check, exits 1 if one of those suites
//!       did not finish, a row failed or a planned row produced no number.
//!   webrtc-rs-bench compare [--name NAME] [--check SUITE,...] FILE...
//!       The same-run comparison tables of suites `ours-*` and `theirs-*`
//!       (tools/bench.sh --against); NAME labels theirs. --check as above.

mod bench;
mod compare;
mod report;
mod stats;

use std::process::ExitCode;

fn usage(message: &str) -> ExitCode {
    eprintln!("webrtc-rs-bench: {message}");
    eprintln!(
        "usage: webrtc-rs-bench [--short] [--runs N] [--suite NAME] [--only ROW,...] [--fps N]"
    );
    eprintln!("       webrtc-rs-bench report [--check SUITE,...] FILE...");
    eprintln!("       webrtc-rs-bench compare [--name NAME] [--check SUITE,...] FILE...");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("report") => return report_command(&args[1..], None),
        Some("compare") => return report_command(&args[1..], Some("theirs".to_owned())),
        _ => {}
    }
    let default_suite = if cfg!(debug_assertions) {
        "rust-dev"
    } else {
        "rust-release"
    };
    let mut opts = bench::Options {
        short: false,
        runs: 3,
        suite: default_suite.to_owned(),
        only: Vec::new(),
        fps: 60,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--short" => opts.short = true,
            "--runs" => match it.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => opts.runs = n,
                _ => return usage("--runs needs a positive number"),
            },
            "--suite" => match it.next() {
                Some(s) => opts.suite = s.clone(),
                None => return usage("--suite needs a name"),
            },
            "--only" => match it.next() {
                Some(s) => opts.only = s.split(',').map(str::to_owned).collect(),
                None => return usage("--only needs row names"),
            },
            "--fps" => match it.next().and_then(|n| n.parse().ok()) {
                Some(n) => opts.fps = n,
                None => return usage("--fps needs a number (0: no frame rows)"),
            },
            "-h" | "--help" => return usage("help"),
            other => return usage(&format!("unknown argument {other}")),
        }
    }
    let lines = bench::run_all(&opts);
    println!();
    print!("{}", report::table(&lines));
    let problems = report::problems(&lines, std::slice::from_ref(&opts.suite));
    for p in &problems {
        eprintln!("FAILED: {p}");
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `report`, or `compare` when `theirs` is given (the other plugin's label).
fn report_command(args: &[String], mut theirs: Option<String>) -> ExitCode {
    let mut check: Option<Vec<String>> = None;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => match it.next() {
                Some(s) => {
                    check = Some(
                        s.split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    )
                }
                None => return usage("--check needs suite names"),
            },
            "--name" if theirs.is_some() => match it.next() {
                Some(s) => theirs = Some(s.clone()),
                None => return usage("--name needs a label"),
            },
            file => files.push(file.to_owned()),
        }
    }
    let mut lines = Vec::new();
    for file in &files {
        match std::fs::read_to_string(file) {
            Ok(text) => lines.extend(report::parse_lines(&text)),
            Err(e) => return usage(&format!("cannot read {file}: {e}")),
        }
    }
    match &theirs {
        Some(name) => print!("{}", compare::table(&lines, name)),
        None => print!("{}", report::table(&lines)),
    }
    let Some(suites) = check else {
        return ExitCode::SUCCESS;
    };
    let mut problems = report::problems(&lines, &suites);
    if theirs.is_some() {
        // The other plugin's failures are its results, shown but not ours to fail on.
        let (others, ours): (Vec<_>, Vec<_>) =
            problems.into_iter().partition(|p| p.starts_with("theirs-"));
        for p in &others {
            println!("the other plugin: {p}");
        }
        problems = ours;
    }
    for p in &problems {
        println!("FAILED: {p}");
    }
    if problems.is_empty() {
        println!(
            "bench check: every planned row of {} produced numbers",
            suites.join(", ")
        );
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
