//! Two documents from one input (split at the first NUL byte): the diff and
//! its renderings must not panic, in either direction.
#![no_main]

use codegen::diff::{diff, fill_lines, report, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (a, b) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    let (Ok(old), Ok(new)) = (codegen::load::load_bytes("old.yaml", a), codegen::load::load_bytes("new.yaml", b)) else { return };
    for (x, y) in [(&old, &new), (&new, &old)] {
        let mut r = diff(x, y, &Options { docs: true, ..Default::default() });
        fill_lines(&mut r, x, y);
        for format in [report::Format::Text, report::Format::Markdown, report::Format::Json, report::Format::Github] {
            let _ = report::render(&r, format);
        }
    }
});
