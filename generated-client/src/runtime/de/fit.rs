//! Untagged unions: how well each decoded branch fits the JSON ([`Fit`]),
//! and keeping the best ([`keep_best`], [`Attempt`]).

use super::lenient::{add_fills, collect_fills};
use super::{decode_text, unexpected, Failure, Node};
use serde::de::{DeserializeOwned, Error};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// How well a decoded value fits the JSON it came from: 0 is a perfect fit;
/// each key the value did not know (kept as an extra field) adds 1, a tag the
/// value did not recognise adds [`UNKNOWN_TAG`]. An untagged union keeps the
/// branch with the lowest misfit, so no branch that knows fewer of the keys
/// (or has the wrong tag) wins over one that knows them.
pub trait Fit {
    /// The misfit of this value.
    fn misfit(&self) -> usize;
}

/// Misfit of a value whose tag (a one-value enum, or a tagged union's tag) is
/// not the one its type expects.
pub const UNKNOWN_TAG: usize = 1 << 20;
/// Misfit of a free-form JSON branch: it accepts anything, so any typed
/// branch that decodes is preferred.
pub const ANY_VALUE: usize = 1 << 10;

macro_rules! exact_fit {
    ($($t:ty),*) => { $(impl Fit for $t { fn misfit(&self) -> usize { 0 } })* };
}
exact_fit!(String, bool, i64, i32, f64);

impl<T> Fit for Vec<T> {
    fn misfit(&self) -> usize {
        0
    }
}

impl<T> Fit for BTreeMap<String, T> {
    fn misfit(&self) -> usize {
        0
    }
}

impl Fit for Value {
    fn misfit(&self) -> usize {
        ANY_VALUE
    }
}

impl Fit for Map<String, Value> {
    fn misfit(&self) -> usize {
        ANY_VALUE
    }
}

impl<T: Fit> Fit for Box<T> {
    fn misfit(&self) -> usize {
        (**self).misfit()
    }
}

/// Keeps the better of two decoded branches: the first with the lowest misfit.
pub fn keep_best<T>(best: &mut Option<(usize, T)>, misfit: usize, candidate: T) {
    if best.as_ref().is_none_or(|(m, _)| misfit < *m) {
        *best = Some((misfit, candidate));
    }
}

/// One decoded branch of an untagged union: the value, and the required
/// fields it had to fill in (each counts as a misfit: the branch wanted a key
/// the value does not have). Only the chosen branch's fills are reported.
pub struct Attempt<T> {
    /// The decoded value.
    pub value: T,
    fills: Vec<String>,
}

impl<T: Fit> Attempt<T> {
    /// Unknown keys, wrong tags and filled-in fields together.
    pub fn misfit(&self) -> usize {
        self.value.misfit() + self.fills.len()
    }
}

impl<T> Attempt<T> {
    /// The value, reporting its fills to the surrounding [`collect_fills`].
    pub fn accept(self) -> T {
        add_fills(self.fills);
        self.value
    }

    /// The same attempt holding `wrap(value)` (the union variant).
    pub fn map<U>(self, wrap: impl FnOnce(T) -> U) -> Attempt<U> {
        Attempt {
            value: wrap(self.value),
            fills: self.fills,
        }
    }
}

/// Kinds of JSON value, as bits: what each variant of an untagged union can
/// be read from. The generator decides a variant's kinds from its type (an
/// object type takes objects only, a string enum strings) and the union
/// tries a variant only when the value's kind ([`json_kind`]) is among them:
/// each attempt in vain built an error with a formatted message, seventeen
/// in a Responses API response (a tool choice of `"auto"` went through
/// eight object variants first).
pub mod kind {
    /// An object.
    pub const OBJECT: u8 = 1;
    /// An array.
    pub const ARRAY: u8 = 2;
    /// A string.
    pub const STRING: u8 = 4;
    /// A number.
    pub const NUMBER: u8 = 8;
    /// `true` or `false`.
    pub const BOOL: u8 = 16;
    /// `null`.
    pub const NULL: u8 = 32;
}

/// The [`kind`] of the value `node` holds, from its first byte (anything
/// that is not another kind is taken for a number: its reader checks it).
pub fn json_kind(node: &Node) -> u8 {
    match node {
        Node::Text(text) => match text.trim_start().as_bytes().first() {
            Some(b'{') => kind::OBJECT,
            Some(b'[') => kind::ARRAY,
            Some(b'"') => kind::STRING,
            Some(b't' | b'f') => kind::BOOL,
            Some(b'n') => kind::NULL,
            _ => kind::NUMBER,
        },
        Node::Value(value) => match **value {
            Value::Object(_) => kind::OBJECT,
            Value::Array(_) => kind::ARRAY,
            Value::String(_) => kind::STRING,
            Value::Bool(_) => kind::BOOL,
            Value::Null => kind::NULL,
            Value::Number(_) => kind::NUMBER,
        },
    }
}

/// `value` read as `T`, or `None` (one attempt of an untagged union). Reads
/// through a reference: a failed attempt must not cost a copy of the value.
pub fn variant<T: DeserializeOwned>(node: &Node) -> Option<Attempt<T>> {
    let (decoded, fills) = collect_fills(|| decode_text::<T>(&node.text()).ok());
    decoded.map(|value| Attempt { value, fills })
}

/// The error when no variant of an untagged union accepts `node`;
/// `expected` names the union and the branches tried.
pub fn no_variant(node: &Node, expected: &'static str) -> Failure {
    match node.clone().into_value::<Failure>() {
        Ok(value) => Failure::invalid_value(unexpected(&value), &expected),
        Err(error) => error,
    }
}
