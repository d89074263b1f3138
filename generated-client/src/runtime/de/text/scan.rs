//! Finding where the members of a JSON object or array end.
//!
//! This checks the object's or array's own punctuation and its keys, and
//! looks for where each value ends: a string at the first `"` that is not
//! escaped (found eight bytes at a time, see [`plain_run`]), a container at
//! its matching bracket, a scalar at the next `,`, `}` or `]`. What lies
//! inside a value is checked by whatever reads it (see [`super`]). Text it
//! cannot split (a missing `:`, an unclosed string) is an error, never a
//! panic.

use std::borrow::Cow;

use serde::de::Error as _;
use serde_json::Error;

use super::keys::KeyTable;
use super::Str;

/// An object's members, found one at a time as they are read: each key,
/// then its value, either scanned past ([`Members::next`]) or read by the
/// caller from where it starts ([`Members::next_key`], [`Members::value_text`],
/// [`Members::after_value`]).
pub(crate) struct Members<'a>(Walk<'a>);

impl<'a> Members<'a> {
    /// The members of the object whose text starts `text` (anything may
    /// follow the object: see [`Members::len`]).
    pub(crate) fn new(text: &'a str) -> Result<Self, Error> {
        Walk::new(text, b'{', b'}').map(Members)
    }

    /// The next member's key, with the walk left at the start of its value;
    /// `None` after the closing brace.
    #[inline]
    pub(crate) fn next_key(&mut self) -> Option<Result<Cow<'a, str>, Error>> {
        self.0.next(Walk::key)
    }

    /// Reads the next member's key and the `:` after it when the key is
    /// written as one of `names` is, quote to quote, and gives its index;
    /// otherwise reads nothing and gives `None`, leaving the key to
    /// [`Members::next_key`] (which also reports what is wrong with it).
    /// `keys` is the table of `names`; one that does not match by bytes
    /// (a name JSON must escape, whose bytes could match text that means
    /// something else, or a name the table lacks) finds no key here.
    #[inline(always)]
    pub(crate) fn take_key(&mut self, keys: &KeyTable, names: &[&str]) -> Option<usize> {
        let walk = &mut self.0;
        let bytes = walk.text.as_bytes();
        if walk.done || bytes.get(walk.at) != Some(&b'"') {
            return None;
        }
        let index = keys.find_text(names, &bytes[walk.at + 1..])?;
        let colon = skip_space(bytes, walk.at + names[index].len() + 2);
        if bytes.get(colon) != Some(&b':') {
            return None;
        }
        walk.at = skip_space(bytes, colon + 1);
        Some(index)
    }

    /// The text from the start of the value after [`Members::next_key`] to
    /// the end of the whole text: a prefix-mode value (see [`super`]).
    #[inline]
    pub(crate) fn value_text(&self) -> &'a str {
        self.0.rest()
    }

    /// Scans past the value after [`Members::next_key`] and returns its text.
    pub(crate) fn skip_value(&mut self) -> Result<&'a str, Error> {
        self.0.step(Walk::value)
    }

    /// Moves past the value after [`Members::next_key`], which was read by
    /// the caller and is `len` bytes long.
    #[inline(always)]
    pub(crate) fn after_value(&mut self, len: usize) -> Result<(), Error> {
        self.0.step(|walk| walk.after(len))
    }

    /// The length of the object's text, once its closing brace was read.
    #[inline]
    pub(crate) fn len(&self) -> Option<usize> {
        self.0.len()
    }

    /// The text from the object's first byte to the end of the document.
    #[inline]
    pub(crate) fn text(&self) -> &'a str {
        self.0.text
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = Result<(Cow<'a, str>, &'a str), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next(|walk| Ok((walk.key()?, walk.value()?)))
    }
}

/// An array's elements, found one at a time as they are read (no list of
/// them is built: for a long array such a list is as big as a sixth of its
/// text). Each element is read by the caller from where it starts.
pub(super) struct Elements<'a>(Walk<'a>);

impl<'a> Elements<'a> {
    /// The elements of the array whose text starts `text`.
    pub(super) fn new(text: &'a str) -> Result<Self, Error> {
        Walk::new(text, b'[', b']').map(Elements)
    }

    /// The text from the start of the next element to the end of the whole
    /// text; `None` after the closing bracket.
    #[inline]
    pub(super) fn next_start(&mut self) -> Option<&'a str> {
        (!self.0.done).then(|| self.0.rest())
    }

    /// Moves past the element [`Elements::next_start`] gave, which was
    /// read by the caller and is `len` bytes long.
    #[inline]
    pub(super) fn after_element(&mut self, len: usize) -> Result<(), Error> {
        self.0.step(|walk| walk.after(len))
    }

    /// The length of the array's text, once its closing bracket was read.
    pub(super) fn len(&self) -> Option<usize> {
        self.0.len()
    }
}

/// A walk through one object or array, shared by [`Members`] and
/// [`Elements`]: where the next item starts, the closing bracket, and, once
/// it was read, the length of the whole container's text.
struct Walk<'a> {
    text: &'a str,
    at: usize,
    close: u8,
    done: bool,
    /// The container's length once its closing bracket was read; 0 before.
    len: usize,
}

impl<'a> Walk<'a> {
    fn new(text: &'a str, open: u8, close: u8) -> Result<Self, Error> {
        let bytes = text.as_bytes();
        let at = skip_space(bytes, expect(bytes, 0, open)?);
        let done = bytes.get(at) == Some(&close);
        Ok(Walk {
            text,
            at,
            close,
            done,
            len: if done { at + 1 } else { 0 },
        })
    }

    /// The next item, read by `item`; nothing more after an error.
    fn next<T>(
        &mut self,
        item: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Option<Result<T, Error>> {
        if self.done {
            return None;
        }
        Some(self.step(item))
    }

    /// One step of the walk; the walk ends at an error.
    fn step<T>(&mut self, item: impl FnOnce(&mut Self) -> Result<T, Error>) -> Result<T, Error> {
        let read = item(self);
        self.done |= read.is_err();
        read
    }

    /// The container's length, once its closing bracket was read.
    #[inline]
    fn len(&self) -> Option<usize> {
        (self.len != 0).then_some(self.len)
    }

    /// The text from where the walk is to the end.
    #[inline]
    fn rest(&self) -> &'a str {
        self.text.get(self.at..).unwrap_or("")
    }

    /// Reads a member's key and the `:` after it.
    fn key(&mut self) -> Result<Cow<'a, str>, Error> {
        let bytes = self.text.as_bytes();
        let (key_end, plain) = string_span(bytes, self.at)?;
        let key = key(self.text, self.at, key_end, plain)?;
        self.at = skip_space(bytes, expect(bytes, skip_space(bytes, key_end), b':')?);
        Ok(key)
    }

    /// Reads a value and the `,` or closing bracket after it.
    fn value(&mut self) -> Result<&'a str, Error> {
        let start = self.at;
        let len = value_end(self.text.as_bytes(), start)? - start;
        self.after(len)?;
        slice(self.text, start, start + len)
    }

    /// Moves past a value of `len` bytes and the `,` or closing bracket after it.
    #[inline]
    fn after(&mut self, len: usize) -> Result<(), Error> {
        let bytes = self.text.as_bytes();
        let at = skip_space(bytes, self.at + len);
        match bytes.get(at) {
            Some(b',') => self.at = skip_space(bytes, at + 1),
            Some(&b) if b == self.close => {
                self.done = true;
                self.len = at + 1;
            }
            _ => return Err(wrong_byte(bytes, at, &[b',', self.close])),
        }
        Ok(())
    }
}

/// The length of the JSON value that starts `text`, found by scanning it:
/// a string to its closing quote, a container to its matching bracket, a
/// scalar to the next `,`, `}`, `]` or whitespace. Nothing inside is checked.
pub(super) fn value_len(text: &str) -> Result<usize, Error> {
    value_end(text.as_bytes(), 0)
}

/// The length of the scalar (not a string, array or object) that starts
/// `bytes`: up to the first byte that [`ends_scalar`].
pub(super) fn scalar_run(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| ends_scalar(Some(b)))
        .unwrap_or(bytes.len())
}

/// Whether `next`, the byte after a scalar (`None`: the end of the text),
/// may follow it: a `,`, `}`, `]` or whitespace.
#[inline]
pub(crate) fn ends_scalar(next: Option<u8>) -> bool {
    matches!(
        next,
        None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
    )
}

/// The length of the string that starts `text`, and whether it is plain
/// (no escapes).
pub(crate) fn string_len(text: &str) -> Result<(usize, bool), Error> {
    string_span(text.as_bytes(), 0)
}

/// The string that starts `text`, and the length of its text (quotes
/// included): borrowed when it has no escapes, else read by serde_json.
/// Always inlined: it is on the path of every string value a reader
/// decodes, and once [`Object::next_field`](super::super::Object::next_field)
/// was split, rustc kept it out of line (24 M more instructions on 200,000
/// chat chunks).
#[inline(always)]
pub(crate) fn string_at(text: &str) -> Result<(Cow<'_, str>, usize), Error> {
    let (len, plain) = string_len(text)?;
    Ok((unquote(&text[..len], plain)?, len))
}

/// The key whose quoted text spans `start..end` (see [`unquote`]).
fn key(text: &str, start: usize, end: usize, plain: bool) -> Result<Cow<'_, str>, Error> {
    unquote(slice(text, start, end)?, plain)
}

/// The string `quoted` (its whole text, quotes included) spells: borrowed
/// when it is `plain` (no escapes), else read by serde_json.
fn unquote(quoted: &str, plain: bool) -> Result<Cow<'_, str>, Error> {
    if plain {
        return Ok(Cow::Borrowed(&quoted[1..quoted.len() - 1]));
    }
    Ok(serde_json::from_str::<Str>(quoted)?.0)
}

/// The index just past the value that starts at `at`.
fn value_end(bytes: &[u8], at: usize) -> Result<usize, Error> {
    match bytes.get(at) {
        Some(b'"') => string_end(bytes, at),
        Some(b'{' | b'[') => container_end(bytes, at),
        Some(_) => match scalar_run(&bytes[at..]) {
            0 => Err(unexpected(bytes, at, "a value")),
            len => Ok(at + len),
        },
        None => Err(unexpected(bytes, at, "a value")),
    }
}

/// The index just past the string whose opening quote is at `at`.
fn string_end(bytes: &[u8], at: usize) -> Result<usize, Error> {
    string_span(bytes, at).map(|(end, _)| end)
}

/// The index just past the string whose opening quote is at `at`, and
/// whether it is plain (had no escape). A raw control character in it is an
/// error, as JSON has it.
fn string_span(bytes: &[u8], at: usize) -> Result<(usize, bool), Error> {
    if bytes.get(at) != Some(&b'"') {
        return Err(unexpected(bytes, at, "a string"));
    }
    let mut i = at + 1;
    let mut plain = true;
    loop {
        i += plain_run(&bytes[i.min(bytes.len())..]);
        match bytes.get(i) {
            Some(b'"') => return Ok((i + 1, plain)),
            // A backslash: the next byte is escaped, whatever it is (what it
            // means is checked by whatever reads the string).
            Some(b'\\') => {
                plain = false;
                i += 2;
            }
            Some(_) => return Err(fail("control character in a string")),
            None => return Err(fail("a string is not closed")),
        }
    }
}

/// How many bytes at the start of `bytes` are plain string content: not
/// `"`, `\`, or a control character (below 0x20).
///
/// Eight bytes at a time (the classic test for a zero byte in a word,
/// applied to the word XOR each wanted byte, and a test for bytes below
/// 0x20): most strings in API JSON are short (keys, ids, enum values), where
/// `memchr`'s vector set-up costs more than it saves; long ones still go
/// eight bytes per step.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // The lowest flagged byte is exact (a false flag can only sit above a
        // true one); a byte below 0x20 has its high bit clear and borrows.
        let found = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | word.wrapping_sub(ONES * 0x20) & !word)
            & HIGH;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + bytes[i..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(bytes.len() - i)
}

/// The index just past the object or array whose bracket is at `at`.
fn container_end(bytes: &[u8], at: usize) -> Result<usize, Error> {
    let mut depth = 0usize;
    let mut i = at;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i = string_end(bytes, i)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(Error::custom("an object or array is not closed"))
}

/// The index of the first byte from `at` that is not JSON whitespace.
#[inline]
fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The index after byte `want` at `at`. (Inlined, with its error out of
/// line: it runs twice per member.)
#[inline]
fn expect(bytes: &[u8], at: usize, want: u8) -> Result<usize, Error> {
    match bytes.get(at) == Some(&want) {
        true => Ok(at + 1),
        false => Err(wrong_byte(bytes, at, &[want])),
    }
}

/// An error with a fixed message, made out of line (`#[cold]`), as are the
/// scanner's other errors and those on the text deserializer's path through
/// each member: built inline, the message formatting kept the small
/// functions every member goes through (`expect`, `Walk::after`) from being
/// inlined, which cost 2-5 % of decoding.
#[cold]
#[inline(never)]
pub(super) fn fail(message: &'static str) -> Error {
    Error::custom(message)
}

/// The error of another byte at `at` than one of `wanted` (`:` after a
/// key, `,` or the closing bracket after a value).
#[cold]
#[inline(never)]
fn wrong_byte(bytes: &[u8], at: usize, wanted: &[u8]) -> Error {
    let wanted: Vec<String> = wanted.iter().map(|&b| format!("`{}`", b as char)).collect();
    unexpected(bytes, at, &wanted.join(" or "))
}

/// `text[start..end]`, or an error where that is not a slice of it.
fn slice(text: &str, start: usize, end: usize) -> Result<&str, Error> {
    text.get(start..end)
        .ok_or_else(|| fail("a value ends inside a character"))
}

#[cold]
fn unexpected(bytes: &[u8], at: usize, wanted: &str) -> Error {
    match bytes.get(at) {
        Some(&b) if b.is_ascii_graphic() => Error::custom(format_args!(
            "expected {wanted}, found `{}` at byte {at}",
            b as char
        )),
        Some(_) => Error::custom(format_args!("expected {wanted} at byte {at}")),
        None => Error::custom(format_args!("expected {wanted}, found the end")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nothing but whitespace follows the value that is `len` bytes long.
    fn whole(text: &str, len: Option<usize>) -> Result<(), Error> {
        let at = skip_space(text.as_bytes(), len.expect("read to its end"));
        match at == text.len() {
            true => Ok(()),
            false => Err(unexpected(text.as_bytes(), at, "the end")),
        }
    }

    /// The members of the object that is all of `text`, scanned past.
    fn object(text: &str) -> Result<Vec<(Cow<'_, str>, &str)>, Error> {
        let mut members = Members::new(text)?;
        let all = members.by_ref().collect::<Result<_, _>>()?;
        whole(text, members.len())?;
        Ok(all)
    }

    #[test]
    fn splits_objects_with_nesting_escapes_and_whitespace() {
        let text = r#"{ "a" : 1 , "b\"c":"x\\\"}]" ,"d":{"e":[1,{"f":"]"}]},"g":[ ],"h":null}"#;
        let members = object(text).unwrap();
        let got: Vec<(&str, &str)> = members.iter().map(|(k, v)| (k.as_ref(), *v)).collect();
        assert_eq!(
            got,
            [
                ("a", "1"),
                ("b\"c", r#""x\\\"}]""#),
                ("d", r#"{"e":[1,{"f":"]"}]}"#),
                ("g", "[ ]"),
                ("h", "null"),
            ]
        );
        assert!(object("{}").unwrap().is_empty());
        assert!(object("{ \n}").unwrap().is_empty());
    }

    #[test]
    fn plain_run_finds_the_first_quote_backslash_or_control_character_at_any_offset() {
        for len in 0..40 {
            let specials = [b'"', b'\\', 0x00, 0x1f, b'\n'];
            for (at, special) in (0..len).flat_map(|at| specials.map(|b| (at, b))) {
                // Bytes that differ from the wanted ones by one bit, and high bytes.
                let mut bytes: Vec<u8> = (0..len)
                    .map(|i| [b'#', b'!', 0xc3, b'\\' ^ 1, b'"' + 128, b' ', 0xa0][i % 7])
                    .collect();
                bytes[at] = special;
                assert_eq!(plain_run(&bytes), at, "{bytes:?}");
                if at + 1 < len {
                    bytes[at + 1] = b'"';
                    assert_eq!(plain_run(&bytes), at);
                }
            }
            let plain = vec![b'a'; len];
            assert_eq!(plain_run(&plain), len);
        }
    }

    /// The elements of the array that is all of `text`, each scanned past.
    fn array(text: &str) -> Result<Vec<&str>, Error> {
        let mut elements = Elements::new(text)?;
        let mut all = Vec::new();
        while let Some(element) = elements.next_start() {
            let len = value_len(element)?;
            all.push(&element[..len]);
            elements.after_element(len)?;
        }
        whole(text, elements.len())?;
        Ok(all)
    }

    #[test]
    fn splits_arrays() {
        assert_eq!(
            array(r#"[1, "a,b" ,[2,3],{"x":[]} ,-0.5e3]"#).unwrap(),
            ["1", "\"a,b\"", "[2,3]", "{\"x\":[]}", "-0.5e3"]
        );
        assert!(array("[]").unwrap().is_empty());
    }

    /// Text that was never checked is refused where it cannot be split,
    /// never with a panic (an index past the end, a slice inside a character).
    #[test]
    fn refuses_what_it_cannot_split() {
        for bad in [
            "",
            "[]",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "{\"a\" 1}",
            "{\"a\":1 \"b\":2}",
            "{a:1}",
            "{\"a\":1,}",
            "{\"a\":\"x\\",
            "{\"a\":[1,2}",
            "{}x",
            "{\"\\",
            "{\"a\":}",
            "{\"a\":1}}",
            "{\"é\":\"\\é",
        ] {
            assert!(object(bad).is_err(), "{bad:?} was split as an object");
        }
        for bad in [
            "", "{}", "[", "[1", "[1 2]", "[1,]", "[1,,2]", "[\"é\\", "[]]", "[{]",
        ] {
            assert!(array(bad).is_err(), "{bad:?} was split as an array");
        }
    }
}
