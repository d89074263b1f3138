//! `cargo xtask <command>`: project automation. Each command lives in its own module.

/// Loading, lowering and diffing allocate many small strings and values;
/// mimalloc serves them faster than glibc's allocator (see the README's
/// spec diff speed figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench_runtime;
mod codegen_cmd;
mod compile_bench;
mod conformance;
mod diff_cmd;
mod diff_semver_check;
mod diff_selftest;
mod e2e_update;
mod features;
mod fuzz;
mod fuzz_targets;
mod spec_index;
mod test_cmd;
mod update_spec;
mod used_by;
mod vendor;
mod verify_specs;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command> [--help]

commands:
  test [--quick]                 every check CI runs (--quick skips conformance)
  codegen [--check] [--spec FILE]
                                 regenerate generated-client from the spec specs/codegen.yaml names
  vendor OFFICIAL_FILE           write the facts of an official spec into specs/ (no prose)
  update-spec OFFICIAL_FILE      vendor a new spec, diff it, regenerate, bump the version, write the CHANGELOG
  verify-specs [OFFICIAL_DIR]    compare the specs in specs/index.json with their official files
  conformance [DIR] [--compile none|set|all]
                                 generate every spec under DIR (default ../shared/specs/openai), report, compile a set
  compile-bench [SPEC]           cold build time of the generated client vs async-openai (full and chat only)
  bench-runtime [--quick]        runtime speed vs async-openai: SSE, a large list, an upload, small requests, chat requests, request encoding
  diff-selftest                  run the diff on the in-repo specs and check its output formats
  diff OLD NEW [options]         classify the changes between two spec versions (--help for options)
  diff-semver-check OLD NEW      check the diff's breaking-source findings against cargo-semver-checks (slow)
  e2e-update [FROM TO]           update-spec end to end on a copy of the workspace, then compile the client
  fuzz [--cases N] [--seed S]    mutate the official specs; load, generate and diff each mutant in a capped child
  fuzz-targets                   type-check the cargo-fuzz targets in fuzz/ (without libFuzzer)

`cargo xtask <command> --help` describes one command.";

/// A command: its name, its usage text and the function that runs it.
type Command = (&'static str, &'static str, fn(&[String]) -> Result<ExitCode, String>);

const COMMANDS: &[Command] = &[
    ("test", test_cmd::USAGE, test_cmd::run),
    ("codegen", codegen_cmd::USAGE, codegen_cmd::run),
    ("vendor", vendor::USAGE, vendor::run),
    ("update-spec", update_spec::USAGE, update_spec::run),
    ("verify-specs", verify_specs::USAGE, verify_specs::run),
    ("conformance", conformance::USAGE, conformance::run),
    ("compile-bench", compile_bench::USAGE, compile_bench::run),
    ("bench-runtime", bench_runtime::USAGE, bench_runtime::run),
    ("diff-selftest", diff_selftest::USAGE, diff_selftest::run),
    ("diff", diff_cmd::USAGE, diff_cmd::run),
    ("diff-semver-check", diff_semver_check::USAGE, diff_semver_check::run),
    ("e2e-update", e2e_update::USAGE, e2e_update::run),
    ("fuzz", fuzz::USAGE, fuzz::run),
    ("fuzz-targets", fuzz_targets::USAGE, fuzz_targets::run),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if matches!(command.as_str(), "-h" | "--help" | "help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let Some((_, usage, run)) = COMMANDS.iter().find(|(name, _, _)| name == command) else {
        eprintln!("error: unknown command `{command}`\n\n{USAGE}");
        return ExitCode::from(2);
    };
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        println!("{usage}");
        return ExitCode::SUCCESS;
    }
    match run(rest) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: `XTASK_WORKSPACE` when set (the end-to-end update test
/// runs the commands on a copy of the workspace), else found from this crate's
/// manifest directory so commands work from any current directory.
pub fn workspace_root() -> PathBuf {
    match std::env::var_os("XTASK_WORKSPACE") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf(),
    }
}

/// Where the official OpenAI specs are: `../shared/specs/openai` beside the
/// workspace, or `OPENAI_SPECS_DIR`.
pub fn official_dir(root: &Path) -> PathBuf {
    match std::env::var_os("OPENAI_SPECS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => root.join("../shared/specs/openai"),
    }
}

/// Reports bad input (a spec that does not load) and gives exit status 2,
/// which scripts tell apart from a failed check (1).
pub fn input_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
