//! The runtime's server-sent events parser on any bytes, fed in chunks the
//! input chooses: no panic, and no event larger than the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::VecDeque;

// The parser is private to the runtime; it depends on std and memchr only,
// so it is compiled here from its source.
#[allow(dead_code)]
#[path = "../../generated-client/src/runtime/sse.rs"]
mod sse;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, body)) = data.split_first() else { return };
    let limit = 256;
    let mut parser = sse::SseParser::new(limit);
    let mut out = VecDeque::new();
    for chunk in body.chunks(usize::from(cut).max(1)) {
        if parser.feed(chunk, &mut out).is_err() {
            return;
        }
    }
    parser.finish();
    for event in out {
        assert!(event.data.len() <= limit, "an event over the limit was delivered");
    }
});
