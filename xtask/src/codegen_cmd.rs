//! `cargo xtask codegen [--check] [--spec FILE]`: regenerates
//! `generated-client/src/generated/` from the spec `specs/codegen.yaml` names
//! (or FILE), with `specs/codegen.yaml` and `specs/summaries.yaml`, and writes
//! the API-group features into `generated-client/Cargo.toml`'s marked region.
//! It touches nothing else. With `--check` it writes nothing and fails when
//! the checked-in code or features differ from what the generator makes now.

use crate::features;
use crate::spec_index::write_atomic;
use crate::workspace_root;
use codegen::config::Config;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

pub const USAGE: &str = "usage: cargo xtask codegen [--check] [--spec FILE]

Regenerates generated-client/src/generated from the spec named by `spec:` in
specs/codegen.yaml (or FILE, for this run only), and writes the API-group
features into generated-client/Cargo.toml.

  --check       write nothing; fail when the checked-in client or features are stale
  --spec FILE   generate from FILE instead (YAML or JSON, OpenAPI 3.0 or 3.1)

exit status: 0 = done (or fresh), 1 = stale or failed, 2 = the spec does not load";

/// Generator configuration, relative to the workspace.
pub const CONFIG: &str = "specs/codegen.yaml";
/// Operation summaries in our own words, relative to the workspace.
pub const SUMMARIES: &str = "specs/summaries.yaml";
/// Output folder, relative to the workspace.
pub const OUTPUT: &str = "generated-client/src/generated";
/// Manifest of the generated crate, whose API-group features codegen writes.
pub const MANIFEST: &str = "generated-client/Cargo.toml";

/// Why regeneration stopped.
#[derive(Debug)]
pub enum RegenError {
    /// The spec does not load or cannot be generated: the user's input (exit 2).
    Input(String),
    /// Anything else: stale output in check mode, I/O (exit 1).
    Other(String),
}

impl From<String> for RegenError {
    fn from(message: String) -> Self {
        RegenError::Other(message)
    }
}

impl std::fmt::Display for RegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegenError::Input(m) | RegenError::Other(m) => f.write_str(m),
        }
    }
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut check = false;
    let mut spec = None;
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        match a.as_str() {
            "--check" => check = true,
            "--spec" => spec = Some(PathBuf::from(iter.next().ok_or("--spec needs a file")?)),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let root = workspace_root();
    let config = load_config(&root)?;
    let spec = match spec {
        Some(path) => path,
        None => shipped_spec(&root, &config)?,
    };
    match regenerate(&root, &config, &spec, check) {
        Ok(report) => {
            // A closed pipe (`| head`) is not an error of the command.
            let _ = writeln!(std::io::stdout(), "{report}");
            Ok(ExitCode::SUCCESS)
        }
        Err(RegenError::Input(message)) => Ok(crate::input_error(&message)),
        Err(RegenError::Other(message)) => Err(message),
    }
}

/// Loads the generator configuration and the operation summaries.
pub fn load_config(root: &Path) -> Result<Config, String> {
    let path = root.join(CONFIG);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let config = Config::from_yaml(CONFIG, &text).map_err(|e| e.to_string())?;
    match std::fs::read_to_string(root.join(SUMMARIES)) {
        Ok(text) => config.with_summaries_yaml(SUMMARIES, &text).map_err(|e| e.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(config),
        Err(e) => Err(format!("cannot read {SUMMARIES}: {e}")),
    }
}

/// The spec the shipped client is generated from (`spec:` in `specs/codegen.yaml`).
pub fn shipped_spec(root: &Path, config: &Config) -> Result<PathBuf, String> {
    let name = config.spec.as_deref().ok_or_else(|| format!("{CONFIG} names no `spec:` to generate the client from"))?;
    Ok(root.join("specs").join(name))
}

/// `path` relative to `root` when inside it, else as given: how reports and the
/// `@generated` header name the spec (so output does not depend on where the
/// workspace is checked out) and how the spec index names official files.
pub fn display_path(root: &Path, path: &Path) -> String {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    match canonical(path).strip_prefix(canonical(root)) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => path.display().to_string(),
    }
}

/// Generates the client from `spec_path` and writes it and its features (or,
/// with `check`, verifies them). Returns a report.
pub fn regenerate(root: &Path, config: &Config, spec_path: &Path, check: bool) -> Result<String, RegenError> {
    let start = Instant::now();
    let label = display_path(root, spec_path);
    let bytes = std::fs::read(spec_path).map_err(|e| RegenError::Input(format!("{label}: cannot read file: {e}")))?;
    let spec = codegen::load::load_bytes(&label, &bytes).map_err(|e| RegenError::Input(e.to_string()))?;
    let load = start.elapsed();
    let generated = codegen::generate(&spec, config, &label).map_err(|e| RegenError::Input(e.to_string()))?;
    let mut changed = ensure_files(&root.join(OUTPUT), &generated.files, check)?;
    if config.cargo_features {
        let manifest_path = root.join(MANIFEST);
        let manifest = std::fs::read_to_string(&manifest_path).map_err(|e| format!("cannot read {MANIFEST}: {e}"))?;
        let updated = features::with_features(&manifest, &generated.model.features()).map_err(|e| format!("{MANIFEST}: {e}"))?;
        if updated != manifest {
            if check {
                return Err(RegenError::Other(format!("the API-group features in {MANIFEST} are stale; run `cargo xtask codegen` and commit the result")));
            }
            write_atomic(&manifest_path, updated.as_bytes())?;
            changed.push(format!("features in {MANIFEST}"));
        }
    }
    let s = &generated.summary;
    let mut report = format!(
        "{label}: {} schemas -> {} types; {}/{} operations ({} streaming, {} multipart); {} warnings; {} operations without a summary; load {:.1?}, lower {:.1?}, emit+render {:.1?}",
        s.schemas_in,
        s.types_out,
        s.operations_out,
        s.operations_in,
        s.streaming,
        s.multipart,
        s.warnings,
        s.summaries_missing,
        load,
        s.timings.lower,
        s.timings.emit + s.timings.render
    );
    report.push_str(&pagination_report(&generated));
    for w in &generated.model.warnings {
        report.push_str(&format!("\n  warning: {w}"));
    }
    if !s.method_name_fallbacks.is_empty() {
        report.push_str(&format!("\n{} method name(s) not from the operationId as written:", s.method_name_fallbacks.len()));
        for line in &s.method_name_fallbacks {
            report.push_str(&format!("\n  method name: {line}"));
        }
    }
    if changed.is_empty() {
        report.push_str(&format!("\n{OUTPUT} is up to date"));
    } else if !check {
        report.push_str(&format!("\nupdated {} file(s): {}", changed.len(), changed.join(", ")));
    }
    Ok(report)
}

/// The auto-paging part of the report: paged operations by kind, and the
/// list-like operations left without auto-paging, with the reason.
pub fn pagination_report(generated: &codegen::Generated) -> String {
    let counts = &generated.summary.paginated;
    let total: usize = counts.values().sum();
    let kinds: Vec<String> = counts.iter().map(|(label, n)| format!("{n} {label}")).collect();
    let mut out = format!("\nauto-paging: {total} operations ({})", if kinds.is_empty() { "none".to_owned() } else { kinds.join(", ") });
    let left = &generated.model.unpaginated;
    if !left.is_empty() {
        out.push_str(&format!("; {} list-like operations without:", left.len()));
        for u in left {
            out.push_str(&format!("\n  not paged: {}: {}", u.operation_id, u.reason));
        }
    }
    out
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
            write_atomic(&path, contents.as_bytes())?;
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

/// Joins a generator-produced relative path, refusing anything that could leave `dir`.
fn safe_join(dir: &Path, rel: &str) -> Result<PathBuf, String> {
    let rel_path = Path::new(rel);
    if rel.is_empty() || !rel_path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!("refusing to write `{rel}`: generated paths must stay inside {}", dir.display()));
    }
    Ok(dir.join(rel_path))
}

/// Every file under `dir` (none when it does not exist), sorted.
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
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
        let root = workspace_root();
        let config = load_config(&root).unwrap();
        let spec = shipped_spec(&root, &config).unwrap();
        if let Err(message) = regenerate(&root, &config, &spec, true) {
            panic!("{message}");
        }
    }

    #[test]
    fn a_spec_that_does_not_load_is_input_error_and_writes_nothing() {
        let root = crate::spec_index::tests::tempdir("codegen-bad");
        let bad = root.join("bad.yaml");
        std::fs::write(&bad, "openapi: 3.0.0\ninfo:\n  title: t\n  version: '1'\npaths:\n  /x:\n    get:\n      responses: 7\n").unwrap();
        let config = Config { cargo_features: true, ..Config::default() };
        match regenerate(&root, &config, &bad, false) {
            Err(RegenError::Input(message)) => assert!(message.contains("bad.yaml") && message.contains("/paths/~1x/get/responses"), "{message}"),
            other => panic!("expected an input error, got {other:?}"),
        }
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 1, "nothing written beside the spec");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn the_report_lists_method_names_not_taken_from_the_operation_id() {
        let root = crate::spec_index::tests::tempdir("codegen-names");
        let spec = root.join("spec.yaml");
        let ops = "  /responses/input_tokens:\n    post:\n      operationId: getinputtokencounts\n      responses: {'200': {description: ok}}\n  /files:\n    get:\n      operationId: listFiles\n      responses: {'200': {description: ok}}\n";
        std::fs::write(&spec, format!("openapi: 3.0.0\ninfo: {{title: t, version: '1'}}\npaths:\n{ops}")).unwrap();
        let report = regenerate(&root, &Config::default(), &spec, false).unwrap();
        assert!(report.contains("\n1 method name(s) not from the operationId as written:\n  method name: `getinputtokencounts` → `get_input_token_counts` (the operationId split into words the spec uses)"), "{report}");
        assert!(!report.contains("`listFiles`"), "a name as written is not a fallback: {report}");
        let _ = std::fs::remove_dir_all(&root);
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
