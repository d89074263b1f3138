//! Finding which declared field a member's key names, in one probe.
//!
//! Servers send an object's members in an order of their own (a file comes
//! as `object`, `id`, `purpose`, … while the spec declares `id`, `bytes`,
//! `created_at`, …). Trying the names in turn from the one after the last
//! found took three tries a member on a list of files, and the loop's exit
//! was a branch the processor could not predict. A [`KeyTable`], built at
//! compile time from a type's field names, goes straight to the name whose
//! first two bytes the key starts with; the closing quote and the bytes
//! then confirm it.

/// Slots of a table: a power of two, and one byte each, so a table is a
/// cache line.
const SLOTS: usize = 64;

/// The most names a table takes: three quarters of its slots, so a probe
/// always meets an empty slot. A type with more fields looks names up in
/// turn (one type of the newest spec, `AuditLog`, has 60).
const MOST: usize = SLOTS / 4 * 3;

/// A type's field names by the first two bytes of each (a one-byte name's
/// second byte is its closing quote), in open addressing: a name sits in the
/// slot its bytes hash to, or in the next free one after it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyTable {
    /// The index of the name in each slot, plus one; 0 for an empty slot.
    slots: [u8; SLOTS],
    /// Whether the table holds every name: not for more than [`MOST`]
    /// names, nor for an empty name (no two bytes to hash).
    complete: bool,
    /// Whether text is matched against the names by its bytes
    /// ([`KeyTable::find_text`]): the table holds every name and JSON writes
    /// each as its own bytes between quotes ([`plain_names`]).
    by_bytes: bool,
}

impl KeyTable {
    /// The table of `names`, the wire names of a type's declared fields.
    pub(crate) const fn new(names: &[&str]) -> KeyTable {
        let mut slots = [0u8; SLOTS];
        if names.len() > MOST {
            return KeyTable {
                slots,
                complete: false,
                by_bytes: false,
            };
        }
        let mut i = 0;
        while i < names.len() {
            let name = names[i].as_bytes();
            if name.is_empty() {
                return KeyTable {
                    slots: [0; SLOTS],
                    complete: false,
                    by_bytes: false,
                };
            }
            let second = if name.len() > 1 { name[1] } else { b'"' };
            let mut slot = slot_of(name[0], second);
            while slots[slot] != 0 {
                slot = (slot + 1) % SLOTS;
            }
            // `MOST` is below 255, so the index fits.
            slots[slot] = (i + 1) as u8;
            i += 1;
        }
        KeyTable {
            slots,
            complete: true,
            by_bytes: plain_names(names),
        }
    }

    /// Whether the table holds every name: when not, [`KeyTable::find_text`]
    /// finds none (the caller scans the key and asks [`KeyTable::find`]).
    #[cfg(test)]
    pub(crate) fn is_complete(&self) -> bool {
        self.complete
    }

    /// Whether [`KeyTable::find_text`] matches text by its bytes; when not,
    /// it finds nothing and every key is scanned.
    #[cfg(test)]
    pub(crate) fn by_bytes(&self) -> bool {
        self.by_bytes
    }

    /// The same table with matching by bytes turned off, to check that a
    /// key matched by its bytes reads as the same key scanned.
    #[cfg(test)]
    pub(crate) fn scanning_only(self) -> KeyTable {
        KeyTable {
            by_bytes: false,
            ..self
        }
    }

    /// The index in `names` (the names the table was built from) of the
    /// name `key` starts with up to a closing quote: `key` is a key's text
    /// after its opening quote. `None` when no name is written so, and for
    /// every key when the table does not match by bytes ([`KeyTable::by_bytes`]);
    /// a key written with escapes is for the caller to unescape and
    /// [`KeyTable::find`].
    #[inline(always)]
    pub(crate) fn find_text(&self, names: &[&str], key: &[u8]) -> Option<usize> {
        if !self.by_bytes {
            return None;
        }
        let (&first, &second) = (key.first()?, key.get(1)?);
        self.probe(
            first,
            second,
            |name| key.get(name.len()) == Some(&b'"') && same_bytes(&key[..name.len()], name),
            names,
        )
    }

    /// The index in `names` of the name that is `key`: by the table, or,
    /// when it does not hold every name, by looking them up in turn.
    #[inline]
    pub(crate) fn find(&self, names: &[&str], key: &str) -> Option<usize> {
        if !self.complete {
            return names.iter().position(|name| *name == key);
        }
        let bytes = key.as_bytes();
        let first = *bytes.first()?;
        let second = bytes.get(1).copied().unwrap_or(b'"');
        self.probe(first, second, |name| name == bytes, names)
    }

    /// The first name from the slot of `first` and `second` on that `is_key`,
    /// up to the next empty slot.
    #[inline(always)]
    fn probe(
        &self,
        first: u8,
        second: u8,
        is_key: impl Fn(&[u8]) -> bool,
        names: &[&str],
    ) -> Option<usize> {
        let mut slot = slot_of(first, second);
        loop {
            let index = usize::from(self.slots[slot]).checked_sub(1)?;
            if is_key(names.get(index)?.as_bytes()) {
                return Some(index);
            }
            slot = (slot + 1) % SLOTS;
        }
    }
}

/// Whether JSON writes every one of `names` as its own bytes between quotes
/// (none holds a `"`, a `\` or a control character): only then can text be
/// matched against the names by its bytes ([`KeyTable::find_text`]).
const fn plain_names(names: &[&str]) -> bool {
    let mut i = 0;
    while i < names.len() {
        let bytes = names[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            if matches!(bytes[j], b'"' | b'\\' | 0..=0x1f) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

/// The slot of a name starting with `first` and `second`: a multiplicative
/// hash's top bits. (Over the newest spec's 1,672 tables a name is found at
/// the 1.2nd probe on average.)
#[inline(always)]
const fn slot_of(first: u8, second: u8) -> usize {
    let bytes = (first as u32) << 8 | second as u32;
    (bytes.wrapping_mul(0x9E37_79B1) >> (32 - SLOTS.trailing_zeros())) as usize
}

/// Whether `a` and `b`, of the same length, hold the same bytes: compared a
/// word at a time in line, the last word overlapping, not by a call to
/// `memcmp`. Keys are short (most under 16 bytes) and compared once per
/// member: the call and its dispatch were 5 % of the CPU of decoding a list
/// of 100,000 files.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap());
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap());
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            if word(a, at) != word(b, at) {
                return false;
            }
            at += 8;
        }
        word(a, n - 8) == word(b, n - 8)
    } else if n >= 4 {
        half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
    } else {
        (0..n).all(|at| a[at] == b[at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_agrees_with_slice_equality_at_every_length_and_position() {
        let a: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=a.len() {
            let a = &a[..n];
            assert!(same_bytes(a, a), "{n} bytes");
            // One byte changed at each place in turn, the words' edges
            // (first, last, the overlap of the last word) included.
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same_bytes(a, &b), "{n} bytes, changed at {at}");
                assert!(!same_bytes(&b, a), "{n} bytes, changed at {at}");
            }
        }
    }

    /// Names sharing their first two bytes (one a prefix of the other),
    /// one-byte names, and a name `b` whose slot another name took first.
    const NAMES: &[&str] = &[
        "status",
        "status_details",
        "object",
        "obfuscation",
        "id",
        "n",
        "x",
        "created",
        "created_at",
        "a",
        "b",
    ];

    #[test]
    fn every_name_is_found_written_as_a_key_and_as_a_string() {
        let table = KeyTable::new(NAMES);
        assert!(table.is_complete());
        for (i, name) in NAMES.iter().enumerate() {
            assert_eq!(table.find(NAMES, name), Some(i), "{name}");
            for after in ["\":1", "\" : 1", "\""] {
                let key = format!("{name}{after}");
                assert_eq!(table.find_text(NAMES, key.as_bytes()), Some(i), "{key}");
            }
        }
    }

    #[test]
    fn other_keys_are_not_found() {
        let table = KeyTable::new(NAMES);
        for key in [
            "", "s", "statu", "status_", "objects", "i", "ob", "c", "y", "\\u0069d", "statuS",
        ] {
            assert_eq!(table.find(NAMES, key), None, "{key:?}");
            let text = format!("{key}\":1");
            assert_eq!(table.find_text(NAMES, text.as_bytes()), None, "{text:?}");
        }
        // A key cut off before its closing quote, or before two bytes.
        for text in ["statu", "s", "", "id"] {
            assert_eq!(table.find_text(NAMES, text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn probes_meet_each_other_and_wrap_around_the_table() {
        // A full table (48 names): six names that start with two bytes whose
        // slot is the last, so their probes run on across the table's end,
        // and 42 others sharing a few prefixes, so probes meet other names.
        let last = (b'a'..=b'z')
            .flat_map(|a| (b'a'..=b'z').map(move |b| [a, b]))
            .find(|[a, b]| slot_of(*a, *b) == SLOTS - 1)
            .expect("two letters whose slot is the last");
        let last = std::str::from_utf8(&last).unwrap().to_owned();
        let mut owned: Vec<String> = (0..6).map(|i| format!("{last}{i}")).collect();
        owned.extend((0..MOST - 6).map(|i| format!("f{i}")));
        let names: Vec<&str> = owned.iter().map(String::as_str).collect();
        let table = KeyTable::new(&names);
        assert!(table.is_complete());
        let wrapped = (0..SLOTS).any(|slot| {
            let index = usize::from(table.slots[slot]);
            index != 0 && {
                let name = names[index - 1].as_bytes();
                slot < slot_of(name[0], name[1])
            }
        });
        assert!(
            wrapped,
            "no probe wrapped around: the test needs other names"
        );
        for (i, name) in names.iter().enumerate() {
            assert_eq!(table.find(&names, name), Some(i), "{name}");
            let key = format!("{name}\":");
            assert_eq!(table.find_text(&names, key.as_bytes()), Some(i), "{name}");
        }
        for other in ["f42", &format!("{last}6"), &last] {
            assert_eq!(table.find(&names, other), None, "{other}");
        }
    }

    #[test]
    fn too_many_names_or_an_empty_one_leave_the_table_incomplete() {
        let owned: Vec<String> = (0..=MOST).map(|i| format!("f{i}")).collect();
        let names: Vec<&str> = owned.iter().map(String::as_str).collect();
        let table = KeyTable::new(&names);
        assert!(!table.is_complete());
        // Looked up in turn: every name still found, as a string; as a
        // key's text, none (the caller scans the key instead).
        for (i, name) in names.iter().enumerate() {
            assert_eq!(table.find(&names, name), Some(i), "{name}");
            let key = format!("{name}\":");
            assert_eq!(table.find_text(&names, key.as_bytes()), None, "{name}");
        }
        assert_eq!(table.find(&names, "g0"), None);
        let empty = KeyTable::new(&["id", ""]);
        assert!(!empty.is_complete());
        assert_eq!(
            (empty.find(&["id", ""], ""), empty.find(&["id", ""], "id")),
            (Some(1), Some(0))
        );
        assert!(KeyTable::new(&[]).is_complete());
    }
}
