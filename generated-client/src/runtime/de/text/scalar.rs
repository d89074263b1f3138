//! Scalars (strings, numbers, `true`, `false`, `null`) read into one
//! non-generic [`Scalar`] and handed to the visitor from there.
//!
//! Handing the visitor to serde_json's own deserializer instead compiled
//! serde_json's reader once for every visitor type that might meet a
//! scalar, and through its sequence and map readers a second copy of every
//! generated impl a list or map holds: about a tenth of the client's machine
//! code, for a path that reads nothing but scalars. Here serde_json is only
//! asked for the two things it does best with fixed types: a string with
//! escapes ([`scan::unquote`]) and a number that is not a plain integer
//! (`f64`).

use super::scan;
use super::{plain_integer, scalar_text};
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
                let (len, plain) = scan::string_len(text)?;
                Ok((Scalar::Str(scan::unquote(&text[..len], plain)?), len))
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
