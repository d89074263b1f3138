//! Looks up the source lines of findings, for annotations and text output.
//!
//! Same reading of the text as [`crate::load::locate`] (block YAML and
//! pretty-printed JSON, keys found by indentation), but each mapping or sequence
//! is scanned once and all its children are indexed, so that thousands of
//! findings in a multi-megabyte file cost one pass per visited block instead of
//! one pass per finding.

use super::model::{Position, Report};
use crate::load::{unescape_token, Spec};
use std::collections::HashMap;

/// The children of one node: key → (line, column) and items in order.
#[derive(Default)]
struct Block {
    keys: HashMap<String, (usize, usize)>,
    items: Vec<(usize, usize)>,
}

struct Index<'t> {
    lines: Vec<&'t str>,
    json: bool,
    /// Pointer → (0-based line of the node, its column), `None` where not found.
    nodes: HashMap<String, Option<(usize, usize)>>,
    blocks: HashMap<String, Block>,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The key a line starts with: `key:`, `"key":` or `'key':`.
fn key_of(rest: &str) -> Option<String> {
    for quote in ['"', '\''] {
        if let Some(after) = rest.strip_prefix(quote) {
            let end = after.find(quote)?;
            return after[end + 1..].trim_start().starts_with(':').then(|| after[..end].to_owned());
        }
    }
    let colon = rest.char_indices().find(|&(i, c)| c == ':' && rest[i + 1..].chars().next().is_none_or(char::is_whitespace))?.0;
    Some(rest[..colon].trim_end().to_owned())
}

impl<'t> Index<'t> {
    fn new(text: &'t str) -> Self {
        let trimmed = text.trim_start();
        Index { lines: text.lines().collect(), json: trimmed.starts_with('{') || trimmed.starts_with('['), nodes: HashMap::new(), blocks: HashMap::new() }
    }

    /// Scans the children of the node whose line is `at` (`None`: the document)
    /// and whose content starts at column `col`, once.
    fn scan(&self, at: Option<usize>, col: usize) -> Block {
        let mut block = Block::default();
        let (mut key_indent, mut item_indent) = (None, None);
        // A YAML item (`- key: value`) has its first child on its own line.
        let inline_item = at.is_some_and(|l| !self.json && self.lines.get(l).is_some_and(|t| indent_of(t) + 2 == col && t.trim_start().starts_with('-')));
        let (start, mut parent_indent) = match at {
            None if self.json => match self.lines.iter().position(|l| !l.trim().is_empty()) {
                Some(first) => (first + 1, indent_of(self.lines[first]) as isize),
                None => return block,
            },
            None => (0, -1),
            Some(l) if inline_item => (l, col as isize - 2),
            Some(l) => (l + 1, col as isize),
        };
        let mut first = true;
        for (i, line) in self.lines.iter().enumerate().skip(start) {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let mut ind = indent_of(line);
            let mut trimmed = trimmed;
            if first && inline_item {
                // Read the item line from its content: `- name: x` is the key `name` at the content column.
                trimmed = &line[col.min(line.len())..];
                ind = col;
            } else if first && !self.json && ind as isize == parent_indent && trimmed.starts_with('-') {
                // An indentless sequence: `key:` followed by `- item` at the same indentation.
                parent_indent -= 1;
            }
            first = false;
            if (ind as isize) <= parent_indent {
                break;
            }
            let expected_item = *item_indent.get_or_insert(ind);
            let is_item = if self.json { !trimmed.starts_with(']') && !trimmed.starts_with('}') } else { trimmed.starts_with('-') };
            if ind == expected_item && is_item {
                block.items.push((i, if self.json { ind } else { ind + 2 }));
            }
            let (kind, rest) = match trimmed.strip_prefix("- ") {
                Some(r) if !self.json => (ind + 2, r),
                _ => (ind, trimmed),
            };
            if kind == *key_indent.get_or_insert(kind) {
                if let Some(key) = key_of(rest) {
                    block.keys.entry(key).or_insert((i, kind));
                }
            }
        }
        block
    }

    /// Line and column of a pointer, through its parent's block.
    fn find(&mut self, pointer: &str) -> Option<(usize, usize)> {
        if let Some(hit) = self.nodes.get(pointer) {
            return *hit;
        }
        let (parent, token) = pointer.rsplit_once('/')?;
        let found = (|| {
            let at = if parent.is_empty() { None } else { Some(self.find(parent)?) };
            if !self.blocks.contains_key(parent) {
                let block = self.scan(at.map(|(l, _)| l), at.map_or(0, |(_, c)| c));
                self.blocks.insert(parent.to_owned(), block);
            }
            let block = &self.blocks[parent];
            let token = unescape_token(token);
            block.keys.get(&token).copied().or_else(|| token.parse::<usize>().ok().and_then(|i| block.items.get(i).copied()))
        })();
        self.nodes.insert(pointer.to_owned(), found);
        found
    }

    /// The 1-based line of `pointer`, or of its nearest ancestor that can be found
    /// (the normalised document may hold nodes that the source spells differently).
    fn line(&mut self, pointer: &str) -> Option<usize> {
        let mut at = pointer;
        loop {
            if at.is_empty() {
                return Some(1);
            }
            if let Some((line, _)) = self.find(at) {
                return Some(line + 1);
            }
            match at.rfind('/') {
                Some(i) => at = &at[..i],
                None => return None,
            }
        }
    }
}

fn fill(pos: &mut Option<Position>, index: &mut Index<'_>) {
    if let Some(p) = pos {
        p.line = index.line(&p.pointer);
    }
}

/// Fills in the line of every finding's old and new position.
pub fn fill_lines(report: &mut Report, old: &Spec, new: &Spec) {
    let (mut oi, mut ni) = (Index::new(&old.text), Index::new(&new.text));
    for f in &mut report.findings {
        fill(&mut f.old, &mut oi);
        fill(&mut f.new, &mut ni);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_yaml_and_json_nodes_like_locate() {
        let yaml = "openapi: 3.0.0\npaths:\n  /a/b:\n    get:\n      parameters:\n        - name: x\n        - name: y\n          in: query\n      responses:\n        200:\n          description: ok\n";
        let mut idx = Index::new(yaml);
        assert_eq!(idx.line("/paths/~1a~1b/get"), Some(4));
        assert_eq!(idx.line("/paths/~1a~1b/get/parameters/1/in"), Some(8));
        assert_eq!(idx.line("/paths/~1a~1b/get/responses/200/description"), Some(11));
        assert_eq!(idx.line("/paths/~1a~1b/post"), Some(3), "falls back to the nearest ancestor");
        let json = "{\n  \"paths\": {\n    \"/a\": {\n      \"get\": {\n        \"tags\": [\n          \"x\",\n          \"y\"\n        ],\n        \"parameters\": [\n          {\n            \"name\": \"a\"\n          },\n          {\n            \"name\": \"b\"\n          }\n        ]\n      }\n    }\n  }\n}\n";
        let mut idx = Index::new(json);
        assert_eq!(idx.line("/paths/~1a/get"), Some(4));
        assert_eq!(idx.line("/paths/~1a/get/tags/1"), Some(7));
        assert_eq!(idx.line("/paths/~1a/get/parameters/1/name"), Some(14));
        let indentless = "a:\n- x: 1\n- x: 2\n  y: 3\nb: 4\n";
        let mut idx = Index::new(indentless);
        assert_eq!(idx.line("/a/1/y"), Some(4));
        assert_eq!(idx.line("/b"), Some(5));
    }
}
