//! Method names. A method is named after its `operationId` in `snake_case`
//! (`createChatCompletion` → `create_chat_completion`). An operationId written
//! as one run of letters (`getorganizationspendlimit`) or with its capitals in
//! the wrong places (`CreateanAPIkeyforaserviceaccount`) is split into the
//! words the spec itself uses: the words of its paths, tags and component
//! names, their plurals and singulars, and a few verbs and small words
//! ([`BASIC_WORDS`]); articles are left out (`create_api_key_for_service_account`).
//! A name from `method_names` in `specs/codegen.yaml` wins over all of this.
//! Every method not named from its operationId as written is listed in the
//! generation report (see [`NameSource`]).

use super::{camel_words, field_name, type_name};
use crate::ir::NameSource;
use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Verbs of API operations and small words the spec's names leave out.
pub const BASIC_WORDS: &[&str] = &[
    "a", "an", "the", "for", "of", "to", "by", "with", "in", "on", "from", "and", "or", "all", "get", "list", "create", "update", "delete", "retrieve", "modify",
    "cancel", "add", "remove", "set", "submit", "upload", "download", "search", "run", "count", "check", "compact", "archive", "assign", "unassign",
];

/// Words an operationId never needs, when it is split.
const ARTICLES: &[&str] = &["a", "an", "the"];

/// Longest run of letters the splitter takes on (longer runs stay as they are).
const MAX_RUN: usize = 256;

/// A method's name, its words and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodName {
    /// The name in `snake_case`.
    pub method: String,
    /// The same words in `UpperCamelCase`, for the types named after the operation.
    pub type_prefix: String,
    /// Where the name came from.
    pub source: NameSource,
}

/// Names the methods of one spec.
#[derive(Debug, Clone, Default)]
pub struct MethodNamer {
    /// Lower-case words of the spec (and [`BASIC_WORDS`]).
    words: BTreeSet<String>,
    /// Names from the config, by operationId.
    overrides: BTreeMap<String, String>,
}

impl MethodNamer {
    /// A namer that knows the words of `doc` and the config's `overrides`.
    pub fn new(doc: &Value, overrides: &BTreeMap<String, String>) -> Self {
        let mut words: BTreeSet<String> = BASIC_WORDS.iter().map(|w| (*w).to_owned()).collect();
        let mut add = |text: &str| {
            for w in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() > 1) {
                words.insert(w.to_ascii_lowercase());
            }
        };
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                add(path);
                for op in item.as_object().into_iter().flat_map(|m| m.values()) {
                    for tag in op.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                        add(tag);
                    }
                }
            }
        }
        if let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) {
            for name in schemas.keys() {
                let name = type_name(name);
                add(&camel_words(&name).join(" "));
            }
        }
        // Plurals and singulars of the words seen (`checks` → `check`, `count` → `counts`).
        let forms: Vec<String> = words.iter().flat_map(|w| [w.strip_suffix('s').filter(|s| s.len() > 2).map(str::to_owned), (!w.ends_with('s')).then(|| format!("{w}s"))]).flatten().collect();
        words.extend(forms);
        MethodNamer { words, overrides: overrides.clone() }
    }

    /// The method of the operation `operation_id` (or, without one, of
    /// `method` and `path`).
    pub fn name(&self, operation_id: Option<&str>, method: &str, path: &str) -> MethodName {
        if let Some(wanted) = operation_id.and_then(|id| self.overrides.get(id)) {
            return MethodName { method: field_name(wanted), type_prefix: type_name(wanted), source: NameSource::Override };
        }
        let Some(id) = operation_id else {
            let raw = format!("{method}_{}", path.replace(['{', '}'], ""));
            return MethodName { method: field_name(&raw), type_prefix: type_name(&raw), source: NameSource::MethodAndPath };
        };
        let mut words: Vec<String> = Vec::new();
        let mut split = false;
        for chunk in id.split(|c: char| !c.is_alphanumeric()).filter(|c| !c.is_empty()) {
            let soft: Vec<String> = chunk.to_snake_case().split('_').filter(|w| !w.is_empty()).map(str::to_owned).collect();
            if soft.iter().all(|w| self.knows(w)) {
                words.extend(soft);
                continue;
            }
            match self.segment(&chunk.to_lowercase()) {
                Some(parts) if parts != soft => {
                    split = true;
                    let kept: Vec<String> = parts.iter().filter(|p| !ARTICLES.contains(&p.as_str())).cloned().collect();
                    words.extend(if kept.is_empty() { parts } else { kept });
                }
                _ => words.extend(soft),
            }
        }
        if !split {
            return MethodName { method: field_name(id), type_prefix: type_name(id), source: NameSource::OperationId };
        }
        let joined = words.join("_");
        MethodName { method: field_name(&joined), type_prefix: joined.to_upper_camel_case(), source: NameSource::Split }
    }

    /// A word of the spec, with any number after it (`thing1`, `v2`).
    fn knows(&self, word: &str) -> bool {
        let base = word.trim_end_matches(|c: char| c.is_ascii_digit());
        base.is_empty() || self.words.contains(base) || self.words.contains(word)
    }

    /// `run` as the fewest known words (of splits as short, the one whose
    /// earlier words are longer), or `None` when no split covers it.
    fn segment(&self, run: &str) -> Option<Vec<String>> {
        if run.len() > MAX_RUN || !run.is_ascii() {
            return None;
        }
        let n = run.len();
        // best[i]: fewest words for run[..i], and where the last word starts.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for i in 1..=n {
            for j in 0..i {
                let Some((count, _)) = best[j] else { continue };
                if !self.knows(&run[j..i]) {
                    continue;
                }
                if best[i].is_none_or(|(c, _)| count + 1 < c) {
                    best[i] = Some((count + 1, j));
                }
            }
        }
        best[n]?;
        let mut out = Vec::new();
        let mut i = n;
        while i > 0 {
            let (_, j) = best[i].expect("a reachable end has a reachable start");
            out.push(run[j..i].to_owned());
            i = j;
        }
        out.reverse();
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({
            "paths": {
                "/organization/spend_limit": {"get": {"operationId": "getorganizationspendlimit", "tags": ["Spend limits"]}},
                "/organization/projects/{project_id}/service_accounts/{service_account_id}/api_keys": {"post": {"operationId": "CreateanAPIkeyforaserviceaccount"}},
                "/responses/input_tokens": {"post": {"operationId": "getinputtokencounts"}},
                "/responses/compact": {"post": {"operationId": "Compactconversation"}},
                "/conversations": {"post": {"operationId": "createConversation"}},
                "/things/1": {"get": {"operationId": "getThing1"}},
                "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs": {"post": {"operationId": "submitToolOuputsToRun"}}
            },
            "components": {"schemas": {"TokenCountsBody": {}}}
        })
    }

    fn method(namer: &MethodNamer, id: &str) -> (String, String, NameSource) {
        let m = namer.name(Some(id), "post", "/x");
        (m.method, m.type_prefix, m.source)
    }

    #[test]
    fn run_together_operation_ids_are_split_into_the_specs_words() {
        let namer = MethodNamer::new(&spec(), &BTreeMap::new());
        let split = |id: &str| method(&namer, id);
        assert_eq!(split("getorganizationspendlimit"), ("get_organization_spend_limit".to_owned(), "GetOrganizationSpendLimit".to_owned(), NameSource::Split));
        assert_eq!(split("CreateanAPIkeyforaserviceaccount").0, "create_api_key_for_service_account");
        assert_eq!(split("getinputtokencounts").0, "get_input_token_counts");
        assert_eq!(split("Compactconversation").0, "compact_conversation");
        assert_eq!(split("beta_Compactconversation").0, "beta_compact_conversation");
        // Names that are words already, or that no split explains, stay as written.
        assert_eq!(split("createConversation"), ("create_conversation".to_owned(), "CreateConversation".to_owned(), NameSource::OperationId));
        assert_eq!(split("submitToolOuputsToRun"), ("submit_tool_ouputs_to_run".to_owned(), "SubmitToolOuputsToRun".to_owned(), NameSource::OperationId));
        assert_eq!(split("list-audit-logs").0, "list_audit_logs");
        assert_eq!(split("getThing1"), ("get_thing1".to_owned(), "GetThing1".to_owned(), NameSource::OperationId), "a number stays with its word");
        assert_eq!(split("xyzzy").2, NameSource::OperationId);
    }

    #[test]
    fn the_config_and_a_missing_operation_id_name_methods_too() {
        let overrides: BTreeMap<String, String> = [("getinputtokencounts".to_owned(), "count_input_tokens".to_owned())].into();
        let namer = MethodNamer::new(&spec(), &overrides);
        assert_eq!(method(&namer, "getinputtokencounts"), ("count_input_tokens".to_owned(), "CountInputTokens".to_owned(), NameSource::Override));
        let m = namer.name(None, "get", "/files/{file_id}");
        assert_eq!((m.method.as_str(), m.source), ("get_files_file_id", NameSource::MethodAndPath));
    }
}
