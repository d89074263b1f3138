//! Benchmark of the whole pipeline on the newest official spec:
//! `cargo bench -p openai-codegen --bench generate [-- SPEC]`.
//!
//! Each stage is timed separately (best of several runs, the machines are
//! noisy) and reported beside a peer measured in the same run: a plain
//! `serde_json` parse of the same bytes, so the figures read as ratios.

use std::path::PathBuf;

/// As `cargo xtask codegen`, which runs on mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::{Duration, Instant};

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec_path = std::env::args().skip(1).find(|a| !a.starts_with("--")).map(PathBuf::from).unwrap_or_else(|| root.join("../shared/specs/openai/openapi-latest.json"));
    let bytes = std::fs::read(&spec_path).unwrap_or_else(|e| panic!("cannot read {}: {e}", spec_path.display()));
    let config = codegen::config::Config::from_yaml("specs/codegen.yaml", &std::fs::read_to_string(root.join("specs/codegen.yaml")).unwrap()).unwrap();
    let runs = 5;

    let (parse, _) = best(runs, || serde_json::from_slice::<serde_json::Value>(&bytes).map(|_| ()).or_else(|_| serde_yaml::from_slice::<serde_yaml::Value>(&bytes).map(|_| ())));
    let (load, spec) = best(runs, || codegen::load::load_bytes("spec", &bytes).unwrap());
    let (lower, model) = best(runs, || codegen::lower::lower(&spec, &config).unwrap());
    let plan = codegen::emit::plan(&model);
    let (emit, files) = best(runs, || plan.iter().map(|p| codegen::emit::emit_file(&model, p)).collect::<Vec<_>>());
    let (format, lines) = best(runs, || {
        files.iter().map(|t| prettyplease::unparse(&syn::parse2::<syn::File>(t.clone()).unwrap()).lines().count()).sum::<usize>()
    });
    let (total, generated) = best(runs, || {
        let spec = codegen::load::load_bytes("spec", &bytes).unwrap();
        codegen::generate(&spec, &config, "spec").unwrap()
    });
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("spec: {} ({} bytes); {} types, {} operations, {} files, {} lines", spec_path.display(), bytes.len(), generated.summary.types_out, generated.summary.operations_out, generated.files.len(), lines);
    println!("{:<34} {:>9} {:>8}", "stage (best of 5)", "ms", "x parse");
    for (name, d) in [
        ("peer: serde_json parse of the file", parse),
        ("load (parse, normalise, openapiv3)", load),
        ("lower", lower),
        ("emit (1 thread)", emit),
        ("format: syn + prettyplease (1 thread)", format),
        ("generate, end to end (all cores)", total),
    ] {
        println!("{:<34} {:>9.1} {:>8.1}", name, ms(d), d.as_secs_f64() / parse.as_secs_f64());
    }
    let target = Duration::from_secs(1);
    println!("target: full client in <= 1 s wall: {} ({:.0} ms)", if total <= target { "met" } else { "NOT met" }, ms(total));
}
