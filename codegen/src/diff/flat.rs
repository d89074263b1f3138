//! One schema as a flat list of facts (types, properties, enum, bounds…), with
//! `allOf` members merged in and their `$ref`s resolved, so that two encodings of
//! the same type compare equal.

use super::shape::is_doc_key;
use super::doc::{component_name, Doc, Node};
use indexmap::IndexMap;
use serde_json::Value;
use std::collections::HashSet;

/// Keys that may sit beside a single `allOf` member without making it more than a wrapper.
fn is_overlay_key(key: &str) -> bool {
    is_doc_key(key) || matches!(key, "nullable" | "default" | "deprecated" | "readOnly" | "writeOnly")
}

/// A schema position as written (`outer`) and the schema it stands for (`core`):
/// `allOf: [X]` with only overlay keys beside it stands for `X`.
#[derive(Debug, Clone)]
pub(crate) struct View<'a> {
    pub outer: Node<'a>,
    pub core: Node<'a>,
}

impl<'a> View<'a> {
    pub fn of(node: Node<'a>) -> Self {
        if let Some(obj) = node.v.as_object() {
            let single = obj.get("allOf").and_then(Value::as_array).is_some_and(|l| l.len() == 1);
            if single && obj.keys().all(|k| k == "allOf" || is_overlay_key(k)) {
                if let Some(core) = node.item("allOf", 0) {
                    return View { outer: node, core };
                }
            }
        }
        View { core: node.clone(), outer: node }
    }
}

/// A set of JSON types; `integer` is a subset of `number`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Types(u8);

impl Types {
    const NAMES: [(&'static str, u8); 6] = [("string", 1), ("number", 2), ("integer", 4), ("boolean", 8), ("array", 16), ("object", 32)];
    pub const NONE: Types = Types(0);
    pub const ANY: Types = Types(63);
    pub const STRING: Types = Types(1);
    pub const INTEGER: Types = Types(4);
    pub const ARRAY: Types = Types(16);
    pub const OBJECT: Types = Types(32);

    /// The set of the named JSON types.
    #[cfg(test)]
    pub fn of_names(names: &[&str]) -> Types {
        names.iter().fold(Types::NONE, |t, n| Types(t.0 | Types::named(n).0))
    }

    fn named(name: &str) -> Types {
        Types(Self::NAMES.iter().find(|(n, _)| *n == name).map_or(0, |(_, b)| *b))
    }

    fn of_value(v: &Value) -> Types {
        match v {
            Value::String(_) => Types(1),
            Value::Number(n) if n.is_i64() || n.is_u64() => Types(4),
            Value::Number(_) => Types(2),
            Value::Bool(_) => Types(8),
            Value::Array(_) => Types(16),
            Value::Object(_) => Types(32),
            Value::Null => Types(0),
        }
    }

    pub fn has(self, other: Types) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// Whether every value of `other` is a value of `self`.
    pub fn accepts(self, other: Types) -> bool {
        let mut rest = other.0 & !self.0;
        if self.0 & 2 != 0 {
            rest &= !4;
        }
        rest == 0
    }

    pub fn describe(self) -> String {
        if self == Types::ANY || self == Types::NONE {
            return "any".to_owned();
        }
        Self::NAMES.iter().filter(|(_, b)| self.0 & b != 0).map(|(n, _)| *n).collect::<Vec<_>>().join("|")
    }
}

/// A property and the `allOf` base (a component schema) it comes from, if any.
#[derive(Debug, Clone)]
pub(crate) struct Prop<'a> {
    pub node: Node<'a>,
    pub owner: Option<&'a str>,
}

/// Bounds and patterns that narrow what a value may be.
pub(crate) const CONSTRAINTS: [&str; 13] =
    ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "multipleOf", "pattern", "uniqueItems"];

/// The facts of one schema.
#[derive(Debug, Clone)]
pub(crate) struct Flat<'a> {
    pub types: Types,
    pub format: Option<&'a str>,
    pub nullable: bool,
    pub enumeration: Option<Vec<&'a Value>>,
    pub props: IndexMap<&'a str, Prop<'a>>,
    pub required: HashSet<&'a str>,
    pub items: Option<Node<'a>>,
    pub additional: Option<Node<'a>>,
    pub union: Vec<Node<'a>>,
    /// The schema that holds `union` (where the generator puts the union's type).
    pub union_at: Option<Node<'a>>,
    pub discriminator: Option<Node<'a>>,
    /// Component schemas named directly in this schema's `allOf`.
    pub bases: Vec<&'a str>,
    pub default: Option<&'a Value>,
    pub deprecated: bool,
    pub description: Option<&'a str>,
    pub example: Option<&'a Value>,
    pub constraints: Vec<(&'static str, &'a Value)>,
}

impl<'a> Flat<'a> {
    /// The facts of `body` (a resolved, non-reference schema) as written at `outer`.
    pub fn build(doc: &Doc<'a>, outer: &Node<'a>, body: &Node<'a>) -> Self {
        let mut f = Self::attributes(outer, body);
        let mut visited = HashSet::new();
        f.absorb(doc, body, None, true, &mut visited, 0);
        if f.types == Types::NONE {
            f.types = if !f.props.is_empty() || f.additional.is_some() || !f.required.is_empty() {
                Types::OBJECT
            } else if f.items.is_some() {
                Types::ARRAY
            } else if let Some(values) = &f.enumeration {
                values.iter().fold(Types::NONE, |t, v| Types(t.0 | Types::of_value(v).0))
            } else {
                Types::ANY
            };
            if f.types == Types::NONE {
                f.types = Types::ANY;
            }
        }
        f
    }

    /// Only what sits on the position itself (nullability, default, deprecation,
    /// documentation), without looking into the schema's structure.
    pub fn attributes(outer: &Node<'a>, body: &Node<'a>) -> Self {
        Flat {
            types: Types::NONE,
            format: None,
            nullable: outer.flag("nullable") || body.flag("nullable"),
            enumeration: None,
            props: IndexMap::new(),
            required: HashSet::new(),
            items: None,
            additional: None,
            union: Vec::new(),
            union_at: None,
            discriminator: None,
            bases: Vec::new(),
            default: outer.v.get("default").or_else(|| body.v.get("default")),
            deprecated: outer.flag("deprecated") || body.flag("deprecated"),
            description: outer.str("description").or_else(|| body.str("description")),
            example: outer.v.get("example").or_else(|| body.v.get("example")),
            constraints: Vec::new(),
        }
    }

    fn absorb(&mut self, doc: &Doc<'a>, node: &Node<'a>, owner: Option<&'a str>, top: bool, visited: &mut HashSet<String>, depth: usize) {
        if depth > 24 || !visited.insert(node.ptr.clone()) {
            return;
        }
        let v = node.v;
        if self.types == Types::NONE {
            match v.get("type") {
                Some(Value::String(t)) => self.types = Types::named(t),
                Some(Value::Array(list)) => self.types = list.iter().filter_map(Value::as_str).fold(Types::NONE, |t, n| Types(t.0 | Types::named(n).0)),
                _ => {}
            }
        }
        if self.format.is_none() {
            self.format = node.str("format");
        }
        if self.enumeration.is_none() {
            if let Some(list) = v.get("enum").and_then(Value::as_array) {
                self.enumeration = Some(list.iter().filter(|x| !x.is_null()).collect());
            }
        }
        if let Some(props) = v.get("properties").and_then(Value::as_object) {
            for name in props.keys() {
                if !self.props.contains_key(name.as_str()) {
                    if let Some(p) = node.get2("properties", name) {
                        self.props.insert(name.as_str(), Prop { node: p, owner });
                    }
                }
            }
        }
        if let Some(list) = v.get("required").and_then(Value::as_array) {
            self.required.extend(list.iter().filter_map(Value::as_str));
        }
        if self.items.is_none() {
            self.items = node.get("items").filter(|i| i.v.is_object());
        }
        if self.additional.is_none() {
            self.additional = node.get("additionalProperties");
        }
        if self.union.is_empty() {
            for key in ["oneOf", "anyOf"] {
                if v.get(key).is_some() {
                    self.union = node.items(key);
                    self.union_at = Some(node.clone());
                    break;
                }
            }
            if self.discriminator.is_none() {
                self.discriminator = node.get("discriminator");
            }
        }
        for key in CONSTRAINTS {
            if let Some(c) = v.get(key) {
                if !self.constraints.iter().any(|(k, _)| *k == key) {
                    self.constraints.push((key, c));
                }
            }
        }
        for member in node.items("allOf") {
            let name = component_name(member.v);
            if let (true, Some(name)) = (top, name) {
                self.bases.push(name);
            }
            let target = doc.resolve(&member);
            self.absorb(doc, &target, owner.or(name), false, visited, depth + 1);
        }
    }

    /// The value of a constraint keyword, if set.
    pub fn constraint(&self, key: &str) -> Option<&'a Value> {
        self.constraints.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// Whether the enum holds strings only (the generated enum then has an `Unknown(String)` catch-all).
    pub fn string_enum(&self) -> bool {
        self.enumeration.as_ref().is_some_and(|vals| vals.iter().all(|v| v.is_string())) && (self.types.has(Types::STRING) || self.types == Types::ANY)
    }
}

impl<'a> Doc<'a> {
    /// Whether a schema position is nullable, on the position or on the schema it names.
    pub fn nullable(&self, node: &Node<'a>) -> bool {
        let view = View::of(node.clone());
        view.outer.flag("nullable") || self.resolve(&view.core).flag("nullable")
    }
}
