//! Random instances of a component schema, walking the schema as the
//! generator's loader normalises it (OpenAPI 3.0 shape: `nullable`, one-value
//! `enum` for `const`, boolean exclusive bounds).
//!
//! What is covered: `type` (and its absence), `enum`, `nullable` (sometimes
//! `null`), `required` plus a random subset of the optional properties,
//! `additionalProperties` (sometimes extra entries), `allOf` (the parts merged),
//! `oneOf`/`anyOf` (one branch, with the discriminator's mapping or the
//! implicit tag value), arrays with `minItems`/`maxItems`/`uniqueItems`,
//! strings with length bounds, common formats and `pattern`, numbers and
//! integers with their bounds (sometimes exactly at a bound, including the
//! `int64` bounds and, where the spec writes them as doubles, those written
//! forms), `multipleOf`, and `$ref` with a depth limit past which only required
//! properties, minimal arrays and `null` where allowed are generated.
//!
//! The generator aims at valid instances but does not promise them (a `oneOf`
//! branch may match a second branch, merged `allOf` parts may conflict): the
//! caller validates each one and discards what fails.

use crate::pattern::Pattern;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Why no instance can be generated for a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotGeneratable(pub String);

impl std::fmt::Display for NotGeneratable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T> = std::result::Result<T, NotGeneratable>;

fn fail<T>(reason: impl Into<String>) -> Result<T> {
    Err(NotGeneratable(reason.into()))
}

/// Past this many `$ref` hops even required properties stop resolving: a cycle
/// of required properties has no finite instance.
const HARD_DEPTH: usize = 40;

/// Keys of a schema that say nothing about its instances.
const ANNOTATIONS: &[&str] = &["description", "title", "default", "example", "examples", "deprecated", "readOnly", "writeOnly", "externalDocs", "xml", "discriminator", "$recursiveAnchor"];

/// A tag value to put on a union branch's instance.
struct Fixup {
    property: String,
    /// Mapping keys for the chosen branch.
    values: Vec<String>,
    /// No mapping entry: the branch's own value for the tag, else its component name.
    implicit: Option<String>,
}

/// Generates instances of the component schemas of one normalised document
/// (with `$recursiveRef` rewritten by [`crate::convert::static_recursive_refs`]).
pub struct Generator<'a> {
    components: &'a Map<String, Value>,
    rng: fastrand::Rng,
    /// `$ref` hops past which only required properties are generated.
    pub max_depth: usize,
    /// Schema nodes per instance past which only required properties are generated.
    pub max_nodes: usize,
    /// The spec writes the `int64` bounds as doubles; instances at those bounds
    /// are sometimes written that way too.
    pub wide_int64: bool,
    nodes: usize,
    patterns: HashMap<String, std::result::Result<Pattern, String>>,
}

impl<'a> Generator<'a> {
    /// A generator over `components` (the document's `components/schemas`).
    pub fn new(components: &'a Map<String, Value>, seed: u64) -> Self {
        Generator { components, rng: fastrand::Rng::with_seed(seed), max_depth: 3, max_nodes: 400, wide_int64: false, nodes: 0, patterns: HashMap::new() }
    }

    /// One instance of component schema `name`.
    pub fn instance(&mut self, name: &str) -> Result<Value> {
        let schema = self.components.get(name).ok_or_else(|| NotGeneratable(format!("no component schema {name}")))?;
        self.nodes = 0;
        self.value(schema, 0)
    }

    /// One instance of `schema`, with `$ref`s resolved in the components.
    pub fn value(&mut self, schema: &Value, depth: usize) -> Result<Value> {
        if depth > HARD_DEPTH {
            return fail("recursion: no finite instance within the depth limit");
        }
        self.nodes += 1;
        let obj = match schema {
            Value::Object(o) => o,
            Value::Bool(true) => return Ok(self.any(depth)),
            _ => return fail(format!("schema {schema} accepts nothing")),
        };
        let nullable = obj.get("nullable") == Some(&Value::Bool(true));
        if nullable && (self.minimal(depth) || self.rng.f64() < 0.15) {
            return Ok(Value::Null);
        }
        if let Some(target) = self.reference(obj)? {
            return self.value(target, depth + 1);
        }
        if obj.get("not").is_some_and(|n| n.as_object().is_some_and(|n| n.is_empty())) {
            return fail("`not: {}` accepts nothing");
        }
        let unions: Vec<&str> = ["oneOf", "anyOf"].into_iter().filter(|k| obj.contains_key(*k)).collect();
        let typed = obj.keys().any(|k| !ANNOTATIONS.contains(&k.as_str()) && !["oneOf", "anyOf", "nullable"].contains(&k.as_str()) && !k.starts_with("x-"));
        if obj.contains_key("allOf") || unions.len() > 1 || (unions.len() == 1 && typed) {
            let mut leaves = Vec::new();
            let mut fixups = Vec::new();
            let deepest = self.flatten(schema, depth, &mut leaves, &mut fixups)?;
            let merged = merge(&leaves);
            let mut value = self.value(&merged, deepest)?;
            for fixup in fixups {
                self.apply(&mut value, fixup);
            }
            return Ok(value);
        }
        if let Some(key) = unions.first() {
            let (branch, fixup) = self.branch(obj, key, depth)?;
            let mut value = self.value(branch, depth)?;
            if let Some(fixup) = fixup {
                self.apply(&mut value, fixup);
            }
            return Ok(value);
        }
        self.plain(obj, depth)
    }

    fn minimal(&self, depth: usize) -> bool {
        depth > self.max_depth || self.nodes > self.max_nodes
    }

    /// The target of a `$ref`. (`$recursiveRef` is rewritten to a `$ref`
    /// beforehand: see [`crate::convert::static_recursive_refs`].)
    fn reference(&self, obj: &Map<String, Value>) -> Result<Option<&'a Value>> {
        if obj.contains_key("$recursiveRef") {
            return fail("`$recursiveRef` (rewrite it with convert::static_recursive_refs)");
        }
        let Some(r) = obj.get("$ref").and_then(Value::as_str) else { return Ok(None) };
        let Some(name) = r.strip_prefix("#/components/schemas/") else { return fail(format!("reference {r} is not a component schema")) };
        let name = name.replace("~1", "/").replace("~0", "~");
        match self.components.get(&name) {
            Some(target) => Ok(Some(target)),
            None => fail(format!("reference {r} leads nowhere")),
        }
    }

    /// `allOf` parts (through references) and chosen union branches, as plain
    /// schemas to merge; returns the deepest `$ref` depth reached.
    fn flatten(&mut self, schema: &Value, depth: usize, leaves: &mut Vec<Value>, fixups: &mut Vec<Fixup>) -> Result<usize> {
        if depth > HARD_DEPTH {
            return fail("recursion: no finite instance within the depth limit");
        }
        let obj = match schema {
            Value::Object(o) => o,
            Value::Bool(true) => return Ok(depth),
            _ => return fail(format!("schema {schema} accepts nothing")),
        };
        if let Some(target) = self.reference(obj)? {
            return self.flatten(target, depth + 1, leaves, fixups);
        }
        let mut deepest = depth;
        if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
            for part in parts {
                deepest = deepest.max(self.flatten(part, depth, leaves, fixups)?);
            }
        }
        for key in ["oneOf", "anyOf"] {
            if obj.contains_key(key) {
                let (branch, fixup) = self.branch(obj, key, depth)?;
                fixups.extend(fixup);
                let branch = branch.clone();
                deepest = deepest.max(self.flatten(&branch, depth, leaves, fixups)?);
            }
        }
        let rest: Map<String, Value> = obj.iter().filter(|(k, _)| !["allOf", "oneOf", "anyOf", "discriminator"].contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
        if rest.keys().any(|k| !ANNOTATIONS.contains(&k.as_str()) && !k.starts_with("x-")) {
            leaves.push(Value::Object(rest));
        }
        Ok(deepest)
    }

    /// Picks a branch of `obj[key]`; with a discriminator, the tag the branch must carry.
    fn branch<'s>(&mut self, obj: &'s Map<String, Value>, key: &str, depth: usize) -> Result<(&'s Value, Option<Fixup>)> {
        let branches = obj.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        if branches.is_empty() {
            return fail(format!("empty `{key}`"));
        }
        let index = if self.minimal(depth) { self.cheapest(branches) } else { self.rng.usize(..branches.len()) };
        let branch = &branches[index];
        let fixup = obj.get("discriminator").and_then(|d| {
            let property = d.get("propertyName")?.as_str()?.to_owned();
            let target = branch.get("$ref").and_then(Value::as_str);
            let mapping = d.get("mapping").and_then(Value::as_object);
            let values: Vec<String> = mapping.map(|m| m.iter().filter(|(_, v)| v.as_str() == target && target.is_some()).map(|(k, _)| k.clone()).collect()).unwrap_or_default();
            // No mapping entry: the branch's own values for the tag, else its component name.
            let implicit = match (values.is_empty(), self.tag_values(branch, &property, 0)) {
                (false, _) => None,
                (true, Some(own)) => own.first().cloned(),
                (true, None) => target.and_then(|t| t.strip_prefix("#/components/schemas/")).map(|n| n.replace("~1", "/").replace("~0", "~")),
            };
            Some(Fixup { property, values, implicit })
        });
        Ok((branch, fixup))
    }

    /// The `enum` a schema (through references and `allOf`) gives property `tag`.
    fn tag_values(&self, schema: &Value, tag: &str, depth: usize) -> Option<Vec<String>> {
        if depth > 8 {
            return None;
        }
        let obj = schema.as_object()?;
        if let Ok(Some(target)) = self.reference(obj) {
            return self.tag_values(target, tag, depth + 1);
        }
        let own = obj.get("properties").and_then(|p| p.get(tag)).and_then(|t| t.get("enum")).and_then(Value::as_array);
        if let Some(values) = own {
            return Some(values.iter().filter_map(Value::as_str).map(str::to_owned).collect());
        }
        obj.get("allOf").and_then(Value::as_array)?.iter().find_map(|part| self.tag_values(part, tag, depth + 1))
    }

    /// The branch likeliest to end a recursion: a scalar, else the first.
    fn cheapest(&self, branches: &[Value]) -> usize {
        let scalar = |s: &Value| {
            let s = s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")).and_then(|n| self.components.get(n)).unwrap_or(s);
            s.get("enum").is_some() || matches!(s.get("type").and_then(Value::as_str), Some("string" | "integer" | "number" | "boolean"))
        };
        branches.iter().position(scalar).unwrap_or(0)
    }

    fn apply(&mut self, value: &mut Value, fixup: Fixup) {
        let Value::Object(map) = value else { return };
        let current = map.get(&fixup.property).and_then(Value::as_str);
        if !fixup.values.is_empty() {
            if current.is_none_or(|c| !fixup.values.iter().any(|v| v == c)) {
                let pick = fixup.values[self.rng.usize(..fixup.values.len())].clone();
                map.insert(fixup.property, Value::String(pick));
            }
        } else if let (None, Some(name)) = (current, fixup.implicit) {
            map.insert(fixup.property, Value::String(name));
        }
    }

    /// A schema without `$ref` or combinators.
    fn plain(&mut self, obj: &Map<String, Value>, depth: usize) -> Result<Value> {
        if let Some(values) = obj.get("enum").and_then(Value::as_array) {
            let nullable = obj.get("nullable") == Some(&Value::Bool(true));
            let allowed: Vec<&Value> = values.iter().filter(|v| !v.is_null() || nullable).collect();
            let allowed = if allowed.is_empty() { values.iter().collect() } else { allowed };
            if allowed.is_empty() {
                return fail("empty `enum`");
            }
            return Ok(allowed[self.rng.usize(..allowed.len())].clone());
        }
        let ty = match obj.get("type").and_then(Value::as_str) {
            Some(t) => t,
            None if ["properties", "required", "additionalProperties", "maxProperties", "minProperties"].iter().any(|k| obj.contains_key(*k)) => "object",
            None if ["items", "minItems", "maxItems"].iter().any(|k| obj.contains_key(*k)) => "array",
            None if ["minLength", "maxLength", "pattern"].iter().any(|k| obj.contains_key(*k)) => "string",
            None if ["minimum", "maximum"].iter().any(|k| obj.contains_key(*k)) => "number",
            None => return Ok(self.any(depth)),
        };
        match ty {
            "object" => self.object(obj, depth),
            "array" => self.array(obj, depth),
            "string" => self.string(obj),
            "integer" => self.integer(obj),
            "number" => self.number(obj),
            "boolean" => Ok(Value::Bool(self.rng.bool())),
            "null" => Ok(Value::Null),
            other => fail(format!("unknown type {other:?}")),
        }
    }

    fn object(&mut self, obj: &Map<String, Value>, depth: usize) -> Result<Value> {
        let minimal = self.minimal(depth);
        let empty = Map::new();
        let properties = obj.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let required: Vec<&str> = obj.get("required").and_then(Value::as_array).map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        let max = obj.get("maxProperties").and_then(Value::as_u64).map_or(usize::MAX, |m| m as usize);
        let min = obj.get("minProperties").and_then(Value::as_u64).unwrap_or(0) as usize;
        let additional = obj.get("additionalProperties");
        let mut out = Map::new();
        for (name, schema) in properties {
            let wanted = required.contains(&name.as_str()) || (!minimal && out.len() + required.len() < max && self.rng.bool());
            if wanted {
                out.insert(name.clone(), self.value(schema, depth)?);
            }
        }
        for name in &required {
            if !out.contains_key(*name) {
                // Required but not declared: any value the additional properties allow.
                let value = match additional {
                    Some(s @ Value::Object(_)) => self.value(s, depth + 1)?,
                    Some(Value::Bool(false)) => return fail(format!("required `{name}` is neither declared nor allowed")),
                    _ => self.any(depth + 1),
                };
                out.insert((*name).to_owned(), value);
            }
        }
        // `not: {required: [a, b]}`: not all of them at once.
        if let Some(forbidden) = obj.get("not").and_then(|n| n.get("required")).and_then(Value::as_array) {
            let names: Vec<&str> = forbidden.iter().filter_map(Value::as_str).collect();
            if !names.is_empty() && names.iter().all(|n| out.contains_key(*n)) {
                match names.iter().find(|n| !required.contains(*n)) {
                    Some(n) => {
                        out.remove(*n);
                    }
                    None => return fail(format!("`not` forbids the required properties {names:?} together")),
                }
            }
        }
        // Extra entries: typed ones for a schema, anything for `true`, and
        // anything for a free-form object (no properties, nothing said).
        let free_form = properties.is_empty() && additional.is_none();
        let chance = match additional {
            Some(Value::Object(_)) | Some(Value::Bool(true)) => 0.35,
            None if free_form => 0.5,
            _ => 0.0,
        };
        let mut extra = if !minimal && self.rng.f64() < chance { self.rng.usize(1..=2) } else { 0 };
        extra = extra.max(min.saturating_sub(out.len()));
        let key_limit = obj.get("propertyNames").and_then(|p| p.get("maxLength")).and_then(Value::as_u64).unwrap_or(64) as usize;
        for i in 0..extra {
            if out.len() >= max || matches!(additional, Some(Value::Bool(false))) {
                break;
            }
            let key: String = match self.rng.usize(..3) {
                0 => format!("extra_{i}"),
                1 => format!("k{i}"),
                _ => format!("clé_{i}"),
            };
            let key: String = key.chars().take(key_limit.max(1)).collect();
            if out.contains_key(&key) {
                continue;
            }
            let value = match additional {
                Some(s @ Value::Object(_)) => self.value(s, depth + 1)?,
                _ => self.any(depth + 1),
            };
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }

    fn array(&mut self, obj: &Map<String, Value>, depth: usize) -> Result<Value> {
        let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = obj.get("maxItems").and_then(Value::as_u64).map(|m| m as usize);
        if max.is_some_and(|m| m < min) {
            return fail("maxItems below minItems");
        }
        let len = if self.minimal(depth) {
            min
        } else {
            let hi = max.unwrap_or(usize::MAX).min(min + 3);
            match max {
                Some(m) if m <= 8 && self.rng.f64() < 0.1 => m,
                _ => self.rng.usize(min..=hi),
            }
        };
        let unique = obj.get("uniqueItems") == Some(&Value::Bool(true));
        let items = obj.get("items").cloned().unwrap_or(Value::Bool(true));
        let mut out: Vec<Value> = Vec::with_capacity(len);
        for _ in 0..len {
            let mut item = self.value(&items, depth)?;
            for _ in 0..20 {
                if !unique || !out.contains(&item) {
                    break;
                }
                item = self.value(&items, depth)?;
            }
            if unique && out.contains(&item) {
                if out.len() >= min {
                    break;
                }
                return fail("`uniqueItems`: not enough distinct items");
            }
            out.push(item);
        }
        Ok(Value::Array(out))
    }

    fn string(&mut self, obj: &Map<String, Value>) -> Result<Value> {
        let min = obj.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = obj.get("maxLength").and_then(Value::as_u64).map(|m| m as usize);
        if max.is_some_and(|m| m < min) {
            return fail("maxLength below minLength");
        }
        if let Some(pattern) = obj.get("pattern").and_then(Value::as_str) {
            let compiled = self.patterns.entry(pattern.to_owned()).or_insert_with(|| Pattern::parse(pattern)).clone();
            let compiled = compiled.map_err(|e| NotGeneratable(format!("pattern {pattern:?}: {e}")))?;
            return match compiled.generate(&mut self.rng, min, max) {
                Some(s) => Ok(Value::String(s)),
                None => fail(format!("pattern {pattern:?} with length {min}..{max:?}")),
            };
        }
        let formatted = match obj.get("format").and_then(Value::as_str) {
            Some("date-time") => Some(format!("{}T{:02}:{:02}:{:02}Z", self.date(), self.rng.u8(..24), self.rng.u8(..60), self.rng.u8(..60))),
            Some("date") => Some(self.date()),
            Some("time") => Some(format!("{:02}:{:02}:{:02}Z", self.rng.u8(..24), self.rng.u8(..60), self.rng.u8(..60))),
            Some("uri" | "url" | "uri-reference" | "iri" | "iri-reference") => Some(format!("https://example.com/{}", self.text(0, 8, false))),
            Some("email" | "idn-email") => Some(format!("{}@example.com", self.text(1, 8, false))),
            Some("hostname" | "idn-hostname") => Some(format!("{}.example.com", self.text(1, 8, false).to_lowercase())),
            Some("uuid") => {
                let h = |rng: &mut fastrand::Rng, n: usize| (0..n).map(|_| rng.char('a'..='f')).collect::<String>();
                Some(format!("{}-{}-4{}-a{}-{}", h(&mut self.rng, 8), h(&mut self.rng, 4), h(&mut self.rng, 3), h(&mut self.rng, 3), h(&mut self.rng, 12)))
            }
            Some("byte") => {
                // Base64 of 3n bytes needs no padding; letters and digits are valid symbols.
                let n = self.rng.usize(0..4) * 4;
                Some(self.text(n, n, false))
            }
            Some("ipv4") => Some(format!("192.0.2.{}", self.rng.u8(1..255))),
            _ => None,
        };
        if let Some(s) = formatted {
            let n = s.chars().count();
            if n >= min && max.is_none_or(|m| n <= m) {
                return Ok(Value::String(s));
            }
        }
        let r = self.rng.f64();
        let len = match max {
            _ if r < 0.15 => min,
            Some(m) if r < 0.3 && m <= 4096 => m,
            Some(m) => self.rng.usize(min..=m.min(min + 16)),
            None => self.rng.usize(min..=min + 16),
        };
        Ok(Value::String(self.text(len, len, true)))
    }

    fn date(&mut self) -> String {
        format!("20{:02}-{:02}-{:02}", self.rng.u8(..100), self.rng.u8(1..=12), self.rng.u8(1..=28))
    }

    /// A string of `min..=max` characters; `wide` allows spaces, punctuation and non-ASCII.
    fn text(&mut self, min: usize, max: usize, wide: bool) -> String {
        const EXOTIC: &[char] = &['é', 'ü', 'ß', '日', '本', '😀', '\n', '"', '\\', ' ', '-', '.'];
        let len = self.rng.usize(min..=max);
        (0..len)
            .map(|_| match self.rng.u8(..20) {
                0 if wide => EXOTIC[self.rng.usize(..EXOTIC.len())],
                1..=5 => self.rng.char('0'..='9'),
                6..=9 => self.rng.char('A'..='Z'),
                _ => self.rng.char('a'..='z'),
            })
            .collect()
    }

    fn integer(&mut self, obj: &Map<String, Value>) -> Result<Value> {
        let int32 = obj.get("format").and_then(Value::as_str) == Some("int32");
        let (floor, ceiling): (i128, i128) = if int32 { (i32::MIN.into(), i32::MAX.into()) } else { (i64::MIN.into(), i64::MAX.into()) };
        let lo = int_bound(obj, "minimum", "exclusiveMinimum", 1);
        let hi = int_bound(obj, "maximum", "exclusiveMaximum", -1);
        let (a, b) = (lo.unwrap_or(floor).max(floor), hi.unwrap_or(ceiling).min(ceiling));
        if a > b {
            return fail("empty integer range");
        }
        let r = self.rng.f64();
        let mut v = if lo.is_some() && r < 0.12 {
            a
        } else if hi.is_some() && r < 0.24 {
            b
        } else if lo.is_none() && hi.is_none() && r < 0.27 {
            // Far from zero: the edges of the type.
            if self.rng.bool() { b } else { a }
        } else {
            // Mostly small values, inside the range.
            let (sa, sb) = (a.max(-1000).min(b), b.min(1000).max(a));
            let (sa, sb) = if sa <= sb && self.rng.f64() < 0.9 { (sa, sb) } else { (a, b) };
            sa + (self.rng.u128(..=((sb - sa) as u128)) as i128)
        };
        if let Some(m) = obj.get("multipleOf").and_then(Value::as_i64).filter(|m| *m > 0) {
            let m = i128::from(m);
            v = v.div_euclid(m) * m;
            if v < a {
                v += m;
            }
            if v < a || v > b {
                return fail("no multiple of `multipleOf` in range");
            }
        }
        if self.wide_int64 && v == i128::from(i64::MAX) && hi.is_some() && self.rng.bool() {
            return Ok(Value::from(crate::convert::INT64_MAX_AS_WRITTEN));
        }
        if v == i128::from(i64::MIN) && lo.is_some() {
            match self.rng.u8(..3) {
                0 if self.wide_int64 => return Ok(Value::from(-9.223_372_036_854_776e18_f64)),
                1 => return Ok(Value::from(i64::MIN + 1)),
                _ => {}
            }
        }
        Ok(Value::from(v as i64))
    }

    fn number(&mut self, obj: &Map<String, Value>) -> Result<Value> {
        let lo = obj.get("minimum").and_then(Value::as_f64);
        let hi = obj.get("maximum").and_then(Value::as_f64);
        let lo_ex = obj.get("exclusiveMinimum") == Some(&Value::Bool(true));
        let hi_ex = obj.get("exclusiveMaximum") == Some(&Value::Bool(true));
        let (a, b) = (lo.unwrap_or(-1000.0f64.min(hi.unwrap_or(0.0) - 1000.0)), hi.unwrap_or(1000.0f64.max(lo.unwrap_or(0.0) + 1000.0)));
        if a > b || (a == b && (lo_ex || hi_ex)) {
            return fail("empty number range");
        }
        let step = ((b - a) / 4.0).min(0.5);
        let r = self.rng.f64();
        let mut v = if lo.is_some() && r < 0.12 {
            if lo_ex { a + step } else { a }
        } else if hi.is_some() && r < 0.24 {
            if hi_ex { b - step } else { b }
        } else {
            a + self.rng.f64() * (b - a)
        };
        // Short decimals, and sometimes whole numbers (written `2` or `2.0`).
        let rounded = match self.rng.u8(..4) {
            0 => v.round(),
            1 | 2 => (v * 100.0).round() / 100.0,
            _ => v,
        };
        let inside = |x: f64| (if lo_ex { x > a } else { x >= a }) && (if hi_ex { x < b } else { x <= b });
        if inside(rounded) {
            v = rounded;
        }
        if let Some(m) = obj.get("multipleOf").and_then(Value::as_f64).filter(|m| *m > 0.0) {
            v = (v / m).round() * m;
            if !inside(v) {
                return fail("no multiple of `multipleOf` in range");
            }
        }
        if !inside(v) || !v.is_finite() {
            return fail("no number in range");
        }
        if v.fract() == 0.0 && v.abs() < 1e15 && self.rng.bool() {
            return Ok(Value::from(v as i64));
        }
        Ok(Value::from(v))
    }

    /// Any JSON value but `null`.
    fn any(&mut self, depth: usize) -> Value {
        let pick = if self.minimal(depth) { 0 } else { self.rng.u8(..6) };
        match pick {
            0 => Value::String(self.text(0, 8, true)),
            1 => Value::from(self.rng.i64(-1000..1000)),
            2 => Value::from(self.rng.i64(-100_000..100_000) as f64 / 100.0),
            3 => Value::Bool(self.rng.bool()),
            4 => json!({ "k": self.text(0, 4, false), "n": self.rng.u8(..10) }),
            _ => json!([self.rng.u8(..10), self.text(0, 4, false)]),
        }
    }
}

/// An integer bound, exact for integers (an `f64` would round `i64::MAX`),
/// moved inwards by `inward` when exclusive, rounded inwards when fractional.
fn int_bound(obj: &Map<String, Value>, key: &str, exclusive: &str, inward: i128) -> Option<i128> {
    let v = obj.get(key)?;
    let exclusive = obj.get(exclusive) == Some(&Value::Bool(true));
    let exact = v.as_i64().map(i128::from).or_else(|| v.as_u64().map(i128::from));
    match exact {
        Some(b) => Some(if exclusive { b + inward } else { b }),
        None => {
            let f = v.as_f64()?;
            let rounded = if inward > 0 { f.ceil() } else { f.floor() };
            Some(if exclusive && rounded == f { rounded as i128 + inward } else { rounded as i128 })
        }
    }
}

/// Merges plain schemas (the parts of an `allOf`) into one.
fn merge(leaves: &[Value]) -> Value {
    match leaves {
        [] => return json!({}),
        [only] => return only.clone(),
        _ => {}
    }
    let mut out = Map::new();
    let mut properties: Vec<(String, Vec<Value>)> = Vec::new();
    let mut required: Vec<Value> = Vec::new();
    let mut closed: Option<Vec<String>> = None;
    let mut additional: Vec<Value> = Vec::new();
    let mut items: Vec<Value> = Vec::new();
    let nullable = leaves.iter().all(|l| l.get("nullable") == Some(&Value::Bool(true)));
    for leaf in leaves {
        let Some(leaf) = leaf.as_object() else { continue };
        for (key, value) in leaf {
            match key.as_str() {
                "properties" => {
                    for (name, schema) in value.as_object().into_iter().flatten() {
                        match properties.iter_mut().find(|(n, _)| n == name) {
                            Some((_, list)) => list.push(schema.clone()),
                            None => properties.push((name.clone(), vec![schema.clone()])),
                        }
                    }
                }
                "required" => {
                    for r in value.as_array().into_iter().flatten() {
                        if !required.contains(r) {
                            required.push(r.clone());
                        }
                    }
                }
                "additionalProperties" => match value {
                    Value::Bool(false) => {
                        let names: Vec<String> = leaf.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default();
                        closed = Some(match closed.take() {
                            None => names,
                            Some(before) => before.into_iter().filter(|n| names.contains(n)).collect(),
                        });
                    }
                    Value::Object(_) => additional.push(value.clone()),
                    _ => {}
                },
                "items" => items.push(value.clone()),
                "enum" => {
                    let merged = match out.get("enum").and_then(Value::as_array) {
                        Some(before) => before.iter().filter(|v| value.as_array().is_some_and(|l| l.contains(v))).cloned().collect(),
                        None => value.as_array().cloned().unwrap_or_default(),
                    };
                    out.insert(key.clone(), Value::Array(merged));
                }
                "minimum" | "maximum" => {
                    let exclusive_key = if key == "minimum" { "exclusiveMinimum" } else { "exclusiveMaximum" };
                    let exclusive = leaf.get(exclusive_key) == Some(&Value::Bool(true));
                    let tighter = match (out.get(key).and_then(Value::as_f64), value.as_f64()) {
                        (None, _) => true,
                        (Some(before), Some(v)) if key == "minimum" => v > before || (v == before && exclusive),
                        (Some(before), Some(v)) => v < before || (v == before && exclusive),
                        _ => false,
                    };
                    if tighter {
                        out.insert(key.clone(), value.clone());
                        out.insert(exclusive_key.to_owned(), Value::Bool(exclusive));
                    }
                }
                "exclusiveMinimum" | "exclusiveMaximum" | "nullable" => {}
                "minLength" | "minItems" | "minProperties" => {
                    if out.get(key).and_then(Value::as_u64).is_none_or(|before| value.as_u64().is_some_and(|v| v > before)) {
                        out.insert(key.clone(), value.clone());
                    }
                }
                "maxLength" | "maxItems" | "maxProperties" => {
                    if out.get(key).and_then(Value::as_u64).is_none_or(|before| value.as_u64().is_some_and(|v| v < before)) {
                        out.insert(key.clone(), value.clone());
                    }
                }
                "type" => {
                    // `integer` is the narrower of `integer` and `number`.
                    if out.get("type").is_none_or(|t| t == "number" && value == "integer") {
                        out.insert(key.clone(), value.clone());
                    }
                }
                _ => {
                    out.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
        }
    }
    let all_of = |list: Vec<Value>| if list.len() == 1 { list.into_iter().next().expect("one") } else { json!({ "allOf": list }) };
    let mut props = Map::new();
    for (name, list) in properties {
        if closed.as_ref().is_none_or(|c| c.contains(&name)) {
            props.insert(name, all_of(list));
        }
    }
    if !props.is_empty() {
        out.insert("properties".to_owned(), Value::Object(props));
    }
    if !required.is_empty() {
        out.insert("required".to_owned(), Value::Array(required));
    }
    if closed.is_some() {
        out.insert("additionalProperties".to_owned(), Value::Bool(false));
    } else if !additional.is_empty() {
        out.insert("additionalProperties".to_owned(), all_of(additional));
    }
    if !items.is_empty() {
        out.insert("items".to_owned(), all_of(items));
    }
    if nullable {
        out.insert("nullable".to_owned(), Value::Bool(true));
    }
    Value::Object(out)
}
