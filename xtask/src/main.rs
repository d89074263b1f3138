//! `cargo xtask <command>`: project automation. Each command lives in its own module.

mod codegen_cmd;
mod compile_bench;
mod conformance;
mod diff_cmd;
mod diff_selftest;
mod test_cmd;
mod verify_specs;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test [--quick]                 every check CI runs (--quick skips conformance)
  codegen [--check]              regenerate generated-client/src/generated from specs/
  verify-specs [OFFICIAL_DIR]    compare specs/ with the official files (default ../shared/specs/openai)
  conformance [DIR] [--compile none|set|all]
                                 generate every spec under DIR (default ../shared/specs/openai), report, compile a set
  compile-bench [SPEC]            cold build time of the generated client vs async-openai (full and chat only)
  diff-selftest                  run the diff on the in-repo specs and check its output formats
  diff OLD NEW [options]         classify the changes between two spec versions (--help for options)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "codegen" => codegen_cmd::run(rest),
        "verify-specs" => verify_specs::run(rest),
        "conformance" => conformance::run(rest),
        "test" => test_cmd::run(rest),
        "compile-bench" => compile_bench::run(rest),
        "diff-selftest" => diff_selftest::run(rest),
        "diff" => diff_cmd::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, found from this crate's manifest directory so commands
/// work from any current directory.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}
