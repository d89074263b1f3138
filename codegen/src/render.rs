//! Render: token streams → formatted source text with the `@generated` header.

use crate::emit::{pieces, FilePlan, Piece};
use crate::ir::Model;
use std::collections::BTreeMap;

/// A file the emitter produced that is not valid Rust: a generator bug, reported
/// with the file and the parser's message rather than a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// Output file, relative to the output folder.
    pub file: String,
    /// What the parser said.
    pub reason: String,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "generated file {} is not valid Rust: {}", self.file, self.reason)
    }
}

impl std::error::Error for RenderError {}

/// Emits and formats every planned file with `prettyplease` and puts `header`
/// on top. Files are processed on all cores; the result is the same whatever
/// the thread count.
pub fn render(model: &Model, files: Vec<FilePlan>, header: &str) -> Result<BTreeMap<String, String>, RenderError> {
    let jobs: Vec<(String, FilePlan)> = files.into_iter().map(|f| (f.path(), f)).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Vec<(usize, Result<String, RenderError>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((name, plan)) = jobs.get(i) else { break };
                        out.push((i, format_file(name, model, plan, header)));
                    }
                    out
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("formatting threads do not panic")).collect()
    });
    let mut ordered: Vec<(usize, Result<String, RenderError>)> = results.into_iter().flatten().collect();
    ordered.sort_by_key(|(i, _)| *i);
    let mut out = BTreeMap::new();
    for (i, text) in ordered {
        out.insert(jobs[i].0.clone(), text?);
    }
    Ok(out)
}

fn format_file(name: &str, model: &Model, plan: &FilePlan, header: &str) -> Result<String, RenderError> {
    let unparse = |tokens: proc_macro2::TokenStream| -> Result<String, RenderError> {
        let file: syn::File = syn::parse2(tokens).map_err(|e| RenderError { file: name.to_owned(), reason: e.to_string() })?;
        Ok(prettyplease::unparse(&file))
    };
    // Pieces are formatted one at a time (see `Piece`); the printer ends every
    // item with a line break and puts nothing between items, so the pieces'
    // texts joined are the text of the whole file formatted at once.
    let mut out = format!("{header}\n");
    let mut open: Option<(proc_macro2::TokenStream, bool)> = None;
    for piece in pieces(model, plan) {
        match piece {
            Piece::Items(tokens) => out.push_str(&unparse(tokens)?),
            Piece::Impl(ty) => open = Some((ty, false)),
            Piece::Member(member) => {
                let (ty, started) = open.as_mut().expect("members follow Impl");
                // One member inside its block: keep the block's first line once, drop its last.
                let text = unparse(quote::quote!(impl #ty { #member }))?;
                let body = text.strip_suffix("}\n").unwrap_or(&text);
                let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
                if !*started {
                    out.push_str(first);
                    out.push('\n');
                    *started = true;
                }
                out.push_str(rest);
            }
            Piece::End => {
                let (ty, started) = open.take().expect("End follows Impl");
                if started {
                    out.push_str("}\n");
                } else {
                    out.push_str(&unparse(quote::quote!(impl #ty {}))?);
                }
            }
        }
    }
    Ok(out)
}

/// Joins the output files into one source file holding `pub mod generated { … }`,
/// with every `mod x;` replaced by its file's items, so a build script can
/// `include!` a client generated into `OUT_DIR` (which `#[path]` cannot name).
pub fn single_file(files: &BTreeMap<String, String>) -> Result<String, RenderError> {
    let items = inline_module(files, "", "mod.rs")?;
    let root: syn::File = syn::parse_str(&files["mod.rs"]).map_err(|e| RenderError { file: "mod.rs".to_owned(), reason: e.to_string() })?;
    let attrs: Vec<syn::Attribute> = root.attrs.into_iter().map(outer).collect();
    let module = syn::ItemMod {
        attrs,
        vis: syn::parse_quote!(pub),
        unsafety: None,
        mod_token: Default::default(),
        ident: syn::parse_quote!(generated),
        content: Some((Default::default(), items)),
        semi: None,
    };
    let file: syn::File = syn::parse_quote!(#module);
    Ok(prettyplease::unparse(&file))
}

fn outer(mut attr: syn::Attribute) -> syn::Attribute {
    attr.style = syn::AttrStyle::Outer;
    attr
}

fn inline_module(files: &BTreeMap<String, String>, dir: &str, name: &str) -> Result<Vec<syn::Item>, RenderError> {
    let path = format!("{dir}{name}");
    let text = files.get(&path).ok_or_else(|| RenderError { file: path.clone(), reason: "declared module has no file".to_owned() })?;
    let file: syn::File = syn::parse_str(text).map_err(|e| RenderError { file: path.clone(), reason: e.to_string() })?;
    let mut items = Vec::with_capacity(file.items.len());
    for item in file.items {
        match item {
            syn::Item::Mod(mut m) if m.content.is_none() => {
                let child = m.ident.to_string();
                let (child_dir, child_file) = if files.contains_key(&format!("{dir}{child}/mod.rs")) { (format!("{dir}{child}/"), "mod.rs".to_owned()) } else { (dir.to_owned(), format!("{child}.rs")) };
                let child_text = &files[&format!("{child_dir}{child_file}")];
                let parsed: syn::File = syn::parse_str(child_text).map_err(|e| RenderError { file: format!("{child_dir}{child_file}"), reason: e.to_string() })?;
                m.attrs.extend(parsed.attrs.into_iter().map(outer));
                m.content = Some((Default::default(), inline_module(files, &child_dir, &child_file)?));
                m.semi = None;
                items.push(syn::Item::Mod(m));
            }
            other => items.push(other),
        }
    }
    Ok(items)
}
