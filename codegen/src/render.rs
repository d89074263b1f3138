//! Render: token streams → formatted source text with the `@generated` header.

use crate::emit::{emit_file, FilePlan};
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
    let tokens = emit_file(model, plan);
    let file: syn::File = syn::parse2(tokens).map_err(|e| RenderError { file: name.to_owned(), reason: e.to_string() })?;
    let body = prettyplease::unparse(&file);
    Ok(format!("{header}\n{body}"))
}
