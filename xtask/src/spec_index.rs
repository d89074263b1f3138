//! `specs/index.json`: which official OpenAI file each spec in `specs/` states
//! the facts of, and the sha256 of that file when it was vendored.
//!
//! `cargo xtask vendor` and `update-spec` write it; `verify-specs` reads it and
//! checks every listed spec against its official file in `../shared/specs/openai`.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// Path of the index, relative to the workspace root.
pub const INDEX: &str = "specs/index.json";

/// The whole index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecIndex {
    /// What the file is, for a reader who opens it.
    #[serde(rename = "_about", default)]
    pub about: String,
    /// One entry per spec in `specs/`, ordered by file name.
    pub specs: Vec<Entry>,
}

/// One spec of ours and the official file it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// File name in `specs/`.
    pub file: String,
    /// The official file, relative to the official folder (`../shared/specs/openai`).
    pub official: String,
    /// Hex sha256 of the official file's bytes.
    pub sha256: String,
    /// `ours` (descriptions written by the project) or `none` (made by `cargo xtask vendor`).
    pub prose: String,
}

const ABOUT: &str = "Which official OpenAI file each spec in this folder states the facts of (paths relative to ../shared/specs/openai). Written by `cargo xtask vendor` and `cargo xtask update-spec`; checked by `cargo xtask verify-specs`.";

impl SpecIndex {
    /// Reads the index of the workspace at `root`.
    pub fn read(root: &Path) -> Result<SpecIndex, String> {
        let path = root.join(INDEX);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {INDEX}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("{INDEX}:{}:{}: {e}", e.line(), e.column()))
    }

    /// Writes the index (through a temporary file, so a failure leaves the old one).
    pub fn write(&self, root: &Path) -> Result<(), String> {
        let mut sorted = self.clone();
        sorted.about = ABOUT.to_owned();
        sorted.specs.sort_by(|a, b| a.file.cmp(&b.file));
        let text = serde_json::to_string_pretty(&sorted).map_err(|e| e.to_string())? + "\n";
        write_atomic(&root.join(INDEX), text.as_bytes())
    }

    /// The entry for `file`, if listed.
    pub fn get(&self, file: &str) -> Option<&Entry> {
        self.specs.iter().find(|e| e.file == file)
    }

    /// Adds or replaces the entry for `entry.file`.
    pub fn upsert(&mut self, entry: Entry) {
        self.specs.retain(|e| e.file != entry.file);
        self.specs.push(entry);
    }

    /// Drops the entry for `file`.
    pub fn remove(&mut self, file: &str) {
        self.specs.retain(|e| e.file != file);
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a
/// rename, so readers never see half a file and a failure leaves the old one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().ok_or_else(|| format!("{} has no parent folder", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot replace {}: {e}", path.display())
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn round_trips_sorted_and_replaces_entries() {
        let dir = tempdir("index");
        std::fs::create_dir_all(dir.join("specs")).unwrap();
        let mut index = SpecIndex::default();
        let entry = |file: &str, sha: &str| Entry { file: file.into(), official: format!("o/{file}"), sha256: sha.into(), prose: "none".into() };
        index.upsert(entry("b.json", "1"));
        index.upsert(entry("a.json", "2"));
        index.upsert(entry("b.json", "3"));
        index.write(&dir).unwrap();
        let back = SpecIndex::read(&dir).unwrap();
        assert_eq!(back.specs.iter().map(|e| (e.file.as_str(), e.sha256.as_str())).collect::<Vec<_>>(), [("a.json", "2"), ("b.json", "3")]);
        assert!(back.about.contains("verify-specs"));
        std::fs::write(dir.join(INDEX), "{\"specs\": [{\"file\": 1}]}").unwrap();
        let err = SpecIndex::read(&dir).unwrap_err();
        assert!(err.starts_with("specs/index.json:1:"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    pub fn tempdir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{tag}-{}-{}", std::process::id(), fastrand_suffix()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn fastrand_suffix() -> u128 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
    }
}
