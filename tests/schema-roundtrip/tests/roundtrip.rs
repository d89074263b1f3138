//! The round-trip property over every component schema of every in-repo spec
//! (see the crate docs). Each test prints its table and the first examples of
//! each failure class, and fails on any false rejection, invalid re-encoding,
//! lossy round trip or dropped unknown field.
//!
//! `ROUNDTRIP_CASES` (instances per schema), `ROUNDTRIP_SEED` and
//! `ROUNDTRIP_SCHEMAS` (comma-separated component names) change what runs;
//! `ROUNDTRIP_DUMP=DIR` writes every noted case to `DIR/<spec>.jsonl`;
//! `ROUNDTRIP_REPORT_ONLY=1` prints the report without failing.

use schema_roundtrip::check::{options_from_env, run};

fn check(name: &str, default_cases: usize) {
    let report = run(schema_roundtrip::spec(name), &options_from_env(default_cases));
    println!("{report}");
    report.write_dump();
    if std::env::var_os("ROUNDTRIP_REPORT_ONLY").is_some() {
        return;
    }
    assert_eq!(report.failures(), 0, "round-trip failures in {}:\n{}\n{}", report.spec, schema_roundtrip::check::Report::header(), report.row());
}

#[test]
fn seed_spec_1_2_0() {
    check("v1_2_0", 10);
}

#[test]
fn seed_spec_2_0_0() {
    check("v2_0_0", 10);
}

/// The spec the shipped client is generated from (`spec:` in specs/codegen.yaml).
#[test]
fn shipped_spec() {
    check("shipped", 100);
}
