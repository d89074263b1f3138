//! Scalars (strings, numbers, `true`, `false`, `null`) read into one
//! non-generic [`Scalar`] and handed to the visitor from there.
//!
//! Handing the visitor to serde_json's own deserializer instead compiled
//! serde_json's reader once for every visitor type that might meet a
//! scalar, and through its sequence and map readers a second copy of every
//! generated impl a list or map holds: about a tenth of the client's machine
//! code, for a path that reads nothing but scalars. Here serde_json is only
//! asked for the two things it does best with fixed types: a string with
//! escapes (`scan::unquote`) and a number that is neither a plain integer
//! nor a short float ([`short_float`]).

use super::digits::digit_run;
use super::scan;
use super::{ends_scalar, plain_integer, scalar_text};
use serde::de::{Error as _, Expected, Unexpected, Visitor};
use serde_json::Error;
use std::borrow::Cow;

/// One JSON scalar, as serde_json would visit it.
pub(super) enum Scalar<'de> {
    Null,
    Bool(bool),
    /// A non-negative integer that fits 64 bits.
    U64(u64),
    /// A negative integer that fits 64 bits.
    I64(i64),
    /// Any other number.
    F64(f64),
    /// Borrowed from the text unless it had escapes.
    Str(Cow<'de, str>),
}

impl<'de> Scalar<'de> {
    /// Reads the scalar at the start of `text` (prefix mode: anything may
    /// follow it), checking it, and its length; an array or object is an
    /// `invalid type` error against `expected`.
    pub(super) fn read(text: &'de str, expected: &dyn Expected) -> Result<(Self, usize), Error> {
        match text.as_bytes().first() {
            Some(b'"') => {
                let (string, len) = scan::string_at(text)?;
                Ok((Scalar::Str(string), len))
            }
            Some(b'{') => Err(Error::invalid_type(Unexpected::Map, expected)),
            Some(b'[') => Err(Error::invalid_type(Unexpected::Seq, expected)),
            _ => {
                if let Some((n, len)) = plain_integer(text) {
                    let scalar = match n {
                        Ok(n) => Scalar::U64(n),
                        Err(n) => Scalar::I64(n),
                    };
                    return Ok((scalar, len));
                }
                if let Some((value, len)) = short_float(text.as_bytes()) {
                    return Ok((Scalar::F64(value), len));
                }
                let run = scalar_text(text);
                let scalar = match run {
                    "true" => Scalar::Bool(true),
                    "false" => Scalar::Bool(false),
                    "null" => Scalar::Null,
                    // A fraction, an exponent, an integer past 64 bits (all
                    // read as `f64`, as serde_json reads them), or an error.
                    _ => Scalar::F64(serde_json::from_str::<f64>(run)?),
                };
                Ok((scalar, run.len()))
            }
        }
    }

    /// Whether this is a number.
    pub(super) fn is_number(&self) -> bool {
        matches!(self, Scalar::U64(_) | Scalar::I64(_) | Scalar::F64(_))
    }

    /// The error of a visitor that wanted another kind of value.
    #[cold]
    #[inline(never)]
    pub(super) fn mismatch(&self, expected: &dyn Expected) -> Error {
        let unexpected = match self {
            Scalar::Null => Unexpected::Unit,
            Scalar::Bool(b) => Unexpected::Bool(*b),
            Scalar::U64(n) => Unexpected::Unsigned(*n),
            Scalar::I64(n) => Unexpected::Signed(*n),
            Scalar::F64(f) => Unexpected::Float(*f),
            Scalar::Str(s) => Unexpected::Str(s),
        };
        Error::invalid_type(unexpected, expected)
    }

    /// Hands the scalar to `visitor`, by the method serde_json would call.
    #[inline]
    pub(super) fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Scalar::Null => visitor.visit_unit(),
            Scalar::Bool(b) => visitor.visit_bool(b),
            Scalar::U64(n) => visitor.visit_u64(n),
            Scalar::I64(n) => visitor.visit_i64(n),
            Scalar::F64(f) => visitor.visit_f64(f),
            Scalar::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Scalar::Str(Cow::Owned(s)) => visitor.visit_string(s),
        }
    }
}

/// Powers of ten an `f64` holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The number at the start of `text`, and its length, when it is a JSON
/// number (a delimiter or the end after it) of at most 19 digits whose
/// digits, as an integer, are at most 2^53 and whose power of ten is within
/// ±22: the value is then one multiplication or division of two `f64`s that
/// hold their values exactly, so it is correctly rounded (Clinger's fast
/// path), as serde_json rounds with `float_roundtrip` (the client turns that
/// on; a test compares the two over random numbers). Anything else is `None`
/// and read by serde_json.
///
/// The numbers of an API response are short: an embedding's components
/// (`-0.0069292835`), log probabilities, scores. serde_json, set up for each
/// one, read them in 600 instructions against async-openai's 370 (without
/// `float_roundtrip`) in an embeddings response of 98,304 of them.
#[inline]
pub(super) fn short_float(text: &[u8]) -> Option<(f64, usize)> {
    let negative = text.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let mut digits: u64 = 0;
    let mut count = 0usize;
    let mut take_digits = |at: &mut usize| {
        let start = *at;
        (digits, *at) = digit_run(text, start, digits);
        count += *at - start;
        *at - start
    };
    match text.get(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => {
            take_digits(&mut at);
        }
        _ => return None,
    }
    let mut exponent: i64 = 0;
    if text.get(at) == Some(&b'.') {
        at += 1;
        let fraction = take_digits(&mut at);
        if fraction == 0 {
            return None;
        }
        exponent = -(fraction as i64);
    }
    if matches!(text.get(at), Some(b'e' | b'E')) {
        at += 1;
        let negative_power = match text.get(at) {
            Some(b'-') => {
                at += 1;
                true
            }
            Some(b'+') => {
                at += 1;
                false
            }
            _ => false,
        };
        let start = at;
        let mut power: i64 = 0;
        while let Some(&d @ b'0'..=b'9') = text.get(at) {
            power = (power * 10 + i64::from(d - b'0')).min(1_000);
            at += 1;
        }
        if at == start {
            return None;
        }
        exponent += if negative_power { -power } else { power };
    }
    // Up to 19 digits cannot have wrapped a u64.
    if count > 19 || digits > 1 << 53 || !ends_scalar(text.get(at).copied()) {
        return None;
    }
    let exact = digits as f64;
    let value = match exponent {
        0..=22 => exact * POW10[exponent as usize],
        -22..=-1 => exact / POW10[exponent.unsigned_abs() as usize],
        _ => return None,
    };
    Some((if negative { -value } else { value }, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde_json's reading of `text` (with `float_roundtrip`, as the client
    /// builds it), bit for bit.
    fn serde_json_f64(text: &str) -> Option<u64> {
        serde_json::from_str::<f64>(text).ok().map(f64::to_bits)
    }

    /// Checks [`short_float`] on `text`: when it reads a number, it reads the
    /// whole text, and the same bits as serde_json.
    fn check(text: &str) -> bool {
        match short_float(text.as_bytes()) {
            Some((value, len)) => {
                assert_eq!(len, text.len(), "{text}");
                assert_eq!(Some(value.to_bits()), serde_json_f64(text), "{text}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn short_floats_read_as_serde_json_reads_them() {
        // The API's usual numbers take the short path.
        for text in [
            "-0.0069292835",
            "0.5",
            "-0",
            "-0.0",
            "1e5",
            "1E+5",
            "2.5e-3",
            "0.1",
            "123.456e-19",
            "9007199254740992",
            "1e22",
            "-1.5E-21",
        ] {
            assert!(check(text), "{text} should be read on the short path");
        }
        // Beyond it, or not JSON: left to serde_json.
        for text in [
            "9007199254740993",
            "1e23",
            "1e-23",
            "12345678901234567890",
            "0.00000000000000000001",
            "1e400",
            "00.5",
            "01",
            "1.",
            ".5",
            "+1",
            "-",
            "1e",
            "1e+",
            "1.e5",
            "inf",
            "NaN",
            "1.5.5",
            "0x10",
            "1_0",
        ] {
            assert!(!check(text), "{text} should be left to serde_json");
        }
        // What follows a number ends it or does not.
        assert_eq!(short_float(b"0.25,"), Some((0.25, 4)));
        assert_eq!(short_float(b"0.25]"), Some((0.25, 4)));
        assert_eq!(short_float(b"0.25 "), Some((0.25, 4)));
        assert_eq!(short_float(b"0.25x"), None);
        // Random numbers of every shape, short and long: sign, integer
        // digits, fraction, exponent.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut short = 0;
        for round in 0..400_000 {
            let long = round % 2 == 0;
            let mut text = String::new();
            if next(2) == 0 {
                text.push('-');
            }
            fn digits(n: u64, text: &mut String, next: &mut impl FnMut(u64) -> u64) {
                text.extend((0..n).map(|_| char::from(b'0' + next(10) as u8)));
            }
            let (int_digits, fraction_digits, powers) =
                if long { (25, 30, 340) } else { (9, 12, 30) };
            match next(3) {
                0 => text.push('0'),
                _ => {
                    text.push(char::from(b'1' + next(9) as u8));
                    let n = next(int_digits);
                    digits(n, &mut text, &mut next);
                }
            }
            if next(4) != 0 {
                text.push('.');
                let n = 1 + next(fraction_digits);
                digits(n, &mut text, &mut next);
            }
            if next(3) == 0 {
                text.push(if next(2) == 0 { 'e' } else { 'E' });
                match next(3) {
                    0 => text.push('-'),
                    1 => text.push('+'),
                    _ => {}
                }
                text += &next(powers).to_string();
            }
            short += usize::from(check(&text));
        }
        // Most short ones took the short path.
        assert!(short > 100_000, "{short}");
    }
}
