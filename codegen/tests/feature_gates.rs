//! Every Cargo feature selection compiles: a type compiled under some features
//! only names types compiled under (at least) the same features. Checked over
//! every type of the shipped specs with the shipped configuration; a type no
//! operation uses and the types it reaches sit behind `unreferenced`, so
//! `--no-default-features --features unreferenced` compiles on its own.

use codegen::config::Config;
use codegen::ir::Model;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn lowered(spec: &str) -> Model {
    let config_path = root().join("specs/codegen.yaml");
    let config = Config::from_yaml("specs/codegen.yaml", &std::fs::read_to_string(config_path).unwrap()).unwrap();
    let path = root().join("specs").join(spec);
    let doc = codegen::load::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
    codegen::lower::lower(&doc, &config).unwrap_or_else(|e| panic!("{e}"))
}

/// The features any one of which compiles the item (`None`: always compiled).
fn gate(model: &Model, features: &BTreeSet<String>) -> Option<BTreeSet<String>> {
    codegen::api::feature_gate(model, features).map(|g| g.into_iter().map(str::to_owned).collect())
}

fn check(spec: &str) {
    let model = lowered(spec);
    assert!(model.cargo_features, "{spec}: the shipped config turns features on");
    let mut broken = Vec::new();
    let mut gated = 0;
    for (id, def) in &model.types {
        let Some(outer) = gate(&model, &def.features) else { continue };
        gated += 1;
        for target in codegen::lower::references(&def.kind, true) {
            let Some(inner_def) = model.types.get(&target) else { continue };
            if let Some(inner) = gate(&model, &inner_def.features) {
                let missing: Vec<_> = outer.difference(&inner).collect();
                if !missing.is_empty() {
                    broken.push(format!("{} ({id}) names {} ({target}), which is not compiled with {missing:?}", def.rust_name, inner_def.rust_name));
                }
            }
        }
    }
    assert!(gated > 0, "{spec}: no type is behind a feature, so nothing was checked");
    assert!(broken.is_empty(), "{spec}: {} types name types of a narrower feature set, e.g.:\n{}", broken.len(), broken.iter().take(10).cloned().collect::<Vec<_>>().join("\n"));
}

#[test]
fn newest_spec_types_only_name_types_compiled_with_them() {
    check("openai-2.3.0.json");
}

#[test]
fn seed_spec_types_only_name_types_compiled_with_them() {
    check("openai-2.0.0.json");
    check("openai-1.2.0.yaml");
}

#[test]
fn unreferenced_types_and_what_they_reach_sit_behind_unreferenced() {
    let model = lowered("openai-2.3.0.json");
    let unreferenced: Vec<_> = model.types.values().filter(|t| t.used_by.is_empty() && t.features.iter().all(|f| f == "unreferenced")).collect();
    assert!(!unreferenced.is_empty(), "the newest spec has types no operation uses");
    assert!(model.features().contains("unreferenced"));
    assert!(model.types.values().all(|t| !t.features.is_empty()), "every type has a feature (an API group, webhooks or unreferenced)");
}
