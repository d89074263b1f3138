//! Any bytes: loading and generating must not panic, and whatever generates
//! is valid Rust (rendering parses every file; a `Render` error is a bug).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(spec) = codegen::load::load_bytes("fuzz.yaml", data) else { return };
    if let Err(codegen::GenerateError::Render(e)) = codegen::generate(&spec, &codegen::config::Config::default(), "fuzz") {
        panic!("the emitter produced invalid Rust: {e}");
    }
});
