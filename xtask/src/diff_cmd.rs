//! `cargo xtask diff OLD NEW`: classifies the changes between two spec versions
//! by what they break for users of the generated Rust client (see `codegen::diff`).

use codegen::diff::report::{render, Format};
use codegen::diff::{diff_generated, fill_lines, FailOn, GeneratedApi, IgnoreList, LevelOverrides, Options, RuleId};
use codegen::load::{load_bytes, load_path, Spec};
use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode};

pub const USAGE: &str = "usage: cargo xtask diff OLD NEW [options]
       cargo xtask diff --git-base REV NEW [options]

Compares two OpenAPI documents (YAML or JSON, 3.0 or 3.1) and reports every change
with a rule id, a location and a level for users of the generated Rust client.

options:
  --git-base REV       read OLD from git: NEW's path at revision REV (e.g. origin/main)
  --format FORMAT      text (default), markdown, json or github (Actions annotations)
  --fail-on LEVEL      exit 1 when a finding is at LEVEL or worse: breaking, warning, none (default)
  --ignore FILE        accepted findings, one `RULE LOCATION` per line (`*` matches anything)
  --level RULE=LEVEL   set a rule's level: breaking-wire, breaking-source, warning, info or off;
                       repeatable, RULE may use `*` (e.g. --level 'docs.*=off')
  --docs               also report description, summary and example changes
  --used-by PATH       keep only findings on items the Rust code under PATH (a crate, a folder
                       or one .rs file) names: types, methods, fields, variants, constructors
                       (members of types the code reaches through the methods it calls count);
                       the summary, the verdict and the exit status follow the kept findings
  --config FILE        codegen configuration both sides are generated with (default: the
                       workspace's specs/codegen.yaml, as `cargo xtask codegen` uses it)
  --crate-version V    version of the generated crate the verdict bumps (default: the
                       version in generated-client/Cargo.toml)
  --output FILE        write the report to FILE instead of standard output
  --rules              print the rule catalogue and exit
  -h, --help           print this help

The report ends with the semver verdict: the change (breaking, additive or patch) and
the version bump it implies for the generated crate (before 1.0: breaking -> minor,
anything else -> patch; from 1.0: breaking -> major, additive -> minor, else patch).

exit status: 0 = no finding at the --fail-on level, 1 = such findings, 2 = usage or load error";

#[derive(Default)]
struct Args {
    files: Vec<String>,
    git_base: Option<String>,
    format: Format,
    fail_on: FailOn,
    ignore: Option<String>,
    levels: LevelOverrides,
    docs: bool,
    output: Option<String>,
    used_by: Option<String>,
    config: Option<String>,
    crate_version: Option<String>,
}

enum Parsed {
    Run(Box<Args>),
    Print(String),
}

fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut out = Args::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "-h" | "--help" => return Ok(Parsed::Print(USAGE.to_owned())),
            "--rules" => return Ok(Parsed::Print(catalogue())),
            "--docs" => out.docs = true,
            "--git-base" => out.git_base = Some(value(flag)?),
            "--format" => out.format = value(flag)?.parse()?,
            "--fail-on" => out.fail_on = value(flag)?.parse()?,
            "--ignore" => out.ignore = Some(value(flag)?),
            "--level" => out.levels.add(&value(flag)?)?,
            "--output" | "-o" => out.output = Some(value(flag)?),
            "--used-by" => out.used_by = Some(value(flag)?),
            "--config" => out.config = Some(value(flag)?),
            "--crate-version" => out.crate_version = Some(value(flag)?),
            f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown option `{f}`")),
            _ => out.files.push(arg.clone()),
        }
        i += 1;
    }
    let wanted = if out.git_base.is_some() { 1 } else { 2 };
    if out.files.len() != wanted {
        let what = if wanted == 1 { "NEW (OLD comes from --git-base)" } else { "OLD and NEW" };
        return Err(format!("expected {what}, got {} file argument(s)", out.files.len()));
    }
    Ok(Parsed::Run(Box::new(out)))
}

fn catalogue() -> String {
    let width = RuleId::ALL.iter().map(|r| r.id().len()).max().unwrap_or(0);
    let lines: Vec<String> = RuleId::ALL.iter().map(|r| format!("{:<width$}  {:<15}  {}", r.id(), r.default_level().as_str(), r.summary())).collect();
    lines.join("\n")
}

/// The old side from git: the new file's path at `rev`, read relative to its directory.
fn load_from_git(rev: &str, new_path: &str) -> Result<Spec, String> {
    let path = Path::new(new_path);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| format!("`{new_path}` is not a file path"))?.to_string_lossy();
    let output = Command::new("git").arg("-C").arg(dir).arg("show").arg(format!("{rev}:./{name}")).output().map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("git show {rev}:{new_path} failed: {}", stderr.trim().trim_end_matches('.')));
    }
    load_bytes(&format!("{rev}:{new_path}"), &output.stdout).map_err(|e| e.to_string())
}

fn run_args(args: &Args) -> Result<ExitCode, String> {
    let config = match &args.config {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
            codegen::config::Config::from_yaml(file, &text).map_err(|e| e.to_string())?
        }
        None => crate::codegen_cmd::load_config(&crate::workspace_root())?,
    };
    let used_names = match &args.used_by {
        Some(path) => Some(crate::used_by::identifiers(Path::new(path))?),
        None => None,
    };
    // Each side is loaded and generated on a thread of its own.
    let side = |spec: Result<Spec, String>| spec.map(|s| {
        let api = GeneratedApi::of(&s, &config);
        (s, api)
    });
    let load_new = || side(load_path(Path::new(args.files.last().expect("checked by parse"))).map_err(|e| e.to_string()));
    let (old, new) = std::thread::scope(|scope| {
        let new = scope.spawn(load_new);
        let old = side(match &args.git_base {
            Some(rev) => load_from_git(rev, &args.files[0]),
            None => load_path(Path::new(&args.files[0])).map_err(|e| e.to_string()),
        });
        (old, new.join().unwrap_or_else(|_| Err("loading the new document failed".to_owned())))
    });
    let ((old, old_api), (new, new_api)) = (old?, new?);
    let mut report = diff_generated(&old, &new, old_api, new_api, &Options { docs: args.docs, config, used_names });
    report.crate_version = match &args.crate_version {
        Some(v) => Some(v.clone()),
        None => crate_version(&crate::workspace_root()),
    };
    args.levels.apply(&mut report);
    if let Some(file) = &args.ignore {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read ignore file {file}: {e}"))?;
        let mut list = IgnoreList::parse(file, &text)?;
        list.apply(&mut report);
        for e in list.unused() {
            eprintln!("warning: {file}:{}: `{} {}` matched no finding", e.line, e.rule, e.location);
        }
    }
    if args.format != Format::Markdown {
        fill_lines(&mut report, &old, &new);
    }
    let text = render(&report, args.format);
    match &args.output {
        Some(file) => std::fs::write(file, text).map_err(|e| format!("cannot write {file}: {e}"))?,
        None => {
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    Ok(ExitCode::from(args.fail_on.exit_code(&report)))
}

/// The version of the generated crate in the workspace, if it can be read.
pub fn crate_version(root: &Path) -> Option<String> {
    let manifest = std::fs::read_to_string(root.join(crate::codegen_cmd::MANIFEST)).ok()?;
    crate::update_spec::package_version(&manifest)
}

/// Runs the command; usage and load errors are reported here with exit status 2,
/// so that CI can tell them from findings (status 1).
pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let result = parse(args).and_then(|parsed| match parsed {
        Parsed::Print(text) => {
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Parsed::Run(args) => run_args(&args),
    });
    result.or_else(|message| {
        eprintln!("error: {message}");
        Ok(ExitCode::from(2))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_options_in_both_spellings() {
        let Ok(Parsed::Run(a)) = parse(&strings(&["a.yaml", "b.json", "--format=json", "--fail-on", "breaking", "--level", "docs.*=off", "--docs"])) else { panic!("should parse") };
        assert_eq!(a.files, ["a.yaml", "b.json"]);
        assert_eq!(a.format, Format::Json);
        assert_eq!(a.fail_on, FailOn::Breaking);
        assert!(a.docs);
        assert_eq!(a.levels.entries.len(), 1);
    }

    #[test]
    fn rejects_wrong_file_counts_and_unknown_options() {
        assert!(parse(&strings(&["a.yaml"])).is_err());
        assert!(parse(&strings(&["--git-base", "main", "a.yaml", "b.yaml"])).is_err());
        assert!(parse(&strings(&["a", "b", "--frobnicate"])).is_err());
        assert!(parse(&strings(&["a", "b", "--level", "nope=info"])).is_err());
        assert!(matches!(parse(&strings(&["--git-base", "main", "a.yaml"])), Ok(Parsed::Run(_))));
    }

    #[test]
    fn git_base_reads_the_old_side_from_git() {
        let path = crate::workspace_root().join("specs/openai-1.2.0.yaml");
        let spec = load_from_git("HEAD", &path.to_string_lossy()).expect("HEAD has the in-repo spec");
        assert!(spec.file.starts_with("HEAD:"), "{}", spec.file);
        let err = load_from_git("no-such-revision-for-diff", &path.to_string_lossy()).expect_err("an error");
        assert!(!err.ends_with('.'), "{err}");
    }

    #[test]
    fn exit_codes_follow_fail_on_levels_and_ignores() {
        let root = crate::workspace_root();
        let dir = std::env::temp_dir().join(format!("xtask-diff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (ignore, output) = (dir.join("ignore.txt"), dir.join("out.json"));
        std::fs::write(&ignore, "# everything is accepted\n* *\n").expect("write");
        let run = |extra: &[&str]| {
            let mut args = vec![root.join("specs/openai-1.2.0.yaml").display().to_string(), root.join("specs/openai-2.0.0.json").display().to_string()];
            args.extend(["--format", "json", "--fail-on", "breaking", "--output"].map(str::to_owned));
            args.push(output.display().to_string());
            args.extend(extra.iter().map(|s| (*s).to_owned()));
            let Ok(Parsed::Run(a)) = parse(&args) else { panic!("parses") };
            run_args(&a).expect("runs")
        };
        assert_eq!(run(&[]), ExitCode::from(1));
        let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&output).expect("written")).expect("JSON");
        assert!(report["summary"]["breaking-wire"].as_u64() > Some(0));
        assert_eq!(run(&["--level", "*=info"]), ExitCode::from(0));
        assert_eq!(run(&["--ignore", &ignore.display().to_string()]), ExitCode::from(0));
        let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&output).expect("written")).expect("JSON");
        assert_eq!(report["summary"]["total"], 0);
        assert!(report["summary"]["suppressed"].as_u64() > Some(0));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Issue 10: the repo's examples as they were written against the client of
    /// the seed spec 2.0.0 (`xtask/tests/used-by-2.0.0`, copied from the commit
    /// before the client moved to 2.3.0), and the seed client's own tests
    /// (compiled against 2.0.0 in CI), meet four compile errors on 2.3.0: the
    /// diff keeps exactly the findings on items such code names, those four among them.
    #[test]
    fn used_by_keeps_the_breaks_of_code_written_against_the_old_client() {
        let root = crate::workspace_root();
        let dir = std::env::temp_dir().join(format!("xtask-diff-used-by-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let output = dir.join("out.json");
        let run = |extra: &[String]| {
            let mut args = vec![root.join("specs/openai-2.0.0.json").display().to_string(), root.join("specs/openai-2.3.0.json").display().to_string()];
            args.extend(["--format", "json", "--fail-on", "breaking", "--crate-version", "0.3.0", "--output"].map(str::to_owned));
            args.push(output.display().to_string());
            args.extend(extra.iter().cloned());
            let Ok(Parsed::Run(a)) = parse(&args) else { panic!("parses") };
            let code = run_args(&a).expect("runs");
            let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&output).expect("written")).expect("JSON");
            (code, report)
        };
        let (_, all) = run(&[]);
        let total = all["summary"]["total"].as_u64().expect("total");
        assert_eq!(all["semver"]["next_version"], "0.4.0");
        for code in ["xtask/tests/used-by-2.0.0", "tests/seed-client/tests"] {
            let (exit, report) = run(&["--used-by".to_owned(), root.join(code).display().to_string()]);
            assert_eq!(exit, ExitCode::from(1), "{code}");
            let findings = report["findings"].as_array().expect("findings");
            let kept = findings.len() as u64;
            assert!(kept < total / 4, "{code}: {kept} of {total} kept");
            assert_eq!(report["summary"]["unused"].as_u64(), Some(total - kept), "{code}");
            let has = |rule: &str, location: &str| findings.iter().any(|f| f["rule"] == rule && f["location"] == location && f["level"] == "breaking-source");
            for ty in ["ChatCompletionRequestAssistantMessage", "ChatCompletionRequestSystemMessage"] {
                assert!(has("api.changed", &format!("api constructor {ty}::new")), "{code}: {ty}::new");
            }
            // Constructors take values on both sides now (`new(content)`), so the user
            // message's constructor is unchanged; its field lost the `Option`.
            assert!(has("api.changed", "api field ChatCompletionRequestUserMessage::content"), "{code}: user message content");
            assert!(has("api.removed", "api type CreateSpeechRequestVoice"), "{code}");
            // The examples use chat, speech and files only: nothing of the assistants API is kept.
            let assistants = findings.iter().any(|f| f["location"].as_str().is_some_and(|l| l.contains("AssistantObject")));
            assert_eq!(assistants, code.starts_with("tests/"), "{code}");
            assert_eq!(report["semver"]["change"], "breaking");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn catalogue_lists_every_rule() {
        assert_eq!(catalogue().lines().count(), RuleId::ALL.len());
    }
}

#[cfg(test)]
mod readme_workflow {
    /// The README's CI workflow builds xtask in release once; every diff step must run
    /// that binary, since `cargo xtask` would build and run a debug one (several times slower).
    #[test]
    fn the_readme_workflow_runs_the_release_binary() {
        let readme = std::fs::read_to_string(crate::workspace_root().join("README.md")).expect("README.md");
        let start = readme.find("### GitHub Actions workflow").expect("the README has the workflow section");
        let block = &readme[start..];
        let block = &block[block.find("```yaml").expect("a yaml block")..];
        let block = &block[..block[7..].find("```").expect("the block ends") + 7];
        assert!(block.contains("cargo build --release -p xtask"), "{block}");
        let diff_lines: Vec<&str> = block.lines().filter(|l| l.contains("xtask diff")).collect();
        assert!(diff_lines.len() >= 3, "{block}");
        for line in diff_lines {
            assert!(line.contains("target/release/xtask diff") && !line.contains("cargo xtask"), "runs a debug build: {line}");
        }
    }
}
