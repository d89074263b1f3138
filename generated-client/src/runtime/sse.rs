//! Incremental parser for `text/event-stream` bodies, following the WHATWG
//! HTML "event stream interpretation" rules.
//!
//! Bytes are buffered until a whole line is seen and only then decoded, so
//! the result does not depend on where the network split the chunks (a
//! `\r\n` or a multi-byte character across two chunks included).

use std::collections::VecDeque;

/// One dispatched event, as sent by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawEvent {
    /// The `event:` field; `None` when absent (which means `message`).
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
    /// The last `id:` seen on the stream so far, if any.
    pub id: Option<String>,
}

impl RawEvent {
    /// The event, borrowed.
    pub(crate) fn as_text(&self) -> EventText<'_> {
        EventText {
            event: self.event.as_deref(),
            data: &self.data,
            id: self.id.as_deref(),
        }
    }
}

/// Why the stream cannot be parsed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SseError {
    /// An event (or a line) grew past the configured limit.
    TooLarge { limit: usize },
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One dispatched event as the parser hands it over, borrowed: from the
/// chunk being fed when the event's one data line lies whole in it (the
/// usual case, so the data is neither copied nor allocated), else from the
/// parser's own buffers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EventText<'a> {
    /// The `event:` field; `None` when absent (which means `message`).
    pub(crate) event: Option<&'a str>,
    /// The `data:` lines, joined with `\n`.
    pub(crate) data: &'a str,
    /// The last `id:` seen on the stream so far, if any.
    pub(crate) id: Option<&'a str>,
}

impl EventText<'_> {
    /// The event as an owned [`RawEvent`].
    pub(crate) fn to_raw(self) -> RawEvent {
        RawEvent {
            event: self.event.map(str::to_owned),
            data: self.data.to_owned(),
            id: self.id.map(str::to_owned),
        }
    }
}

/// What takes the events a chunk completes, in order, while their text is
/// still borrowed.
pub(crate) trait EventSink {
    /// Takes one event.
    fn event(&mut self, event: EventText<'_>);
}

/// Keeps each event as an owned [`RawEvent`].
impl EventSink for VecDeque<RawEvent> {
    fn event(&mut self, event: EventText<'_>) {
        self.push_back(event.to_raw());
    }
}

/// Parser state between chunks.
pub(crate) struct SseParser {
    /// Bytes of the current, unterminated line.
    line: Vec<u8>,
    /// The previous chunk ended in `\r`; a `\n` starting the next one belongs to it.
    after_cr: bool,
    /// No line has been completed yet (a leading BOM is to be ignored).
    at_start: bool,
    /// The current event's data lines, each followed by `\n`, once they are
    /// not all in one chunk (see [`InChunk`]).
    data: String,
    event: String,
    last_id: String,
    max_event_bytes: usize,
}

/// Fields of the current event still in the chunk being fed, not copied:
/// its newest name, and its data while that is one line. Copied into the
/// parser only when the event goes on past the chunk (or gets a second data
/// line): a chat chunk's event is one line of data and a blank line, both
/// in one HTTP chunk, and copying its data cost an allocation, a copy and
/// a free per event.
#[derive(Default)]
struct InChunk<'a> {
    event: Option<&'a str>,
    data: Option<&'a str>,
}

impl SseParser {
    /// A parser that fails when one event (its data, name and current line) exceeds `max_event_bytes`.
    pub(crate) fn new(max_event_bytes: usize) -> Self {
        SseParser {
            line: Vec::new(),
            after_cr: false,
            at_start: true,
            data: String::new(),
            event: String::new(),
            last_id: String::new(),
            max_event_bytes,
        }
    }

    /// Consumes a chunk, handing every event it completes to `sink`.
    ///
    /// A line that starts and ends within the chunk (the usual case) is read
    /// where it lies; only a line cut by the chunk's end is copied, to be
    /// completed by the next chunk.
    pub(crate) fn feed(&mut self, chunk: &[u8], sink: &mut impl EventSink) -> Result<(), SseError> {
        let mut here = InChunk::default();
        let fed = self.feed_lines(chunk, &mut here, sink);
        // The chunk's part of an unfinished event is kept for the next one.
        self.keep(&mut here);
        fed
    }

    fn feed_lines<'a>(
        &mut self,
        chunk: &'a [u8],
        here: &mut InChunk<'a>,
        sink: &mut impl EventSink,
    ) -> Result<(), SseError> {
        let mut rest = chunk;
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if rest[0] == b'\n' {
                rest = &rest[1..];
            }
        }
        while let Some(end) = line_end(rest) {
            if self.line.is_empty() {
                self.check_size(end, here)?;
                self.end_line(&rest[..end], here, sink);
            } else {
                self.append(&rest[..end], here)?;
                let mut line = std::mem::take(&mut self.line);
                self.end_owned_line(&line, here, sink);
                // Reuse the allocation for the next cut line.
                line.clear();
                self.line = line;
            }
            let was_cr = rest[end] == b'\r';
            rest = &rest[end + 1..];
            if was_cr {
                match rest.first() {
                    None => self.after_cr = true,
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                }
            }
        }
        self.append(rest, here)
    }

    /// Called at end of input. Per the standard an unfinished event is not
    /// dispatched; it is returned so the caller can tell a clean end from a
    /// cut one (and accept a final end marker that lacks its blank line).
    pub(crate) fn finish(&mut self) -> Option<RawEvent> {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            // A line that is not empty dispatches nothing.
            self.end_owned_line(
                &line,
                &mut InChunk::default(),
                &mut VecDeque::<RawEvent>::new(),
            );
        }
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        Some(RawEvent {
            event: non_empty(std::mem::take(&mut self.event)),
            data,
            id: non_empty(self.last_id.clone()),
        })
    }

    /// Buffers part of a line cut by the end of a chunk.
    fn append(&mut self, bytes: &[u8], here: &InChunk<'_>) -> Result<(), SseError> {
        self.check_size(self.line.len() + bytes.len(), here)?;
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    /// Fails when a line of `line_len` bytes would take the current event
    /// past the limit.
    fn check_size(&self, line_len: usize, here: &InChunk<'_>) -> Result<(), SseError> {
        // As if what is still in the chunk were already in the parser: the
        // data line with its line break, the newest name instead of the last.
        let data = self.data.len() + here.data.map_or(0, |data| data.len() + 1);
        let event = here.event.map_or(self.event.len(), str::len);
        if line_len + data + event > self.max_event_bytes {
            return Err(SseError::TooLarge {
                limit: self.max_event_bytes,
            });
        }
        Ok(())
    }

    /// Copies what the chunk holds of the current event into the parser.
    fn keep(&mut self, here: &mut InChunk<'_>) {
        if let Some(name) = here.event.take() {
            self.event.clear();
            self.event.push_str(name);
        }
        if let Some(data) = here.data.take() {
            self.push_data(data);
        }
    }

    fn push_data(&mut self, line: &str) {
        // Room for the line break too: without it, a one-line event
        // is allocated and then grown again.
        self.data.reserve(line.len() + 1);
        self.data.push_str(line);
        self.data.push('\n');
    }

    /// Interprets a line the parser holds (one cut by a chunk's end, or a
    /// line whose invalid bytes were replaced): nothing of it can be
    /// borrowed past this call.
    fn end_owned_line(&mut self, bytes: &[u8], here: &mut InChunk<'_>, sink: &mut impl EventSink) {
        // Kept first, so that what comes before this line stays before it.
        self.keep(here);
        let mut own = InChunk::default();
        self.end_line(bytes, &mut own, sink);
        self.keep(&mut own);
    }

    /// Interprets one complete line (without its line break).
    fn end_line<'a>(&mut self, bytes: &'a [u8], here: &mut InChunk<'a>, sink: &mut impl EventSink) {
        let mut bytes = bytes;
        if std::mem::replace(&mut self.at_start, false) && bytes.starts_with(BOM) {
            bytes = &bytes[BOM.len()..];
        }
        // Valid UTF-8 (the norm) is checked by the fast validator; only a
        // line with invalid bytes pays for replacing them.
        match std::str::from_utf8(bytes) {
            Ok(line) => self.line_text(line, here, sink),
            Err(_) => {
                // The replacement is a string of its own, valid UTF-8, which
                // nothing can borrow past this call.
                let line = String::from_utf8_lossy(bytes).into_owned();
                self.end_owned_line(line.as_bytes(), here, sink);
            }
        }
    }

    fn line_text<'a>(&mut self, line: &'a str, here: &mut InChunk<'a>, sink: &mut impl EventSink) {
        if line.is_empty() {
            self.dispatch(here, sink);
            return;
        }
        if line.starts_with(':') {
            return; // comment, e.g. a keep-alive
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => here.event = Some(value),
            "data" if here.data.is_none() && self.data.is_empty() => here.data = Some(value),
            "data" => {
                if let Some(first) = here.data.take() {
                    self.push_data(first);
                }
                self.push_data(value);
            }
            "id" if !value.contains('\0') => {
                self.last_id.clear();
                self.last_id.push_str(value);
            }
            // `retry` only matters to clients that reconnect; this one reports
            // a broken stream instead, so it and unknown fields are ignored.
            _ => {}
        }
    }

    fn dispatch(&mut self, here: &mut InChunk<'_>, sink: &mut impl EventSink) {
        let InChunk { event, data } = std::mem::take(here);
        let data = data.or_else(|| {
            // Without the line break added after the last data line.
            (!self.data.is_empty()).then(|| &self.data[..self.data.len() - 1])
        });
        if let Some(data) = data {
            // The newest name, from the chunk or kept; an empty one is none.
            let event = event.unwrap_or(self.event.as_str());
            sink.event(EventText {
                event: (!event.is_empty()).then_some(event),
                data,
                id: (!self.last_id.is_empty()).then_some(self.last_id.as_str()),
            });
        }
        self.event.clear();
        self.data.clear();
    }
}

/// Where the first line break in `bytes` is. A vector search for an
/// event's worth of bytes (a chat chunk's line is a few hundred); a plain
/// loop for a few, where setting the search up costs more (servers that
/// flush every few bytes).
#[inline]
fn line_end(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 32 {
        return bytes.iter().position(|&b| b == b'\n' || b == b'\r');
    }
    memchr::memchr2(b'\n', b'\r', bytes)
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// `bytes` cut at random into chunks of at most `max` bytes, empty ones
/// included, for the tests that a stream reads the same in any chunks.
#[cfg(test)]
pub(crate) fn random_chunks<'a>(
    rng: &mut fastrand::Rng,
    bytes: &'a [u8],
    max: usize,
) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(rng.usize(0..=rest.len().min(max)));
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 1 << 20;

    fn parse_chunks(chunks: &[&[u8]]) -> (Vec<RawEvent>, Option<RawEvent>) {
        let mut parser = SseParser::new(LIMIT);
        let mut out = VecDeque::new();
        for chunk in chunks {
            parser.feed(chunk, &mut out).unwrap();
        }
        let pending = parser.finish();
        (out.into_iter().collect(), pending)
    }

    fn parse(input: &[u8]) -> Vec<RawEvent> {
        parse_chunks(&[input]).0
    }

    fn event(name: Option<&str>, data: &str, id: Option<&str>) -> RawEvent {
        RawEvent {
            event: name.map(Into::into),
            data: data.into(),
            id: id.map(Into::into),
        }
    }

    /// Input exercising every rule at once; chunking must never change its events.
    const MIXED: &str = "\u{FEFF}: keep-alive\r\n\
        data: {\"a\":1}\r\n\r\n\
        event: update\rdata: first\rdata:second\r\r\
        id: 7\ndata:  two spaces\n\n\
        : comment\n\n\
        data\n\n\
        event: ignored-without-data\n\n\
        data: héllo wörld ✓ 🎉\r\n\r\n\
        event: crlf\r\ndata: a\r\ndata: b\r\n\r\n\
        retry: 100\nfoo: bar\ndata: [DONE]\n\n";

    fn mixed_expected() -> Vec<RawEvent> {
        vec![
            event(None, "{\"a\":1}", None),
            event(Some("update"), "first\nsecond", None),
            event(None, " two spaces", Some("7")),
            event(None, "", Some("7")),
            event(None, "héllo wörld ✓ 🎉", Some("7")),
            event(Some("crlf"), "a\nb", Some("7")),
            event(None, "[DONE]", Some("7")),
        ]
    }

    #[test]
    fn whole_input() {
        assert_eq!(parse(MIXED.as_bytes()), mixed_expected());
    }

    #[test]
    fn every_chunk_size_gives_the_same_events() {
        let input = MIXED.as_bytes();
        let expected = mixed_expected();
        for size in 1..=input.len() {
            let chunks: Vec<&[u8]> = input.chunks(size).collect();
            let (events, pending) = parse_chunks(&chunks);
            assert_eq!(events, expected, "chunk size {size}");
            assert_eq!(pending, None);
        }
    }

    #[test]
    fn every_split_point_gives_the_same_events() {
        let input = MIXED.as_bytes();
        let expected = mixed_expected();
        for split in 0..=input.len() {
            let (head, tail) = input.split_at(split);
            let (events, _) = parse_chunks(&[head, b"", tail]);
            assert_eq!(events, expected, "split at {split}");
        }
    }

    #[test]
    fn line_endings() {
        let expected = vec![event(Some("e"), "a\nb", None)];
        assert_eq!(parse(b"event: e\ndata: a\ndata: b\n\n"), expected);
        assert_eq!(parse(b"event: e\r\ndata: a\r\ndata: b\r\n\r\n"), expected);
        assert_eq!(parse(b"event: e\rdata: a\rdata: b\r\r"), expected);
        // "\r\n" split across chunks is one line break, "\r" + "\r" two.
        assert_eq!(
            parse_chunks(&[b"data: x\r", b"\n\r", b"\n"]).0,
            vec![event(None, "x", None)]
        );
        assert_eq!(
            parse_chunks(&[b"data: x\r", b"\r"]).0,
            vec![event(None, "x", None)]
        );
        assert_eq!(
            parse_chunks(&[b"data: x\r", b"\ndata: y\r\n\r\n"]).0,
            vec![event(None, "x\ny", None)]
        );
    }

    #[test]
    fn comments_and_field_rules() {
        assert_eq!(parse(b": ping\n\n:another\n\n"), vec![]);
        assert_eq!(
            parse(b"data:no-space\n\n"),
            vec![event(None, "no-space", None)]
        );
        assert_eq!(
            parse(b"data:  one kept\n\n"),
            vec![event(None, " one kept", None)]
        );
        assert_eq!(parse(b"data: a:b\n\n"), vec![event(None, "a:b", None)]);
        assert_eq!(parse(b"data\ndata\n\n"), vec![event(None, "\n", None)]);
        assert_eq!(
            parse(b"id: 1\0x\ndata: d\n\n"),
            vec![event(None, "d", None)]
        );
        assert_eq!(
            parse(b"event: a\n\ndata: d\n\n"),
            vec![event(None, "d", None)],
            "name reset after empty event"
        );
        assert_eq!(
            parse(b"event: a\nevent:\ndata: d\n\n"),
            vec![event(None, "d", None)],
            "an empty name, the newest, is none"
        );
        assert_eq!(
            parse(b"Data: d\n\n"),
            vec![],
            "field names are case-sensitive"
        );
    }

    #[test]
    fn utf8_split_across_chunks() {
        let input = "data: ✓🎉é\n\n".as_bytes();
        for split in 0..input.len() {
            let (events, _) = parse_chunks(&[&input[..split], &input[split..]]);
            assert_eq!(events, vec![event(None, "✓🎉é", None)], "split at {split}");
        }
        let bytes_one_by_one: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(
            parse_chunks(&bytes_one_by_one).0,
            vec![event(None, "✓🎉é", None)]
        );
    }

    #[test]
    fn unfinished_event_is_pending_not_dispatched() {
        let (events, pending) = parse_chunks(&[b"data: a\n\ndata: [DONE]\n"]);
        assert_eq!(events, vec![event(None, "a", None)]);
        assert_eq!(pending, Some(event(None, "[DONE]", None)));
        let (_, pending) = parse_chunks(&[b"data: partial"]);
        assert_eq!(pending, Some(event(None, "partial", None)));
        let (_, pending) = parse_chunks(&[b"data: a\n\n: trailing comment"]);
        assert_eq!(pending, None);
    }

    #[test]
    fn oversized_event_is_an_error() {
        let mut parser = SseParser::new(16);
        let mut out = VecDeque::new();
        assert!(parser.feed(b"data: 0123456\n", &mut out).is_ok());
        let err = parser.feed(b"data: 0123456789\n", &mut out).unwrap_err();
        assert_eq!(err, SseError::TooLarge { limit: 16 });

        // A single endless line without a newline is caught too, chunk by chunk.
        let mut parser = SseParser::new(16);
        let mut result = Ok(());
        for _ in 0..10 {
            result = result.and_then(|_| parser.feed(b"data: xxxx", &mut out));
        }
        assert!(result.is_err());
        assert!(out.is_empty());
        // Refused before it is buffered: the line never grew past the limit.
        assert!(parser.line.len() <= 16, "{}", parser.line.len());
    }

    /// Records each event, and whether its data was read from the chunk
    /// being fed (not copied).
    struct FromChunk {
        chunk: std::ops::Range<usize>,
        seen: Vec<(Option<String>, String, bool)>,
    }

    impl EventSink for FromChunk {
        fn event(&mut self, event: EventText<'_>) {
            let at = event.data.as_ptr() as usize;
            let in_chunk = self.chunk.contains(&at) && at + event.data.len() <= self.chunk.end;
            let name = event.event.map(str::to_owned);
            self.seen.push((name, event.data.to_owned(), in_chunk));
        }
    }

    #[test]
    fn one_line_events_are_read_where_they_lie() {
        let range = |chunk: &[u8]| {
            let start = chunk.as_ptr() as usize;
            start..start + chunk.len()
        };
        let mut parser = SseParser::new(LIMIT);
        let first: &[u8] = b"data: {\"a\":1}\n\nevent: named\ndata: b\n\nevent: e\ndata: cut";
        let second: &[u8] = b" here\n\ndata: x\ndata: y\n\ndata: z\n";
        let third: &[u8] = b"\n";
        let mut sink = FromChunk {
            chunk: range(first),
            seen: Vec::new(),
        };
        for chunk in [first, second, third] {
            sink.chunk = range(chunk);
            parser.feed(chunk, &mut sink).unwrap();
        }
        let seen = |name: Option<&str>, data: &str, in_chunk| {
            (name.map(str::to_owned), data.to_owned(), in_chunk)
        };
        assert_eq!(
            sink.seen,
            [
                seen(None, "{\"a\":1}", true),
                seen(Some("named"), "b", true),
                // A line cut by the chunk's end, two data lines, an event
                // whose blank line comes in the next chunk: copied.
                seen(Some("e"), "cut here", false),
                seen(None, "x\ny", false),
                seen(None, "z", false),
            ]
        );
    }

    /// Random streams of every kind of line and line break, each parsed
    /// whole and in random chunks (empty ones too): the events, and what is
    /// left pending at the end, must not depend on the chunking, whichever
    /// events are borrowed and whichever copied.
    #[test]
    fn random_streams_give_the_same_events_in_any_chunks() {
        let lines: [&[u8]; 12] = [
            b"data: {\"a\":1}",
            b"data:",
            b"data: two  spaces ",
            b"event: named",
            b"event:",
            b"id: 7",
            b": comment",
            b"",
            b"",
            "data: h\u{e9}llo \u{1f389}".as_bytes(),
            b"data: bad \xFF\xFE bytes",
            b"retry: 10",
        ];
        let breaks: [&[u8]; 3] = [b"\n", b"\r", b"\r\n"];
        let mut rng = fastrand::Rng::with_seed(7);
        for case in 0..2_000 {
            let mut input = Vec::new();
            if rng.u8(..8) == 0 {
                input.extend_from_slice(BOM);
            }
            for _ in 0..rng.usize(0..24) {
                input.extend_from_slice(lines[rng.usize(..lines.len())]);
                input.extend_from_slice(breaks[rng.usize(..breaks.len())]);
            }
            // Sometimes an unfinished last line.
            if rng.bool() {
                input.extend_from_slice(b"data: tail");
            }
            let whole = parse_chunks(&[&input]);
            let chunks = random_chunks(&mut rng, &input, 40);
            let input_text = String::from_utf8_lossy(&input);
            assert_eq!(
                parse_chunks(&chunks),
                whole,
                "case {case}: {input_text:?} in {chunks:?}"
            );
        }
    }

    #[test]
    fn limit_applies_per_event() {
        let mut parser = SseParser::new(32);
        let mut out = VecDeque::new();
        for _ in 0..100 {
            parser.feed(b"data: 0123456789\n\n", &mut out).unwrap();
        }
        assert_eq!(out.len(), 100);
    }
}
