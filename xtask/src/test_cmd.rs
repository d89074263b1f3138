//! `cargo xtask test`: every check the project has, in the order CI runs them.
//! `.ci/run` calls exactly this, so a green local run means a green CI run.

use crate::workspace_root;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// One step: a label, the command line (the first word is `cargo`) and extra
/// environment variables.
type Step = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const STEPS: &[Step] = &[
    (
        "specs/ state the same facts as the official files",
        &["xtask", "verify-specs"],
        &[],
    ),
    (
        "checked-in generated client and its features are fresh",
        &["xtask", "codegen", "--check"],
        &[],
    ),
    (
        "all tests, examples and benches build; tests pass",
        &["test", "--workspace", "--all-targets", "--quiet"],
        &[],
    ),
    (
        "the client builds with one API group only (chat)",
        &[
            "check",
            "-p",
            "openai-client",
            "--no-default-features",
            "--features",
            "rustls,chat",
            "--quiet",
        ],
        &[],
    ),
    (
        "the client builds with the types no operation uses only (Realtime over WebSocket)",
        &[
            "check",
            "-p",
            "openai-client",
            "--no-default-features",
            "--features",
            "rustls,realtime-ws",
            "--quiet",
        ],
        &[],
    ),
    (
        "doc tests",
        &["test", "--workspace", "--doc", "--quiet"],
        &[],
    ),
    (
        "the client's docs build without a warning (optional features included)",
        &[
            "doc",
            "-p",
            "openai-client",
            "--no-deps",
            "--features",
            "realtime-ws,structured-outputs",
            "--quiet",
        ],
        &[("RUSTDOCFLAGS", "-D warnings")],
    ),
    (
        "no warnings in the workspace (clippy)",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    ),
    (
        "dependency policy: licenses, bans, crates.io only (cargo-deny, deny.toml, offline)",
        &["deny", "--offline", "check", "licenses", "bans", "sources"],
        &[],
    ),
    (
        "spec diff of the two in-repo specs, JSON output checked",
        &["xtask", "diff-selftest"],
        &[],
    ),
    (
        "the cargo-fuzz targets build (type-checked, without libFuzzer)",
        &["xtask", "fuzz-targets"],
        &[],
    ),
    (
        "1,000 mutated specs: no panic, hang, abort or invalid output; two clients compiled",
        &["xtask", "fuzz", "--cases", "1000", "--compile", "1"],
        &[],
    ),
    (
        "a real spec update end to end on a copy of the workspace",
        &["xtask", "e2e-update"],
        &[],
    ),
    (
        "generator on every official spec; a chosen set compiled",
        &["xtask", "conformance", "--compile", "set"],
        &[],
    ),
];

const GIB: f64 = (1u64 << 30) as f64;

pub const USAGE: &str = "usage: cargo xtask test [--quick]

Runs every check CI runs, in order, and stops at the first failure.
--quick skips the conformance step (generating and compiling the official specs)
and the end-to-end spec update. Builds are not incremental unless
CARGO_INCREMENTAL says otherwise, and each step reports the size of target/.";

/// Incremental compilation stays off unless the caller chose otherwise. CI
/// builds from a clean clone, where the incremental caches are never read
/// again but cost disk: 3.9 GiB of the 11 GiB a fresh run left in `target/`
/// (2026-11-29), and one CI machine ran out of space.
fn incremental() -> String {
    std::env::var("CARGO_INCREMENTAL").unwrap_or_else(|_| "0".to_owned())
}

/// Bytes under `dir`, counting each file once (hard links in `deps/` are
/// common) and not following symbolic links.
fn disk_usage(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            if meta.is_dir() {
                stack.push(entry.path());
            } else if seen.insert((meta.dev(), meta.ino())) {
                total += meta.blocks() * 512;
            }
        }
    }
    total
}

/// Bytes free to an unprivileged writer on the disk holding `dir`, when the
/// system says. A CI run failed at 1.39 GiB of `target/` with "No space left on
/// device" (2026-11-30): the disk was shared and nearly full, which this line
/// in the log now shows at once.
fn free_disk(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut probe = dir;
    while !probe.exists() {
        probe = probe.parent()?;
    }
    let path = std::ffi::CString::new(probe.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is a NUL-terminated string and `stat` is written in full
    // by a successful call, which is the only case read.
    let stat = unsafe {
        if libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) != 0 {
            return None;
        }
        stat.assume_init()
    };
    Some(stat.f_bavail as u64 * stat.f_frsize as u64)
}

/// What a whole run peaked at in `target/` on a clean clone (4.59 GiB on
/// 2026-11-30), with room to spare: below this the run warns before it starts.
const DISK_NEEDED: u64 = 6 << 30;

fn free_text(dir: &Path) -> String {
    free_disk(dir).map_or_else(String::new, |free| {
        format!("; {:.2} GiB free on its disk", free as f64 / GIB)
    })
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let skip_conformance = args.iter().any(|a| a == "--quick");
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let incremental = incremental();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    if let Some(free) = free_disk(&target).filter(|&free| free < DISK_NEEDED) {
        eprintln!(
            "warning: {:.2} GiB free on the disk of {}; a clean run needs about {:.0} GiB",
            free as f64 / GIB,
            target.display(),
            DISK_NEEDED as f64 / GIB
        );
    }
    let total = Instant::now();
    let mut peak = 0;
    for (label, argv, env) in STEPS {
        if skip_conformance && (argv.contains(&"conformance") || argv.contains(&"e2e-update")) {
            println!("==> skipped (--quick): {label}");
            continue;
        }
        println!("==> {label}: cargo {}", argv.join(" "));
        let start = Instant::now();
        let status = Command::new(&cargo)
            .args(*argv)
            .env("CARGO_INCREMENTAL", &incremental)
            .envs(env.iter().copied())
            .current_dir(&root)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        // The size of the build folder after each step, so a CI log shows
        // how much disk the run needs and which step took it.
        let used = disk_usage(&target);
        peak = peak.max(used);
        println!(
            "    {:.1} s, target/ {:.2} GiB{}",
            start.elapsed().as_secs_f64(),
            used as f64 / GIB,
            free_text(&target)
        );
        if !status.success() {
            eprintln!("FAILED: {label} (cargo {})", argv.join(" "));
            return Ok(ExitCode::FAILURE);
        }
    }
    println!(
        "all checks passed in {:.1} s; target/ peaked at {:.2} GiB",
        total.elapsed().as_secs_f64(),
        peak as f64 / GIB
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The free space is what `df` reports for the same disk, and a folder not
    /// made yet (a clean clone's `target/`) is measured on its nearest parent.
    #[test]
    fn free_disk_agrees_with_df_and_walks_up_to_an_existing_folder() {
        let root = workspace_root();
        let ours = free_disk(&root).expect("statvfs on the workspace");
        let unmade = free_disk(&root.join("no-such-folder/nor-this")).expect("the parent's disk");
        let df = Command::new("df")
            .args(["-Pk"])
            .arg(&root)
            .output()
            .expect("df runs");
        let text = String::from_utf8_lossy(&df.stdout);
        let available: u64 = text
            .lines()
            .nth(1)
            .and_then(|l| l.split_whitespace().nth(3))
            .and_then(|v| v.parse().ok())
            .expect("df's Available column");
        // Other writers change the figure between the calls; 256 MiB is far
        // below a wrong unit (a factor of 2 or 1024) at any useful disk size.
        let near = |a: u64, b: u64| a.abs_diff(b) < 256 << 20;
        assert!(
            near(ours, available * 1024),
            "statvfs {ours} B, df {available} KiB"
        );
        assert!(near(ours, unmade), "{ours} against {unmade}");
    }
}
