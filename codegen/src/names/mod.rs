//! Every naming decision in one place: identifier cleanup (case conversion,
//! keywords, leading digits, characters Rust does not allow), the names of
//! inline types ([`types`]), of union variants ([`variants`]), of methods
//! ([`methods`]), of Cargo features ([`features`]) and of the modules types
//! live in ([`modules`]), and the one clash-resolution loop they share
//! ([`resolve`]). Lowering asks these functions and stores the answers in the
//! model. Later stages read the model, and ask here only what it does not
//! store: emit, the module a type lives in; the spec diff, the name a
//! schema's type would have.

pub mod features;
pub mod methods;
pub mod modules;
pub mod types;
pub mod variants;

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::{BTreeMap, BTreeSet};

/// Words that cannot be identifiers even as raw identifiers (`r#self` is invalid).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Strict and reserved keywords of Rust 2021 (plus 2024's `gen`).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop",
    "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "gen",
];

/// Characters of a spec string that a Rust name is built from.
const MAX_NAME_CHARS: usize = 256;

/// Replaces characters that heck does not treat as separators (`.`, `/`, `+`, ...)
/// with `_`, and spells out a few that carry meaning in enum values.
fn words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_NAME_CHARS * 6));
    // A name is built from the first characters only, so case conversion costs
    // the same for any input (names longer than this are rejected at load where
    // they come from the spec's keys and names; titles are only bounded here).
    for c in raw.chars().take(MAX_NAME_CHARS) {
        match c {
            '+' => out.push_str("_plus_"),
            '*' => out.push_str("_star_"),
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push('_'),
        }
    }
    out
}

/// A type or variant name: `UpperCamelCase`, never starting with a digit.
pub fn type_name(raw: &str) -> String {
    let mut name = words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = "Empty".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A field, method or parameter name: `snake_case`; keywords become raw
/// identifiers (`r#type`), `self` and friends get a trailing underscore.
pub fn field_name(raw: &str) -> String {
    let mut name = words(raw).to_snake_case();
    if name.is_empty() {
        name = "value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    } else if KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// A constant name: `SCREAMING_SNAKE_CASE`.
pub fn const_name(raw: &str) -> String {
    let mut name = field_name(raw).trim_start_matches("r#").trim_matches('_').to_uppercase();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "SELF" {
        name.push('_');
    }
    name
}

/// Hands out names that are unique within one scope: the first claimant of a
/// name gets it, later ones get `2`, `3`, ... appended.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope where `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope { taken: reserved.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// Claims `wanted`, or the first free `wanted{n}`.
    pub fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        // `r#type` + 2 is `type2`, which needs no raw prefix; `Self_` + 2 is
        // `Self2` (`Self_2` is not UpperCamelCase, and warns).
        let base = wanted.strip_prefix("r#").unwrap_or(wanted);
        let base = match base.trim_end_matches('_') {
            "" => base,
            trimmed => trimmed,
        };
        for n in 2.. {
            let candidate = format!("{base}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("an unbounded counter always finds a free name")
    }

    /// Whether a name is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

/// The words of an `UpperCamelCase` name: a word starts at an upper-case
/// letter; digits stay with the word before them (`Gpt4o`, `V256x256`).
pub fn camel_words(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices() {
        if i > start && c.is_uppercase() {
            out.push(&name[start..i]);
            start = i;
        }
    }
    if start < name.len() {
        out.push(&name[start..]);
    }
    out
}

/// One thing that needs a name: its candidates, most wanted first, and its
/// rank (lower wins a name it shares with a higher one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimant {
    /// Candidate names, preferred first; the last is the most specific.
    pub candidates: Vec<String>,
    /// Lower ranks win contested names (an inline type's depth below its root).
    pub rank: usize,
}

/// The name [`resolve`] gave one claimant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The name.
    pub name: String,
    /// Every candidate clashed: the name is the last candidate with a number
    /// appended (the generation report counts these).
    pub numbered: bool,
}

/// The clash-resolution loop every generated name goes through, in rounds:
/// each claimant wants its first candidate that is neither `taken`, banned nor
/// given away. A name wanted by one claimant, or by one claimant of the lowest
/// rank among those wanting it, goes to that claimant; the others move on to
/// their next candidate. A name wanted by several claimants of the same lowest
/// rank goes to none of them and is banned, so no claimant gets a name that
/// would be just as right for another. A claimant out of candidates gets its
/// last candidate numbered (`Name2`, in claimant order). The result depends
/// only on the claimants and `taken`, never on the order rounds look at them.
pub fn resolve(claimants: &[Claimant], taken: &BTreeSet<String>) -> Vec<Resolved> {
    let n = claimants.len();
    let mut next = vec![0usize; n];
    let mut out: Vec<Option<Resolved>> = vec![None; n];
    let mut given: BTreeSet<String> = BTreeSet::new();
    let mut banned: BTreeSet<String> = BTreeSet::new();
    let mut open: Vec<usize> = (0..n).collect();
    let mut exhausted: Vec<usize> = Vec::new();
    while !open.is_empty() {
        let mut wanting: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in &open {
            let c = &claimants[i].candidates;
            while next[i] < c.len() && (taken.contains(&c[next[i]]) || banned.contains(&c[next[i]]) || given.contains(&c[next[i]])) {
                next[i] += 1;
            }
            match c.get(next[i]) {
                Some(name) => wanting.entry(name.as_str()).or_default().push(i),
                None => exhausted.push(i),
            }
        }
        let mut still_open = Vec::new();
        for (name, who) in wanting {
            let best = who.iter().map(|&i| claimants[i].rank).min().expect("a name is wanted by someone");
            let winners: Vec<usize> = who.iter().copied().filter(|&i| claimants[i].rank == best).collect();
            if winners.len() == 1 {
                out[winners[0]] = Some(Resolved { name: name.to_owned(), numbered: false });
                given.insert(name.to_owned());
            } else {
                banned.insert(name.to_owned());
            }
            for i in who {
                if out[i].is_none() {
                    next[i] += 1;
                    still_open.push(i);
                }
            }
        }
        still_open.sort_unstable();
        open = still_open;
    }
    exhausted.sort_unstable();
    let mut scope = Scope { taken: taken.iter().chain(&given).cloned().collect() };
    for i in exhausted {
        let last = claimants[i].candidates.last().map_or("Unnamed", String::as_str);
        out[i] = Some(Resolved { name: scope.claim(last), numbered: true });
    }
    out.into_iter().map(|r| r.expect("every claimant is resolved")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(candidates: &[&str], rank: usize) -> Claimant {
        Claimant { candidates: candidates.iter().map(|s| (*s).to_owned()).collect(), rank }
    }

    fn names(r: &[Resolved]) -> Vec<&str> {
        r.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn contested_names_go_to_the_lowest_rank_or_to_no_one() {
        let taken: BTreeSet<String> = ["Taken".to_owned()].into();
        // Equal ranks: neither gets `A`, each its next candidate.
        let r = resolve(&[claim(&["A", "XA"], 1), claim(&["A", "YA"], 1)], &taken);
        assert_eq!(names(&r), ["XA", "YA"]);
        // A lower rank wins; the other moves on.
        let r = resolve(&[claim(&["A", "XA"], 2), claim(&["A", "YA"], 1)], &taken);
        assert_eq!(names(&r), ["XA", "A"]);
        // A banned name is skipped by a third claimant that wants it later.
        let r = resolve(&[claim(&["A", "XA"], 1), claim(&["A", "YA"], 1), claim(&["B", "A", "ZA"], 1), claim(&["B", "C"], 0)], &taken);
        assert_eq!(names(&r), ["XA", "YA", "ZA", "B"]);
        // Taken names are never handed out; exhaustion numbers the last candidate.
        let r = resolve(&[claim(&["Taken"], 0), claim(&["Taken"], 0)], &taken);
        assert_eq!(names(&r), ["Taken2", "Taken3"]);
        assert!(r.iter().all(|r| r.numbered));
        let r = resolve(&[claim(&["Same"], 0), claim(&["Same"], 0)], &BTreeSet::new());
        assert_eq!(names(&r), ["Same", "Same2"], "the first claimant keeps the plain name");
        // The order of claimants does not change who gets what.
        let a = resolve(&[claim(&["A", "X"], 1), claim(&["B", "C"], 1), claim(&["A", "D"], 0)], &BTreeSet::new());
        let b = resolve(&[claim(&["A", "D"], 0), claim(&["B", "C"], 1), claim(&["A", "X"], 1)], &BTreeSet::new());
        assert_eq!(names(&a), ["X", "B", "A"]);
        assert_eq!(names(&b), ["A", "B", "X"]);
    }

    #[test]
    fn splits_camel_words() {
        assert_eq!(camel_words("CreateChatCompletionRequest"), ["Create", "Chat", "Completion", "Request"]);
        assert_eq!(camel_words("Gpt4oMini"), ["Gpt4o", "Mini"]);
        assert_eq!(camel_words("V256x256"), ["V256x256"]);
        assert_eq!(camel_words(""), Vec::<&str>::new());
    }

    #[test]
    fn cleans_identifiers() {
        assert_eq!(type_name("CreateChatCompletionRequest"), "CreateChatCompletionRequest");
        assert_eq!(type_name("gpt-3.5-turbo"), "Gpt35Turbo");
        assert_eq!(type_name("256x256"), "V256x256");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(type_name(""), "Empty");
        assert_eq!(type_name("thread.run.created"), "ThreadRunCreated");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("1st"), "_1st");
        assert_eq!(field_name("logit_bias"), "logit_bias");
        assert_eq!(field_name("timestamp_granularities[]"), "timestamp_granularities");
        assert_eq!(field_name("Content-Type"), "content_type");
        assert_eq!(const_name("gpt-4o"), "GPT_4O");
        assert_eq!(const_name("3d"), "V3D");
    }

    #[test]
    fn resolves_clashes() {
        let mut scope = Scope::with_reserved(&["Unknown"]);
        assert_eq!(scope.claim("Unknown"), "Unknown2");
        assert_eq!(scope.claim("A"), "A");
        assert_eq!(scope.claim("A"), "A2");
        assert_eq!(scope.claim("A2"), "A22");
        let mut fields = Scope::default();
        assert_eq!(fields.claim("r#type"), "r#type");
        assert_eq!(fields.claim("r#type"), "type2");
        let mut types = Scope::default();
        assert_eq!(types.claim(&type_name("self")), "Self_");
        assert_eq!(types.claim(&type_name("Self")), "Self2");
        assert_eq!(fields.claim("self_"), "self_");
        assert_eq!(fields.claim("self_"), "self2");
    }
}
