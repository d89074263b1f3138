//! What `specs/codegen.yaml` changes in the generated code beyond the spec:
//! body defaults and base64 float arrays (embeddings as openai-python asks for them).

const SPEC: &str = r#"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /embeddings:
    post:
      operationId: createEmbedding
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Req'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Vector'}
  /plain:
    get:
      operationId: getPlain
      responses:
        '200': {description: ok}
components:
  schemas:
    Req:
      type: object
      properties:
        encoding_format: {type: string, enum: [float, base64]}
    Vector:
      type: object
      required: [embedding, label]
      properties:
        embedding: {type: array, items: {type: number}}
        label: {type: string}
"#;

fn generate(config: &str) -> codegen::Generated {
    let spec = codegen::load::load_bytes("t.yaml", SPEC.as_bytes()).unwrap();
    let config = codegen::config::Config::from_yaml("c.yaml", config).unwrap();
    codegen::generate(&spec, &config, "t.yaml").unwrap()
}

fn all_code(g: &codegen::Generated) -> String {
    g.files.values().cloned().collect::<Vec<_>>().join("\n")
}

#[test]
fn body_defaults_and_base64_floats_reach_the_generated_code() {
    let plain = all_code(&generate("{}"));
    assert!(!plain.contains("json_default") && !plain.contains("put_base64_float32"));
    let g = generate(
        "body_defaults: {createEmbedding: {encoding_format: base64}, getPlain: {x: 1}, notInThisSpec: {y: true}}\n\
         base64_floats: [/components/schemas/Vector/properties/embedding, /components/schemas/Vector/properties/label, /components/schemas/Gone/properties/x]\n",
    );
    let code = all_code(&g);
    let call = &code[code.find(".json_default(").expect("a body default")..];
    let call: String = call[..call.find(");").unwrap()].split_whitespace().collect();
    assert_eq!(call, r#".json_default("encoding_format",::serde_json::Value::String(::std::string::String::from("base64")),"#);
    assert_eq!(code.matches("json_default(").count(), 1, "only the operation with a JSON body: {code}");
    assert_eq!(code.matches("put_base64_float32(").count(), 1, "only the number array: {code}");
    let warnings: Vec<String> = g.model.warnings.iter().map(|w| w.to_string()).collect();
    assert!(warnings.iter().any(|w| w.contains("/paths/~1plain/get") && w.contains("no JSON body")), "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.contains("/components/schemas/Vector/properties/label") && w.contains("not a required array of numbers")), "{warnings:#?}");
    // A pointer into a schema this spec does not have is another version's entry: no warning.
    assert!(!warnings.iter().any(|w| w.contains("Gone")), "{warnings:#?}");
}
