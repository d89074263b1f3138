//! Boxes struct fields whose type is large, so one large type does not make
//! every type around it large.
//!
//! A Rust enum is as large as its largest variant, and a struct as its
//! fields together. The Responses API's `Response` is about 1.8 KB inline;
//! held by value in the `response.created` and `response.completed`
//! events, it made every event of `ResponseStreamEvent` (a 150-byte text
//! delta included) 1.8 KB: each move of an event copied that much, and each
//! boxed event was an allocation past glibc's thread cache (1,032 bytes),
//! which also flushed the cache's small chunks. Boxed where it is held, the
//! event is under 1 KiB (`tests/tests/wire_responses.rs` checks it).
//!
//! An optional field of a type the client only decodes is boxed from a
//! lower size ([`BOX_OPTIONAL_ABOVE`]): mostly absent, it still takes its
//! room in every value, and a chat completion chunk was 688 bytes for the
//! `usage` and `moderation` it seldom carries (216 boxed).
//!
//! The size is estimated from the model (below), the same way for every
//! spec, so the decision is the model's and not the compiler's: it is made
//! once, here, and the emitter, the Rust-shape API and the diff read it
//! from [`Field::boxed`].

use crate::ir::*;
use std::collections::BTreeMap;

/// A field whose type is estimated larger than this is boxed. Far above
/// most types, below the cache limit of glibc's allocator.
pub(crate) const BOX_ABOVE: usize = 1024;

/// An optional field of a type callers never build
/// ([`TypeDef::built_by_callers`]: the client only decodes it) is boxed past
/// this. Such a field is mostly absent, yet inline its room is paid by every
/// value: `usage` (256 bytes) and `moderation` (232) made 488 of a chat
/// completion chunk's 688, and each move of a chunk, on its way from the
/// decoder to the caller's code, copied them. Types callers build keep their
/// fields inline.
pub(crate) const BOX_OPTIONAL_ABOVE: usize = 192;

/// Boxes each field (not flattened, not boxed already) whose named type is
/// estimated larger than [`BOX_ABOVE`] bytes, or than
/// [`BOX_OPTIONAL_ABOVE`] for an optional field of a type callers never build.
pub(crate) fn box_large_fields(types: &mut BTreeMap<TypeId, TypeDef>) {
    let mut large = Vec::new();
    let mut sizes = Sizes {
        types,
        known: BTreeMap::new(),
    };
    for (id, t) in types.iter() {
        let (TypeKind::Struct(s) | TypeKind::Multipart(s)) = &t.kind else {
            continue;
        };
        let decoded_only = !t.built_by_callers();
        for (i, f) in s.fields.iter().enumerate() {
            let optional = !f.required || f.nullable;
            let limit = match decoded_only && optional {
                true => BOX_OPTIONAL_ABOVE,
                false => BOX_ABOVE,
            };
            if !f.boxed
                && !f.flatten
                && matches!(f.ty, TypeRef::Named(_))
                && sizes.of(&f.ty) > limit
            {
                large.push((id.clone(), i));
            }
        }
    }
    for (id, i) in large {
        if let Some(TypeKind::Struct(s) | TypeKind::Multipart(s)) =
            types.get_mut(&id).map(|t| &mut t.kind)
        {
            s.fields[i].boxed = true;
        }
    }
}

/// Estimated sizes of the model's types, in bytes, as a 64-bit target lays
/// them out: `String`, `Vec` and maps 24, `serde_json::Value` 32, a box 8;
/// an `Option` of a number adds 8, of anything else nothing (its niche); a
/// struct the sum of its fields (and of the map of undeclared members), an
/// enum its largest variant and 8. A boxed field counts as a box. The rule
/// works the sizes out before it boxes any field, so while it decides, a
/// field it is about to box is counted whole: were it counted as a box, a
/// change deep in a chain of nested types would move which fields above it
/// are boxed, all along the chain; counted whole, a type only grows with
/// what it holds, and a change boxes at most the fields whose type it takes
/// past the limit. On the lowered model the estimate is of the type as
/// emitted.
struct Sizes<'a> {
    types: &'a BTreeMap<TypeId, TypeDef>,
    known: BTreeMap<TypeId, usize>,
}

impl Sizes<'_> {
    fn of(&mut self, ty: &TypeRef) -> usize {
        if let TypeRef::Named(id) = ty {
            self.named(id);
        }
        self.known_of(ty)
    }

    /// The size of `ty`, its named type's worked out already (a type not
    /// worked out is on a cycle: a pointer's size).
    fn known_of(&self, ty: &TypeRef) -> usize {
        match ty {
            TypeRef::Named(id) => self.known.get(id).copied().unwrap_or(8),
            other => scalar(other),
        }
    }

    /// Works out the size of named type `root`, the types it holds first:
    /// depth first on a work list of its own, not by recursion (a chain of
    /// thousands of nested types must not grow the stack).
    fn named(&mut self, root: &TypeId) {
        let types = self.types;
        // (type, whether what it holds has been queued)
        let mut work = vec![(root.clone(), false)];
        while let Some((id, queued)) = work.pop() {
            let Some(kind) = types.get(&id).map(|t| &t.kind) else {
                self.known.insert(id, 8);
                continue;
            };
            if queued {
                let size = self.size_of_kind(kind);
                self.known.insert(id, size);
                continue;
            }
            if self.known.contains_key(&id) {
                continue;
            }
            // A type met again while what it holds is worked out is on a
            // cycle, which is boxed or read as JSON: a pointer's size ends
            // the walk.
            self.known.insert(id.clone(), 8);
            work.push((id, true));
            let held = super::held_by_value(kind).into_iter();
            work.extend(
                held.filter(|held| !self.known.contains_key(held))
                    .map(|held| (held, false)),
            );
        }
    }

    /// The size of a type of `kind`, once the types it holds are known.
    fn size_of_kind(&self, kind: &TypeKind) -> usize {
        let of = |ty: &TypeRef| self.known_of(ty);
        match kind {
            TypeKind::Struct(s) | TypeKind::Multipart(s) => {
                let fields: usize = s.fields.iter().map(|f| field_size(f, of(&f.ty))).sum();
                let rest = if s.unknown_fields.is_some() || s.additional.is_some() {
                    24
                } else {
                    0
                };
                fields + rest
            }
            TypeKind::StringEnum(_) | TypeKind::OpenString(_) => 24,
            TypeKind::Tagged(t) => {
                let variants = t.variants.iter().map(|v| of(&v.ty)).max().unwrap_or(0);
                variants.max(32) + 8
            }
            TypeKind::Untagged(variants) => {
                variants.iter().map(|v| of(&v.ty)).max().unwrap_or(0) + 8
            }
            TypeKind::Alias(ty) => of(ty),
        }
    }
}

/// The size of a type that names no other.
fn scalar(ty: &TypeRef) -> usize {
    match ty {
        TypeRef::Bool => 1,
        TypeRef::I32 => 4,
        TypeRef::I64 | TypeRef::F64 => 8,
        TypeRef::Json | TypeRef::JsonInput | TypeRef::File => 32,
        // Strings, vectors and maps; a named type is asked of [`Sizes`].
        _ => 24,
    }
}

/// The room field `f` takes in its struct, its type being `size` bytes: a
/// box's when it is boxed (see [`Sizes`] for when the rule's boxes count).
fn field_size(f: &Field, size: usize) -> usize {
    if f.boxed {
        return 8;
    }
    let optional_number =
        matches!(f.ty, TypeRef::I64 | TypeRef::F64 | TypeRef::I32) && (!f.required || f.nullable);
    match optional_number {
        true => size + 8,
        false => size.div_ceil(8) * 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An object schema of `n` optional string properties.
    fn strings(n: usize) -> String {
        let props: Vec<String> = (0..n).map(|i| format!("p{i}: {{type: string}}")).collect();
        format!("{{type: object, properties: {{{}}}}}", props.join(", "))
    }

    /// The model of a spec whose one operation sends `sent` and replies
    /// `reply` (schema names), with `schemas` (YAML, four spaces in).
    fn lowered(sent: &str, reply: &str, schemas: &str) -> Model {
        let yaml = format!(
            r##"
openapi: 3.0.0
info: {{title: t, version: "1"}}
paths:
  /send:
    post:
      operationId: send
      requestBody: {{content: {{application/json: {{schema: {{$ref: "#/components/schemas/{sent}"}}}}}}}}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{$ref: "#/components/schemas/{reply}"}}}}}}}}
components:
  schemas:
{schemas}"##
        );
        let spec = crate::load::load_bytes("t.yaml", yaml.as_bytes()).unwrap();
        crate::lower::lower(&spec, &crate::config::Config::default()).unwrap()
    }

    /// The id and definition of the type named `name` in the spec.
    fn named<'m>(model: &'m Model, name: &str) -> (&'m TypeId, &'m TypeDef) {
        model
            .types
            .iter()
            .find(|(_, d)| d.wire_name == name)
            .unwrap()
    }

    /// Whether each field of the struct `name` in `model` is boxed.
    fn boxed(model: &Model, name: &str) -> BTreeMap<String, bool> {
        match &named(model, name).1.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| (f.wire_name.clone(), f.boxed))
                .collect(),
            other => panic!("{name} is {other:?}"),
        }
    }

    #[test]
    fn optional_fields_of_types_only_decoded_are_boxed_past_the_lower_limit() {
        // `Mid`: 9 strings and the map, 240 bytes; `Small`: 5, 144. `Reply`
        // is only decoded; `Ask`, the same fields, is sent.
        let fields = "{type: object, required: [must, nulled], properties: {must: {$ref: \"#/components/schemas/Mid\"}, maybe: {$ref: \"#/components/schemas/Mid\"}, nulled: {allOf: [{$ref: \"#/components/schemas/Mid\"}], nullable: true}, small: {$ref: \"#/components/schemas/Small\"}}}";
        let schemas = format!(
            "    Mid: {mid}\n    Small: {small}\n    Reply: {fields}\n    Ask: {fields}\n",
            mid = strings(9),
            small = strings(5),
        );
        let model = lowered("Ask", "Reply", &schemas);
        let mut sizes = Sizes {
            types: &model.types,
            known: BTreeMap::new(),
        };
        let mid = named(&model, "Mid").0.clone();
        assert_eq!(sizes.of(&TypeRef::Named(mid)), 240);
        // Optional or nullable, and past 192 bytes: boxed. Required, or
        // under the limit: inline.
        let expect = |maybe| {
            BTreeMap::from([
                ("must".to_owned(), false),
                ("maybe".to_owned(), maybe),
                ("nulled".to_owned(), maybe),
                ("small".to_owned(), false),
            ])
        };
        assert_eq!(boxed(&model, "Reply"), expect(true));
        // Callers build what they send: its fields stay inline.
        assert_eq!(boxed(&model, "Ask"), expect(false));
    }

    #[test]
    fn fields_of_types_estimated_past_the_limit_are_boxed() {
        // 49 strings and the map of undeclared members: 1,200 bytes; 41: 1,008.
        // `Holder` is sent (the lower limit of types only decoded is tested
        // above).
        let schemas = format!(
            r##"    Big: {big}
    Edge: {edge}
    Holder:
      type: object
      required: [big]
      properties:
        big: {{$ref: "#/components/schemas/Big"}}
        maybe: {{$ref: "#/components/schemas/Big"}}
        edge: {{$ref: "#/components/schemas/Edge"}}
        list: {{type: array, items: {{$ref: "#/components/schemas/Big"}}}}
        pair: {{$ref: "#/components/schemas/Pair"}}
        self: {{$ref: "#/components/schemas/Holder"}}
    Pair:
      type: object
      properties:
        a: {{$ref: "#/components/schemas/Edge"}}
        b: {{$ref: "#/components/schemas/Edge"}}
    Events:
      oneOf: [{{$ref: "#/components/schemas/Holder"}}, {{type: string}}]
"##,
            big = strings(49),
            edge = strings(41),
        );
        let model = lowered("Holder", "Holder", &schemas);
        let fields = |name: &str| boxed(&model, name);
        let holder = fields("Holder");
        // Required or not; a list's elements are on the heap already.
        assert_eq!(
            (holder["big"], holder["maybe"], holder["list"]),
            (true, true, false)
        );
        // Under the limit, each half of a pair; the pair is past it.
        assert_eq!((holder["edge"], holder["pair"]), (false, true));
        assert_eq!(
            fields("Pair"),
            BTreeMap::from([("a".to_owned(), false), ("b".to_owned(), false)])
        );
        // Boxed as a cycle, whatever its size.
        assert!(holder["self"]);
        let mut sizes = Sizes {
            types: &model.types,
            known: BTreeMap::new(),
        };
        let id = |name: &str| named(&model, name).0.clone();
        assert_eq!(sizes.of(&TypeRef::Named(id("Big"))), 49 * 24 + 24);
        assert_eq!(sizes.of(&TypeRef::Named(id("Edge"))), 41 * 24 + 24);
        // The holder as emitted: four boxes, a list, an edge and its map.
        assert_eq!(
            sizes.of(&TypeRef::Named(id("Holder"))),
            4 * 8 + 24 + 1008 + 24
        );
        assert_eq!(sizes.of(&TypeRef::Named(id("Events"))), 1088 + 8);
    }
}
