//! Hostile and broken input: every load error names the file, the JSON pointer
//! where there is one and a line; limits are errors, not exhausted memory.
//! (Time and memory are measured by `cargo bench --bench limits`, not here.)

use codegen::load::{load_bytes, SpecError};

fn load(name: &str, text: &[u8]) -> Result<codegen::load::Spec, SpecError> {
    load_bytes(name, text)
}

fn generate(text: &str) -> Result<codegen::Generated, String> {
    let spec = load("s.json", text.as_bytes()).map_err(|e| e.to_string())?;
    codegen::generate(&spec, &codegen::config::Config::default(), "s.json").map_err(|e| e.to_string())
}

/// A spec with one operation returning `#/components/schemas/{root}`, and these schemas.
fn with_schemas(root: &str, schemas: &str) -> String {
    format!(
        r##"{{"openapi":"3.0.0","info":{{"title":"t","version":"1"}},"paths":{{"/x":{{"get":{{"operationId":"getX","responses":{{"200":{{"description":"ok","content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/{root}"}}}}}}}}}}}}}}}},"components":{{"schemas":{{{schemas}}}}}}}"##
    )
}

#[test]
fn malformed_path_template_is_a_load_error_with_line_and_pointer() {
    let yaml = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{b{c}:\n    get:\n      responses:\n        '200': {description: ok}\n";
    let err = load("t.yaml", yaml.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "t.yaml:4:3: at #/paths/~1a~1{b{c}: malformed path template `/a/{b{c}`: `{` at byte 5 opens inside another placeholder");
    for bad in ["/a/{b", "/a/b}", "/a/{}"] {
        let json = format!(r#"{{"openapi":"3.0.0","info":{{"title":"t","version":"1"}},"paths":{{"{bad}":{{}}}}}}"#);
        let err = load("t.json", json.as_bytes()).unwrap_err();
        assert!(err.position.is_some_and(|p| p.line == 1 && p.column == 64), "{err}");
        assert!(err.reason.starts_with("malformed path template"), "{err}");
    }
}

#[test]
fn non_utf8_names_line_and_column() {
    let err = load("u.yaml", b"openapi: 3.0.0\ninfo: {title: t, version: '1'}\nx: \"\xff\"\n").unwrap_err();
    assert!(err.to_string().starts_with("u.yaml:3:5: not UTF-8 text"), "{err}");
}

#[test]
fn dangling_parameter_ref_in_minified_json_names_line_and_column() {
    let json = r##"{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"operationId":"a","parameters":[{"$ref":"#/components/parameters/Nope"}],"responses":{"200":{"description":"ok"}}}}}}"##;
    let spec = load("d.json", json.as_bytes()).unwrap();
    let err = codegen::generate(&spec, &codegen::config::Config::default(), "d.json").unwrap_err().to_string();
    assert_eq!(err, "d.json:1:110: at #/paths/~1a/get/parameters/0/$ref: `$ref` target `#/components/parameters/Nope` does not exist");
}

#[test]
fn yaml_alias_bomb_names_a_line() {
    let mut yaml = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\na: &a [x, x, x, x, x, x, x, x, x]\n".to_owned();
    for (name, prev) in [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e"), ("g", "f")] {
        yaml.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", ")));
    }
    let err = load("bomb.yaml", yaml.as_bytes()).unwrap_err();
    assert!(err.reason.contains("aliases expand into too many nodes"), "{err}");
    assert!(err.position.is_some_and(|p| p.line >= 5), "{err}");
}

#[test]
fn deep_nesting_is_rejected_before_parsing_yaml_and_while_reading_json() {
    let deep = format!("openapi: 3.0.0\nx: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let err = load("deep.yaml", deep.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "deep.yaml:2:1004: invalid YAML: flow collections nest deeper than 1000 levels");
    let medium = format!("openapi: 3.0.0\nx: {}{}\n", "[".repeat(500), "]".repeat(500));
    let err = load("medium.yaml", medium.as_bytes()).unwrap_err();
    assert!(err.reason.contains("nests deeper than 100 levels"), "{err}");
    assert!(err.pointer.starts_with("/x/0/0/0"), "the pointer says where: {err}");
    let json = format!(r#"{{"openapi":"3.0.0","x":{}{}}}"#, "[".repeat(120), "]".repeat(120));
    let err = load("deep.json", json.as_bytes()).unwrap_err();
    assert!(err.reason.contains("nests deeper than 100 levels") && err.position.is_some(), "{err}");
}

#[test]
fn long_keys_and_names_are_errors_naming_the_pointer() {
    let key = "p".repeat(2000);
    let err = generate(&with_schemas("B", &format!(r#""B":{{"type":"object","properties":{{"{key}":{{"type":"string"}}}}}}"#))).unwrap_err();
    assert!(err.contains("at #/components/schemas/B/properties: invalid JSON: a mapping key of 2000 bytes is longer than the limit of 1024"), "{err}");
    let spec = with_schemas("B", r#""B":{"type":"string"}"#).replace(r#""operationId":"getX""#, &format!(r#""operationId":"{}""#, "x".repeat(2000)));
    let err = generate(&spec).unwrap_err();
    assert!(err.contains("at #/paths/~1x/get/operationId: an operationId of 2000 bytes"), "{err}");
}

#[test]
fn fan_out_limits_are_errors_naming_the_pointer() {
    let props: Vec<String> = (0..2001).map(|i| format!(r#""p{i}":{{"type":"string"}}"#)).collect();
    let err = generate(&with_schemas("B", &format!(r#""B":{{"type":"object","properties":{{{}}}}}"#, props.join(",")))).unwrap_err();
    assert!(err.contains("at #/components/schemas/B/properties: an object with 2001 properties; the limit is 2000"), "{err}");
    let values: Vec<String> = (0..5001).map(|i| format!(r#""v{i}""#)).collect();
    let err = generate(&with_schemas("E", &format!(r#""E":{{"type":"string","enum":[{}]}}"#, values.join(",")))).unwrap_err();
    assert!(err.contains("at #/components/schemas/E/enum: an enum with 5001 values"), "{err}");
}

#[test]
fn unions_of_themselves_do_not_multiply() {
    // The 520-byte spec that once took all memory: a union of six references to itself.
    let r = r##"{"$ref":"#/components/schemas/U"}"##;
    let g = generate(&with_schemas("U", &format!(r#""U":{{"oneOf":[{},{{"type":"string"}}]}}"#, [r; 6].join(",")))).unwrap();
    assert!(g.model.warnings.iter().any(|w| w.message.contains("6 branch(es) referring to the schema itself dropped")), "{:?}", g.model.warnings);
    // Unions that nest each other: each nested union is expanded once.
    let schemas: Vec<String> = (0..200)
        .map(|i| {
            let refs: Vec<String> = (0..10).map(|j| format!(r##"{{"$ref":"#/components/schemas/S{}"}}"##, (i * 7 + j + 1) % 200)).collect();
            format!(r#""S{i}":{{"oneOf":[{}]}}"#, refs.join(","))
        })
        .collect();
    generate(&with_schemas("S0", &schemas.join(","))).unwrap();
    // `allOf` fan-out over itself.
    let parts = [r##"{"$ref":"#/components/schemas/A"}"##; 6].join(",");
    generate(&with_schemas("A", &format!(r#""A":{{"allOf":[{parts},{{"type":"object","properties":{{"a":{{"type":"string"}}}}}}]}}"#))).unwrap();
}

#[test]
fn a_type_used_by_very_many_api_groups_is_compiled_always() {
    // 40 groups return Shared, which holds Inner; one group returns Own.
    let mut paths: Vec<String> = (0..40)
        .map(|i| format!(r##""/p{i}":{{"get":{{"operationId":"op{i}","tags":["group{i}"],"responses":{{"200":{{"description":"ok","content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/Shared"}}}}}}}}}}}}}}"##))
        .collect();
    paths.push(r##""/own":{"get":{"operationId":"own","tags":["group0"],"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Own"}}}}}}}"##.to_owned());
    let schemas = r##""Shared":{"type":"object","properties":{"inner":{"$ref":"#/components/schemas/Inner"}}},"Inner":{"type":"object","properties":{"x":{"type":"string"}}},"Own":{"type":"object","properties":{"y":{"type":"string"}}}"##;
    let text = format!(r#"{{"openapi":"3.0.0","info":{{"title":"t","version":"1"}},"paths":{{{}}},"components":{{"schemas":{{{schemas}}}}}}}"#, paths.join(","));
    let spec = load("g.json", text.as_bytes()).unwrap();
    let config = codegen::config::Config { cargo_features: true, ..Default::default() };
    let g = codegen::generate(&spec, &config, "g.json").unwrap();
    let features = |name: &str| g.model.types.values().find(|t| t.rust_name == name).unwrap().features.len();
    assert!(features("Shared") > codegen::ir::MAX_TYPE_FEATURES && features("Inner") > codegen::ir::MAX_TYPE_FEATURES, "capped, not all 40 listed");
    assert!(features("Shared") <= codegen::ir::MAX_TYPE_FEATURES + 1);
    let before = |file: &str, item: &str| {
        let text = &g.files[file];
        let at = text.find(item).unwrap();
        text[..at].rsplit("\n}\n").next().unwrap().contains("#[cfg(")
    };
    assert!(!before("types/common.rs", "pub struct Shared"), "no cfg: compiled with any feature");
    assert!(!before("types/common.rs", "pub struct Inner"), "what it holds is compiled always too");
    assert!(before("types/group0.rs", "pub struct Own"), "a type of one group keeps its cfg, in the group's module");
}
