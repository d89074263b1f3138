//! Tests of the test's own parts: the instance generator, the pattern
//! generator, the conversion to JSON Schema 2020-12 and the comparison.

use schema_roundtrip::check::generator_check;
use schema_roundtrip::compare::first_difference;
use schema_roundtrip::convert::{self, INT64_MAX_AS_WRITTEN};
use schema_roundtrip::instance::Generator;
use schema_roundtrip::pattern::Pattern;
use serde_json::{json, Map, Value};

fn components(schemas: Value) -> Map<String, Value> {
    schemas.as_object().expect("an object").clone()
}

fn samples(schemas: &Map<String, Value>, name: &str, n: usize) -> Vec<Value> {
    let mut g = Generator::new(schemas, 42);
    (0..n).map(|_| g.instance(name).unwrap_or_else(|e| panic!("{name}: {e}"))).collect()
}

#[test]
fn enum_values_only() {
    let c = components(json!({"E": {"type": "string", "enum": ["a", "b"]}}));
    let seen = samples(&c, "E", 100);
    assert!(seen.iter().all(|v| v == "a" || v == "b"));
    assert!(seen.contains(&json!("a")) && seen.contains(&json!("b")));
}

#[test]
fn integer_and_number_bounds_are_kept_and_reached() {
    let c = components(json!({
        "I": {"type": "integer", "minimum": 3, "maximum": 5},
        "X": {"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 2, "exclusiveMaximum": true},
        "W": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX},
        "N": {"type": "number", "minimum": -2, "maximum": 2},
        "E": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
    }));
    let ints = samples(&c, "I", 200);
    assert!(ints.iter().all(|v| (3..=5).contains(&v.as_i64().unwrap())));
    assert!(ints.contains(&json!(3)) && ints.contains(&json!(5)));
    assert!(samples(&c, "X", 50).iter().all(|v| v == 1));
    let nums = samples(&c, "N", 200);
    assert!(nums.iter().all(|v| (-2.0..=2.0).contains(&v.as_f64().unwrap())));
    assert!(nums.iter().any(|v| v.as_f64() == Some(2.0)) && nums.iter().any(|v| v.as_f64() == Some(-2.0)));
    assert!(nums.iter().any(|v| v.is_i64()) && nums.iter().any(|v| v.is_f64()), "numbers both as `1` and as `1.5`");
    assert!(samples(&c, "E", 200).iter().all(|v| v.as_f64().unwrap() > 0.0));
    let wide = samples(&c, "W", 300);
    assert!(wide.contains(&json!(i64::MAX)) && wide.contains(&json!(i64::MIN)));
    assert!(wide.contains(&json!(i64::MIN + 1)), "−9223372036854775807 too");
    assert!(!wide.contains(&json!(INT64_MAX_AS_WRITTEN)), "the written form only where the spec writes it");
    let mut g = Generator::new(&c, 1);
    g.wide_int64 = true;
    let written: Vec<Value> = (0..300).map(|_| g.instance("W").unwrap()).collect();
    assert!(written.contains(&json!(INT64_MAX_AS_WRITTEN)));
    assert!(written.contains(&json!(-9.223372036854776e18)));
}

#[test]
fn strings_and_arrays_keep_their_bounds() {
    let c = components(json!({
        "S": {"type": "string", "minLength": 2, "maxLength": 5},
        "A": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}, "minItems": 1, "maxItems": 3, "uniqueItems": true},
        "D": {"type": "string", "format": "date-time"},
    }));
    let strings = samples(&c, "S", 200);
    let lengths: Vec<usize> = strings.iter().map(|s| s.as_str().unwrap().chars().count()).collect();
    assert!(lengths.iter().all(|n| (2..=5).contains(n)));
    assert!(lengths.contains(&2) && lengths.contains(&5), "both length bounds reached");
    for a in samples(&c, "A", 200) {
        let items = a.as_array().unwrap();
        assert!((1..=3).contains(&items.len()), "{a}");
    }
    assert!(samples(&c, "D", 20).iter().all(|d| d.as_str().unwrap().ends_with('Z')));
}

#[test]
fn required_always_optional_sometimes_nullable_sometimes_null() {
    let c = components(json!({"O": {
        "type": "object", "required": ["a", "undeclared"],
        "properties": {"a": {"type": "string", "minLength": 2, "maxLength": 3}, "b": {"type": "boolean", "nullable": true}, "c": {"type": "integer"}},
    }}));
    let all = samples(&c, "O", 200);
    assert!(all.iter().all(|o| o.get("a").and_then(Value::as_str).is_some_and(|s| (2..=3).contains(&s.chars().count()))));
    assert!(all.iter().all(|o| o.get("undeclared").is_some()), "required but not declared: still sent");
    assert!(all.iter().any(|o| o.get("b").is_none()) && all.iter().any(|o| o.get("b").is_some_and(Value::is_boolean)));
    assert!(all.iter().any(|o| o.get("b") == Some(&Value::Null)), "nullable is sometimes null");
    assert!(all.iter().all(|o| o.get("c") != Some(&Value::Null)), "not nullable: never null");
}

#[test]
fn additional_properties_sometimes_get_typed_entries() {
    let c = components(json!({
        "M": {"type": "object", "additionalProperties": {"type": "integer"}},
        "C": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false},
    }));
    let maps = samples(&c, "M", 100);
    assert!(maps.iter().any(|m| !m.as_object().unwrap().is_empty()));
    assert!(maps.iter().all(|m| m.as_object().unwrap().values().all(Value::is_i64)));
    assert!(samples(&c, "C", 100).iter().all(|o| o.as_object().unwrap().keys().all(|k| k == "a")));
}

#[test]
fn discriminator_mapping_and_all_of() {
    let c = components(json!({
        "U": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}, {"$ref": "#/components/schemas/T"}],
              "discriminator": {"propertyName": "kind", "mapping": {"a_kind": "#/components/schemas/A"}}},
        "A": {"type": "object", "properties": {"kind": {"type": "string"}}, "required": ["kind"]},
        "B": {"type": "object", "properties": {"x": {"type": "integer"}}},
        "T": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["t"]}}},
        "M": {"allOf": [{"$ref": "#/components/schemas/B"}, {"type": "object", "required": ["x", "y"], "properties": {"y": {"type": "string", "enum": ["z"]}}}]},
    }));
    let tags: Vec<String> = samples(&c, "U", 100).iter().map(|v| v["kind"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()).collect();
    assert!(tags.iter().all(|k| k == "a_kind" || k == "B" || k == "t"), "{tags:?}");
    assert!(["a_kind", "B", "t"].iter().all(|t| tags.iter().any(|k| k == t)), "mapping key, implicit name, the branch's own value");
    for v in samples(&c, "M", 50) {
        assert!(v["x"].is_i64() && v["y"] == "z", "{v}");
    }
}

#[test]
fn recursion_ends_past_the_depth_limit() {
    let c = components(json!({"T": {"type": "object", "required": ["children"], "properties": {
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/T"}},
        "parent": {"$ref": "#/components/schemas/T", "nullable": true},
    }}}));
    assert_eq!(samples(&c, "T", 50).len(), 50);
    let c = components(json!({"R": {"type": "object", "required": ["r"], "properties": {"r": {"$ref": "#/components/schemas/R"}}}}));
    assert!(Generator::new(&c, 1).instance("R").is_err(), "a required cycle has no finite instance");
}

#[test]
fn impossible_patterns_are_not_generatable() {
    let c = components(json!({"P": {"type": "string", "pattern": "(?=x)y"}}));
    let err = Generator::new(&c, 1).instance("P").unwrap_err();
    assert!(err.0.contains("pattern"), "{err}");
}

/// A small spec in OpenAPI 3.1 forms the loader normalises: every instance
/// the generator makes for it must validate.
const SMALL_SPEC: &str = r##"
openapi: 3.1.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Id: {type: string, pattern: "^id_[a-z0-9]{8}$"}
    When: {type: [string, "null"], format: date-time}
    Link: {type: string, format: uri, maxLength: 40}
    Mail: {type: string, format: email}
    Key: {type: string, format: uuid}
    Seed: {type: integer, minimum: -9.223372036854776e+18, maximum: 9223372036854776000}
    Ratio: {type: number, exclusiveMinimum: 0, maximum: 1}
    Kind: {const: fixed}
    Tags: {type: array, items: {type: string, maxLength: 3}, minItems: 1, maxItems: 4, uniqueItems: true}
    Meta:
      type: object
      additionalProperties: {type: string, maxLength: 8}
      maxProperties: 4
    Base:
      type: object
      required: [id]
      properties:
        id: {$ref: "#/components/schemas/Id"}
        when: {$ref: "#/components/schemas/When"}
    Cat:
      allOf:
        - $ref: "#/components/schemas/Base"
        - type: object
          required: [type, lives]
          properties:
            type: {type: string, enum: [cat]}
            lives: {type: integer, minimum: 1, maximum: 9}
            meta: {anyOf: [{$ref: "#/components/schemas/Meta"}, {type: "null"}]}
    Dog:
      type: object
      required: [type]
      properties:
        type: {type: string, enum: [dog]}
        link: {$ref: "#/components/schemas/Link"}
        ratio: {$ref: "#/components/schemas/Ratio"}
    Pet:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
      discriminator: {propertyName: type, mapping: {cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog"}}
    Tree:
      type: object
      required: [name]
      properties:
        name: {type: string, minLength: 1}
        pets: {type: array, items: {$ref: "#/components/schemas/Pet"}, maxItems: 3}
        children: {type: array, items: {$ref: "#/components/schemas/Tree"}}
        parent: {anyOf: [{$ref: "#/components/schemas/Tree"}, {type: "null"}]}
        free: {type: object}
        any: {}
        either: {anyOf: [{type: string}, {type: integer}, {type: array, items: {$ref: "#/components/schemas/Kind"}}]}
    Undeclared:
      type: object
      required: [listed, unlisted]
      properties:
        listed: {type: boolean}
"##;

#[test]
fn every_instance_of_a_small_spec_validates() {
    let spec = codegen::load::load_bytes("small.yaml", SMALL_SPEC.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let components = spec.document.pointer("/components/schemas").and_then(Value::as_object).unwrap();
    let wide = convert::writes_int64_bounds_as_doubles(&spec.text);
    assert!(wide);
    let check = generator_check(components, wide, 7, 200);
    assert!(check.not_generatable.is_empty(), "{:?}", check.not_generatable);
    assert_eq!(check.generated, 200 * components.len());
    let shown: Vec<String> = check.invalid.iter().take(5).map(|(n, v, e)| format!("{n}: {v} — {e}")).collect();
    assert!(check.invalid.is_empty(), "{} invalid, e.g.\n{}", check.invalid.len(), shown.join("\n"));
}

#[test]
fn every_instance_of_the_seed_specs_validates() {
    for file in ["specs/openai-1.2.0.yaml", "specs/openai-2.0.0.json"] {
        let spec = codegen::load::load_path(&schema_roundtrip::workspace_root().join(file)).unwrap_or_else(|e| panic!("{e}"));
        let components = spec.document.pointer("/components/schemas").and_then(Value::as_object).unwrap();
        let check = generator_check(components, convert::writes_int64_bounds_as_doubles(&spec.text), 11, 20);
        let shown: Vec<String> = check.invalid.iter().take(5).map(|(n, v, e)| format!("{n}: {v} — {e}")).collect();
        assert!(check.invalid.is_empty(), "{file}: {} invalid, e.g.\n{}", check.invalid.len(), shown.join("\n"));
        // Only the spec's own contradictions: 2.0.0 requires `thread_id` in two closed objects that do not declare it.
        assert!(check.not_generatable.iter().all(|(_, why)| why.contains("neither declared nor allowed")), "{file}: {:?}", check.not_generatable);
    }
}

fn pattern_check(pattern: &str, min: usize, max: Option<usize>) {
    let p = Pattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    let validator = jsonschema::validator_for(&json!({"type": "string", "pattern": pattern})).expect("valid pattern");
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..50 {
        let s = p.generate(&mut rng, min, max).unwrap_or_else(|| panic!("{pattern}: nothing generated"));
        assert!(validator.is_valid(&Value::String(s.clone())), "{s:?} does not match {pattern}");
        let n = s.chars().count();
        assert!(n >= min && max.is_none_or(|m| n <= m), "{s:?} length");
    }
}

#[test]
fn patterns_of_the_specs_and_a_few_more() {
    pattern_check("^tunnel_[a-z0-9]{32}$", 0, None);
    pattern_check("^[A-Za-z0-9_.-]+$", 1, Some(64));
    pattern_check("^[a-zA-Z0-9_-]+$", 0, Some(3));
    pattern_check("^(ab|c\\d{2,3})?x*$", 0, None);
    pattern_check("[^a-z]{3}", 3, Some(3));
    pattern_check("^\\w+@\\w+\\.com$", 0, None);
}

#[test]
fn unsupported_patterns_say_so() {
    for p in ["(?=a)b", "\\bword", "(a", "a**", "(\\1)"] {
        assert!(Pattern::parse(p).is_err(), "{p}");
    }
    let p = Pattern::parse("^a{10}$").unwrap();
    assert_eq!(p.generate(&mut fastrand::Rng::with_seed(1), 0, Some(5)), None);
}

#[test]
fn conversion_to_2020_12() {
    let c = components(json!({
        "N": {"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": i64::MAX, "nullable": true,
              "deprecated": true, "x-oaiMeta": {}, "example": 3, "readOnly": true},
        "R": {"$recursiveAnchor": true, "type": "object", "required": ["a", "a"], "properties": {"a": {"oneOf": [{"$ref": "#/components/schemas/N"}, {"$recursiveRef": "#"}], "discriminator": {"propertyName": "type"}}}},
    }));
    let doc = convert::document(&c, true);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["N"], json!({"anyOf": [{"type": "integer", "exclusiveMinimum": 0, "maximum": INT64_MAX_AS_WRITTEN}, {"type": "null"}]}));
    assert_eq!(schemas["R"], json!({"type": "object", "required": ["a"], "properties": {"a": {"oneOf": [{"$ref": "#/components/schemas/N"}, {"$ref": "#/components/schemas/R"}]}}}));
    assert_eq!(convert::component_ref("a/b c")["$ref"], format!("{}#/components/schemas/a~1b%20c", convert::BASE));
    assert_eq!(convert::static_recursive_refs(&c)["R"]["properties"]["a"]["oneOf"][1], json!({"$ref": "#/components/schemas/R"}));
    // Without the double-written bounds, i64::MAX stays the bound.
    assert_eq!(convert::document(&c, false)["components"]["schemas"]["N"]["anyOf"][0]["maximum"], json!(i64::MAX));
}

#[test]
fn normalisations_are_not_differences() {
    assert_eq!(first_difference(&json!({"a": null, "n": 1, "f": [2.0]}), &json!({"n": 1.0, "f": [2], "z": null})), None);
    assert_eq!(first_difference(&json!({"n": INT64_MAX_AS_WRITTEN}), &json!({"n": i64::MAX})), None);
}

#[test]
fn differences_name_the_pointer() {
    assert_eq!(first_difference(&json!({"a": {"b/c": 1}}), &json!({"a": {}})), Some(("/a/b~1c".to_owned(), "dropped".to_owned())));
    assert_eq!(first_difference(&json!([1, "x"]), &json!([1, "y"])), Some(("/1".to_owned(), "\"x\" became \"y\"".to_owned())));
    assert_eq!(first_difference(&json!({}), &json!({"k": 0})), Some(("/k".to_owned(), "added 0".to_owned())));
    assert_eq!(first_difference(&json!([1]), &json!([])).unwrap().1, "1 items became 0");
    assert_eq!(first_difference(&json!(1.5), &json!(1)).unwrap().1, "1.5 became 1");
    assert_eq!(first_difference(&json!(null), &json!({})).unwrap().1, "null became {}");
}
