//! The generated operations are inherent methods of the runtime's `Client`, in
//! the same crate, so an operation named like any `fn` of an `impl Client`
//! block would not compile. The list the generator avoids
//! (`codegen::lower::RESERVED_METHODS`) is checked here against the runtime's
//! source and the hand-written files beside it, so it cannot drift when the
//! runtime gains a method.

use std::path::Path;

#[test]
fn every_method_of_the_runtime_client_is_reserved() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated-client/src/runtime");
    // The hand-written glue beside the runtime (`src/realtime.rs`, ...) adds `Client` methods too.
    let glue = dir.parent().unwrap().to_path_buf();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap().chain(std::fs::read_dir(&glue).unwrap()) {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let file: syn::File = syn::parse_str(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for item in file.items {
            let syn::Item::Impl(imp) = item else { continue };
            let syn::Type::Path(ty) = &*imp.self_ty else { continue };
            if imp.trait_.is_some() || ty.path.segments.last().is_none_or(|s| s.ident != "Client") {
                continue;
            }
            for member in imp.items {
                if let syn::ImplItem::Fn(f) = member {
                    found.push((f.sig.ident.to_string(), path.file_name().unwrap().to_string_lossy().into_owned()));
                }
            }
        }
    }
    assert!(found.iter().any(|(name, _)| name == "execute_json"), "the runtime's Client was not found in {}", dir.display());
    let missing: Vec<String> = found.iter().filter(|(name, _)| !codegen::lower::RESERVED_METHODS.contains(&name.as_str())).map(|(name, file)| format!("{name} ({file})")).collect();
    assert!(missing.is_empty(), "add these runtime `Client` methods to codegen::lower::RESERVED_METHODS: {missing:?}");
}
