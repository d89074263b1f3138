//! `cargo xtask compile-bench [SPEC]`: the compile cost of the generated
//! client, measured against async-openai in the same run.
//!
//! Four crates are built cold (own target folder, emptied first; sources
//! fetched beforehand and not timed) with `cargo build` (debug):
//! our client generated from SPEC (default: the shipped spec) with
//! every API group and with chat only, and async-openai from crates.io with its
//! `full` feature and with `chat-completion` only, all on rustls. Results are
//! ratios, since the machines are noisy.
//!
//! Both are built as a dependency is built: without incremental compilation
//! (`CARGO_INCREMENTAL=0`). Cargo compiles a path crate incrementally and a
//! registry or git one not, so building ours as the root package made it pay
//! for the incremental bookkeeping (the dependency graph and query cache:
//! 15–25 s of the crate's 60–70 s, measured with `-Z time-passes` on
//! 2026-11-29) that async-openai, a registry dependency, never paid, nor does
//! our crate when a project depends on it.

use crate::conformance::{cargo_in, cargo_with, write_client_crate};
use crate::workspace_root;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The async-openai release compared against.
const ASYNC_OPENAI: &str = "0.43.0";

pub const USAGE: &str = "usage: cargo xtask compile-bench [SPEC]

Cold debug build time of the client generated from SPEC (default: the spec
specs/codegen.yaml names) against async-openai from crates.io, full and chat only.";

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let root = workspace_root();
    let config = crate::codegen_cmd::load_config(&root)?;
    let spec_path = match args.first() {
        Some(path) => PathBuf::from(path),
        None => crate::codegen_cmd::shipped_spec(&root, &config)?,
    };
    let spec = codegen::load::load_path(&spec_path).map_err(|e| e.to_string())?;
    let generated = codegen::generate(&spec, &config, &spec_path.display().to_string()).map_err(|e| e.to_string())?;
    let base = root.join("target/compile-bench");

    let ours = base.join("ours");
    write_client_crate(&root, &ours, "bench-ours", &spec_path.display().to_string(), &generated)?;
    let theirs = base.join("async-openai");
    std::fs::create_dir_all(theirs.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        theirs.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bench-async-openai\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\nasync-openai = {{ version = \"={ASYNC_OPENAI}\", default-features = false }}\n\n[features]\ndefault = [\"full\"]\nfull = [\"async-openai/full\", \"async-openai/rustls\"]\nchat = [\"async-openai/chat-completion\", \"async-openai/rustls\"]\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(theirs.join("src/lib.rs"), "//! Scratch crate: async-openai, for compile-time comparison.\npub use async_openai;\n").map_err(|e| e.to_string())?;

    let runs: [(&str, &PathBuf, &[&str]); 4] = [
        ("ours, every API group", &ours, &["build", "--quiet"]),
        ("async-openai, full", &theirs, &["build", "--quiet"]),
        ("ours, chat only", &ours, &["build", "--quiet", "--no-default-features", "--features", "rustls,chat"]),
        ("async-openai, chat-completion", &theirs, &["build", "--quiet", "--no-default-features", "--features", "chat"]),
    ];
    for dir in [&ours, &theirs] {
        cargo_in(dir, &base.join("fetch"), &["fetch", "--quiet"])?;
    }
    let mut times: Vec<Duration> = Vec::new();
    println!("cold `cargo build` (debug, not incremental, as a dependency is built), {} types and {} operations on our side", generated.summary.types_out, generated.summary.operations_out);
    println!("{:<32} {:>9}", "crate", "seconds");
    for (label, dir, args) in runs {
        let target = base.join(format!("target-{}", label.replace([' ', ','], "-")));
        let _ = std::fs::remove_dir_all(&target);
        let (t, _) = cargo_with(dir, &target, args, &[("CARGO_INCREMENTAL", "0")])?;
        println!("{label:<32} {:>9.1}", t.as_secs_f64());
        times.push(t);
    }
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("ours full / async-openai full:           {:.2}", ratio(times[0], times[1]));
    println!("ours chat / async-openai chat-completion: {:.2}", ratio(times[2], times[3]));
    println!("ours chat / ours full:                   {:.2}", ratio(times[2], times[0]));
    Ok(ExitCode::SUCCESS)
}
