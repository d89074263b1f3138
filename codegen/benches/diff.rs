//! Speed of `codegen::diff` on the largest real pair: the 3.0 spec of April 2025
//! against the latest 3.1 spec (1.4 MB YAML vs 3.4 MB JSON).
//!
//! `cargo bench -p openai-codegen --bench diff [-- OLD NEW]` prints, for the same
//! pair in the same run: plain parsing (YAML/JSON → value), each side loaded,
//! lowered with `specs/codegen.yaml` and its Rust API listed on a thread of its
//! own (as `cargo xtask diff` does), the comparison itself, line lookup and
//! rendering. Paths are relative to `../shared/specs/openai`.

use codegen::diff::report::{render, Format};

/// As `cargo xtask diff`: the diff allocates many small strings and values, which glibc's allocator serves slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use codegen::config::Config;
use codegen::diff::{diff_generated, fill_lines, GeneratedApi, Options};
use codegen::load::{load_bytes, parse_value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Runs `f` `runs` times; returns the minimum and median wall time and the last result.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed());
        last = Some(std::hint::black_box(out));
    }
    times.sort();
    (times[0], times[runs / 2], last.expect("at least one run"))
}

fn ms(d: Duration) -> String {
    format!("{:8.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/openai");
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let (old_name, new_name) = match args.as_slice() {
        [o, n, ..] => (o.clone(), n.clone()),
        _ => ("history/2025-04-29-498c71d.yaml".to_owned(), "openapi-latest.json".to_owned()),
    };
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e} (the bench needs ../shared/specs/openai)", dir.join(name).display()));
    let (old_bytes, new_bytes) = (read(&old_name), read(&new_name));
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).expect("UTF-8");
    let (old_text, new_text) = (text(&old_bytes), text(&new_bytes));

    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this once as a smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let runs = if full { 7 } else { 1 };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = Config::from_yaml("specs/codegen.yaml", &std::fs::read_to_string(root.join("specs/codegen.yaml")).expect("specs/codegen.yaml")).expect("config");
    let (parse_min, parse_med, _) = time(runs, || (parse_value(&old_name, &old_text).expect("parses"), parse_value(&new_name, &new_text).expect("parses")));
    // As `cargo xtask diff` runs: each side loaded, lowered and its API listed on a thread of its own.
    let side = |name: &str, bytes: &[u8]| {
        let spec = load_bytes(name, bytes).expect("loads");
        let api = GeneratedApi::of(&spec, &config);
        (spec, api)
    };
    let (sides_min, sides_med, _) = time(runs, || std::thread::scope(|s| {
        let h = s.spawn(|| side(&old_name, &old_bytes));
        let n = side(&new_name, &new_bytes);
        (h.join().expect("joins"), n)
    }));
    let (load_min, load_med, (old, new)) = time(runs, || std::thread::scope(|s| {
        let h = s.spawn(|| load_bytes(&old_name, &old_bytes).expect("loads"));
        let n = load_bytes(&new_name, &new_bytes).expect("loads");
        (h.join().expect("joins"), n)
    }));
    let apis = || std::thread::scope(|s| {
        let h = s.spawn(|| GeneratedApi::of(&old, &config));
        let n = GeneratedApi::of(&new, &config);
        (h.join().expect("joins"), n)
    });
    let (apis_min, apis_med, _) = time(runs, apis);
    // The comparison proper, on APIs built beforehand.
    let options = Options { config: config.clone(), ..Options::default() };
    let mut compare_times = Vec::new();
    let mut report = None;
    for _ in 0..(if full { runs * 2 } else { 1 }) {
        let (o, n) = apis();
        let start = Instant::now();
        report = Some(std::hint::black_box(diff_generated(&old, &new, o, n, &options)));
        compare_times.push(start.elapsed());
    }
    compare_times.sort();
    let (compare_min, compare_med, report) = (compare_times[0], compare_times[compare_times.len() / 2], report.expect("ran"));
    let (lines_min, lines_med, report) = time(runs, || {
        let mut r = report.clone();
        fill_lines(&mut r, &old, &new);
        r
    });
    let (render_min, render_med, _) = time(runs, || (render(&report, Format::Text), render(&report, Format::Json)));

    println!("diff bench: {old_name} ({} KiB) → {new_name} ({} KiB), {} findings", old_bytes.len() / 1024, new_bytes.len() / 1024, report.findings.len());
    println!("{:<44} {:>11} {:>11}", "stage", "min", "median");
    for (stage, min, med) in [
        ("parse both, one after the other (reference)", parse_min, parse_med),
        ("load + lower + list the API, 2 threads", sides_min, sides_med),
        ("  load both alone (2 threads)", load_min, load_med),
        ("  lower + list the API alone (2 threads)", apis_min, apis_med),
        ("compare (wire walk, API, findings)", compare_min, compare_med),
        ("line lookup", lines_min, lines_med),
        ("render text + json", render_min, render_med),
    ] {
        println!("{stage:<44} {} {}", ms(min), ms(med));
    }
    let total = sides_med + compare_med + lines_med + render_med;
    println!("end to end (load+lower, compare, lines, render; medians): {}", ms(total).trim());
    println!("compare / plain parsing: {:.2}x", compare_med.as_secs_f64() / parse_med.as_secs_f64());
    if !full {
        println!("(smoke run, one iteration each and unoptimised when run by cargo test: use cargo bench for timings)");
    }
}
