//! The API-group part of `generated-client/Cargo.toml`'s `[features]`, which
//! `cargo xtask codegen` writes between two marker comments.
//!
//! The generator names the features (`codegen::names::features::feature_name`: never a
//! name the crate uses for itself); this module only writes them, quoting a
//! name that is not a TOML bare key, and keeps `full` complete.

use std::collections::BTreeSet;

/// First line of the generated region.
pub const BEGIN: &str = "# BEGIN API-group features: written by `cargo xtask codegen`; do not edit by hand.";
/// Last line of the generated region.
pub const END: &str = "# END API-group features";

/// The manifest with its generated region holding exactly `features`; the
/// region is added at the end of `[features]` when the markers are missing.
pub fn with_features(manifest: &str, features: &BTreeSet<String>) -> Result<String, String> {
    let region = region(features);
    if let (Some(begin), Some(end)) = (manifest.find(BEGIN), manifest.find(END)) {
        if end < begin {
            return Err(format!("the marker `{END}` comes before `{BEGIN}`"));
        }
        let after = end + END.len();
        let after = after + manifest[after..].find('\n').map_or(manifest.len() - after, |i| i + 1);
        return Ok(format!("{}{region}{}", &manifest[..begin], &manifest[after..]));
    }
    if manifest.contains(BEGIN) || manifest.contains(END) {
        return Err(format!("only one of the markers `{BEGIN}` and `{END}` is present"));
    }
    let header = manifest.find("\n[features]\n").map(|i| i + 1).or_else(|| manifest.starts_with("[features]\n").then_some(0)).ok_or("the manifest has no [features] table")?;
    let body = header + "[features]\n".len();
    let end = manifest[body..].find("\n[").map_or(manifest.len(), |i| body + i + 1);
    let before = manifest[..end].trim_end_matches('\n');
    Ok(format!("{before}\n{region}\n{}", &manifest[end..]))
}

/// The generated lines: `full` with every group, then one line per group.
fn region(features: &BTreeSet<String>) -> String {
    let list: Vec<String> = features.iter().map(|f| format!("\"{}\"", escape(f))).collect();
    let mut out = format!("{BEGIN}\n");
    out.push_str("# Every API group of the spec; the default build has them all.\n");
    out.push_str(&format!("full = [{}]\n", list.join(", ")));
    for f in features {
        out.push_str(&format!("{} = []\n", key(f)));
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// A TOML key: bare when it can be, quoted otherwise.
pub fn key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        name.to_owned()
    } else {
        format!("\"{}\"", escape(name))
    }
}

fn escape(s: &str) -> String {
    s.chars().flat_map(|c| match c {
        '"' => vec!['\\', '"'],
        '\\' => vec!['\\', '\\'],
        c => vec![c],
    }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    const MANIFEST: &str = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"rustls\", \"full\"]\nrustls = []\n\n[dev-dependencies]\nhttp = \"1\"\n";

    #[test]
    fn adds_the_region_then_replaces_it_removing_stale_groups() {
        let first = with_features(MANIFEST, &set(&["chat", "edits"])).unwrap();
        assert!(first.contains("rustls = []\n# BEGIN"), "{first}");
        assert!(first.contains("full = [\"chat\", \"edits\"]\nchat = []\nedits = []\n# END API-group features\n\n[dev-dependencies]"), "{first}");
        let second = with_features(&first, &set(&["chat", "responses"])).unwrap();
        assert!(!second.contains("edits"), "stale group left: {second}");
        assert!(second.contains("full = [\"chat\", \"responses\"]\nchat = []\nresponses = []\n"), "{second}");
        assert_eq!(with_features(&second, &set(&["chat", "responses"])).unwrap(), second, "stable");
    }

    #[test]
    fn quotes_names_that_are_not_bare_keys() {
        let out = with_features(MANIFEST, &set(&["日本", "a.b"])).unwrap();
        assert!(out.contains("\"日本\" = []\n") && out.contains("\"a.b\" = []\n"), "{out}");
    }

    #[test]
    fn the_crate_own_features_are_never_given_to_an_api_group() {
        // Every feature the client declares by hand (outside the generated
        // region) must be reserved, or a spec's tag of that name would
        // collide with it.
        let manifest = std::fs::read_to_string(crate::workspace_root().join(crate::codegen_cmd::MANIFEST)).unwrap();
        let features = &manifest[manifest.find("\n[features]\n").unwrap()..];
        let hand_written = &features[..features.find(BEGIN).unwrap()];
        let names: Vec<&str> = hand_written
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains(" = "))
            .map(|l| l.split(" = ").next().unwrap().trim())
            .collect();
        assert!(names.contains(&"rustls") && names.contains(&"gzip"), "{names:?}");
        for name in names {
            assert!(codegen::names::features::RESERVED_FEATURES.contains(&name), "`{name}` is not in RESERVED_FEATURES");
            assert_eq!(codegen::names::features::feature_name(Some(name), "/x"), format!("{name}-api"));
        }
    }

    #[test]
    fn broken_markers_are_an_error() {
        assert!(with_features(&format!("[features]\n{END}\n"), &set(&["a"])).is_err());
        assert!(with_features("[package]\n", &set(&["a"])).unwrap_err().contains("[features]"));
    }
}
