//! `cargo xtask diff --used-by PATH`: the identifiers a body of Rust code
//! names, for keeping only the findings on items it uses.
//!
//! Every `.rs` file under PATH (a crate, a folder or one file; `target/` and
//! hidden folders skipped) is read with `syn`'s tokenizer, and every identifier
//! is collected, inside macro calls too (`println!("{}", reply.content)` names
//! `content`); comments and string literals are not code and name nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use syn::parse::{ParseStream, Parser};

/// Most files read: a crate is far smaller, a wrong PATH (`/`) stops here.
const MAX_FILES: usize = 20_000;

/// The `.rs` files under `path` (or `path` itself), sorted.
fn rust_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(format!("--used-by {}: no such file or folder", path.display()));
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let p = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?.path();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if p.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    stack.push(p);
                }
            } else if name.ends_with(".rs") {
                out.push(p);
                if out.len() > MAX_FILES {
                    return Err(format!("--used-by {}: more than {MAX_FILES} Rust files; give the crate's folder", path.display()));
                }
            }
        }
    }
    if out.is_empty() {
        return Err(format!("--used-by {}: no .rs file there", path.display()));
    }
    out.sort();
    Ok(out)
}

/// Every identifier of one file's tokens (`r#type` as `type`).
fn identifiers_of(file: &Path, text: &str, out: &mut BTreeSet<String>) -> Result<(), String> {
    let walk = |input: ParseStream| {
        input.step(|cursor| {
            // Depth-first over the token trees, with an explicit stack of group contents.
            let mut stack = vec![*cursor];
            while let Some(mut c) = stack.pop() {
                loop {
                    if let Some((ident, next)) = c.ident() {
                        let text = ident.to_string();
                        out.insert(text.trim_start_matches("r#").to_owned());
                        c = next;
                    } else if let Some((inside, _, _, next)) = c.any_group() {
                        stack.push(inside);
                        c = next;
                    } else if let Some((_, next)) = c.token_tree() {
                        c = next;
                    } else {
                        break;
                    }
                }
            }
            let mut end = *cursor;
            while let Some((_, next)) = end.token_tree() {
                end = next;
            }
            Ok(((), end))
        })
    };
    walk.parse_str(text).map_err(|e| format!("--used-by: {} is not Rust source: {e}", file.display()))
}

/// The identifiers of all Rust code under `path`.
pub fn identifiers(path: &Path) -> Result<BTreeSet<String>, String> {
    let mut out = BTreeSet::new();
    for file in rust_files(path)? {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        identifiers_of(&file, &text, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_identifiers_in_code_and_macros_but_not_in_comments_or_strings() {
        let mut out = BTreeSet::new();
        let code = "// OldName in a comment\nuse openai_client::{Client, UserMessage};\nfn main() {\n    let m = UserMessage::new(\"Hello\".to_owned());\n    println!(\"{} NotThis\", reply.choices[0].message.content);\n    let r#type = 1;\n}\n";
        identifiers_of(Path::new("x.rs"), code, &mut out).expect("tokenizes");
        for name in ["Client", "UserMessage", "new", "reply", "choices", "message", "content", "type", "println"] {
            assert!(out.contains(name), "{name} missing from {out:?}");
        }
        assert!(!out.contains("OldName") && !out.contains("NotThis"), "{out:?}");
        assert!(identifiers_of(Path::new("bad.rs"), "fn main() { (", &mut out).is_err());
        assert!(identifiers(Path::new("/no/such/folder")).is_err());
    }
}
