//! Finds the line of a JSON pointer in the source text, so errors found after
//! parsing (a dangling `$ref`, a wrong type) can still point at a line.
//!
//! The parsers we use do not keep spans in their values, so this walks the text:
//! each pointer token is looked for as a mapping key (`key:` in block YAML,
//! `"key":` in JSON) or as the n-th sequence item below the previous match. It is
//! exact for the block-style YAML that OpenAPI files use and answers `None`
//! rather than guess when the layout is different. JSON is walked token by
//! token ([`locate_json`]), so any layout works, minified included.

use super::error::{unescape_token, LineCol};
use super::limits::line_col;

/// Line and column of `pointer` in `text`, where it can be found.
pub fn locate(text: &str, pointer: &str) -> Option<LineCol> {
    if pointer.is_empty() {
        return Some(LineCol { line: 1, column: 1 });
    }
    let json = text.trim_start().starts_with('{') || text.trim_start().starts_with('[');
    if json {
        return locate_json(text, pointer);
    }
    let lines: Vec<&str> = text.lines().collect();
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

/// Line and column of `pointer`, or of its nearest ancestor that can be found
/// (for an error: a line near the problem is better than none).
pub fn locate_nearest(text: &str, pointer: &str) -> Option<LineCol> {
    let mut p = pointer;
    loop {
        if let Some(found) = locate(text, p) {
            return Some(found);
        }
        p = &p[..p.rfind('/')?];
    }
}

/// Walks JSON text along `pointer`, skipping the values it does not enter:
/// the position of the last key (or array item) of the pointer.
fn locate_json(text: &str, pointer: &str) -> Option<LineCol> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    let mut at = i;
    for raw in pointer.split('/').skip(1) {
        let token = unescape_token(raw);
        match b.get(i)? {
            b'{' => {
                i = skip_ws(b, i + 1);
                loop {
                    if b.get(i)? != &b'"' {
                        return None;
                    }
                    let key_start = i;
                    let end = skip_string(b, i)?;
                    let key: String = serde_json::from_str(&text[i..end]).ok()?;
                    i = skip_ws(b, end);
                    if b.get(i)? != &b':' {
                        return None;
                    }
                    i = skip_ws(b, i + 1);
                    if key == token {
                        at = key_start;
                        break;
                    }
                    i = skip_ws(b, skip_value(b, i)?);
                    match b.get(i)? {
                        b',' => i = skip_ws(b, i + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let index: usize = token.parse().ok()?;
                i = skip_ws(b, i + 1);
                for _ in 0..index {
                    i = skip_ws(b, skip_value(b, i)?);
                    match b.get(i)? {
                        b',' => i = skip_ws(b, i + 1),
                        _ => return None,
                    }
                }
                if matches!(b.get(i)?, b']') {
                    return None;
                }
                at = i;
            }
            _ => return None,
        }
    }
    Some(line_col(b, at))
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end (one past the closing quote) of the string starting at `i`.
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The end of the value starting at `i`.
fn skip_value(b: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match b.get(i)? {
            b'"' => i = skip_string(b, i)?,
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
                i += 1;
            }
            b',' if depth == 0 => return Some(i),
            _ => i += 1,
        }
        if depth == 0 && i > 0 && matches!(b[i - 1], b'"' | b'}' | b']') {
            return Some(i);
        }
    }
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
        let minified = r##"{"paths":{"/a":{"get":{"tags":["x","y"],"parameters":[{"$ref":"#/no"}]}}},"z":1}"##;
        assert_eq!(locate(minified, "/paths/~1a/get/parameters/0/$ref").map(|p| (p.line, p.column)), Some((1, 56)));
        assert_eq!(locate(minified, "/z").map(|p| p.column), Some(75));
        assert_eq!(locate(minified, "/paths/~1a/post"), None);
        assert_eq!(locate_nearest(minified, "/paths/~1a/post/x").map(|p| p.column), Some(11));
    }
}

