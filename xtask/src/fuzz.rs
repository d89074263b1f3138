//! `cargo xtask fuzz [--cases N] [--seed S] [--compile K]`: a seeded mutation
//! loop on stable Rust. It mutates the smallest official specs (structure and
//! bytes), and runs load + generate + diff against the unmutated document in a
//! child process per case, under a memory cap (`RLIMIT_AS`), a CPU cap
//! (`RLIMIT_CPU`) and a wall-clock timeout. A case fails on a panic, an
//! abort, a hang, output that does not parse as Rust, or a load error
//! without a line; failing inputs are kept in `target/fuzz/failures/`.
//! The first K generated cases (and the `hostile` fixture, with API-group
//! features) are compiled as clients on the real runtime, as
//! `conformance` does. Same seed, same cases.

use crate::conformance::{cargo_in, write_client_crate};
use crate::{official_dir, workspace_root};
use serde_json::{json, Map, Value};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const USAGE: &str = "usage: cargo xtask fuzz [--cases N] [--seed S] [--compile K] [--jobs J] [--specs DIR]

Mutates the smallest official specs (DIR, default ../shared/specs/openai) and runs
load + generate + diff on each mutant in a capped child process (1 GiB address
space, 20 s CPU, 30 s wall). Fails on a panic, abort, hang, generated code that
does not parse, or a load error without a line; failing inputs are written to
target/fuzz/failures/. The first K generated mutants (default 1) and the
`hostile` fixture are compiled on the real runtime.

  --cases N   mutants to run (default 200)
  --seed S    first seed (default 1); case i uses seed S + i
  --compile K generated mutants to compile (default 1; 0 compiles none)
  --jobs J    children at a time (default: the number of cores)";

/// Address-space cap of a child (debug build, two render threads).
const MEMORY_CAP: u64 = 1 << 30;
/// CPU-seconds cap of a child.
const CPU_CAP: u64 = 20;
/// Wall-clock limit of a child.
const WALL_CAP: Duration = Duration::from_secs(30);
/// Exit status of a child whose case broke an invariant (not a panic).
const INVARIANT: i32 = 3;

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    if args.first().map(String::as_str) == Some("--child") {
        let [_, case, original] = args else { return Err("--child CASE ORIGINAL".to_owned()) };
        return Ok(child(Path::new(case), Path::new(original)));
    }
    let mut cases = 200usize;
    let mut seed = 1u64;
    let mut compile = 1usize;
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let root = workspace_root();
    let mut specs = official_dir(&root);
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        let mut value = |name: &str| iter.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--cases" => cases = value("--cases")?.parse().map_err(|e| format!("--cases: {e}"))?,
            "--seed" => seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--compile" => compile = value("--compile")?.parse().map_err(|e| format!("--compile: {e}"))?,
            "--jobs" => jobs = value("--jobs")?.parse::<usize>().map_err(|e| format!("--jobs: {e}"))?.max(1),
            "--specs" => specs = PathBuf::from(value("--specs")?),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let seeds = seed_specs(&specs)?;
    let work = root.join("target/fuzz");
    let _ = std::fs::remove_dir_all(work.join("cases"));
    std::fs::create_dir_all(work.join("cases")).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(work.join("failures")).map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    println!("fuzz: {cases} mutants of {} (seed {seed}), {jobs} at a time", seeds.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", "));

    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= cases {
                    break;
                }
                let outcome = run_case(&exe, &work, &seeds, seed.wrapping_add(i as u64), i);
                results.lock().expect("no panics while locked").push((i, outcome));
            });
        }
    });
    let mut results = results.into_inner().expect("no panics while locked");
    results.sort_by_key(|(i, _)| *i);
    let generated = results.iter().filter(|(_, o)| matches!(o, Outcome::Generated)).count();
    let rejected = results.iter().filter(|(_, o)| matches!(o, Outcome::Rejected)).count();
    let failures: Vec<&(usize, Outcome)> = results.iter().filter(|(_, o)| matches!(o, Outcome::Failed(_))).collect();
    println!("{cases} mutants in {:.1} s: {generated} generated, {rejected} rejected with an error, {} failed", start.elapsed().as_secs_f64(), failures.len());

    let mut failed = Vec::new();
    for (i, outcome) in &failures {
        let Outcome::Failed(reason) = outcome else { continue };
        let kept = keep_failure(&work, *i, reason);
        failed.push(format!("case {i} (seed {}): {reason}\n    input: {kept}", seed.wrapping_add(*i as u64)));
    }

    if compile > 0 {
        let mut chosen: Vec<(String, PathBuf)> = results.iter().filter(|(_, o)| matches!(o, Outcome::Generated)).take(compile).map(|(i, _)| (format!("fuzz-case-{i}"), case_path(&work, *i))).collect();
        chosen.push(("fuzz-hostile".to_owned(), root.join("codegen/tests/fixtures/hostile/spec.yaml")));
        for (name, path) in chosen {
            let t = Instant::now();
            match compile_one(&root, &work, &name, &path) {
                Ok(()) => println!("compiled {name} ({}) in {:.1} s", path.display(), t.elapsed().as_secs_f64()),
                Err(e) => failed.push(format!("{name} ({}): the generated client does not compile: {e}", path.display())),
            }
        }
    }
    if failed.is_empty() {
        println!("fuzz: no failures");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("fuzz failures:");
        for f in &failed {
            eprintln!("  {f}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// A seed spec: its name and document.
struct Seed {
    name: String,
    doc: Value,
}

/// The smallest official specs: three YAML files and one JSON file.
fn seed_specs(dir: &Path) -> Result<Vec<Seed>, String> {
    let mut files: Vec<(u64, PathBuf)> = Vec::new();
    for sub in [dir.to_path_buf(), dir.join("history")] {
        for entry in std::fs::read_dir(&sub).map_err(|e| format!("cannot list {}: {e}", sub.display()))?.flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "yaml" || e == "json") {
                files.push((entry.metadata().map_or(u64::MAX, |m| m.len()), p));
            }
        }
    }
    files.sort();
    let yaml = files.iter().filter(|(_, p)| p.extension().is_some_and(|e| e == "yaml")).take(3);
    let json = files.iter().filter(|(_, p)| p.extension().is_some_and(|e| e == "json")).take(1);
    let mut out = Vec::new();
    for (_, path) in yaml.chain(json) {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path.strip_prefix(dir).unwrap_or(path).display().to_string();
        let doc = codegen::load::parse_value(&name, &text).map_err(|e| e.to_string())?;
        out.push(Seed { name, doc });
    }
    if out.is_empty() {
        return Err(format!("no .yaml or .json specs in {}", dir.display()));
    }
    Ok(out)
}

enum Outcome {
    Generated,
    Rejected,
    Failed(String),
}

fn case_path(work: &Path, i: usize) -> PathBuf {
    let dir = work.join("cases");
    ["json", "yaml"].iter().map(|e| dir.join(format!("case-{i}.{e}"))).find(|p| p.exists()).unwrap_or_else(|| dir.join(format!("case-{i}.json")))
}

/// Copies a failing case and its original to `target/fuzz/failures/`.
fn keep_failure(work: &Path, i: usize, reason: &str) -> String {
    let case = case_path(work, i);
    let dir = work.join("failures");
    let name = case.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let _ = std::fs::copy(&case, dir.join(&name));
    let _ = std::fs::copy(work.join("cases").join(format!("case-{i}.orig.json")), dir.join(format!("case-{i}.orig.json")));
    let _ = std::fs::write(dir.join(format!("case-{i}.txt")), reason);
    dir.join(name).display().to_string()
}

/// Writes case `i` and runs it in a capped child.
fn run_case(exe: &Path, work: &Path, seeds: &[Seed], seed: u64, i: usize) -> Outcome {
    let mut rng = Rng::new(seed);
    let base = &seeds[rng.below(seeds.len())];
    let original = prune(&base.doc, &mut rng);
    let (text, ext) = mutate(&original, &mut rng);
    let dir = work.join("cases");
    let case = dir.join(format!("case-{i}.{ext}"));
    let orig = dir.join(format!("case-{i}.orig.json"));
    if let Err(e) = std::fs::write(&case, &text).and_then(|_| std::fs::write(&orig, serde_json::to_string_pretty(&original).unwrap_or_default())) {
        return Outcome::Failed(format!("cannot write the case: {e}"));
    }
    let (status, stdout, stderr, elapsed) = match run_capped(exe, &case, &orig) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(e),
    };
    let last = |s: &str| s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").chars().take(300).collect::<String>();
    match status {
        Status::Exited(0) if stdout.starts_with("generated") => Outcome::Generated,
        Status::Exited(0) => Outcome::Rejected,
        Status::Exited(INVARIANT) => Outcome::Failed(last(&stdout)),
        Status::Exited(101) => Outcome::Failed(format!("panic: {}", stderr.lines().find(|l| l.contains("panicked")).map_or_else(|| last(&stderr), |l| format!("{l} {}", stderr.lines().skip_while(|x| !x.contains("panicked")).nth(1).unwrap_or(""))))),
        Status::Exited(code) => Outcome::Failed(format!("exit status {code}: {}", last(&stderr))),
        Status::Signaled(6) => Outcome::Failed(format!("abort (a memory cap of {} MiB was hit, or a stack overflow): {}", MEMORY_CAP >> 20, last(&stderr))),
        Status::Signaled(sig) => Outcome::Failed(format!("killed by signal {sig} after {:.1} s (CPU cap {CPU_CAP} s): {}", elapsed.as_secs_f64(), last(&stderr))),
        Status::TimedOut => Outcome::Failed(format!("hang: no answer in {} s", WALL_CAP.as_secs())),
    }
}

enum Status {
    Exited(i32),
    Signaled(i32),
    TimedOut,
}

/// Runs `exe fuzz --child CASE ORIGINAL` with the memory and CPU caps set
/// between fork and exec, and kills it after the wall-clock limit.
#[allow(clippy::zombie_processes)] // every path below waits for the child
fn run_capped(exe: &Path, case: &Path, original: &Path) -> Result<(Status, String, String, Duration), String> {
    let mut command = Command::new(exe);
    command.args(["fuzz", "--child"]).arg(case).arg(original).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("RUST_BACKTRACE", "0");
    // SAFETY: only async-signal-safe calls (setrlimit) run between fork and exec.
    unsafe {
        command.pre_exec(|| {
            for (resource, limit) in [(libc::RLIMIT_AS, MEMORY_CAP), (libc::RLIMIT_CPU, CPU_CAP)] {
                let l = libc::rlimit { rlim_cur: limit, rlim_max: limit };
                if libc::setrlimit(resource, &l) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("cannot start the child: {e}"))?;
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = String::new();
            if let Some(mut p) = pipe {
                let mut bytes = Vec::new();
                let _ = p.read_to_end(&mut bytes);
                out = String::from_utf8_lossy(&bytes).into_owned();
            }
            out
        })
    };
    let stdout = read(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let stderr = read(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => {
                use std::os::unix::process::ExitStatusExt;
                break match (status.code(), status.signal()) {
                    (Some(code), _) => Status::Exited(code),
                    (None, Some(sig)) => Status::Signaled(sig),
                    _ => Status::Exited(-1),
                };
            }
            None if start.elapsed() > WALL_CAP => {
                let _ = child.kill();
                let _ = child.wait();
                break Status::TimedOut;
            }
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    };
    let elapsed = start.elapsed();
    Ok((status, stdout.join().unwrap_or_default(), stderr.join().unwrap_or_default(), elapsed))
}

/// The child: load, generate, re-parse the output, diff both ways. Prints
/// `generated …` or `rejected: …`; exits with [`INVARIANT`] when a check fails.
fn child(case: &Path, original: &Path) -> ExitCode {
    let fail = |message: String| {
        println!("{message}");
        ExitCode::from(INVARIANT as u8)
    };
    let root = workspace_root();
    let config = match crate::codegen_cmd::load_config(&root) {
        Ok(c) => codegen::config::Config { cargo_features: true, ..c },
        Err(e) => return fail(format!("cannot load the codegen config: {e}")),
    };
    let name = case.display().to_string();
    let bytes = std::fs::read(case).unwrap_or_default();
    let spec = match codegen::load::load_bytes(&name, &bytes) {
        Ok(spec) => spec,
        Err(e) if e.position.is_none() => return fail(format!("load error without a line: {e}")),
        Err(e) => {
            println!("rejected: {e}");
            return ExitCode::SUCCESS;
        }
    };
    let outcome = match codegen::generate(&spec, &config, "fuzz") {
        Ok(generated) => {
            for (file, text) in &generated.files {
                if let Err(e) = syn::parse_file(text) {
                    return fail(format!("generated {file} does not parse as Rust: {e}"));
                }
            }
            format!("generated {} types, {} operations", generated.summary.types_out, generated.summary.operations_out)
        }
        Err(codegen::GenerateError::Spec(e)) if e.position.is_none() => return fail(format!("error without a line: {e}")),
        Err(codegen::GenerateError::Spec(e)) => format!("rejected: {e}"),
        Err(codegen::GenerateError::Render(e)) => return fail(format!("invalid Rust from the emitter: {e}")),
    };
    let original = match codegen::load::load_path(original) {
        Ok(o) => o,
        Err(e) => return fail(format!("the unmutated document does not load: {e}")),
    };
    for (old, new) in [(&original, &spec), (&spec, &original)] {
        let mut report = codegen::diff::diff(old, new, &codegen::diff::Options { docs: true, ..Default::default() });
        codegen::diff::fill_lines(&mut report, old, new);
        for format in [codegen::diff::report::Format::Text, codegen::diff::report::Format::Json] {
            let _ = codegen::diff::report::render(&report, format);
        }
    }
    println!("{outcome}");
    ExitCode::SUCCESS
}

/// Generates `spec` as a client crate on the real runtime and checks that it
/// builds without a warning (features on, as the shipped crate has them).
fn compile_one(root: &Path, work: &Path, name: &str, spec: &Path) -> Result<(), String> {
    let config = codegen::config::Config { cargo_features: true, ..crate::codegen_cmd::load_config(root)? };
    let loaded = codegen::load::load_path(spec).map_err(|e| e.to_string())?;
    let generated = codegen::generate(&loaded, &config, name).map_err(|e| e.to_string())?;
    let dir = work.join("compile").join(name);
    write_client_crate(root, &dir, name, &spec.display().to_string(), &generated)?;
    // One target folder for every check, shared with `conformance`, so the runtime's dependencies build once.
    // Every feature that changes the client's code; not `brotli` and `zstd`,
    // which only switch reqwest's decoders on and would build zstd's C code.
    let features = "native-tls,http2,realtime-ws,structured-outputs";
    let (_, warnings) = cargo_in(&dir, &root.join("target/conformance/target"), &["check", "--quiet", "--features", features])?;
    if warnings > 0 {
        return Err(format!("{warnings} warning(s)"));
    }
    Ok(())
}

/// splitmix64: small, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A smaller document that still means something: a few paths and the
/// component schemas, parameters, bodies and responses they reach.
fn prune(doc: &Value, rng: &mut Rng) -> Value {
    let mut out = doc.clone();
    let Some(obj) = out.as_object_mut() else { return out };
    if let Some(paths) = obj.get("paths").and_then(Value::as_object) {
        let keys: Vec<&String> = paths.keys().collect();
        let keep = 1 + rng.below(4);
        let mut kept = Map::new();
        for _ in 0..keep {
            let k = *rng.pick(&keys);
            kept.insert(k.clone(), paths[k].clone());
        }
        obj.insert("paths".to_owned(), Value::Object(kept));
    }
    // The components the kept paths reach, through any number of `$ref`s.
    let mut reached: std::collections::BTreeSet<String> = Default::default();
    let mut stack = vec![obj.get("paths").cloned().unwrap_or(Value::Null)];
    while let Some(v) = stack.pop() {
        let mut refs = Vec::new();
        collect_refs(&v, &mut refs);
        for r in refs {
            if reached.insert(r.clone()) {
                if let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                    stack.push(target.clone());
                }
            }
        }
    }
    if let Some(components) = obj.get_mut("components").and_then(Value::as_object_mut) {
        for (section, items) in components.iter_mut() {
            if let Some(items) = items.as_object_mut() {
                let prefix = format!("#/components/{section}/");
                items.retain(|name, _| reached.contains(&format!("{prefix}{}", codegen::load::escape_token(name))));
            }
        }
    }
    out
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|x| collect_refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// Names that have broken generators: keywords, the runtime's own methods,
/// reserved features, odd characters, clashes after case conversion.
const HOSTILE_NAMES: &[&str] = &[
    "self", "Self", "super", "crate", "type", "async", "r#type", "_", "", "1st", "send", "timeout", "from_config", "new", "clone", "execute_json", "http2", "default",
    "full", "日本", "a b", "a.b", "A-B", "a/b", "~", "{x}", "Unknown", "Value", "String", "Option", "Box", "Vec", "Result", "Some", "None", "params", "body", "request",
];

/// Types a schema may claim.
const TYPES: &[&str] = &["string", "integer", "number", "boolean", "object", "array", "null", "file"];

/// The mutant's text and its extension: structural mutations on the
/// document, written as JSON or YAML, then sometimes byte mutations.
fn mutate(original: &Value, rng: &mut Rng) -> (Vec<u8>, &'static str) {
    let mut doc = original.clone();
    let components: Vec<String> = doc.pointer("/components/schemas").and_then(Value::as_object).map(|m| m.keys().map(|k| format!("#/components/schemas/{}", codegen::load::escape_token(k))).collect()).unwrap_or_default();
    for _ in 0..1 + rng.below(4) {
        mutate_structure(&mut doc, &components, rng);
    }
    let yaml = rng.chance(40);
    let mut text = if yaml { serde_yaml::to_string(&doc).unwrap_or_default() } else if rng.chance(50) { serde_json::to_string_pretty(&doc).unwrap_or_default() } else { serde_json::to_string(&doc).unwrap_or_default() }.into_bytes();
    if rng.chance(35) {
        for _ in 0..1 + rng.below(3) {
            mutate_bytes(&mut text, rng);
        }
    }
    (text, if yaml { "yaml" } else { "json" })
}

/// Every node of the document, as a JSON pointer.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{}", codegen::load::escape_token(k));
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

fn mutate_structure(doc: &mut Value, components: &[String], rng: &mut Rng) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    if all.is_empty() {
        return;
    }
    // Mostly schemas, where the generator's decisions are.
    let schemas: Vec<&String> = all.iter().filter(|p| p.contains("/components/schemas/") || p.contains("/schema")).collect();
    let target = if !schemas.is_empty() && rng.chance(70) { (*rng.pick(&schemas)).clone() } else { rng.pick(&all).clone() };
    let reference = |rng: &mut Rng| if components.is_empty() { json!({"$ref": "#/components/schemas/Missing"}) } else { json!({"$ref": rng.pick(components)}) };
    let replacement = match rng.below(14) {
        0 => json!({}),
        1 => Value::Null,
        2 => json!(rng.next() as i64),
        3 => json!(*rng.pick(HOSTILE_NAMES)),
        4 => json!([]),
        5 => reference(rng),
        6 => json!({"oneOf": (0..2 + rng.below(4)).map(|_| reference(rng)).collect::<Vec<_>>()}),
        7 => json!({"allOf": [reference(rng), {"type": "object", "properties": {*rng.pick(HOSTILE_NAMES): reference(rng)}}]}),
        8 => json!({"type": *rng.pick(TYPES), "items": reference(rng), "additionalProperties": reference(rng), "nullable": rng.chance(50)}),
        9 => json!({"anyOf": [{"type": "string"}, {"type": "string", "enum": [*rng.pick(HOSTILE_NAMES), *rng.pick(HOSTILE_NAMES)]}]}),
        10 => {
            // Move another node here.
            let other = rng.pick(&all).clone();
            doc.pointer(&other).cloned().unwrap_or(Value::Null)
        }
        11 => json!({"type": "string", "enum": [*rng.pick(HOSTILE_NAMES), *rng.pick(HOSTILE_NAMES), *rng.pick(HOSTILE_NAMES)]}),
        12 => json!({"discriminator": {"propertyName": *rng.pick(HOSTILE_NAMES)}, "oneOf": [reference(rng), reference(rng)]}),
        _ => {
            // Rename the key: hostile names, malformed path templates.
            rename_key(doc, &target, rng);
            return;
        }
    };
    if let Some(slot) = doc.pointer_mut(&target) {
        *slot = replacement;
    }
}

fn rename_key(doc: &mut Value, target: &str, rng: &mut Rng) {
    let Some((parent, key)) = target.rsplit_once('/') else { return };
    let Some(Value::Object(map)) = doc.pointer_mut(parent) else { return };
    let key = key.replace("~1", "/").replace("~0", "~");
    let Some(value) = map.remove(&key) else { return };
    let new = match rng.below(4) {
        0 => format!("/{}/{{{}", rng.pick(HOSTILE_NAMES), rng.pick(HOSTILE_NAMES)),
        1 => format!("{key}{{{}}}", rng.pick(HOSTILE_NAMES)),
        2 => format!("{key}_{}", rng.pick(HOSTILE_NAMES)),
        _ => (*rng.pick(HOSTILE_NAMES)).to_owned(),
    };
    map.insert(new, value);
}

fn mutate_bytes(text: &mut Vec<u8>, rng: &mut Rng) {
    if text.is_empty() {
        return;
    }
    let at = rng.below(text.len());
    match rng.below(7) {
        0 => text[at] ^= 1 << rng.below(8),
        1 => {
            let len = rng.below(64).min(text.len() - at);
            text.drain(at..at + len);
        }
        2 => {
            let len = rng.below(256).min(text.len() - at);
            let chunk = text[at..at + len].to_vec();
            let to = rng.below(text.len());
            text.splice(to..to, chunk);
        }
        3 => {
            const INSERTS: &[&[u8]] = &[b"{", b"[", b"}", b"]", b"\"", b"'", b": ", b"\n- ", b"*a", b"&a ", b"\xff", b"\t", b"#", b"|\n", b"{{{{{{{{"];
            let insert = *rng.pick(INSERTS);
            text.splice(at..at, insert.iter().copied());
        }
        4 => text.truncate(at),
        5 => {
            let n = 1 + rng.below(200);
            let open = if rng.chance(50) { b'[' } else { b'{' };
            text.splice(at..at, std::iter::repeat_n(open, n));
        }
        _ => {
            let digits = rng.next().to_string();
            text.splice(at..at, digits.bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "openapi": "3.0.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}},
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "string"},
                "Unused": {"type": "integer"}
            }}
        })
    }

    #[test]
    fn same_seed_same_mutant() {
        let original = doc();
        let a = mutate(&prune(&original, &mut Rng::new(7)), &mut Rng::new(7));
        let b = mutate(&prune(&original, &mut Rng::new(7)), &mut Rng::new(7));
        assert_eq!(a, b);
        let different = (0..20).any(|s| mutate(&original, &mut Rng::new(s)) != a);
        assert!(different, "seeds give different mutants");
    }

    #[test]
    fn pruning_keeps_what_the_kept_paths_reach() {
        let pruned = prune(&doc(), &mut Rng::new(1));
        let schemas = pruned.pointer("/components/schemas").and_then(Value::as_object).unwrap();
        let names: Vec<&String> = schemas.keys().collect();
        assert_eq!(names, ["A", "B"], "B is reached through A; Unused is dropped");
    }

    #[test]
    fn byte_mutations_stay_in_bounds() {
        let mut rng = Rng::new(3);
        for _ in 0..2000 {
            let mut text = b"openapi: 3.0.0\npaths: {}\n".to_vec();
            for _ in 0..4 {
                mutate_bytes(&mut text, &mut rng);
            }
        }
    }
}
