//! `cargo xtask codegen [--check]`: regenerates `generated-client/src/generated/`
//! from `specs/openai-2.0.0.json` and `specs/codegen.yaml`, touching nothing
//! outside that folder. With `--check` it writes nothing and fails when the
//! checked-in code differs from what the generator produces now.

use crate::workspace_root;
use codegen::config::Config;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The spec the checked-in client is generated from, relative to the workspace.
pub const SPEC: &str = "specs/openai-2.0.0.json";
/// Generator configuration, relative to the workspace.
pub const CONFIG: &str = "specs/codegen.yaml";
/// Output folder, relative to the workspace.
pub const OUTPUT: &str = "generated-client/src/generated";
/// Manifest of the generated crate, which must declare the API-group features.
pub const MANIFEST: &str = "generated-client/Cargo.toml";

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut check = false;
    for a in args {
        match a.as_str() {
            "--check" => check = true,
            other => return Err(format!("unknown argument `{other}`; usage: cargo xtask codegen [--check]")),
        }
    }
    let report = regenerate(check)?;
    // A closed pipe (`| head`) is not an error of the command.
    let _ = writeln!(std::io::stdout(), "{report}");
    Ok(ExitCode::SUCCESS)
}

/// Loads the generator configuration.
pub fn load_config(root: &Path) -> Result<Config, String> {
    let path = root.join(CONFIG);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Config::from_yaml(CONFIG, &text).map_err(|e| e.to_string())
}

/// Generates the client and writes it (or, with `check`, verifies it). Returns a report.
pub fn regenerate(check: bool) -> Result<String, String> {
    let root = workspace_root();
    let start = Instant::now();
    let spec_path = root.join(SPEC);
    let bytes = std::fs::read(&spec_path).map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let spec = codegen::load::load_bytes(SPEC, &bytes).map_err(|e| e.to_string())?;
    let load = start.elapsed();
    let config = load_config(&root)?;
    let generated = codegen::generate(&spec, &config, SPEC).map_err(|e| e.to_string())?;
    let changed = ensure_files(&root.join(OUTPUT), &generated.files, check)?;
    if config.cargo_features {
        let manifest = std::fs::read_to_string(root.join(MANIFEST)).map_err(|e| format!("cannot read {MANIFEST}: {e}"))?;
        check_features(&manifest, &generated.model.features())?;
    }
    let s = &generated.summary;
    let mut report = format!(
        "{SPEC}: {} schemas -> {} types; {}/{} operations ({} streaming, {} multipart); {} warnings; load {:.1?}, lower {:.1?}, emit+render {:.1?}",
        s.schemas_in,
        s.types_out,
        s.operations_out,
        s.operations_in,
        s.streaming,
        s.multipart,
        s.warnings,
        load,
        s.timings.lower,
        s.timings.emit + s.timings.render
    );
    for w in &generated.model.warnings {
        report.push_str(&format!("\n  warning: {w}"));
    }
    if changed.is_empty() {
        report.push_str(&format!("\n{OUTPUT} is up to date"));
    } else if !check {
        report.push_str(&format!("\nupdated {} file(s) in {OUTPUT}: {}", changed.len(), changed.join(", ")));
    }
    Ok(report)
}

/// Makes `dir` hold exactly `files` (relative paths). In check mode nothing is
/// written and any difference is an error that names the command to run.
/// Returns the paths that changed.
pub fn ensure_files(dir: &Path, files: &BTreeMap<String, String>, check: bool) -> Result<Vec<String>, String> {
    let mut changed = Vec::new();
    for (rel, contents) in files {
        let path = safe_join(dir, rel)?;
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(contents.as_str()) {
            continue;
        }
        changed.push(rel.clone());
        if !check {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            std::fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    // Files the generator no longer produces are stale too.
    for existing in list_files(dir)? {
        let rel = existing.strip_prefix(dir).expect("listed under dir").to_string_lossy().replace('\\', "/");
        if !files.contains_key(&rel) {
            changed.push(format!("{rel} (stale)"));
            if !check {
                std::fs::remove_file(&existing).map_err(|e| format!("cannot remove {}: {e}", existing.display()))?;
            }
        }
    }
    if check && !changed.is_empty() {
        return Err(format!(
            "the generated client is stale ({} file(s) differ: {}); run `cargo xtask codegen` and commit the result",
            changed.len(),
            changed.join(", ")
        ));
    }
    Ok(changed)
}

/// The generated code gates API groups behind features the crate's manifest
/// must declare (the generator never writes outside its folder, so a mismatch
/// is reported with the lines to change).
pub fn check_features(manifest: &str, wanted: &std::collections::BTreeSet<String>) -> Result<(), String> {
    let section = manifest.split("[features]").nth(1).map(|s| s.split("\n[").next().unwrap_or(s)).unwrap_or("");
    let declared: std::collections::BTreeSet<String> = section.lines().filter_map(|l| l.split_once('=')).map(|(k, _)| k.trim().to_owned()).filter(|k| !k.starts_with('#')).collect();
    let full_line = section.lines().find(|l| l.trim_start().starts_with("full")).unwrap_or("");
    let in_full: std::collections::BTreeSet<String> = full_line.split('"').skip(1).step_by(2).map(str::to_owned).collect();
    let missing: Vec<&String> = wanted.iter().filter(|f| !declared.contains(*f)).collect();
    if missing.is_empty() && &in_full == wanted {
        return Ok(());
    }
    let list: Vec<String> = wanted.iter().map(|f| format!("\"{f}\"")).collect();
    Err(format!(
        "{MANIFEST} does not declare the API-group features the generated code uses; in [features] set\n  full = [{}]\nand declare each one as `name = []` (missing: {})",
        list.join(", "),
        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    ))
}

/// Joins a generator-produced relative path, refusing anything that could leave `dir`.
fn safe_join(dir: &Path, rel: &str) -> Result<PathBuf, String> {
    let rel_path = Path::new(rel);
    if rel.is_empty() || !rel_path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!("refusing to write `{rel}`: generated paths must stay inside {}", dir.display()));
    }
    Ok(dir.join(rel_path))
}

fn list_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot list {}: {e}", d.display())),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {}: {e}", d.display()))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same check as `cargo xtask codegen --check`.
    #[test]
    fn generated_client_is_fresh() {
        if let Err(message) = regenerate(true) {
            panic!("{message}");
        }
    }

    #[test]
    fn feature_list_must_match_the_generated_code() {
        let wanted: std::collections::BTreeSet<String> = ["chat".to_owned(), "files".to_owned()].into();
        let good = "[features]\ndefault = [\"full\"]\nfull = [\"chat\", \"files\"]\nchat = []\nfiles = []\n\n[dev-dependencies]\n";
        assert!(check_features(good, &wanted).is_ok());
        let missing = "[features]\nfull = [\"chat\"]\nchat = []\n";
        let err = check_features(missing, &wanted).unwrap_err();
        assert!(err.contains("missing: files") && err.contains(r#"full = ["chat", "files"]"#), "{err}");
    }

    #[test]
    fn refuses_paths_outside_the_output_folder() {
        let dir = Path::new("/tmp/out");
        assert!(safe_join(dir, "../escape.rs").is_err());
        assert!(safe_join(dir, "/etc/passwd").is_err());
        assert!(safe_join(dir, "types/a.rs").is_ok());
    }

    #[test]
    fn check_mode_reports_stale_and_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("xtask-ensure-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut files = BTreeMap::new();
        files.insert("a.rs".to_owned(), "fn a() {}\n".to_owned());
        let err = ensure_files(&dir, &files, true).unwrap_err();
        assert!(err.contains("cargo xtask codegen"), "{err}");
        assert!(!dir.join("a.rs").exists());
        assert_eq!(ensure_files(&dir, &files, false).unwrap(), vec!["a.rs".to_owned()]);
        assert!(ensure_files(&dir, &files, true).unwrap().is_empty());
        std::fs::write(dir.join("old.rs"), "").unwrap();
        assert!(ensure_files(&dir, &files, true).unwrap_err().contains("old.rs (stale)"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
