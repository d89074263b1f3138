//! Generates the client for the newest official spec into OUT_DIR. The spec is
//! third-party data and is never committed; CI has it in ../shared.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../..");
    let spec_path = root.join("../shared/specs/openai/openapi-latest.json");
    let config_path = root.join("specs/codegen.yaml");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    println!("cargo:rerun-if-changed={}", config_path.display());
    let bytes = std::fs::read(&spec_path).unwrap_or_else(|e| panic!("cannot read {} (the official specs must sit in ../shared): {e}", spec_path.display()));
    let spec = codegen::load::load_bytes("openapi-latest.json", &bytes).unwrap_or_else(|e| panic!("{e}"));
    let mut config = codegen::config::Config::from_yaml("specs/codegen.yaml", &std::fs::read_to_string(&config_path).expect("specs/codegen.yaml")).unwrap_or_else(|e| panic!("{e}"));
    // The wire tests want every API group; per-group features are measured by `cargo xtask conformance`.
    config.cargo_features = false;
    let generated = codegen::generate(&spec, &config, "../shared/specs/openai/openapi-latest.json").unwrap_or_else(|e| panic!("{e}"));
    let text = codegen::render::single_file(&generated.files).unwrap_or_else(|e| panic!("{e}"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("latest.rs");
    std::fs::write(&out, text).expect("write OUT_DIR/latest.rs");
    let skipped: Vec<String> = generated.model.skipped_operations.iter().map(|s| format!("{} ({})", s.operation, s.reason)).collect();
    std::fs::write(out.with_file_name("summary.txt"), format!("{:?}\nskipped: {skipped:?}\n", generated.summary)).expect("write summary");
}
