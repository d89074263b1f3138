//! Finds the line of a JSON pointer in the source text, so errors found after
//! parsing (a dangling `$ref`, a wrong type) can still point at a line.
//!
//! The parsers we use do not keep spans in their values, so this walks the text:
//! each pointer token is looked for as a mapping key (`key:` in block YAML,
//! `"key":` in JSON) or as the n-th sequence item below the previous match. It is
//! exact for the block-style YAML and pretty-printed JSON that OpenAPI files use
//! and answers `None` rather than guess when the layout is different.

use super::error::{unescape_token, LineCol};

/// Line and column of `pointer` in `text`, where it can be found.
pub fn locate(text: &str, pointer: &str) -> Option<LineCol> {
    let lines: Vec<&str> = text.lines().collect();
    if pointer.is_empty() {
        return Some(LineCol { line: 1, column: 1 });
    }
    let json = text.trim_start().starts_with('{') || text.trim_start().starts_with('[');
    // (line index, indentation) of the current node's key line; the root has indent -1.
    let mut start: usize = 0;
    let mut indent: isize = -1;
    let mut found = None;
    for raw in pointer.split('/').skip(1) {
        let token = unescape_token(raw);
        // A numeric token is a mapping key (`"200":`) where one exists, else a sequence index.
        match find_key(&lines, start, indent, &token, json) {
            Some((line, col)) => {
                found = Some(LineCol { line: line + 1, column: col + 1 });
                start = line + 1;
                indent = col as isize;
            }
            None => {
                let (line, dash) = find_item(&lines, start, indent, token.parse::<usize>().ok()?, json)?;
                found = Some(LineCol { line: line + 1, column: dash + 1 });
                // A YAML item's first key sits on the dash line: search it again.
                start = if json { line + 1 } else { line };
                indent = dash as isize;
            }
        }
    }
    found
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn key_matches(rest: &str, key: &str) -> bool {
    for (open, close) in [("\"", "\""), ("'", "'"), ("", "")] {
        if let Some(after) = rest.strip_prefix(open) {
            if let Some(after) = after.strip_prefix(key) {
                if let Some(after) = after.strip_prefix(close) {
                    if after.trim_start().starts_with(':') {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Looks for `key` among lines deeper than `parent_indent`, stopping at the first
/// line that is not deeper (the end of the parent mapping).
fn find_key(lines: &[&str], start: usize, parent_indent: isize, key: &str, json: bool) -> Option<(usize, usize)> {
    let mut child_indent: Option<usize> = None;
    for (i, line) in lines.iter().enumerate().skip(start) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || (json && matches!(trimmed, "{" | "[")) {
            continue;
        }
        let raw_indent = indent_of(line);
        // YAML items of a sequence of mappings start with "- ", the key follows it;
        // on the item's own line (the search start) the key belongs to the item.
        let (ind, rest) = match trimmed.strip_prefix("- ") {
            Some(r) if !json => (raw_indent + 2, r),
            _ => (raw_indent, trimmed),
        };
        let own_item_line = i == start && ind != raw_indent;
        if (raw_indent as isize) <= parent_indent && !own_item_line {
            return None;
        }
        let expected = *child_indent.get_or_insert(ind);
        if ind == expected && key_matches(rest, key) {
            return Some((i, ind));
        }
    }
    None
}

/// Looks for the `index`-th item of a sequence below the parent key.
fn find_item(lines: &[&str], start: usize, parent_indent: isize, index: usize, json: bool) -> Option<(usize, usize)> {
    let mut child_indent: Option<usize> = None;
    let mut seen = 0;
    for (i, line) in lines.iter().enumerate().skip(start) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let ind = indent_of(line);
        if (ind as isize) <= parent_indent {
            return None;
        }
        let is_item = if json { !trimmed.starts_with(']') } else { trimmed.starts_with('-') };
        let expected = *child_indent.get_or_insert(ind);
        if ind == expected && is_item {
            if seen == index {
                return Some((i, ind));
            }
            seen += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_yaml_keys_and_items() {
        let text = "openapi: 3.0.0\npaths:\n  /a/b:\n    get:\n      parameters:\n        - name: x\n        - name: y\n          in: query\n";
        assert_eq!(locate(text, "/paths/~1a~1b/get").map(|p| p.line), Some(4));
        assert_eq!(locate(text, "/paths/~1a~1b/get/parameters/1/in").map(|p| p.line), Some(8));
        assert_eq!(locate(text, "/paths/~1a~1b/post"), None);
        let responses = "responses:\n  \"200\":\n    description: ok\n";
        assert_eq!(locate(responses, "/responses/200/description").map(|p| p.line), Some(3));
    }

    #[test]
    fn finds_json_keys_and_items() {
        let text = "{\n  \"paths\": {\n    \"/a\": {\n      \"get\": {\n        \"tags\": [\n          \"x\",\n          \"y\"\n        ]\n      }\n    }\n  }\n}\n";
        assert_eq!(locate(text, "/paths/~1a/get").map(|p| p.line), Some(4));
        assert_eq!(locate(text, "/paths/~1a/get/tags/1").map(|p| p.line), Some(7));
    }
}

