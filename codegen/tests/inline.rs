//! Every non-generic function the generator writes is `#[inline]`, so the
//! client crate compiles only the functions a program calls (see
//! `emit::inline`). A forgotten mark would go unnoticed otherwise: the code
//! compiles and behaves the same, only the crate's build gets slower.

use codegen::config::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use syn::visit::Visit;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generate(path: &Path) -> codegen::Generated {
    let config_path = root().join("specs/codegen.yaml");
    let config = Config::from_yaml("specs/codegen.yaml", &std::fs::read_to_string(config_path).unwrap()).unwrap();
    let name = path.display().to_string();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
    let spec = codegen::load::load_bytes(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
    codegen::generate(&spec, &config, &name).unwrap_or_else(|e| panic!("{e}"))
}

/// Whether a function is compiled where it is used anyway: it has type
/// parameters, or takes an `impl Trait` argument.
fn is_generic(sig: &syn::Signature) -> bool {
    sig.generics.type_params().next().is_some()
        || sig.inputs.iter().any(|input| matches!(input, syn::FnArg::Typed(t) if matches!(*t.ty, syn::Type::ImplTrait(_))))
}

fn is_inline(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("inline"))
}

#[derive(Default)]
struct Walk {
    file: String,
    unmarked: Vec<String>,
    marked: usize,
}

impl Walk {
    fn check(&mut self, attrs: &[syn::Attribute], sig: &syn::Signature) {
        if is_generic(sig) {
            return;
        }
        if is_inline(attrs) {
            self.marked += 1;
        } else {
            self.unmarked.push(format!("{}: fn {}", self.file, sig.ident));
        }
    }
}

impl<'ast> Visit<'ast> for Walk {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.check(&f.attrs, &f.sig);
        syn::visit::visit_item_fn(self, f);
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.check(&f.attrs, &f.sig);
        syn::visit::visit_impl_item_fn(self, f);
    }
}

fn walk(files: &BTreeMap<String, String>) -> Walk {
    let mut walk = Walk::default();
    for (name, text) in files {
        walk.file = name.clone();
        let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        walk.visit_file(&file);
    }
    walk
}

fn assert_all_inline(label: &str, g: &codegen::Generated) {
    let walk = walk(&g.files);
    assert!(walk.unmarked.is_empty(), "{label}: {} non-generic functions without #[inline]; the first 20:\n{}", walk.unmarked.len(), walk.unmarked.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
    println!("{label}: {} functions marked", walk.marked);
    // Operations, enums, unions and objects each contribute marked functions.
    assert!(walk.marked > g.summary.operations_out, "{label}: only {} marked", walk.marked);
}

#[test]
fn the_walk_finds_an_unmarked_function_and_skips_generic_ones() {
    let text = "impl S { #[inline] fn a(&self) {} fn b(&self) {} fn c<T>(&self, t: T) {} fn d(&self, v: impl Into<u8>) {} }\nimpl D for S { fn fmt(&self) { #[inline] fn read() {} fn inner() {} } }\n";
    let walk = walk(&BTreeMap::from([("x.rs".to_owned(), text.to_owned())]));
    assert_eq!(walk.unmarked, ["x.rs: fn b", "x.rs: fn fmt", "x.rs: fn inner"]);
    assert_eq!(walk.marked, 2);
}

#[test]
fn every_non_generic_function_of_the_seed_clients_is_inline() {
    for spec in ["specs/openai-1.2.0.yaml", "specs/openai-2.0.0.json"] {
        assert_all_inline(spec, &generate(&root().join(spec)));
    }
}

#[test]
fn every_non_generic_function_of_the_newest_client_is_inline() {
    let path = root().join("../shared/specs/openai/openapi-latest.json");
    assert!(path.is_file(), "{} is missing: this test needs the newest official OpenAI spec there", path.display());
    assert_all_inline("latest", &generate(&path));
}
