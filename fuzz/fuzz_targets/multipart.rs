//! The multipart form encoder on any JSON value and field name: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openai_client::runtime::{InputFile, MultipartForm};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let name = String::from_utf8_lossy(&data[..split]);
    let rest = data.get(split + 1..).unwrap_or_default();
    let mut form = MultipartForm::new();
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(rest) {
        form.value(&name, &value);
    }
    form.text(&name, String::from_utf8_lossy(rest));
    form.file(&name, &InputFile::from_bytes(name.to_string(), rest.to_vec()));
});
