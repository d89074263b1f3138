//! Malformed specs give clear errors naming the file, the JSON pointer and the
//! line where known; nothing panics. Real-file quirks load with warnings.

use std::path::Path;

fn load(name: &str) -> Result<codegen::load::Spec, codegen::load::SpecError> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors").join(name);
    let bytes = std::fs::read(&path).unwrap();
    codegen::load::load_bytes(name, &bytes)
}

fn generate(name: &str) -> Result<codegen::Generated, String> {
    let spec = load(name).map_err(|e| e.to_string())?;
    codegen::generate(&spec, &codegen::config::Config::default(), name).map_err(|e| e.to_string())
}

#[test]
fn dangling_ref_names_pointer_and_line() {
    let err = generate("dangling_ref.yaml").unwrap_err();
    assert_eq!(
        err,
        "dangling_ref.yaml:13:17: at #/paths/~1things/get/responses/200/content/application~1json/schema/$ref: `$ref` target `#/components/schemas/Missing` does not exist"
    );
}

#[test]
fn wrong_type_names_pointer() {
    let err = load("wrong_type.yaml").unwrap_err();
    assert_eq!(err.file, "wrong_type.yaml");
    assert!(err.pointer.starts_with("/paths/~1things/get/parameters/0"), "{err}");
    assert!(err.reason.contains("maybe") || err.reason.contains("bool"), "{err}");
    assert!(err.position.is_some(), "line of the parameter is found: {err}");
}

#[test]
fn truncated_json_names_line() {
    let err = load("truncated.json").unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("truncated.json:8:"), "{text}");
    assert!(text.contains("invalid JSON: EOF while parsing"), "{text}");
}

#[test]
fn bad_yaml_names_line() {
    let err = load("bad_yaml.yaml").unwrap_err();
    assert!(err.to_string().starts_with("bad_yaml.yaml:"), "{err}");
    assert!(err.reason.starts_with("invalid YAML"), "{err}");
    assert!(err.position.is_some_and(|p| p.line >= 5), "{err}");
}

#[test]
fn swagger_2_is_refused_clearly() {
    let err = load("swagger2.yaml").unwrap_err();
    assert_eq!(err.to_string(), "swagger2.yaml:1:1: at #/swagger: Swagger 2.0 documents are not supported; convert to OpenAPI 3 first");
}

#[test]
fn empty_and_non_mapping_documents_are_errors() {
    assert_eq!(codegen::load::load_bytes("e.yaml", b"").unwrap_err().reason, "the file is empty");
    assert_eq!(codegen::load::load_bytes("l.yaml", b"- a\n- b\n").unwrap_err().reason, "an OpenAPI document must be a mapping at the top level");
    assert!(codegen::load::load_bytes("b.yaml", &[0xff, 0xfe]).unwrap_err().reason.starts_with("not UTF-8"));
}

#[test]
fn real_file_quirks_load_with_warnings() {
    let g = generate("quirks.yaml").unwrap();
    let warnings: Vec<String> = g.model.warnings.iter().map(|w| w.to_string()).collect();
    assert!(warnings.iter().any(|w| w.contains("/components/schemas/Seed/maximum") && w.contains("does not fit in i64")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("/components/schemas/Holder/properties/nothing") && w.contains("null where a schema is expected")), "{warnings:?}");
    // Prose of the wrong type is dropped with a warning at its own pointer, not the enclosing schema.
    for (pointer, found) in [
        ("/paths/~1prose/description", "an object"),
        ("/paths/~1prose/get/summary", "an array"),
        ("/paths/~1prose/get/description", "an object"),
        ("/paths/~1prose/get/parameters/0/description", "a number"),
        ("/paths/~1prose/get/responses/200/description", "an object"),
        ("/components/schemas/Prose/description", "an object"),
        ("/components/schemas/Prose/title", "an array"),
        ("/components/schemas/Prose/properties/description/description", "an object"),
        ("/components/schemas/Prose/properties/summary/summary", "a number"),
    ] {
        let key = pointer.rsplit('/').next().unwrap();
        let expected = format!("{pointer}: `{key}` must be a string, found {found}; ignored");
        assert_eq!(warnings.iter().filter(|w| w.ends_with(&expected)).count(), 1, "{expected} in {warnings:#?}");
    }
    // Properties named like prose keywords are still properties.
    let prose = g.model.types.values().find(|t| t.wire_name == "Prose").expect("Prose type");
    let codegen::ir::TypeKind::Struct(s) = &prose.kind else { panic!("{prose:?}") };
    assert_eq!(s.fields.iter().map(|f| f.wire_name.as_str()).collect::<Vec<_>>(), ["description", "summary"]);
    // The second anchor definition wins, as in YAML 1.2 parsers.
    assert!(g.files["types/unreferenced.rs"].contains("pub reused: ::std::option::Option<i64>"), "{}", g.files["types/unreferenced.rs"]);
}

#[test]
fn every_truncation_of_a_spec_errors_without_panicking() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/operations/spec.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    for cut in (0..text.len()).step_by(7) {
        if !text.is_char_boundary(cut) {
            continue;
        }
        if let Ok(spec) = codegen::load::load_bytes("cut.yaml", &text.as_bytes()[..cut]) {
            let _ = codegen::generate(&spec, &codegen::config::Config::default(), "cut.yaml");
        }
    }
}
