//! Every public item the generator writes carries documentation, from the
//! spec's prose where it has some and from facts where it has none (the shipped
//! client is generated from a facts-only copy of the spec), and the facts say
//! what the schema says: bounds, defaults, nullability, which methods use a type.

use codegen::config::Config;
use codegen::ir::{Model, TypeDef, UseRole};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shipped configuration (streaming, binary responses, features), without summaries.
fn shipped_config() -> Config {
    let path = root().join("specs/codegen.yaml");
    Config::from_yaml("specs/codegen.yaml", &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn generate_bytes(name: &str, bytes: &[u8], config: &Config) -> codegen::Generated {
    let spec = codegen::load::load_bytes(name, bytes).unwrap_or_else(|e| panic!("{e}"));
    codegen::generate(&spec, config, name).unwrap_or_else(|e| panic!("{e}"))
}

/// Removes every prose keyword (`description`, `summary`, `title` with a string
/// value: a property *named* `description` is an object and stays), as in the
/// facts-only copy of the spec that ships.
fn strip_prose(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, v| !(matches!(k.as_str(), "description" | "summary" | "title") && v.is_string()));
            map.values_mut().for_each(strip_prose);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_prose),
        _ => {}
    }
}

/// Collects public items without a `#[doc]`, and every doc line, of one file.
#[derive(Default)]
struct DocWalk {
    file: String,
    missing: Vec<String>,
    docs: Vec<String>,
}

fn has_doc(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

impl DocWalk {
    fn check(&mut self, attrs: &[syn::Attribute], what: String) {
        if !has_doc(attrs) {
            self.missing.push(format!("{}: {what}", self.file));
        }
    }
}

impl<'ast> Visit<'ast> for DocWalk {
    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        if let syn::Meta::NameValue(nv) = &a.meta {
            if nv.path.is_ident("doc") {
                if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &nv.value {
                    self.docs.push(s.value());
                }
            }
        }
    }
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let public = |attrs: &[syn::Attribute], vis: &syn::Visibility, what: String, walk: &mut DocWalk| {
            if is_pub(vis) {
                walk.check(attrs, what);
            }
        };
        match item {
            syn::Item::Struct(i) => public(&i.attrs, &i.vis, format!("struct {}", i.ident), self),
            syn::Item::Enum(i) => public(&i.attrs, &i.vis, format!("enum {}", i.ident), self),
            syn::Item::Type(i) => public(&i.attrs, &i.vis, format!("type {}", i.ident), self),
            syn::Item::Fn(i) => public(&i.attrs, &i.vis, format!("fn {}", i.sig.ident), self),
            syn::Item::Const(i) => public(&i.attrs, &i.vis, format!("const {}", i.ident), self),
            syn::Item::Static(i) => public(&i.attrs, &i.vis, format!("static {}", i.ident), self),
            syn::Item::Trait(i) => public(&i.attrs, &i.vis, format!("trait {}", i.ident), self),
            // `pub mod x;` is documented by the `//!` of its own file, checked there.
            syn::Item::Mod(i) if i.content.is_some() => public(&i.attrs, &i.vis, format!("mod {}", i.ident), self),
            _ => {}
        }
        syn::visit::visit_item(self, item);
    }
    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        for (i, f) in s.fields.iter().enumerate() {
            if is_pub(&f.vis) {
                let name = f.ident.as_ref().map_or(i.to_string(), ToString::to_string);
                self.check(&f.attrs, format!("field {}.{name}", s.ident));
            }
        }
        syn::visit::visit_item_struct(self, s);
    }
    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        for v in &e.variants {
            self.check(&v.attrs, format!("variant {}::{}", e.ident, v.ident));
        }
        syn::visit::visit_item_enum(self, e);
    }
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let owner = match &*i.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map_or(String::new(), |s| s.ident.to_string()),
            _ => String::new(),
        };
        for item in &i.items {
            match item {
                syn::ImplItem::Fn(f) if is_pub(&f.vis) => self.check(&f.attrs, format!("fn {owner}::{}", f.sig.ident)),
                syn::ImplItem::Const(c) if is_pub(&c.vis) => self.check(&c.attrs, format!("const {owner}::{}", c.ident)),
                _ => {}
            }
        }
        syn::visit::visit_item_impl(self, i);
    }
}

/// Undocumented public items and all doc lines of the rendered files.
fn walk_files(files: &BTreeMap<String, String>) -> (Vec<String>, Vec<String>) {
    let mut missing = Vec::new();
    let mut docs = Vec::new();
    for (name, text) in files {
        let file: syn::File = syn::parse_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut walk = DocWalk { file: name.clone(), ..Default::default() };
        if !has_doc(&file.attrs) {
            walk.missing.push(format!("{name}: module (no `//!`)"));
        }
        walk.visit_file(&file);
        missing.extend(walk.missing);
        docs.extend(walk.docs);
    }
    (missing, docs)
}

/// Each intra-doc link target must name something the generated code defines:
/// a type, a parameter struct, a client method or the runtime's `BinaryResponse`.
fn broken_links(model: &Model, docs: &[String]) -> Vec<String> {
    let types: BTreeSet<&str> = model.types.values().map(|t| t.rust_name.as_str()).collect();
    let params: BTreeSet<&str> = model.operations.iter().filter_map(|o| o.params_type.as_deref()).collect();
    let mut methods: BTreeSet<&str> = BTreeSet::new();
    for op in &model.operations {
        methods.insert(&op.rust_name);
        methods.extend(op.stream_method.as_deref());
        methods.extend(op.alternative_body.as_ref().map(|(n, _)| n.as_str()));
        methods.extend(op.pagination.as_ref().map(|p| p.method.as_str()));
    }
    if model.webhooks.is_some() {
        methods.insert(codegen::lower::WEBHOOKS_METHOD);
    }
    let mut out = Vec::new();
    for doc in docs {
        // Shortcut links (`[`X`]`) name a type of the same module.
        for (i, _) in doc.match_indices("[`") {
            let Some(len) = doc[i + 2..].find("`]") else { continue };
            let label = &doc[i + 2..i + 2 + len];
            let after = &doc[i + 4 + len..];
            if !after.starts_with('(') && !types.contains(label) {
                out.push(format!("[`{label}`] in: {doc}"));
            }
        }
        let mut rest = doc.as_str();
        while let Some(start) = rest.find("`](") {
            let after = &rest[start + 3..];
            let Some(end) = after.find(')') else { break };
            let target = &after[..end];
            rest = &after[end..];
            // Links in the spec's prose go to web pages (`https://…`, `/docs/…`); rustdoc does not resolve those.
            if target.contains('/') {
                continue;
            }
            let ok = if let Some(m) = target.strip_prefix("Self::").or_else(|| target.strip_prefix("crate::runtime::Client::")) {
                methods.contains(m)
            } else if let Some(p) = target.strip_prefix("super::params::") {
                params.contains(p)
            } else if let Some(t) = target.strip_prefix("super::types::").or_else(|| target.strip_prefix("super::")) {
                types.contains(t)
            } else {
                // Runtime items the generated docs name (`cargo doc` with warnings denied checks they resolve).
                ["crate::runtime::BinaryResponse", "crate::runtime::Items::pages", "crate::runtime::Error::Pagination"].contains(&target)
            };
            if !ok {
                out.push(format!("{target} in: {doc}"));
            }
        }
    }
    out
}

/// Text outside code spans contains no URL (rustdoc would warn about bare URLs).
fn bare_urls(docs: &[String]) -> Vec<&String> {
    docs.iter().filter(|d| d.split('`').step_by(2).any(|outside| outside.contains("://"))).collect()
}

fn assert_all_documented(label: &str, g: &codegen::Generated, check_urls: bool) {
    let (missing, docs) = walk_files(&g.files);
    assert!(missing.is_empty(), "{label}: {} public items without docs; the first 20:\n{}", missing.len(), missing.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
    let broken = broken_links(&g.model, &docs);
    assert!(broken.is_empty(), "{label}: {} doc links to nothing; the first 20:\n{}", broken.len(), broken.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
    if check_urls {
        let urls = bare_urls(&docs);
        assert!(urls.is_empty(), "{label}: bare URLs in generated docs: {:?}", &urls[..urls.len().min(20)]);
    }
}

#[test]
fn the_walk_finds_every_kind_of_undocumented_item() {
    let text = "//! m\npub struct S { pub a: u8, b: u8 }\npub struct T(pub u8);\n/// e\npub enum E { V }\n/// i\nimpl S { pub fn f() {} pub const C: u8 = 0; fn private() {} }\npub type A = u8;\n/// ok\npub fn g() {}\n";
    let files = BTreeMap::from([("x.rs".to_owned(), text.to_owned()), ("y.rs".to_owned(), String::new())]);
    let (missing, _) = walk_files(&files);
    assert_eq!(
        missing,
        ["x.rs: struct S", "x.rs: field S.a", "x.rs: struct T", "x.rs: field T.0", "x.rs: variant E::V", "x.rs: fn S::f", "x.rs: const S::C", "x.rs: type A", "y.rs: module (no `//!`)"]
    );
}

fn read_spec(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn every_item_of_the_1_2_client_is_documented() {
    let path = root().join("specs/openai-1.2.0.yaml");
    let g = generate_bytes("specs/openai-1.2.0.yaml", &read_spec(&path), &shipped_config());
    assert_all_documented("1.2.0", &g, false);
}

#[test]
fn every_item_of_the_2_0_client_is_documented() {
    let path = root().join("specs/openai-2.0.0.json");
    let g = generate_bytes("specs/openai-2.0.0.json", &read_spec(&path), &shipped_config());
    assert_all_documented("2.0.0", &g, false);
}

fn latest() -> Vec<u8> {
    let dir = root().join("../shared/specs/openai");
    assert!(dir.is_dir(), "{} is missing: this test needs the newest official OpenAI spec there", dir.display());
    read_spec(&dir.join("openapi-latest.json"))
}

#[test]
fn every_item_of_the_newest_client_is_documented_without_any_prose() {
    let mut doc: Value = serde_json::from_slice(&latest()).unwrap();
    strip_prose(&mut doc);
    let g = generate_bytes("openapi-latest.json", serde_json::to_string(&doc).unwrap().as_bytes(), &shipped_config());
    assert_all_documented("latest without prose", &g, true);
    // No summaries and no prose: every method opens with a sentence from facts.
    assert_eq!(g.summary.summaries_missing, g.summary.operations_out);
    println!("summaries_missing without prose or summaries: {} of {}", g.summary.summaries_missing, g.summary.operations_out);
}

#[test]
fn every_item_of_the_newest_client_is_documented_with_its_prose() {
    let g = generate_bytes("openapi-latest.json", &latest(), &shipped_config());
    assert_all_documented("latest", &g, false);
}

/// A spec with `ops` operations that all return `Thing`, plus one of each fact.
fn facts_spec(ops: usize) -> String {
    let mut paths = String::new();
    for i in 1..=ops {
        paths.push_str(&format!(
            "  /things/{i}:\n    get:\n      operationId: getThing{i}\n      responses:\n        \"200\": {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Thing'}}}}}}}}\n"
        ));
    }
    format!(
        r#"openapi: 3.0.0
info: {{title: facts, version: "1"}}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {{name: limit, in: query, schema: {{type: integer, minimum: 1, maximum: 100, default: 20}}}}
        - {{name: order, in: query, deprecated: true, schema: {{type: string, enum: [asc, desc]}}}}
        - {{name: OpenAI-Beta, in: header, required: true, schema: {{type: string, maxLength: 32}}}}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{type: array, items: {{$ref: '#/components/schemas/Thing'}}}}}}}}}}
    post:
      operationId: createThing
      summary: Makes a thing.
      requestBody: {{required: true, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Thing'}}}}}}}}
      responses:
        "204": {{description: done}}
{paths}components:
  schemas:
    Thing:
      type: object
      required: [name, note]
      properties:
        name: {{type: string, minLength: 1, maxLength: 64}}
        score: {{type: number, minimum: 0, maximum: 1, exclusiveMaximum: true, format: double}}
        note: {{type: string, nullable: true}}
        size: {{type: string, enum: [s, m, "l`x"], default: m}}
        tags: {{type: array, items: {{type: string}}, minItems: 1, maxItems: 16}}
        inner: {{$ref: '#/components/schemas/Inner'}}
        old: {{type: string, deprecated: true}}
    Inner:
      type: object
      properties:
        x: {{type: integer}}
    Orphan:
      oneOf:
        - type: string
        - type: array
          items: {{$ref: '#/components/schemas/Inner'}}
"#
    )
}

fn facts_client(ops: usize, config: &Config) -> codegen::Generated {
    generate_bytes("facts.yaml", facts_spec(ops).as_bytes(), config)
}

fn type_named<'m>(g: &'m codegen::Generated, name: &str) -> &'m TypeDef {
    g.model.types.values().find(|t| t.rust_name == name).unwrap_or_else(|| panic!("no type {name}"))
}

/// The rendered text with each line trimmed, to find doc lines whatever their indentation.
fn lines(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join("\n")
}

fn assert_has(text: &str, needles: &[&str]) {
    let text = lines(text);
    for n in needles {
        assert!(text.contains(n), "missing `{n}` in:\n{text}");
    }
}

#[test]
fn fields_state_bounds_and_lengths() {
    let g = facts_client(1, &Config::default());
    assert_all_documented("facts", &g, true);
    let t = &g.files["types/things.rs"];
    assert_has(t, &[
        "/// Required. From 1 to 64 characters.\npub name: ::std::string::String,",
        "/// Optional. At least `0` and less than `1`. Format: `double`.",
        "/// Optional. From 1 to 16 items.",
    ]);
    let p = &g.files["params.rs"];
    assert_has(p, &[
        "/// Query parameter `limit`. Optional. Default: `20`. At least `1` and at most `100`.",
        "/// Header `OpenAI-Beta`. Required. At most 32 characters.",
        "/// Query parameter `order`. Optional. One of `\"asc\"` or `\"desc\"`. Deprecated.",
    ]);
}

#[test]
fn fields_state_defaults_allowed_values_and_nullability() {
    let g = facts_client(1, &Config::default());
    let t = &g.files["types/things.rs"];
    assert_has(t, &[
        "/// Required; may be `null`.\npub note: ::std::option::Option<::std::string::String>,",
        // The value with a backtick keeps its code span intact.
        "/// Optional. Default: `\"m\"`. One of `\"s\"`, `\"m\"` or ``\"l`x\"``.",
        "/// Optional. Deprecated.",
    ]);
    let thing = type_named(&g, "Thing");
    let codegen::ir::TypeKind::Struct(s) = &thing.kind else { panic!("Thing is a struct") };
    let size = s.fields.iter().find(|f| f.wire_name == "size").unwrap();
    assert_eq!(size.facts.default.as_deref(), Some("\"m\""), "lowering keeps the default as JSON text");
}

#[test]
fn types_list_the_methods_that_use_them() {
    let g = facts_client(6, &Config::default());
    let thing = type_named(&g, "Thing");
    let roles: Vec<(&str, UseRole)> = thing.used_by.iter().map(|u| (u.method.as_str(), u.role)).collect();
    assert_eq!(roles[..3], [("list_things", UseRole::Response), ("create_thing", UseRole::RequestBody), ("get_thing1", UseRole::Response)]);
    assert_eq!(roles.len(), 8);
    let t = &g.files["types/things.rs"];
    assert_has(t, &[
        "/// An object with 7 properties, 2 of them required.\n///\n/// Used by [`Client::list_things`](crate::runtime::Client::list_things) (response), [`Client::create_thing`](crate::runtime::Client::create_thing) (request body), [`Client::get_thing1`](crate::runtime::Client::get_thing1) (response), [`Client::get_thing2`](crate::runtime::Client::get_thing2) (response), [`Client::get_thing3`](crate::runtime::Client::get_thing3) (response) and 3 more.",
    ]);
    assert_has(&g.files["types/things.rs"], &["/// No operation takes or returns this type directly; other types hold it."]);
    assert_has(&g.files["types/unreferenced.rs"], &[
        "/// A union of a string and an array of [`Inner`](super::Inner), told apart by shape.\n///\n/// Used by no operation.",
        "/// A string.\nText(::std::string::String),",
        "/// An array of [`Inner`](super::Inner).",
    ]);
    // Exactly five: no "more".
    let g = facts_client(3, &Config::default());
    assert_has(&g.files["types/things.rs"], &["[`Client::get_thing3`](crate::runtime::Client::get_thing3) (response)."]);
}

#[test]
fn methods_open_with_the_projects_summary_then_the_spec_then_facts() {
    let mut config = Config::default();
    config.summaries.insert("getThing1".to_owned(), "Reads the first thing.".to_owned());
    let g = facts_client(2, &config);
    let ops = &g.files["operations.rs"];
    assert_has(ops, &[
        "/// Reads the first thing.\n///\n/// - `GET /things/1` (operation `getThing1`)\n/// - Returns: [`Thing`](super::types::Thing)\n#[inline]\npub async fn get_thing1(",
        "/// Sends `GET /things/2`.\n///\n/// - `GET /things/2` (operation `getThing2`)",
        "/// Makes a thing.\n///\n/// - `POST /things` (operation `createThing`)\n/// - Body: [`Thing`](super::types::Thing), sent as JSON\n/// - Returns: no body",
        "/// - Query and header parameters: [`ListThingsParams`](super::params::ListThingsParams)\n/// - Returns: an array of [`Thing`](super::types::Thing)",
    ]);
    // listThings and getThing2 have neither a summary of ours nor prose in the spec.
    assert_eq!(g.summary.summaries_missing, 2);
    assert_has(&g.files["params.rs"], &["/// Query and header parameters of [`Client::list_things`](crate::runtime::Client::list_things)."]);
}
