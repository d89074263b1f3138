//! Positions in the two documents being compared: a schema value and its
//! JSON pointer ([`Node`]), a finding's location ([`Loc`]), what a finding
//! belongs to ([`Owner`]), which way a value travels ([`Dir`]), and one side's
//! document with its component schemas ([`Doc`]). Every pass of the diff
//! speaks of these; this file asks none of the passes.

use crate::load::{child, Spec};
use serde_json::{Map, Value};

/// Which way a value travels, which decides how a change is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Dir {
    /// Client → server: parameters and request bodies.
    Request,
    /// Server → client: response bodies.
    Response,
}

/// What a finding belongs to, for grouping.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Owner {
    /// A path as a whole (added or removed).
    Path(String),
    /// An operation, by its label `METHOD /path`.
    Op(String),
    /// A component schema, by its (new) name.
    Schema(String),
    /// Document-level things: global security, security schemes.
    Document,
}

impl Owner {
    pub fn group(&self) -> String {
        match self {
            Owner::Path(p) | Owner::Op(p) => p.clone(),
            Owner::Schema(name) => format!("schema {name}"),
            Owner::Document => "document".to_owned(),
        }
    }
}

/// A schema value of one side and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    /// The value.
    pub v: &'a Value,
    /// Its JSON pointer in the normalised document.
    pub ptr: String,
}

impl<'a> Node<'a> {
    pub fn new(v: &'a Value, ptr: impl Into<String>) -> Self {
        Node { v, ptr: ptr.into() }
    }

    /// The child `key` of an object node, if present.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        self.v.get(key).map(|v| Node { v, ptr: child(&self.ptr, key) })
    }

    /// The child at `key`, then `token`.
    pub fn get2(&self, key: &str, token: &str) -> Option<Node<'a>> {
        self.get(key)?.get(token)
    }

    /// The `i`-th item of an array child `key`.
    pub fn item(&self, key: &str, i: usize) -> Option<Node<'a>> {
        self.v.get(key)?.get(i).map(|v| Node { v, ptr: child(&child(&self.ptr, key), &i.to_string()) })
    }

    /// All items of an array child `key`.
    pub fn items(&self, key: &str) -> Vec<Node<'a>> {
        let len = self.v.get(key).and_then(Value::as_array).map_or(0, Vec::len);
        (0..len).filter_map(|i| self.item(key, i)).collect()
    }

    pub fn str(&self, key: &str) -> Option<&'a str> {
        self.v.get(key).and_then(Value::as_str)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.v.get(key).and_then(Value::as_bool).unwrap_or(false)
    }
}

/// A finding's location: a fixed prefix (`POST /files request multipart/form-data`,
/// `schema Name`) and a schema path below it (`.purpose`, `[]`, `{}`, `|Variant`, `="value"`).
#[derive(Debug, Clone)]
pub(crate) struct Loc {
    prefix: std::rc::Rc<str>,
    path: String,
}

impl Loc {
    pub fn root(prefix: impl Into<String>) -> Self {
        Loc { prefix: std::rc::Rc::from(prefix.into()), path: String::new() }
    }

    /// This location with one more schema path segment.
    pub fn seg(&self, segment: &str) -> Loc {
        Loc { prefix: self.prefix.clone(), path: format!("{}{segment}", self.path) }
    }

    pub fn prop(&self, name: &str) -> Loc {
        self.seg(&format!(".{name}"))
    }

    /// Whether this is the position itself, not something inside it.
    pub fn is_root(&self) -> bool {
        self.path.is_empty()
    }

    pub fn text(&self) -> String {
        if self.path.is_empty() {
            self.prefix.to_string()
        } else {
            format!("{} {}", self.prefix, self.path)
        }
    }
}

/// One side's document with its component schemas at hand.
pub(crate) struct Doc<'a> {
    pub root: &'a Value,
    pub schemas: Option<&'a Map<String, Value>>,
}

impl<'a> Doc<'a> {
    pub fn new(spec: &'a Spec) -> Self {
        let root = &spec.document;
        let schemas = root.pointer("/components/schemas").and_then(Value::as_object);
        Doc { root, schemas }
    }

    pub fn schema(&self, name: &str) -> Option<Node<'a>> {
        self.schemas?.get(name).map(|v| Node::new(v, child("/components/schemas", name)))
    }

    /// The component schema a position names: by `$ref`, or by being the
    /// component's own schema (the body of a reference followed earlier).
    pub fn named_component(&self, node: &Node<'a>) -> Option<&'a str> {
        if let Some(name) = component_name(node.v) {
            return Some(name);
        }
        let rest = node.ptr.strip_prefix("/components/schemas/").filter(|r| !r.contains('/'))?;
        self.schemas?.get_key_value(&crate::load::unescape_token(rest)).map(|(k, _)| k.as_str())
    }

    pub fn has_schema(&self, name: &str) -> bool {
        self.schemas.is_some_and(|s| s.contains_key(name))
    }

    /// Follows a local `$ref` (and chains of them) to the node it names.
    pub fn resolve(&self, node: &Node<'a>) -> Node<'a> {
        let mut at = node.clone();
        for _ in 0..32 {
            let Some(reference) = at.str("$ref") else { return at };
            let Some(pointer) = reference.strip_prefix('#') else { return at };
            match self.root.pointer(pointer) {
                Some(v) => at = Node::new(v, pointer),
                None => return at,
            }
        }
        at
    }
}

/// The component schema a `$ref` names, for `#/components/schemas/Name` references.
pub(crate) fn component_name(node: &Value) -> Option<&str> {
    let name = node.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/")?;
    (!name.contains('/')).then_some(name)
}
