//! Snapshot tests: each folder in `tests/fixtures/` holds a small spec that
//! exercises one feature and the generator's expected output in `expected/`.
//! The expected files are compiled by the `client-tests` crate
//! (`tests/tests/fixtures_compile.rs`), so a snapshot cannot drift into code
//! that does not build. Set `UPDATE_SNAPSHOTS=1` to rewrite them after a
//! deliberate change, then review the diff.

use codegen::config::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn generate(name: &str) -> codegen::Generated {
    let dir = fixtures_dir().join(name);
    let source = format!("codegen/tests/fixtures/{name}/spec.yaml");
    let bytes = std::fs::read(dir.join("spec.yaml")).unwrap();
    let spec = codegen::load::load_bytes(&source, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let config = match std::fs::read_to_string(dir.join("codegen.yaml")) {
        Ok(text) => Config::from_yaml("codegen.yaml", &text).unwrap(),
        Err(_) => Config::default(),
    };
    codegen::generate(&spec, &config, &source).unwrap_or_else(|e| panic!("{e}"))
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

fn check_snapshot(name: &str) -> codegen::Generated {
    let generated = generate(name);
    let expected_dir = fixtures_dir().join(name).join("expected");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        let _ = std::fs::remove_dir_all(&expected_dir);
        for (rel, text) in &generated.files {
            let p = expected_dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }
    let expected = read_tree(&expected_dir);
    let actual_names: Vec<&String> = generated.files.keys().collect();
    let expected_names: Vec<&String> = expected.keys().collect();
    assert_eq!(actual_names, expected_names, "{name}: generated file list differs from the snapshot; run with UPDATE_SNAPSHOTS=1 and review");
    for (rel, text) in &generated.files {
        if &expected[rel] != text {
            let first = text.lines().zip(expected[rel].lines()).position(|(a, b)| a != b).unwrap_or(0);
            panic!(
                "{name}/{rel} differs from the snapshot at line {}:\n  got:      {}\n  expected: {}\nrun with UPDATE_SNAPSHOTS=1 and review the diff",
                first + 1,
                text.lines().nth(first).unwrap_or(""),
                expected[rel].lines().nth(first).unwrap_or("")
            );
        }
    }
    generated
}

/// The text of every `types/<module>.rs` with all whitespace removed, so
/// assertions do not depend on where the formatter breaks lines or which API
/// group's module holds a type (the `features` fixture checks modules).
fn types_text(g: &codegen::Generated) -> String {
    squash(&g.files.iter().filter(|(path, _)| path.starts_with("types/")).map(|(_, text)| text.as_str()).collect::<String>())
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that `text` (already squashed) contains each needle, ignoring whitespace.
fn assert_has(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(&squash(n)), "missing `{n}` in:\n{text}");
    }
}

#[test]
fn nullable_in_3_0() {
    let g = check_snapshot("nullable_30");
    let t = types_text(&g);
    assert_has(&t, &["pub nickname: ::std::option::Option<::std::string::String>"]);
    assert_has(&t, &["pub manager: ::std::option::Option<super::Person>"]);
}

#[test]
fn config_marks_schemas_nullable() {
    let g = generate("nullable_30");
    let person = g.model.types.values().find(|t| t.rust_name == "Person").unwrap();
    let codegen::ir::TypeKind::Struct(s) = &person.kind else { panic!("Person is a struct") };
    assert!(s.fields[0].nullable, "Person.name is marked nullable by codegen.yaml");
    let warnings: Vec<String> = g.model.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings, vec!["#/components/schemas/Person/properties/nickname: codegen config marks this schema nullable, but the spec has nothing here".to_owned()]);
}

#[test]
fn nullable_in_3_1_means_the_same_as_in_3_0() {
    let g30 = generate("nullable_30");
    let g31 = check_snapshot("nullable_31");
    let field = |g: &codegen::Generated, name: &str| {
        let profile = g.model.types.values().find(|t| t.rust_name == "Profile").unwrap();
        let codegen::ir::TypeKind::Struct(s) = &profile.kind else { panic!("Profile is a struct") };
        s.fields.iter().find(|f| f.wire_name == name).cloned().unwrap()
    };
    for name in ["nickname", "bio", "age"] {
        let (a, b) = (field(&g30, name), field(&g31, name));
        assert_eq!((a.ty, a.nullable), (b.ty, b.nullable), "{name}");
    }
    let manager = field(&g31, "manager");
    assert!(manager.nullable && manager.required);
    let t = types_text(&g31);
    assert_has(&t, &["pub kind: ::std::option::Option<super::ProfileKind>"]);
}

#[test]
fn open_enum_accepts_any_string() {
    let g = check_snapshot("open_enum");
    let t = types_text(&g);
    assert_has(&t, &["pub struct RequestModel( /// The value as sent on the wire. pub ::std::borrow::Cow<'static, str>, )"]);
    assert_has(&t, &["pub const GPT_4O: Self"]);
    assert_has(&types_text(&g), &["pub const GPT_4_1: Self"]);
}

#[test]
fn discriminated_unions_use_real_tag_values() {
    let g = check_snapshot("tagged_union");
    let m = types_text(&g);
    assert_has(&m, &[r#"::std::option::Option::Some("system") | ::std::option::Option::Some("developer")"#]);
    let t = types_text(&g);
    assert_has(&t, &[r#"node.tag("type")?"#, r#"Some("web_search")"#, "crate::runtime::de::read_node(deserializer, read)"]);
    let s = types_text(&g);
    assert_has(&s, &[r#"Some("Circle")"#, r#"object.insert(::std::string::String::from("kind")"#]);
}

#[test]
fn untagged_unions_get_shape_names() {
    let g = check_snapshot("untagged_union");
    let p = types_text(&g);
    for v in ["Text(::std::string::String)", "Texts(", "Tokens(", "TokenArrays("] {
        assert_has(&p, &[v]);
    }
    assert_has(&types_text(&g), &["OtherPart(super::ContentOtherPart)"]);
    assert_has(&p, &["impl ::std::convert::From<&str> for Prompt"]);
    assert_has(&types_text(&g), &["pub enum Epochs { /// An [`EpochsAuto`]. Auto(super::EpochsAuto), /// An integer. Integer(i64), }"]);
}

#[test]
fn all_of_merges_fields() {
    let g = check_snapshot("all_of");
    let d = types_text(&g);
    for f in ["pub id: ::std::string::String", "pub created: ::std::option::Option<i64>", "pub tags: ::std::vec::Vec<::std::string::String>", "pub title: ::std::string::String", "pub status: ::std::option::Option<super::DocumentStatus>"] {
        assert_has(&d, &[f]);
    }
    assert_has(&types_text(&g), &["pub type Alias = super::Base;"]);
    // Members are read in the order they come, each into its field's local
    // by what the field is (one `?` for all of them), then the required ones
    // finished: read as empty when missing, an `int64` as 0; an optional one
    // is `None` when missing or `null`, nothing decoded. An array's elements
    // are pushed as they are decoded (`put_nullable_array`, `tags`), and a
    // string is copied from its text (`put_nullable_string`, `id`, `title`),
    // and a string enum matched in its table (`put_nullable_enum`, `status`).
    assert_has(&d, &["while let ::std::option::Option::Some(index) = object.next_field()? { let read = match index { 0 => crate::runtime::de::put_nullable_string(object, 0, &mut v0), 1 => crate::runtime::de::put_int64(object, 1, &mut v1), 2 => crate::runtime::de::put_nullable_array(object, 2, &mut v2), 3 => crate::runtime::de::put_nullable_string(object, 3, &mut v3), 4 => crate::runtime::de::put_nullable_enum(object, 4, &mut v4), _ => ::std::result::Result::Ok(()), }; read?; } let rest = crate::runtime::de::unknown(object)?; let v0 = crate::runtime::de::or_empty(object, 0, v0); let v1 = crate::runtime::de::int64_or_empty(object, 1, v1); let v2 = crate::runtime::de::or_empty(object, 2, v2); let v3 = crate::runtime::de::or_empty(object, 3, v3); crate::runtime::de::check(object)?; ::std::result::Result::Ok(Document { id: v0, created: v1, tags: v2, title: v3, status: v4, extra_fields: rest, })"]);
    // An `allOf` with a union is flattened: the union reads the members the
    // declared fields left, which reads the object to its end (the reader
    // borrows the object, also where nothing else is declared).
    assert_has(&d, &["let w0 = crate::runtime::de::whole(object)?; let v0 = crate::runtime::de::or_empty(object, 0, v0); crate::runtime::de::check(object)?; ::std::result::Result::Ok(Tracked { stream_id: v0, variant: w0, })"]);
    assert_has(&d, &["Shape::new(\"PetOnly\", &[],); #[inline] fn read(object: &mut crate::runtime::de::Object<'_>,) -> ::std::result::Result<PetOnly, crate::runtime::de::Failure> { let w0 = crate::runtime::de::whole(object)?; ::std::result::Result::Ok(PetOnly { variant: w0 }) } crate::runtime::de::read_object(deserializer, &SHAPE, read)"]);
    // One early return per reader for the fields, whatever their count.
    let document = &d[d.find(&squash("Shape::new(\"Document\"")).expect("Document's reader")..];
    let document = &document[..document.find(&squash("read_object(deserializer")).expect("its end")];
    assert_eq!(document.matches('?').count(), 4, "next_field, the field read, unknown and check:\n{document}");
    // Readers are not generic over the deserializer (one type check each)
    // and nothing in them names it.
    let readers = d.matches(&squash("#[inline] fn read(")).count();
    assert!(readers >= 8, "{readers} readers");
    assert!(!d.contains("D::Error>("), "a reader names the deserializer's error:\n{d}");
    // A string enum hands the runtime its wire values, in a table built at
    // compile time, to match known values by their bytes: one table, asked
    // for by its own impl and by the fields that hold it.
    assert_has(&d, &["impl crate::runtime::de::WireEnum for DocumentStatus { #[inline] fn wire_values() -> &'static crate::runtime::de::EnumValues { static VALUES: crate::runtime::de::EnumValues = crate::runtime::de::EnumValues::new(&[\"draft\", \"published\"],); &VALUES } }"]);
    assert_has(&d, &["fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D,) -> ::std::result::Result<Self, D::Error> { crate::runtime::de::read_enum(deserializer) }"]);
    // Objects are encoded by the runtime's one `write_object`: members in
    // declared order under their wire names, a required one always, an
    // optional one through `optional` (left out when absent), then the kept
    // unknown members. Only an object that flattens a union in keeps serde's
    // derive, which merges the union's members.
    assert_has(&d, &[r#"#[derive(Debug, Clone, Default)] #[non_exhaustive] pub struct Document {"#]);
    assert_has(&d, &[r#"impl ::serde::Serialize for Document { fn serialize<S: ::serde::Serializer>(&self, serializer: S,) -> ::std::result::Result<S::Ok, S::Error> { crate::runtime::ser::write_object( serializer, "Document", &[ ("id", ::std::option::Option::Some(&self.id)), ("created", crate::runtime::ser::optional(&self.created)), ("tags", ::std::option::Option::Some(&self.tags)), ("title", ::std::option::Option::Some(&self.title)), ("status", crate::runtime::ser::optional(&self.status)), ], ::std::option::Option::Some(&self.extra_fields),) } }"#]);
    assert_has(&d, &[r#"#[derive(Debug, Clone, ::serde::Serialize)] #[non_exhaustive] pub struct Tracked {"#]);
    assert!(!d.contains(&squash("impl ::serde::Serialize for Tracked")), "Tracked is derived");
    assert!(!d.contains("#[serde(skip_serializing_if"), "attributes only where serde derives:\n{d}");
}

#[test]
fn recursive_types_are_boxed() {
    let g = check_snapshot("recursion");
    let n = types_text(&g);
    assert_has(&n, &["pub next: ::std::option::Option<::std::boxed::Box<super::Node>>"]);
    assert_has(&n, &["pub children: ::std::option::Option<::std::vec::Vec<super::Node>>"]);
    assert_has(&types_text(&g), &["pub even: ::std::boxed::Box<super::Even>"]);
    // Not a cycle: a type estimated past 1 KiB.
    assert_has(&n, &["pub large: ::std::boxed::Box<super::Large>", "pub note: ::std::option::Option<::std::string::String>"]);
}

#[test]
fn keywords_and_odd_names_are_cleaned_up() {
    let g = check_snapshot("keywords");
    let t = types_text(&g);
    for f in ["pub r#type:", "pub self_:", "pub r#async:", "pub _1st_place:", "pub content_type:", "pub meta:", "pub crate_:", r#"("Content-Type", crate::runtime::ser::optional(&self.content_type))"#] {
        assert_has(&t, &[f]);
    }
    let s = types_text(&g);
    for v in ["V256x256,", "V1024x1024,", "Auto,", "Empty,", "Self_,", "pub struct Self_"] {
        assert_has(&s, &[v]);
    }
}

#[test]
fn collisions_get_distinct_names() {
    let g = check_snapshot("collisions");
    let names: Vec<&str> = g.model.types.values().map(|t| t.rust_name.as_str()).collect();
    for n in ["FooBar", "FooBar2", "FooBar3", "Foo", "Level"] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let f = types_text(&g);
    assert_has(&f, &["pub field_name: ", "pub field_name2: "]);
    let l = types_text(&g);
    // The catch-all is not `Unknown` when a value already is.
    for v in ["Low,", "Low2,", "Low3,", "Unknown,", "Unknown2,", "Other(::std::string::String)"] {
        assert_has(&l, &[v]);
    }
}

#[test]
fn maps_free_form_objects_and_integers() {
    let g = check_snapshot("objects");
    let r = types_text(&g);
    for f in [
        "pub count: i64",
        "pub small: ::std::option::Option<i32>",
        "pub ratio: f64",
        "::std::collections::BTreeMap<::std::string::String, ::std::string::String>",
        "::std::collections::BTreeMap<::std::string::String, ::std::vec::Vec<f64>>",
        "pub extra: ::std::option::Option<::serde_json::Map<::std::string::String, ::serde_json::Value>",
        "pub anything: ::std::option::Option<::serde_json::Value>",
    ] {
        assert_has(&r, &[f]);
    }
    // Properties beyond the declared ones are written after them, from the map.
    assert_has(&types_text(&g), &[r#"crate::runtime::ser::write_object(serializer, "Open", &[("name", crate::runtime::ser::optional(&self.name))], ::std::option::Option::Some(&self.additional_properties),)"#]);
}

#[test]
fn operations_get_methods_params_and_streams() {
    let g = check_snapshot("operations");
    let ops = squash(&g.files["operations.rs"]);
    for f in [
        "pub async fn get_item(",
        "item_id: &str",
        "params: &super::params::GetItemParams",
        r#"let item_id = crate::runtime::path_param("item_id", item_id)?;"#,
        r#"request.header("OpenAI-Beta", &params.open_ai_beta)"#,
        r#"let request = request.header("X-Api-Version", &"2026-01");"#,
        "pub async fn delete_item(",
        "crate::runtime::Response<()>",
        "pub async fn create_item_stream(",
        r#"request.json_override("stream", ::std::option::Option::None)"#,
        "pub async fn upload(",
        "request.multipart(body.to_multipart())",
        "crate::runtime::BinaryResponse",
    ] {
        assert_has(&ops, &[f]);
    }
    // Assistants-style streams: `{event, data}` objects, nested unions flattened to their tags.
    assert_has(&ops, &[
        "pub async fn create_run_stream(",
        r#"crate::runtime::StreamConfig::event_and_data().known_events(&["item.created", "item.deleted", "done"])"#,
    ]);
    assert_has(&types_text(&g), &[r#"::std::option::Option::Some("item.created") =>"#, r#"::std::option::Option::Some("done") =>"#]);
    let u = types_text(&g);
    assert_has(&u, &[r#"form.file("extra_files[]", file)"#, "pub file: crate::runtime::InputFile"]);
    // A file or an object: written into the form either way, never as JSON.
    assert_has(&u, &["pub enum UploadReference", "File(crate::runtime::InputFile)", r#"value.add_to(&mut form, "reference")"#]);
    // A file or an array of files: one goes as `images`, several as `images[]`.
    assert_has(&u, &[
        "pub images: ::std::option::Option<super::UploadImages>",
        "File(crate::runtime::InputFile)",
        "Files(::std::vec::Vec<crate::runtime::InputFile>)",
        "Self::File(file) => form.file(name, file),",
        r#"let many = ::std::format!("{name}[]");"#,
        "impl ::std::convert::From<::std::vec::Vec<crate::runtime::InputFile>> for UploadImages",
    ]);
    // A plain array of files is always repeated `name[]` parts, even with one file.
    assert_has(&u, &[r#"for file in value { form.file("extra_files[]", file); }"#]);
}

#[test]
fn api_groups_become_features_and_second_encodings_get_methods() {
    let g = check_snapshot("features");
    let features: Vec<String> = g.model.features().into_iter().collect();
    assert_eq!(features, ["chat", "fine-tuning", "unreferenced"]);
    // Types live in the module of the API group that uses them: several groups' in `common`, none's in `unreferenced`.
    let modules: Vec<&str> = g.files.keys().filter_map(|p| p.strip_prefix("types/")).collect();
    assert_eq!(modules, ["common.rs", "fine_tuning.rs", "mod.rs", "unreferenced.rs"]);
    assert!(g.files["types/fine_tuning.rs"].contains("//! Types of the `fine-tuning` API group: only its operations use them."));
    assert!(g.files["types/mod.rs"].contains("pub use fine_tuning::*;"), "re-exported flat: a type's path does not name its module");
    let ops = squash(&g.files["operations.rs"]);
    assert_has(&ops, &[
        r#"#[cfg(feature = "chat")] /// Sends `POST /chat`."#,
        // Multipart is listed first, so it is the main method; JSON gets its own.
        "pub async fn upload(&self, body: &super::types::UploadForm,",
        "pub async fn upload_json(&self, body: &super::types::UploadJson,",
    ]);
    // A type used by two groups compiles with either; one used by none is opt-in.
    assert_has(&types_text(&g), &[r#"#[cfg(any(feature = "chat", feature = "fine-tuning"))] /// An object with 1 property, all optional. ///
        /// Used by [`Client::chat`](crate::runtime::Client::chat) (request body and response) and [`Client::upload`](crate::runtime::Client::upload) (response).
        #[derive(Debug, Clone, Default)] #[non_exhaustive] pub struct Message"#]);
    assert_has(&types_text(&g), &[r#"#[cfg(feature = "unreferenced")] /// An object with 1 property, all optional. /// /// Used by no operation. #[derive(Debug, Clone, Default)] #[non_exhaustive] pub struct Orphan"#]);
    // Every item of a type (its impls too) carries the cfg.
    assert_has(&types_text(&g), &[r#"#[cfg(any(feature = "chat", feature = "fine-tuning"))] #[allow(deprecated)] impl ::serde::Serialize for Message"#]);
    assert_has(&types_text(&g), &[r#"#[cfg(any(feature = "chat", feature = "fine-tuning"))] #[allow(deprecated)] impl<'de> ::serde::Deserialize<'de> for Message"#]);
    // The JSON body offered beside the multipart one is a request type too:
    // it has a builder and is written by `Encode`.
    assert_has(&types_text(&g), &["impl UploadJson { /// Creates a value from its required fields; optional fields start unset.", "impl crate::runtime::ser::Encode for UploadJson {"]);
}

#[test]
fn listings_get_auto_paging_methods_by_their_cursor_shape() {
    use codegen::ir::PaginationKind;
    let g = check_snapshot("pagination");
    let rule = |id: &str| g.model.operations.iter().find(|o| o.operation_id == id).unwrap().pagination.clone();
    let shape = |id: &str| rule(id).map(|p| (p.kind, p.cursor_field, p.query_param, p.has_more_field, p.method));
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(shape("listItems"), Some((PaginationKind::LastItem, some("id"), some("after"), some("has_more"), "list_items_auto_paging".to_owned())));
    assert_eq!(shape("listEntries"), Some((PaginationKind::Field, some("last_id"), some("after"), some("has_more"), "list_entries_auto_paging".to_owned())));
    assert_eq!(shape("getUsage"), Some((PaginationKind::Field, some("next_page"), some("page"), some("has_more"), "get_usage_auto_paging".to_owned())));
    assert_eq!(shape("listGroups"), Some((PaginationKind::Field, some("next"), some("after"), some("has_more"), "list_groups_auto_paging".to_owned())));
    assert_eq!(shape("listModels"), Some((PaginationKind::Single, None, None, None, "list_models_auto_paging".to_owned())));
    // The config's rule for a shape detection does not know.
    assert_eq!(shape("listEvents"), Some((PaginationKind::Field, some("next_cursor"), some("cursor"), some("has_more"), "list_events_auto_paging".to_owned())));
    assert_eq!(rule("listLogs"), None, "turned off in the config");
    assert_eq!(rule("search"), None, "a POST is not a listing");
    assert_eq!(rule("listNotes"), None, "the config's rule does not fit");
    // Every `data` array is decoded as a large body arrives, paged or not.
    let items = |id: &str| g.model.operations.iter().find(|o| o.operation_id == id).unwrap().items.clone().map(|a| a.field);
    for id in ["listItems", "listEntries", "getUsage", "listGroups", "listModels", "listEvents", "listLogs", "search", "listNotes", "searchItems"] {
        assert_eq!(items(id).as_deref(), Some("data"), "{id}");
    }
    // The config names the list `results`: that name is the array decoded as it arrives.
    assert_eq!(shape("listReports"), Some((PaginationKind::Single, None, None, None, "list_reports_auto_paging".to_owned())));
    assert_eq!(items("listReports").as_deref(), Some("results"));
    let left: Vec<(&str, &str)> = g.model.unpaginated.iter().map(|u| (u.operation_id.as_str(), u.reason.as_str())).collect();
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(left[0].0 == "listLogs" && left[0].1.contains("turned off"), "{left:?}");
    assert!(left[1].0 == "search" && left[1].1.contains("only GET listings"), "{left:?}");
    assert!(left[2].0 == "listNotes" && left[2].1.contains("no string field `last_id`"), "{left:?}");
    assert!(g.model.warnings.iter().any(|w| w.message.contains("no auto-paging method") && w.message.contains("last_id")), "a config rule that does not fit is a warning");
    let counts: Vec<(&str, usize)> = g.summary.paginated.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(counts, [("after = last item's id", 1), ("after = last_id", 1), ("after = next", 1), ("cursor = next_cursor", 1), ("page = next_page", 1), ("single page", 2)]);

    let ops = squash(&g.files["operations.rs"]);
    assert_has(&ops, &[
        // An optional array is put back as `Some`.
        "|page: &mut super::types::SearchItemsResponse, items: ::std::vec::Vec<super::types::Item>| page.data = ::std::option::Option::Some(items),",
        "|page: &mut super::types::ListItemsResponse, items: ::std::vec::Vec<super::types::Item>| page.data = items,",
        r#"self.execute_listing(request, "results", |page: &mut super::types::ListReportsResponse, items: ::std::vec::Vec<super::types::Item>| page.results = items,)"#,
    ]);
    assert_has(&ops, &[
        "pub fn list_items_auto_paging(&self, params: &super::params::ListItemsParams,) -> crate::runtime::Items<super::types::ListItemsResponse, super::types::Item>",
        "page.data.last().map(|item| ::std::clone::Clone::clone(&item.id))",
        "params.after = cursor;",
        // A path argument is owned by the stream and lent to each page request.
        "let thread_id: ::std::string::String = ::std::borrow::ToOwned::to_owned(thread_id,);",
        "client.list_entries(&thread_id, &params).await",
        "::std::clone::Clone::clone(&page.last_id)",
        "params.page = cursor;",
        "|_page: &super::types::ListModelsResponse| crate::runtime::NextPage::new(::std::option::Option::None, ::std::option::Option::None,)",
        "params.cursor = cursor;",
        // Brackets for lists; the spec's own `include[]` is not doubled.
        r#"request.query_as("include[]", &params.include, crate::runtime::ArrayFormat::Brackets,)"#,
        r#"request.query_as("group_by", &params.group_by, crate::runtime::ArrayFormat::Brackets,)"#,
        r#"request.query("after", &params.after)"#,
    ]);
    assert!(!ops.contains("list_logs_auto_paging") && !ops.contains("search_auto_paging") && !ops.contains("list_notes_auto_paging"));
    // The plain method points at its auto-paging twin.
    assert_has(&ops, &["/// - Every item, page by page: [`list_items_auto_paging`](Self::list_items_auto_paging)"]);
    // The API surface (CHANGELOG, spec diff) knows the method.
    let surface = codegen::api::surface(&g.model);
    assert_eq!(surface["method Client::list_items_auto_paging"].signature, "fn list_items_auto_paging(params: &ListItemsParams) -> Items<ListItemsResponse, Item>");
}

#[test]
fn output_is_deterministic() {
    let a = generate("tagged_union");
    let b = generate("tagged_union");
    assert_eq!(a.files, b.files);
}

#[test]
fn hostile_names_and_shapes_still_compile() {
    let g = check_snapshot("hostile");
    let ops = squash(&g.files["operations.rs"]);
    // The runtime's own `Client` methods are never taken by an operation.
    for renamed in ["pub async fn send2(", "pub async fn timeout2(", "pub async fn from_config2("] {
        assert_has(&ops, &[renamed]);
    }
    let warnings: Vec<String> = g.model.warnings.iter().map(|w| w.to_string()).collect();
    for w in ["operationId `send` is a method of the runtime's `Client`; the method is named `send2`", "an array of itself", "a map of itself", "only a reference to itself", "referring to the schema itself dropped", "holds the union itself by value"] {
        assert!(warnings.iter().any(|x| x.contains(w)), "no warning `{w}` in {warnings:#?}");
    }
    let names: Vec<&str> = g.model.types.values().map(|t| t.rust_name.as_str()).collect();
    assert!(names.contains(&"Self_") && names.contains(&"Self2"), "{names:?}");
    let features: Vec<String> = g.model.operations.iter().map(|o| o.feature.clone()).collect();
    assert_eq!(features, ["http2-api", "日本", "config", "attempt"]);
}

#[test]
fn unions_convert_from_what_one_branch_leads_to() {
    let g = check_snapshot("conversions");
    let all = types_text(&g);
    let impl_for = |_group: &str, source: &str, union: &str| all.contains(&squash(&format!("impl ::std::convert::From<{source}> for {union} {{")));
    // Text goes to the open branch, through the inner union, as decoding does.
    assert_has(&types_text(&g), &["impl ::std::convert::From<&str> for ResponsesModel { #[inline] fn from(value: &str) -> Self { Self::SharedModel(::std::convert::From::from(value)) } }"]);
    assert_has(&types_text(&g), &["impl ::std::convert::From<::std::string::String> for CompactionModel { #[inline] fn from(value: ::std::string::String) -> Self { Self::ResponsesModel(super::ResponsesModel::SharedModel(::std::convert::From::from(value))"]);
    // Only a closed enum takes text: a `String` lends it a `&str`.
    assert_has(&types_text(&g), &["impl ::std::convert::From<::std::string::String> for ToolChoice { #[inline] fn from(value: ::std::string::String) -> Self { Self::", "(::std::convert::From::from(value.as_str()))"]);
    // A leaf one level down converts straight into the outer union.
    assert_has(&types_text(&g), &["impl ::std::convert::From<super::FunctionCallOutput> for InputItem { #[inline] fn from(value: super::FunctionCallOutput) -> Self { Self::Item(super::Item::FunctionCallOutput(value)) } }"]);
    assert!(impl_for("i", "::std::vec::Vec<super::InputItem>", "Input"), "an array branch converts from the array");
    assert!(impl_for("l", "i64", "Limit"));
    // Ambiguous: reached through two branches, or two branches of one Rust type.
    assert!(!impl_for("m", "super::FunctionCall", "Mixed") && impl_for("m", "super::Note", "Mixed") && impl_for("m", "super::FunctionCallOutput", "Mixed"));
    assert!(!impl_for("a", "super::Note", "AliasUnion"));
    let warnings: Vec<String> = g.model.warnings.iter().map(|w| w.to_string()).collect();
    let ambiguous: Vec<&String> = warnings.iter().filter(|w| w.contains("not generated for")).collect();
    assert_eq!(ambiguous.len(), 2, "{warnings:#?}");
    assert!(ambiguous[0].starts_with("#/components/schemas/AliasUnion: `From<Note>` not generated for `AliasUnion`"), "{ambiguous:?}");
    assert!(ambiguous[1].starts_with("#/components/schemas/Mixed: `From<FunctionCall>` not generated for `Mixed`: the branches `Item`, `Notes`"), "{ambiguous:?}");
}

#[test]
fn constructors_take_values_and_state_the_rules() {
    let g = check_snapshot("constructors");
    let f = types_text(&g);
    // Required nullable: a plain argument, and a method that sends `null`.
    assert_has(&f, &["pub fn new( name: impl ::std::convert::Into<::std::string::String>, parameters: impl ::serde::Serialize, strict: impl ::std::convert::Into<bool>, metadata: impl ::std::convert::Into<super::Metadata>, ) -> Self"]);
    // Free-form JSON takes any `Serialize` value, held as the runtime's `Json`.
    assert_has(&f, &["parameters: ::std::option::Option::Some( crate::runtime::Json::new(parameters),"]);
    assert_has(&f, &["strict: ::std::option::Option::Some(strict.into()),", "pub fn metadata_null(mut self) -> Self { self.metadata = ::std::option::Option::None; self }"]);
    // The setter of the optional field `strict_null` keeps its name; the null method of `strict` takes the next one.
    assert_has(&f, &["pub fn strict_null2(mut self) -> Self { self.strict = ::std::option::Option::None; self }", "pub fn strict_null( mut self, value: impl ::std::convert::Into<::std::string::String>, ) -> Self"]);
    assert_has(&f, &["/// `parameters`, `strict` and `metadata` are required but may be `null`: pass values here; `parameters_null()`, `strict_null2()` and `metadata_null()` send `null` instead."]);
    // A required nullable field is sent even when null: no `skip_serializing_if` on it.
    assert_has(&f, &["pub parameters: ::std::option::Option<crate::runtime::Json>,"]);
    // The free-form object of a response-only type stays a map.
    assert_has(&types_text(&g), &["pub schema: ::serde_json::Map<::std::string::String, ::serde_json::Value>,"]);
    // Constraint-only branches: no type, no argument, a sentence on `new`.
    assert!(!g.model.types.values().any(|t| t.rust_name.starts_with("CreateBatchVariant") || t.rust_name.starts_with("CreateStoreVariant")));
    let c = types_text(&g);
    assert_has(&c, &["/// At least one of `file_ids`, `files` must be set. #[allow(clippy::too_many_arguments, clippy::new_without_default)] #[inline] pub fn new() -> Self"]);
    assert_has(&c, &["/// Exactly one of these must be set: `store_ids`; or `stores` and `name`. The spec's schema adds conditions beyond these."]);
    let surface = codegen::api::surface(&g.model);
    assert_eq!(surface["constructor FunctionTool::new"].signature, "fn new(name: impl Into<String>, parameters: impl Serialize, strict: impl Into<bool>, metadata: impl Into<Metadata>)");
    assert_eq!(surface["setter FunctionTool::strict_null2"].signature, "fn strict_null2()");
    assert_eq!(surface["setter FunctionTool::strict_null"].signature, "fn strict_null(impl Into<String>)");
}

#[test]
fn webhooks_become_one_event_enum_and_a_client_method() {
    let g = check_snapshot("webhooks");
    let hooks = g.model.webhooks.as_ref().expect("the spec has webhooks");
    let events: Vec<(&str, &str, Vec<&str>)> = hooks.events.iter().map(|e| (e.name.as_str(), e.variant.as_str(), e.event_types.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        events,
        [("job_done", "JobDone", vec!["job.done", "job.finished"]), ("job_done_again", "JobDone", vec!["job.done", "job.finished"]), ("call_ringing", "CallRinging", vec!["call.ringing"])],
        "the same event under a second name is the same variant"
    );
    let event = &g.model.types[&hooks.event];
    assert_eq!(event.rust_name, "WebhookEvent");
    let codegen::ir::TypeKind::Tagged(tagged) = &event.kind else { panic!("the event enum is a tagged union") };
    assert_eq!((tagged.tag.as_str(), tagged.fallback.as_str(), tagged.variants.len()), ("type", "Unknown", 2));
    let w = types_text(&g);
    assert_has(&w, &["pub enum WebhookEvent {", "JobDone(super::JobDone),", "CallRinging(super::WebhookCallRinging),", "Unknown(::serde_json::Value),"]);
    assert_has(&w, &[r#"::std::option::Option::Some("job.done") | ::std::option::Option::Some("job.finished") => { node.decode().map(WebhookEvent::JobDone)"#]);
    // The inline 3.1 payload was normalised as any schema is: `[string, "null"]` is an optional string.
    assert_has(&w, &["pub caller: ::std::option::Option<::std::string::String>"]);
    assert_has(&squash(&g.files["webhooks.rs"]), &["impl crate::runtime::Client {", "pub fn webhooks(&self) -> crate::runtime::Webhooks<super::types::WebhookEvent> { self.webhooks_as::<super::types::WebhookEvent>() }"]);
    assert_has(&squash(&g.files["mod.rs"]), &["mod operations; mod webhooks;"]);
    // The operation named like the method yields, with a warning; what cannot be a variant is a warning too.
    assert_eq!(g.model.operations[0].rust_name, "webhooks2");
    let warnings: Vec<String> = g.model.warnings.iter().map(|w| w.to_string()).collect();
    for w in [
        "#/paths/~1webhooks/get: operationId `webhooks` is the generated method that decodes webhook deliveries; the method is named `webhooks2`",
        "#/webhooks/job_clash/post: webhook `job_clash` has `type` `job.done`, which webhook `job_done` has with another payload",
        "#/webhooks/job_clash/post: webhook `job_clash` is not a variant of the webhook event enum: every `type` value of its payload belongs to another webhook",
        "#/webhooks/ping/post: webhook `ping` is not a variant of the webhook event enum: no JSON request body; its deliveries decode as `Unknown`",
        "#/webhooks/untyped/post: webhook `untyped` is not a variant of the webhook event enum: its payload has no `type` property with fixed values",
    ] {
        assert!(warnings.iter().any(|x| x.starts_with(w)), "no warning `{w}` in {warnings:#?}");
    }
    // Documentation names the method that decodes the events.
    let used_by = "/// Used by [`Client::webhooks`](crate::runtime::Client::webhooks) (webhook event).";
    assert!(g.files.iter().any(|(path, text)| path.starts_with("types/") && text.contains(used_by)), "no `{used_by}` in the types");
}

#[test]
fn webhook_events_get_their_own_feature() {
    let dir = fixtures_dir().join("webhooks");
    let spec = codegen::load::load_path(&dir.join("spec.yaml")).unwrap();
    let config = Config { cargo_features: true, ..Config::default() };
    let g = codegen::generate(&spec, &config, "webhooks/spec.yaml").unwrap();
    assert!(g.model.features().contains("webhooks"), "{:?}", g.model.features());
    let job_done = g.model.types.values().find(|t| t.rust_name == "JobDone").unwrap();
    assert_eq!(job_done.features.iter().map(String::as_str).collect::<Vec<_>>(), ["webhooks"]);
    assert_has(&squash(&g.files["webhooks.rs"]), &[r#"#[cfg(feature = "webhooks")] impl crate::runtime::Client"#]);
    // A spec without webhooks has no such file, method or feature.
    let plain = generate("tagged_union");
    assert!(plain.model.webhooks.is_none() && !plain.files.contains_key("webhooks.rs"));
}

/// Every type a request can hold writes itself straight into a buffer (the
/// runtime's `Encode`, how request bodies are sent), in the form its kind
/// calls for; types no request holds have no such impl.
#[test]
fn request_types_encode_straight_to_json() {
    let encode = |name: &str, body: &str| format!("impl crate::runtime::ser::Encode for {name} {{ #[inline] fn write_json(&self, out: &mut ::std::vec::Vec<u8>,) -> ::std::result::Result<(), ::serde_json::Error> {{ {body} }} }}");
    let requests = types_text(&check_snapshot("conversions"));
    // An object: its keys as JSON text (escaped once, by the generator), its
    // members as `&dyn Encode`, the optional ones through `optional_json`.
    assert_has(&requests, &[&encode("FunctionCallOutput", r#"crate::runtime::ser::write_json_object( out, &[ ("\"type\":", ::std::option::Option::Some(&self.r#type)), ("\"call_id\":", crate::runtime::ser::optional_json(&self.call_id)), ("\"output\":", ::std::option::Option::Some(&self.output)), ], ::std::option::Option::Some(&self.extra_fields),)"#)]);
    assert_has(&requests, &[&encode("FunctionCallType", "crate::runtime::ser::write_str(out, self.as_str())"), &encode("SharedModel", "crate::runtime::ser::write_str(out, &self.0)")]);
    // Unions write the variant they hold, a tagged variant carrying its tag.
    assert_has(&requests, &[&encode("Input", "match self { Self::Text(value) => crate::runtime::ser::Encode::write_json(value, out), Self::Items(value) => crate::runtime::ser::Encode::write_json(value, out), }")]);
    assert_has(&requests, &[&encode("Item", "match self { Self::FunctionCall(value) => { crate::runtime::ser::Encode::write_json(value, out) } Self::FunctionCallOutput(value) => { crate::runtime::ser::Encode::write_json(value, out) } Self::Unknown(value) => crate::runtime::ser::Encode::write_json(value, out), }")]);
    // A variant the tag is added to goes through `Serialize`, which adds it.
    let tagged = types_text(&check_snapshot("tagged_union"));
    assert_has(&tagged, &[&encode("Shape", "match self { Self::Circle(_) => crate::runtime::ser::write_with_serde(out, self), Self::Square(_) => crate::runtime::ser::write_with_serde(out, self), Self::Unknown(value) => crate::runtime::ser::Encode::write_json(value, out), }")]);
    // An object that flattens a union in goes through its derived `Serialize`.
    let all_of = types_text(&check_snapshot("all_of"));
    assert_has(&all_of, &[&encode("Tracked", "crate::runtime::ser::write_with_serde(out, self)")]);
    // No request holds these: `Serialize` only.
    for (text, name) in [(&tagged, "Message"), (&all_of, "Document")] {
        assert!(text.contains(&squash(&format!("impl ::serde::Serialize for {name}"))), "{name} is serialisable");
        assert!(!text.contains(&squash(&format!("impl crate::runtime::ser::Encode for {name}"))), "{name} has Encode");
    }
}

/// `Fit` (how well a decoded value matches its JSON) is asked only while an
/// untagged union is decoded: its variants have it, and what their fit asks
/// in turn (a tagged variant's variants, an object's tag-like fields); no
/// other type does.
#[test]
fn only_what_an_untagged_union_asks_has_fit() {
    let requests = types_text(&check_snapshot("conversions"));
    let fit = |name: &str| requests.contains(&squash(&format!("impl crate::runtime::de::Fit for {name} {{")));
    // `InputItem` is untagged over `Message` and the tagged `Item`, whose
    // variants carry a one-value `type`.
    for name in ["Message", "Item", "FunctionCall", "FunctionCallOutput", "FunctionCallType"] {
        assert!(fit(name), "{name} has no Fit");
    }
    // No union holds these, and `MessageRole` is not a tag.
    for name in ["Request", "InputItem", "MessageRole"] {
        assert!(!fit(name), "{name} has Fit");
    }
}
