//! The property check over every component schema of one spec, and its report.

use crate::compare::{first_difference, trim};
use crate::instance::Generator;
use crate::{convert, SpecEntry, ENCODE_ERROR};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Examples kept per class.
const EXAMPLES: usize = 20;
/// Attempts at a valid instance per case before the case is given up.
const ATTEMPTS: usize = 4;
/// The unknown property injected into object instances.
pub const UNKNOWN_FIELD: &str = "x_roundtrip_unknown";

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Base seed; each schema's generator is seeded with it and the schema name.
    pub seed: u64,
    /// Instances per schema.
    pub cases: usize,
    /// Only these component schemas (all when empty).
    pub only: Vec<String>,
    /// Keep every noted case in [`Report::dump`].
    pub dump: bool,
}

/// Classes of outcome worth an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// The generated instance is not valid for the schema (the instance generator's mistake).
    Discarded,
    /// No instance can be generated for the schema.
    NotGeneratable,
    /// A valid instance that the generated type did not decode.
    FalseRejection,
    /// The re-encoded value is not valid for the schema (or did not encode).
    InvalidAfterEncode,
    /// The re-encoded value differs from the input beyond the normalisations.
    Lossy,
    /// An unknown top-level property did not survive the round trip.
    UnknownDropped,
}

impl Class {
    /// All classes, in report order.
    pub const ALL: [Class; 6] = [Class::FalseRejection, Class::InvalidAfterEncode, Class::Lossy, Class::UnknownDropped, Class::Discarded, Class::NotGeneratable];

    fn label(self) -> &'static str {
        match self {
            Class::Discarded => "discarded (generator made an invalid instance)",
            Class::NotGeneratable => "not generatable",
            Class::FalseRejection => "false rejection (valid instance, decode failed)",
            Class::InvalidAfterEncode => "invalid after re-encode",
            Class::Lossy => "lossy (differs modulo normalisations)",
            Class::UnknownDropped => "unknown field dropped",
        }
    }
}

/// One example of a class.
#[derive(Debug, Clone)]
pub struct Example {
    /// Component schema.
    pub schema: String,
    /// The instance, trimmed.
    pub instance: String,
    /// The error, or the first differing JSON pointer.
    pub detail: String,
}

/// Counts for one spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Component schemas in the spec (or in `only`).
    pub schemas: usize,
    /// Schemas without a JSON type.
    pub no_type: usize,
    /// Schemas the instance generator cannot make instances for.
    pub not_generatable: usize,
    /// Instances generated (valid or not).
    pub generated: usize,
    /// Generated instances the validator rejected: discarded, never tested.
    pub discarded: usize,
    /// Valid instances put through the round trip.
    pub tested: usize,
    /// Valid instances the generated type did not decode.
    pub false_rejections: usize,
    /// Decoded instances whose re-encoding is not valid (or failed).
    pub invalid_after_encode: usize,
    /// Round trips that changed the value beyond the normalisations.
    pub lossy: usize,
    /// Object instances that also went through with an unknown property.
    pub unknown_tested: usize,
    /// ... of which the unknown property did not come back.
    pub unknown_dropped: usize,
}

/// The outcome for one spec.
#[derive(Debug, Clone)]
pub struct Report {
    /// Spec file, relative to the workspace.
    pub spec: String,
    /// Registry name.
    pub name: String,
    /// What was run.
    pub options: Options,
    /// The numbers.
    pub counts: Counts,
    /// Per class: total and the first examples.
    pub examples: BTreeMap<Class, (usize, Vec<Example>)>,
    /// Schemas without a JSON type, and why.
    pub no_type: Vec<(String, String)>,
    /// Schemas that failed their round trip at least once, per class.
    pub failing_schemas: BTreeMap<Class, Vec<String>>,
    /// Wall time.
    pub elapsed: Duration,
    /// Every noted case as a JSON line (`ROUNDTRIP_DUMP`), when asked for.
    pub dump: Option<Vec<Value>>,
}

impl Report {
    /// Round-trip failures: false rejections, invalid re-encodings, lossy
    /// round trips and dropped unknown fields.
    pub fn failures(&self) -> usize {
        let c = &self.counts;
        c.false_rejections + c.invalid_after_encode + c.lossy + c.unknown_dropped
    }

    fn note(&mut self, class: Class, schema: &str, instance: &Value, detail: String) {
        if let Some(dump) = self.dump.as_mut() {
            dump.push(serde_json::json!({"class": format!("{class:?}"), "schema": schema, "detail": detail, "instance": instance}));
        }
        let schemas = self.failing_schemas.entry(class).or_default();
        let new_schema = schemas.last().is_none_or(|s| s != schema);
        if new_schema {
            schemas.push(schema.to_owned());
        }
        let (total, list) = self.examples.entry(class).or_default();
        *total += 1;
        // The first example of each schema, so that one schema does not fill the list.
        if new_schema && list.len() < EXAMPLES {
            list.push(Example { schema: schema.to_owned(), instance: trim(&instance.to_string(), 300), detail: trim(&detail, 400) });
        }
    }

    /// Writes [`Report::dump`] to `$ROUNDTRIP_DUMP/<name>.jsonl`, if both are there.
    pub fn write_dump(&self) {
        let (Some(dump), Some(dir)) = (&self.dump, std::env::var_os("ROUNDTRIP_DUMP")) else { return };
        let path = std::path::Path::new(&dir).join(format!("{}.jsonl", self.name));
        let text: String = dump.iter().map(|line| format!("{line}\n")).collect();
        std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    /// The table row.
    pub fn row(&self) -> String {
        let c = &self.counts;
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {}/{} |",
            self.spec, c.schemas, c.no_type, c.not_generatable, c.generated, c.discarded, c.tested, c.false_rejections, c.invalid_after_encode, c.lossy, self.failures(), c.unknown_dropped, c.unknown_tested
        )
    }

    /// The table header.
    pub fn header() -> &'static str {
        "| spec | schemas | no type | not generatable | generated | discarded | tested | false rejections | invalid after encode | lossy | failures | unknown dropped/tested |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        let _ = writeln!(out, "schema round trip of {} ({}): seed {:#x}, {} cases per schema, {:.1} s", self.spec, self.name, self.options.seed, self.options.cases, self.elapsed.as_secs_f64());
        let _ = writeln!(out, "{}\n{}", Report::header(), self.row());
        for class in Class::ALL {
            let Some((total, examples)) = self.examples.get(&class) else { continue };
            let schemas = self.failing_schemas.get(&class).map_or(0, Vec::len);
            let _ = writeln!(out, "\n{} — {total} in {schemas} schemas; the first {} (one per schema):", class.label(), examples.len());
            for e in examples {
                let _ = writeln!(out, "  {}: {}\n      {}", e.schema, e.detail, e.instance);
            }
            if let Some(names) = self.failing_schemas.get(&class).filter(|n| n.len() > examples.len()) {
                let _ = writeln!(out, "  all {} schemas: {}", names.len(), trim(&names.join(", "), 2000));
            }
        }
        if !self.no_type.is_empty() {
            let _ = writeln!(out, "\nno JSON type ({}):", self.no_type.len());
            for (schema, why) in &self.no_type {
                let _ = writeln!(out, "  {schema}: {why}");
            }
        }
        f.write_str(&out)
    }
}

/// FNV-1a, to derive a schema's seed from its name.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn first_error(validator: &jsonschema::Validator, value: &Value) -> String {
    match validator.iter_errors(value).next() {
        Some(e) => format!("at {:?}: {}", e.instance_path().as_str(), trim(&e.to_string(), 300)),
        None => "valid".to_owned(),
    }
}

/// Runs the check for one spec.
pub fn run(entry: SpecEntry, options: &Options) -> Report {
    let started = Instant::now();
    let path = crate::workspace_root().join(entry.path);
    let spec = codegen::load::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
    let empty = serde_json::Map::new();
    let components = convert::static_recursive_refs(spec.document.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty));
    let components = &components;
    let wide_int64 = convert::writes_int64_bounds_as_doubles(&spec.text);
    let registry = registry(components, wide_int64).unwrap_or_else(|e| panic!("converted {}: {e}", entry.path));
    let validation = validation_options(&registry);

    let mut report = Report { spec: entry.path.to_owned(), name: entry.name.to_owned(), options: options.clone(), counts: Counts::default(), examples: BTreeMap::new(), no_type: Vec::new(), failing_schemas: BTreeMap::new(), elapsed: Duration::ZERO, dump: options.dump.then(Vec::new) };
    for name in components.keys() {
        if !options.only.is_empty() && !options.only.contains(name) {
            continue;
        }
        report.counts.schemas += 1;
        if let Some((_, why)) = entry.no_type.iter().find(|(n, _)| n == name) {
            report.counts.no_type += 1;
            report.no_type.push((name.clone(), (*why).to_owned()));
            continue;
        }
        let validator = match validation.build(&convert::component_ref(name)) {
            Ok(v) => v,
            Err(e) => {
                report.counts.not_generatable += 1;
                report.note(Class::NotGeneratable, name, &Value::Null, format!("the converted schema does not compile: {e}"));
                continue;
            }
        };
        let mut generator = Generator::new(components, options.seed ^ hash(name));
        generator.wide_int64 = wide_int64;
        'cases: for _ in 0..options.cases {
            let mut instance = None;
            for _ in 0..ATTEMPTS {
                match generator.instance(name) {
                    Err(e) => {
                        report.counts.not_generatable += 1;
                        report.note(Class::NotGeneratable, name, &Value::Null, e.0);
                        break 'cases;
                    }
                    Ok(v) => {
                        report.counts.generated += 1;
                        if validator.is_valid(&v) {
                            instance = Some(v);
                            break;
                        }
                        report.counts.discarded += 1;
                        let error = first_error(&validator, &v);
                        report.note(Class::Discarded, name, &v, error);
                    }
                }
            }
            let Some(input) = instance else { continue };
            report.counts.tested += 1;
            check_one(&mut report, entry, &validator, name, &input);
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// The converted components, registered under [`convert::BASE`].
pub fn registry(components: &serde_json::Map<String, Value>, wide_int64: bool) -> Result<jsonschema::Registry<'static>, jsonschema::ReferencingError> {
    jsonschema::Registry::new().add(convert::BASE, convert::document(components, wide_int64))?.prepare()
}

/// 2020-12, formats checked (unknown ones such as `unixtime` are ignored).
pub fn validation_options<'r>(registry: &'r jsonschema::Registry<'static>) -> jsonschema::ValidationOptions<'r> {
    jsonschema::options().with_draft(jsonschema::Draft::Draft202012).should_validate_formats(true).with_registry(registry)
}

/// What the instance generator alone made of a set of components.
#[derive(Debug, Default)]
pub struct GeneratorCheck {
    /// Instances generated.
    pub generated: usize,
    /// Instances the validator rejected: (schema, instance, first error).
    pub invalid: Vec<(String, Value, String)>,
    /// Schemas with no instance: (schema, why).
    pub not_generatable: Vec<(String, String)>,
}

/// Generates `cases` instances of every component schema of a normalised
/// document (`components/schemas`) and validates each one, without decoding.
pub fn generator_check(components: &serde_json::Map<String, Value>, wide_int64: bool, seed: u64, cases: usize) -> GeneratorCheck {
    let components = convert::static_recursive_refs(components);
    let registry = registry(&components, wide_int64).expect("the converted components register");
    let options = validation_options(&registry);
    let mut out = GeneratorCheck::default();
    for name in components.keys() {
        let validator = options.build(&convert::component_ref(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut generator = Generator::new(&components, seed ^ hash(name));
        generator.wide_int64 = wide_int64;
        for _ in 0..cases {
            match generator.instance(name) {
                Ok(v) => {
                    out.generated += 1;
                    if !validator.is_valid(&v) {
                        let error = first_error(&validator, &v);
                        out.invalid.push((name.clone(), v, error));
                    }
                }
                Err(e) => {
                    out.not_generatable.push((name.clone(), e.0));
                    break;
                }
            }
        }
    }
    out
}

/// Decodes and re-encodes, catching a panic as a decode failure.
fn roundtrip(entry: SpecEntry, name: &str, value: Value) -> Option<Result<Value, String>> {
    std::panic::catch_unwind(|| (entry.roundtrip)(name, value)).unwrap_or_else(|panic| {
        let what = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned())).unwrap_or_default();
        Some(Err(format!("panicked: {what}")))
    })
}

fn check_one(report: &mut Report, entry: SpecEntry, validator: &jsonschema::Validator, name: &str, input: &Value) {
    match roundtrip(entry, name, input.clone()) {
        None => unreachable!("{name} is listed as having a type"),
        Some(Err(e)) if e.starts_with(ENCODE_ERROR) => {
            report.counts.invalid_after_encode += 1;
            report.note(Class::InvalidAfterEncode, name, input, e);
        }
        Some(Err(e)) => {
            report.counts.false_rejections += 1;
            report.note(Class::FalseRejection, name, input, e);
        }
        Some(Ok(output)) => {
            if !validator.is_valid(&output) {
                report.counts.invalid_after_encode += 1;
                let error = first_error(validator, &output);
                let changed = match first_difference(input, &output) {
                    Some((pointer, what)) => format!("{pointer:?}: {what}"),
                    None => "nothing (modulo normalisations)".to_owned(),
                };
                report.note(Class::InvalidAfterEncode, name, input, format!("first change {changed}; schema says {error}"));
            } else if let Some((pointer, what)) = first_difference(input, &output) {
                report.counts.lossy += 1;
                report.note(Class::Lossy, name, input, format!("{pointer:?}: {what}"));
            }
        }
    }
    // An unknown property at the top level, where the schema allows one.
    let Value::Object(map) = input else { return };
    if map.contains_key(UNKNOWN_FIELD) {
        return;
    }
    let mut with_unknown = map.clone();
    let unknown = serde_json::json!({"n": 1});
    with_unknown.insert(UNKNOWN_FIELD.to_owned(), unknown.clone());
    let with_unknown = Value::Object(with_unknown);
    if !validator.is_valid(&with_unknown) {
        return;
    }
    report.counts.unknown_tested += 1;
    let dropped = match roundtrip(entry, name, with_unknown.clone()) {
        Some(Ok(output)) if output.get(UNKNOWN_FIELD) == Some(&unknown) => None,
        Some(Ok(output)) => Some(match output.get(UNKNOWN_FIELD) {
            None => "dropped".to_owned(),
            Some(other) => format!("came back as {other}"),
        }),
        Some(Err(e)) => Some(format!("decode failed with the unknown field: {e}")),
        None => None,
    };
    if let Some(detail) = dropped {
        report.counts.unknown_dropped += 1;
        report.note(Class::UnknownDropped, name, &with_unknown, detail);
    }
}

/// Options from the environment: `ROUNDTRIP_CASES` (instances per schema,
/// else `default_cases`), `ROUNDTRIP_SEED` (decimal or `0x…`, else
/// [`DEFAULT_SEED`]), `ROUNDTRIP_SCHEMAS` (comma-separated component names),
/// `ROUNDTRIP_DUMP` (a folder: every noted case is written there as JSON lines
/// by [`Report::write_dump`]).
pub fn options_from_env(default_cases: usize) -> Options {
    let cases = std::env::var("ROUNDTRIP_CASES").ok().map(|c| c.trim().parse().unwrap_or_else(|_| panic!("ROUNDTRIP_CASES={c:?} is not a count"))).unwrap_or(default_cases);
    let seed = std::env::var("ROUNDTRIP_SEED")
        .ok()
        .map(|s| {
            let t = s.trim();
            let parsed = match t.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => t.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("ROUNDTRIP_SEED={s:?} is not a number"))
        })
        .unwrap_or(DEFAULT_SEED);
    let only = std::env::var("ROUNDTRIP_SCHEMAS").map(|s| s.split(',').map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect()).unwrap_or_default();
    Options { seed, cases, only, dump: std::env::var_os("ROUNDTRIP_DUMP").is_some() }
}

/// The seed the tests use unless `ROUNDTRIP_SEED` says otherwise.
pub const DEFAULT_SEED: u64 = 0x5eed_2026;
