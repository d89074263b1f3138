//! Generates the client for the seed spec `specs/openai-2.0.0.json` into
//! OUT_DIR, so the seed's 57 operations stay generated and tested on the wire
//! while the shipped client tracks the newest spec.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../..");
    let spec_path = root.join("specs/openai-2.0.0.json");
    let config_path = root.join("specs/codegen.yaml");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    println!("cargo:rerun-if-changed={}", config_path.display());
    let bytes = std::fs::read(&spec_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", spec_path.display()));
    let spec = codegen::load::load_bytes("specs/openai-2.0.0.json", &bytes)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut config = codegen::config::Config::from_yaml(
        "specs/codegen.yaml",
        &std::fs::read_to_string(&config_path).expect("specs/codegen.yaml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // The wire tests want every API group; per-group features are measured by `cargo xtask conformance`.
    config.cargo_features = false;
    let generated = codegen::generate(&spec, &config, "specs/openai-2.0.0.json")
        .unwrap_or_else(|e| panic!("{e}"));
    let text = codegen::render::single_file(&generated.files).unwrap_or_else(|e| panic!("{e}"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("seed.rs");
    std::fs::write(&out, text).expect("write OUT_DIR/seed.rs");
}
