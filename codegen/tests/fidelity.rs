//! Lowering keeps everything the server sends: names `required` lists without
//! declaring them become fields, objects keep the properties the spec does not
//! declare, branches that only constrain add nothing, and the types whose
//! missing required fields read as empty are the ones that have an empty value.

use codegen::config::Config;
use codegen::ir::{FieldRule, Model, StructDef, TypeKind, TypeRef};

fn model(yaml: &str) -> Model {
    let spec = codegen::load::load_bytes("fidelity.yaml", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    codegen::lower::lower(&spec, &Config::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn object<'m>(m: &'m Model, name: &str) -> &'m StructDef {
    match &m.types.values().find(|t| t.rust_name == name).unwrap_or_else(|| panic!("no type {name}")).kind {
        TypeKind::Struct(s) => s,
        other => panic!("{name} is {other:?}"),
    }
}

const SPEC: &str = r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    AudioDone:
      type: object
      required: [type, response_id, sequence_number]
      properties:
        type: {type: string, enum: [response.audio.done]}
        sequence_number: {type: integer}
    Labels:
      type: object
      required: [id]
      properties:
        id: {type: string}
      additionalProperties: {type: string}
    Batch:
      type: object
      properties:
        file_ids: {type: array, items: {type: string}}
        files: {type: array, items: {type: string}}
      anyOf:
        - required: [file_ids]
        - required: [files]
    Usage:
      type: object
      required: [input_tokens, details]
      properties:
        input_tokens: {type: integer}
        details: {$ref: "#/components/schemas/Details"}
    Details:
      type: object
      required: [cached_tokens]
      properties:
        cached_tokens: {type: integer}
    Node:
      type: object
      required: [next]
      properties:
        next: {$ref: "#/components/schemas/Node"}
    Kind:
      type: string
      enum: [only]
"##;

#[test]
fn a_required_name_without_a_property_becomes_a_field_with_a_warning() {
    let m = model(SPEC);
    let s = object(&m, "AudioDone");
    let f = s.fields.iter().find(|f| f.wire_name == "response_id").expect("undeclared required name kept as a field");
    assert_eq!((f.ty.clone(), f.required, f.nullable), (TypeRef::Json, false, false), "kept, and optional for callers");
    assert!(m.warnings.iter().any(|w| w.message.contains("`response_id` is required but not declared") && w.pointer.ends_with("/AudioDone/required")), "{:?}", m.warnings);
    // With `additionalProperties`, the field takes that type and the map keeps the rest.
    let labels = object(&m, "Labels");
    assert_eq!(labels.additional, Some(TypeRef::String));
    assert_eq!(labels.unknown_fields, None, "the typed map already keeps undeclared properties");
}

#[test]
fn objects_keep_undeclared_properties() {
    let m = model(SPEC);
    assert_eq!(object(&m, "AudioDone").unknown_fields.as_deref(), Some("extra_fields"));
}

#[test]
fn branches_that_only_constrain_add_no_field() {
    let m = model(SPEC);
    let batch = object(&m, "Batch");
    let names: Vec<&str> = batch.fields.iter().map(|f| f.rust_name.as_str()).collect();
    assert_eq!(names, ["file_ids", "files"], "no flattened variant for `anyOf: [{{required}}, ...]`");
    assert!(!m.types.values().any(|t| t.rust_name.starts_with("BatchVariant")));
    // The constraint is kept as a rule for the constructor's doc.
    assert_eq!(batch.rules, [FieldRule { exactly_one: false, branches: vec![vec!["file_ids".to_owned()], vec!["files".to_owned()]], more: false }]);
}

#[test]
fn empty_values_are_the_least_fixed_point() {
    let m = model(SPEC);
    let empty = |name: &str| m.types.values().find(|t| t.rust_name == name).unwrap().empty_value;
    assert!(empty("Details"), "integers only");
    assert!(empty("Usage"), "an integer and an object that has an empty value");
    assert!(empty("Kind"), "a one-value enum");
    assert!(!empty("Node"), "a cycle of required fields has no finite empty value");
}

#[test]
fn configured_headers_come_from_the_group_and_the_operation_wins() {
    let spec = r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /assistants:
    get:
      operationId: listAssistants
      tags: [Assistants]
      responses: {"204": {description: ok}}
    post:
      operationId: createAssistant
      tags: [Assistants]
      responses: {"204": {description: ok}}
  /files:
    get:
      operationId: listFiles
      tags: [Files]
      responses: {"204": {description: ok}}
"##;
    let config = Config::from_yaml(
        "c.yaml",
        "headers:\n  Assistants: {OpenAI-Beta: assistants=v2, X-Group: g}\n  createAssistant: {OpenAI-Beta: assistants=v3}\n",
    )
    .unwrap();
    let spec = codegen::load::load_bytes("h.yaml", spec.as_bytes()).unwrap();
    let m = codegen::lower::lower(&spec, &config).unwrap();
    let headers = |id: &str| m.operations.iter().find(|o| o.operation_id == id).unwrap().fixed_headers.clone();
    let pair = |n: &str, v: &str| (n.to_owned(), v.to_owned());
    assert_eq!(headers("listAssistants"), [pair("OpenAI-Beta", "assistants=v2"), pair("X-Group", "g")]);
    assert_eq!(headers("createAssistant"), [pair("OpenAI-Beta", "assistants=v3"), pair("X-Group", "g")]);
    assert!(headers("listFiles").is_empty());
}
