//! Type names. A component schema keeps the spec's name; an inline schema
//! (a property's object, an array's items, a union's branch) is named from the
//! thing it hangs from and the steps down to it, as short as stays unique:
//!
//! 1. its `title`, when the spec gives one of three words or more (a shorter
//!    one, or one that names a JSON type such as `array`, says too little on its own);
//! 2. the root's name plus the title (any title but a JSON type's);
//! 3. the root's name plus the last step, then plus the last two steps, and so
//!    on up to every step: the first that no other type wants. A union
//!    variant's type starts with two steps (its union's and its own: `…ChunkingStrategyAuto`,
//!    not `…Auto`), and so does a step that only says what kind of thing it
//!    is (`type`, `object`: `…ResponseFormatType`, not `…Type`). Where a step starts with the words the name so far ends
//!    with, they are said once (`…ImageUrl` + `ImageUrl` → `…ImageUrl`), then in full;
//! 4. any name over [`MAX_TYPE_NAME`] characters drops as few inner words as
//!    make it fit (never the first or the last, nor the second of five or
//!    more: `RealtimeBeta…` stays beta); of drops as small, first the words
//!    most component names of the spec use (they tell least), then the leftmost.
//!
//! The root is the component the schema sits in, or the operation and its role
//! (`CreateFileRequest`, `ListFilesOrder`). Candidates go through
//! [`resolve`](super::resolve): a name two types want goes to the one nearer
//! its root, or to neither when both are as near, so which type gets a short
//! name never depends on the order the spec lists things in.

use super::{camel_words, resolve, type_name, Claimant};
use crate::ir::{TypeDef, TypeId};
use std::collections::{BTreeMap, BTreeSet};

/// Longest type name the rules aim for (names of one or two very long words
/// can be longer: a word is never cut).
pub const MAX_TYPE_NAME: usize = 60;

/// Steps that say what kind of object holds them, not what they are (the
/// tag properties of the OpenAI objects): named with the step before them.
const KIND_STEPS: &[&str] = &["Type", "Object", "Kind"];

/// Titles that say what JSON type a schema has, not what it is.
const GENERIC_TITLES: &[&str] = &["String", "Array", "Object", "Number", "Integer", "Boolean", "Null", "Empty", "Any"];

/// Where an inline schema sits: the named thing it hangs from and the steps
/// down to it (each a name: a property, a union variant, `Item` of an array,
/// `Value` of a map).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePath {
    /// The component's Rust name, or the operation's type name plus role.
    pub root: String,
    /// Steps from the root, each an `UpperCamelCase` name.
    pub steps: Vec<String>,
    /// The last step is a union variant (named only with its union's step).
    pub variant: bool,
}

impl NamePath {
    /// A path at a named root.
    pub fn root(name: impl Into<String>) -> Self {
        NamePath { root: name.into(), steps: Vec::new(), variant: false }
    }

    /// One step further down (`step` is cleaned into a type name).
    pub fn child(&self, step: &str) -> Self {
        let mut steps = self.steps.clone();
        steps.push(type_name(step));
        NamePath { root: self.root.clone(), steps, variant: false }
    }

    /// The branch of a union one step further down, as the variant `name`.
    pub fn variant(&self, name: &str) -> Self {
        NamePath { variant: true, ..self.child(name) }
    }

    /// The same place with a word appended to the last step (`Messages` →
    /// `MessagesItem` for the items of an array), or a step of its own at the root.
    pub fn suffixed(&self, suffix: &str) -> Self {
        let mut out = self.clone();
        out.variant = false;
        match out.steps.last_mut() {
            Some(last) => last.push_str(suffix),
            None => out.steps.push(suffix.to_owned()),
        }
        out
    }

    /// Root and every step joined: the longest name, unique by construction
    /// for schemas at different places.
    pub fn long(&self) -> String {
        let mut out = self.root.clone();
        for s in &self.steps {
            out.push_str(s);
        }
        out
    }
}

/// Fewest words of a title that names a type on its own.
const STANDALONE_TITLE_WORDS: usize = 3;

/// A title worth naming a type or variant after, as a type name.
pub fn useful_title(title: Option<&str>) -> Option<String> {
    let name = type_name(title?.trim());
    (!title?.trim().is_empty() && !GENERIC_TITLES.contains(&name.as_str())).then_some(name)
}

/// Names types of one spec: knows how common each word of its component
/// names is, to shorten long names by their least telling words.
#[derive(Debug, Clone, Default)]
pub struct TypeNamer {
    /// How many component names use each word.
    frequency: BTreeMap<String, usize>,
}

impl TypeNamer {
    /// A namer for a spec with these component names (as in the spec).
    pub fn new<'a>(components: impl IntoIterator<Item = &'a String>) -> Self {
        let mut frequency: BTreeMap<String, usize> = BTreeMap::new();
        for name in components {
            let name = type_name(name);
            let words: std::collections::BTreeSet<&str> = camel_words(&name).into_iter().collect();
            for w in words {
                *frequency.entry(w.to_owned()).or_default() += 1;
            }
        }
        TypeNamer { frequency }
    }

    /// The candidates of a component schema: its name, shortened when too long.
    pub fn component(&self, name: &str) -> Claimant {
        let name = type_name(name);
        let mut candidates = self.shorten(&name);
        candidates.push(name);
        dedup(&mut candidates);
        Claimant { candidates, rank: 0 }
    }

    /// The candidates of an inline schema at `path` with this `title`, and its
    /// rank (its depth: nearer the root wins a name both want).
    pub fn inline(&self, path: &NamePath, title: Option<&str>) -> Claimant {
        let mut wanted = Vec::new();
        if let Some(title) = useful_title(title) {
            if camel_words(&title).len() >= STANDALONE_TITLE_WORDS {
                wanted.push(title.clone());
            }
            wanted.push(join_collapsed(&path.root, std::slice::from_ref(&title)));
            wanted.push(join(&path.root, &[title]));
        }
        let n = path.steps.len();
        let says_kind = path.steps.last().is_some_and(|s| KIND_STEPS.contains(&s.as_str()));
        let first = if path.variant || says_kind { 2.min(n) } else { 1 };
        for k in first.max(1)..=n {
            let tail = &path.steps[n - k..];
            wanted.push(join_collapsed(&path.root, tail));
            wanted.push(join(&path.root, tail));
        }
        if n == 0 {
            wanted.push(path.root.clone());
        }
        let mut candidates = Vec::with_capacity(wanted.len() * 2);
        for w in wanted {
            let short = self.shorten(&w);
            if short.is_empty() {
                candidates.push(w);
            } else {
                candidates.extend(short);
            }
        }
        // The longest name goes last in full, for the numbered fallback.
        candidates.push(path.long());
        dedup(&mut candidates);
        Claimant { candidates, rank: n }
    }

    /// Shorter forms of a name over [`MAX_TYPE_NAME`] that fit: as few inner
    /// words dropped as will do (never the first or the last, at most
    /// [`MAX_DROPPED`]); of drops as small, the words most component names use
    /// first (they tell least), then the leftmost. Empty when the name fits
    /// already or no form fits.
    pub fn shorten(&self, name: &str) -> Vec<String> {
        if name.len() <= MAX_TYPE_NAME {
            return Vec::new();
        }
        let words: Vec<&str> = camel_words(name);
        let kept_first = if words.len() >= 5 { 2 } else { 1 };
        let inner: Vec<usize> = (kept_first..words.len().saturating_sub(1)).collect();
        let mut out: Vec<String> = Vec::new();
        for k in 1..=MAX_DROPPED.min(inner.len()) {
            // Every way to drop k inner words that makes the name fit, most common words first.
            let mut fits: Vec<(std::cmp::Reverse<usize>, Vec<usize>, String)> = Vec::new();
            for drop in combinations(&inner, k) {
                let kept: String = words.iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, w)| *w).collect();
                if kept.len() <= MAX_TYPE_NAME {
                    let common = drop.iter().map(|&i| self.frequency.get(words[i]).copied().unwrap_or(0)).sum();
                    fits.push((std::cmp::Reverse(common), drop, kept));
                }
            }
            fits.sort();
            out.extend(fits.into_iter().map(|(_, _, name)| name));
            if !out.is_empty() {
                break;
            }
        }
        out
    }
}

/// Most inner words a long name drops.
pub const MAX_DROPPED: usize = 4;

/// Every choice of `k` items of `items`, in lexicographic order.
fn combinations(items: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut pick: Vec<usize> = (0..k).collect();
    if k == 0 || k > items.len() {
        return out;
    }
    loop {
        out.push(pick.iter().map(|&i| items[i]).collect());
        let Some(i) = (0..k).rev().find(|&i| pick[i] < items.len() - k + i) else { return out };
        pick[i] += 1;
        for j in i + 1..k {
            pick[j] = pick[j - 1] + 1;
        }
    }
}

/// Names the inline types of `types` (those in `inline`, with their place
/// and title) around the names the others (components) have; returns the
/// types whose name had to be numbered, with that name.
pub fn name_inline(types: &mut BTreeMap<TypeId, TypeDef>, inline: &BTreeMap<TypeId, (NamePath, Option<String>)>, namer: &TypeNamer) -> Vec<(TypeId, String)> {
    let taken: BTreeSet<String> = types.iter().filter(|(id, _)| !inline.contains_key(*id)).map(|(_, t)| t.rust_name.clone()).collect();
    let ids: Vec<&TypeId> = inline.keys().filter(|id| types.contains_key(*id)).collect();
    let claimants: Vec<Claimant> = ids.iter().map(|id| namer.inline(&inline[*id].0, inline[*id].1.as_deref())).collect();
    let mut numbered = Vec::new();
    for (id, name) in ids.into_iter().zip(resolve(&claimants, &taken)) {
        if name.numbered {
            numbered.push((id.clone(), name.name.clone()));
        }
        if let Some(t) = types.get_mut(id) {
            t.rust_name = name.name;
        }
    }
    numbered
}

/// `root` followed by `steps`.
fn join(root: &str, steps: &[String]) -> String {
    let mut out = root.to_owned();
    for s in steps {
        out.push_str(s);
    }
    out
}

/// `root` followed by `steps`, each step without the leading words that
/// repeat the words the name ends with.
fn join_collapsed(root: &str, steps: &[String]) -> String {
    let mut words: Vec<&str> = camel_words(root);
    for step in steps {
        let next = camel_words(step);
        let overlap = (1..=next.len().min(words.len())).rev().find(|&k| words[words.len() - k..] == next[..k]).unwrap_or(0);
        words.extend_from_slice(&next[overlap..]);
    }
    words.concat()
}

fn dedup(names: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(root: &str, steps: &[&str]) -> NamePath {
        steps.iter().fold(NamePath::root(root), |p, s| p.child(s))
    }

    #[test]
    fn inline_names_grow_from_the_root_one_step_at_a_time() {
        let p = path("CreateChatCompletionResponse", &["choices"]).suffixed("Item").child("logprobs");
        assert_eq!(p.long(), "CreateChatCompletionResponseChoicesItemLogprobs");
        let c = TypeNamer::default().inline(&p, None);
        assert_eq!(c.rank, 2);
        assert_eq!(c.candidates, ["CreateChatCompletionResponseLogprobs", "CreateChatCompletionResponseChoicesItemLogprobs"]);
        let kind = path("CreateChatCompletionRequest", &["response_format", "type"]);
        assert_eq!(TypeNamer::default().inline(&kind, None).candidates[0], "CreateChatCompletionRequestResponseFormatType", "`type` alone says nothing");
    }

    #[test]
    fn repeated_words_are_said_once_before_they_are_said_twice() {
        let p = path("CreateModerationRequest", &["List", "ImageUrl", "image_url"]);
        let c = TypeNamer::default().inline(&p, None);
        assert_eq!(c.candidates[..4], ["CreateModerationRequestImageUrl", "CreateModerationRequestImageUrlImageUrl", "CreateModerationRequestListImageUrl", "CreateModerationRequestListImageUrlImageUrl"]);
    }

    #[test]
    fn titles_come_first_unless_they_only_name_a_json_type() {
        let p = path("CreateThreadRequest", &["chunking_strategy"]).variant("Static");
        let namer = TypeNamer::default();
        assert_eq!(namer.inline(&p, Some("Static Chunking Strategy")).candidates[..3], ["StaticChunkingStrategy", "CreateThreadRequestStaticChunkingStrategy", "CreateThreadRequestChunkingStrategyStatic"]);
        assert_eq!(namer.inline(&p, Some("array")).candidates[0], "CreateThreadRequestChunkingStrategyStatic", "a variant is named with its union");
        assert_eq!(namer.inline(&p, Some("Token usage")).candidates[0], "CreateThreadRequestTokenUsage", "a short title only after the root");
        let mcp = path("BetaMcpTool", &["require_approval"]).variant("Filter");
        assert_eq!(namer.inline(&mcp, Some("MCP tool approval filter")).candidates[..2], ["McpToolApprovalFilter", "BetaMcpToolApprovalFilter"]);
        assert_eq!(useful_title(Some("  ")), None);
    }

    #[test]
    fn long_names_drop_their_most_common_inner_words() {
        let long = "RealtimeBetaServerEventConversationItemInputAudioTranscriptionCompleted";
        let spec: Vec<String> = ["RealtimeServerEventError", "RealtimeServerEventSessionCreated", "RealtimeClientEventSessionUpdate", long].iter().map(|s| (*s).to_owned()).collect();
        let namer = TypeNamer::new(&spec);
        // 71 characters: one word of 11 or more must go (`Conversation` or
        // `Transcription`), both in one name; else two (`Server` and `Event`,
        // the most common, first).
        assert_eq!(namer.shorten(long), ["RealtimeBetaServerEventItemInputAudioTranscriptionCompleted", "RealtimeBetaServerEventConversationItemInputAudioCompleted"]);
        // The second word of a long name stays: `Beta` is what tells it from its twin.
        let error = "RealtimeBetaServerEventItemInputAudioTranscriptionFailedError";
        assert!(namer.shorten(error).iter().all(|n| n.starts_with("RealtimeBeta")), "{:?}", namer.shorten(error));
        let delta = "RealtimeServerEventConversationItemInputAudioTranscriptionDelta";
        assert_eq!(namer.shorten(delta)[..2], ["RealtimeServerConversationItemInputAudioTranscriptionDelta", "RealtimeServerEventItemInputAudioTranscriptionDelta"]);
        assert_eq!(combinations(&[1, 2, 3], 2), [vec![1, 2], vec![1, 3], vec![2, 3]]);
        assert_eq!(namer.component(long).candidates.last().unwrap(), long, "the full name stays the last resort");
        assert!(namer.shorten("Short").is_empty());
        let one_word = format!("A{}", "b".repeat(70));
        assert!(namer.shorten(&one_word).is_empty(), "a word is never cut");
        assert_eq!(namer.component(&one_word).candidates, std::slice::from_ref(&one_word));
    }
}
