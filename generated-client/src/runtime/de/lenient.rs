//! Lenient decoding: a required field the server left out or sent as `null`
//! reads as its empty value and is noted ([`collect_fills`]), unless the
//! decode runs in [`strict`] mode, where it is an error.

/// How many fills a decode keeps: a pathological body cannot grow the list
/// without end.
pub(crate) const MAX_FILLS: usize = 1000;

thread_local! {
    static STRICT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static FILLS: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

pub(super) fn is_strict() -> bool {
    STRICT.with(|s| s.get())
}

pub(super) fn note_fill(owner: &str, key: &str) {
    FILLS.with(|f| {
        if let Some(fills) = f.borrow_mut().as_mut() {
            if fills.len() < MAX_FILLS {
                fills.push(format!("{owner}.{key}: missing or null, read as empty"));
            }
        }
    });
}

/// Runs `decode` in strict mode: a required field that is missing or `null`
/// is an error, as the spec says, instead of being read as empty.
pub fn strict<T>(decode: impl FnOnce() -> T) -> T {
    let before = set_strict(true);
    let out = decode();
    set_strict(before);
    out
}

/// Sets strict mode, returning what it was (outside the generic wrappers:
/// one thread-local access compiled once, not once per decoded type).
fn set_strict(on: bool) -> bool {
    STRICT.with(|s| s.replace(on))
}

/// Runs `decode` and returns what it filled in leniently (see
/// [`or_empty`](super::or_empty)), one line per field, such as
/// `ResponseUsage.cache_write_tokens: missing or null, read as empty`.
pub fn collect_fills<T>(decode: impl FnOnce() -> T) -> (T, Vec<String>) {
    let before = swap_fills(Some(Vec::new()));
    let out = decode();
    let fills = swap_fills(before).unwrap_or_default();
    (out, fills)
}

/// Puts `fills` in place of the fills being collected, returning those.
fn swap_fills(fills: Option<Vec<String>>) -> Option<Vec<String>> {
    FILLS.with(|f| f.replace(fills))
}

/// Adds `fills` to those being collected, if any are (bounded as in
/// [`note_fill`]).
pub(super) fn add_fills(fills: Vec<String>) {
    FILLS.with(|f| {
        if let Some(all) = f.borrow_mut().as_mut() {
            let room = MAX_FILLS.saturating_sub(all.len());
            all.extend(fills.into_iter().take(room));
        }
    });
}

/// How many fills have been collected so far (0 when none are).
pub(crate) fn fills_noted() -> usize {
    FILLS.with(|f| f.borrow().as_ref().map_or(0, Vec::len))
}

/// Forgets the fills collected after the first `kept` (those of a value
/// read again: see `text::listing`).
pub(crate) fn forget_fills_after(kept: usize) {
    FILLS.with(|f| {
        if let Some(fills) = f.borrow_mut().as_mut() {
            fills.truncate(kept);
        }
    });
}
