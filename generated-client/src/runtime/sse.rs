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

/// Why the stream cannot be parsed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SseError {
    /// An event (or a line) grew past the configured limit.
    TooLarge { limit: usize },
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parser state between chunks.
pub(crate) struct SseParser {
    /// Bytes of the current, unterminated line.
    line: Vec<u8>,
    /// The previous chunk ended in `\r`; a `\n` starting the next one belongs to it.
    after_cr: bool,
    /// No line has been completed yet (a leading BOM is to be ignored).
    at_start: bool,
    data: String,
    event: String,
    last_id: String,
    max_event_bytes: usize,
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

    /// Consumes a chunk, appending every event it completes to `out`.
    ///
    /// A line that starts and ends within the chunk (the usual case) is read
    /// where it lies; only a line cut by the chunk's end is copied, to be
    /// completed by the next chunk.
    pub(crate) fn feed(
        &mut self,
        chunk: &[u8],
        out: &mut VecDeque<RawEvent>,
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
                self.check_size(end)?;
                self.end_line(&rest[..end], out);
            } else {
                self.append(&rest[..end])?;
                let mut line = std::mem::take(&mut self.line);
                self.end_line(&line, out);
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
        self.append(rest)
    }

    /// Called at end of input. Per the standard an unfinished event is not
    /// dispatched; it is returned so the caller can tell a clean end from a
    /// cut one (and accept a final end marker that lacks its blank line).
    pub(crate) fn finish(&mut self) -> Option<RawEvent> {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.end_line(&line, &mut VecDeque::new());
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
    fn append(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        self.check_size(self.line.len() + bytes.len())?;
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    /// Fails when a line of `line_len` bytes would take the current event
    /// past the limit.
    fn check_size(&self, line_len: usize) -> Result<(), SseError> {
        if line_len + self.data.len() + self.event.len() > self.max_event_bytes {
            return Err(SseError::TooLarge {
                limit: self.max_event_bytes,
            });
        }
        Ok(())
    }

    /// Interprets one complete line (without its line break).
    fn end_line(&mut self, bytes: &[u8], out: &mut VecDeque<RawEvent>) {
        let mut bytes = bytes;
        if std::mem::replace(&mut self.at_start, false) && bytes.starts_with(BOM) {
            bytes = &bytes[BOM.len()..];
        }
        // Valid UTF-8 (the norm) is checked by the fast validator; only a
        // line with invalid bytes pays for replacing them.
        let line = match std::str::from_utf8(bytes) {
            Ok(line) => std::borrow::Cow::Borrowed(line),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line.starts_with(':') {
            return; // comment, e.g. a keep-alive
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = value.to_owned(),
            "data" => {
                // Room for the line break too: without it, a one-line event
                // (the usual) is allocated and then grown again.
                self.data.reserve(value.len() + 1);
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => self.last_id = value.to_owned(),
            // `retry` only matters to clients that reconnect; this one reports
            // a broken stream instead, so it and unknown fields are ignored.
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut VecDeque<RawEvent>) {
        let name = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the trailing '\n' added after the last data line
        out.push_back(RawEvent {
            event: non_empty(name),
            data,
            id: non_empty(self.last_id.clone()),
        });
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
