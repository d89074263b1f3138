//! Names of union variants. A tagged union's variants are its tag values. An
//! untagged union's variant is named, first that applies:
//!
//! 1. by its value, when the branch is a single string (`"auto"` → `Auto`);
//! 2. by its `title`, unless the title only names a JSON type (`array`);
//! 3. by the schema it refers to, without the words it shares with the union
//!    (`ChatCompletionRequestMessage` → `UserMessage`), or in full; a schema
//!    the spec numbered (`ConversationParam-2`) is named by its title first,
//!    then without its number (`ImageRefParam-2` → `ImageRefParam`);
//! 4. by its shape: [`shape_word`] (`Text`, `Texts`, `Tokens`, `TokenArrays`, …).
//!
//! Two variants that want one name both take their next candidate (see
//! [`resolve`](super::resolve)); a variant numbered because every candidate
//! clashed is counted in the generation report.

use super::types::useful_title;
use super::{camel_words, resolve, type_name, Claimant, Resolved};

/// What an untagged branch holds, as far as its name goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A string.
    Text,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// Any JSON value.
    Value,
    /// An object: free-form, or with properties (the first one given, for a
    /// second choice of name).
    Object(Option<String>),
    /// A file (multipart).
    File,
    /// A string enum of several values.
    Mode,
    /// A union of its own.
    Union,
    /// A map of these.
    Map(Box<Shape>),
    /// An array of these.
    Array(Box<Shape>),
    /// A component schema, by its Rust name, with its title.
    Named {
        /// The component's Rust type name.
        name: String,
        /// The component's `title`.
        title: Option<String>,
    },
}

/// One branch of an untagged union.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// The only value of a one-value string branch (not through a `$ref`).
    pub value: Option<String>,
    /// The branch's own `title`.
    pub title: Option<String>,
    /// What it holds.
    pub shape: Shape,
}

/// The variant names of an untagged union named `union`, in branch order.
pub fn untagged(branches: &[Branch], union: &str) -> Vec<Resolved> {
    let claimants: Vec<Claimant> = branches.iter().map(|b| Claimant { candidates: candidates(b, union), rank: 0 }).collect();
    resolve(&claimants, &Default::default())
}

/// The variant names of a tagged union: each variant's tag values, first first.
pub fn tagged(values: &[Vec<String>]) -> Vec<Resolved> {
    let claimants: Vec<Claimant> = values.iter().map(|v| Claimant { candidates: dedup(v.iter().map(|v| type_name(v)).collect()), rank: 0 }).collect();
    resolve(&claimants, &Default::default())
}

/// The name of the variant that keeps what no other variant matches: the
/// first of `Unknown`, `Other`, `Unrecognized` that `taken` does not hold.
pub fn catch_all(taken: impl Fn(&str) -> bool) -> String {
    ["Unknown", "Other", "Unrecognized"].into_iter().find(|n| !taken(n)).map_or_else(|| "UnknownValue".to_owned(), str::to_owned)
}

fn candidates(b: &Branch, union: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = &b.value {
        out.push(type_name(v));
    }
    if let Some(t) = useful_title(b.title.as_deref()) {
        out.push(t);
    }
    match &b.shape {
        Shape::Named { name, title } => {
            // `ImageRefParam-2`: the spec's number says nothing, its title may.
            let unnumbered = name.trim_end_matches(|c: char| c.is_ascii_digit());
            if unnumbered.len() < name.len() && !unnumbered.is_empty() {
                out.extend(useful_title(title.as_deref()));
                out.push(without_union_words(unnumbered, union));
            }
            out.push(without_union_words(name, union));
            out.push(name.clone());
        }
        Shape::Object(Some(first)) => {
            out.push("Object".to_owned());
            out.push(type_name(first));
        }
        shape => out.push(shape_word(shape, union)),
    }
    dedup(out)
}

/// A variant name from the shape of a branch: `Text`, `Integer`, `Number`,
/// `Boolean`, `Value` (any JSON), `Object`, `File`, `Mode` (a string enum),
/// `Union`, `…Map`; an array is the plural of its items (`Texts`, `Numbers`),
/// where an array of integers is `Tokens` and of arrays of integers
/// `TokenArrays` (what they are in the OpenAI API: token ids beside text), and
/// an array of objects or unions is a `List`.
pub fn shape_word(shape: &Shape, union: &str) -> String {
    match shape {
        Shape::Text => "Text".to_owned(),
        Shape::Integer => "Integer".to_owned(),
        Shape::Number => "Number".to_owned(),
        Shape::Boolean => "Boolean".to_owned(),
        Shape::Value => "Value".to_owned(),
        Shape::Object(_) => "Object".to_owned(),
        Shape::File => "File".to_owned(),
        Shape::Mode => "Mode".to_owned(),
        Shape::Union => "Union".to_owned(),
        Shape::Map(inner) => format!("{}Map", shape_word(inner, union)),
        Shape::Named { name, .. } => without_union_words(name, union),
        Shape::Array(inner) => match &**inner {
            Shape::Integer => "Tokens".to_owned(),
            Shape::Array(deeper) if **deeper == Shape::Integer => "TokenArrays".to_owned(),
            Shape::Array(deeper) => format!("{}Arrays", shape_word(deeper, union)),
            Shape::Object(_) | Shape::Union | Shape::Value => "List".to_owned(),
            other => plural(&shape_word(other, union)),
        },
    }
}

/// `name` without the leading words it shares with `union`
/// (`ChatCompletionRequestUserMessage` in `ChatCompletionRequestMessage` →
/// `UserMessage`), unless nothing, or a digit, would be left.
pub fn without_union_words(name: &str, union: &str) -> String {
    let a = camel_words(name);
    let b = camel_words(union);
    let shared = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let rest = a[shared..].concat();
    if rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit()) {
        name.to_owned()
    } else {
        rest
    }
}

/// The English plural of the last word of a name.
pub fn plural(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if ["s", "x", "z", "ch", "sh"].iter().any(|e| lower.ends_with(e)) {
        format!("{word}es")
    } else if lower.ends_with('y') && !lower.ends_with("ay") && !lower.ends_with("ey") && !lower.ends_with("oy") && !lower.ends_with("uy") {
        format!("{}ies", &word[..word.len() - 1])
    } else {
        format!("{word}s")
    }
}

fn dedup(mut names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch(shape: Shape) -> Branch {
        Branch { value: None, title: None, shape }
    }

    fn names(r: Vec<Resolved>) -> Vec<String> {
        assert!(r.iter().all(|r| !r.numbered), "{r:?}");
        r.into_iter().map(|r| r.name).collect()
    }

    #[test]
    fn shapes_name_what_titles_do_not() {
        // `CreateEmbeddingRequest.input`: four branches titled `string` or `array`.
        let titled = |shape| Branch { title: Some("array".to_owned()), ..branch(shape) };
        let input = [
            Branch { title: Some("string".to_owned()), ..branch(Shape::Text) },
            titled(Shape::Array(Box::new(Shape::Text))),
            titled(Shape::Array(Box::new(Shape::Integer))),
            titled(Shape::Array(Box::new(Shape::Array(Box::new(Shape::Integer))))),
        ];
        assert_eq!(names(untagged(&input, "CreateEmbeddingRequestInput")), ["Text", "Texts", "Tokens", "TokenArrays"]);
    }

    #[test]
    fn values_titles_and_references_come_before_shapes() {
        let auto = Branch { value: Some("auto".to_owned()), ..branch(Shape::Text) };
        let titled = Branch { title: Some("Conversation ID".to_owned()), ..branch(Shape::Text) };
        let numbered = branch(Shape::Named { name: "ConversationParam2".to_owned(), title: Some("Conversation object".to_owned()) });
        let untitled = branch(Shape::Named { name: "ImageRefParam2".to_owned(), title: None });
        let shared = branch(Shape::Named { name: "ChatCompletionRequestUserMessage".to_owned(), title: None });
        let r = names(untagged(&[auto, titled, numbered, untitled, shared], "ChatCompletionRequestMessage"));
        assert_eq!(r, ["Auto", "ConversationId", "ConversationObject", "ImageRefParam", "UserMessage"]);
    }

    #[test]
    fn clashing_variants_take_their_next_candidate() {
        // Two objects: neither is `Object`; each is named by its first property.
        let a = branch(Shape::Object(Some("id".to_owned())));
        let b = branch(Shape::Object(Some("file_id".to_owned())));
        assert_eq!(names(untagged(&[a, b], "U")), ["Id", "FileId"]);
        // Two references that share their short form keep their full names.
        let x = branch(Shape::Named { name: "ChatItem".to_owned(), title: None });
        let y = branch(Shape::Named { name: "ChatUserItem".to_owned(), title: None });
        assert_eq!(names(untagged(&[x, y], "ChatUserMessage")), ["ChatItem", "ChatUserItem"]);
        // Lists of things: arrays of objects or unions are `List`; of references, the plural.
        assert_eq!(shape_word(&Shape::Array(Box::new(Shape::Union)), "U"), "List");
        assert_eq!(shape_word(&Shape::Array(Box::new(Shape::Named { name: "UPart".to_owned(), title: None })), "U"), "Parts");
        assert_eq!(shape_word(&Shape::Array(Box::new(Shape::Named { name: "Entry".to_owned(), title: None })), "U"), "Entries");
        assert_eq!(shape_word(&Shape::Map(Box::new(Shape::Text)), "U"), "TextMap");
        assert_eq!(plural("Box"), "Boxes");
        assert_eq!(plural("Day"), "Days");
    }

    #[test]
    fn tags_and_catch_alls() {
        let r = names(tagged(&[vec!["text".to_owned()], vec!["image_url".to_owned(), "image".to_owned()]]));
        assert_eq!(r, ["Text", "ImageUrl"]);
        let clash = tagged(&[vec!["a-b".to_owned()], vec!["a_b".to_owned(), "ab2".to_owned()]]);
        assert_eq!(clash.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["AB", "Ab2"]);
        assert_eq!(catch_all(|n| n == "Unknown"), "Other");
        assert_eq!(catch_all(|_| false), "Unknown");
    }
}
