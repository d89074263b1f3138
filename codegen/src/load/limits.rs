//! What a spec may cost. Every stage after loading is linear in the size of
//! the document as long as these hold, so a hostile or broken file is an
//! error naming where it breaks a limit, never an exhausted machine.
//!
//! The limits are far above what real specs use (the newest OpenAI spec: depth
//! 21, longest key 82 bytes, at most 60 properties per object, 145 enum values).

use super::error::LineCol;

/// Nesting depth of the document (mappings and sequences).
pub const MAX_DEPTH: usize = 100;
/// Length of a mapping key, in bytes (a property, schema or path name).
pub const MAX_KEY_BYTES: usize = 1024;
/// Length of any string value, in bytes.
pub const MAX_STRING_BYTES: usize = 1 << 20;
/// Length, in bytes, of a string that becomes a Rust name (`operationId`, a tag, an enum value).
pub const MAX_NAME_BYTES: usize = 1024;
/// Properties of one object schema.
pub const MAX_PROPERTIES: usize = 2000;
/// Branches of one `oneOf`, `anyOf` or `allOf`.
pub const MAX_BRANCHES: usize = 1000;
/// Values of one `enum`.
pub const MAX_ENUM_VALUES: usize = 5000;
/// Flow nesting (`[[[…`, `{{{…`) that the YAML pre-scan lets through to the
/// parser, whose time grows with the square of it. Deeper documents are
/// rejected before parsing; the exact limit, [`MAX_DEPTH`], is checked while
/// reading (the pre-scan is looser because it only approximates YAML).
pub const MAX_YAML_FLOW_DEPTH: usize = 1000;

/// Line and column of byte `offset` in `text` (columns count characters).
pub fn line_col(text: &[u8], offset: usize) -> LineCol {
    let before = &text[..offset.min(text.len())];
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    LineCol { line, column }
}

/// What the YAML pre-scan found.
#[derive(Debug, Default)]
pub struct YamlScan {
    /// Where flow nesting first went past [`MAX_YAML_FLOW_DEPTH`].
    pub too_deep: Option<LineCol>,
    /// The first alias (`*name`).
    pub first_alias: Option<LineCol>,
}

/// One linear pass over YAML text that tracks flow nesting, quoted scalars,
/// comments and block scalars, without building anything. `[`, `{` and quotes
/// count only where a value can start (after `:`, `-`, `,`, `?`, `[`, `{` or at
/// the start of a line), so brackets inside plain text are not taken for flow.
pub fn scan_yaml(text: &str) -> YamlScan {
    let b = text.as_bytes();
    let mut out = YamlScan::default();
    let mut depth = 0usize;
    // Indentation of the line that opened a block scalar (`|`, `>`): deeper lines are its text.
    let mut block_scalar: Option<usize> = None;
    let mut indent = 0;
    // The last indicator of the line, or None at its start.
    let mut prev: Option<u8> = None;
    // Inside a plain (unquoted) scalar of block context, where brackets are text.
    let mut plain = false;
    let value_start = |prev: Option<u8>, plain: bool| !plain && matches!(prev, None | Some(b':' | b'-' | b',' | b'?' | b'[' | b'{'));
    let end_of_line = |i: usize| b[i..].iter().position(|c| *c == b'\n').map_or(b.len(), |n| i + n);
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        if line_start {
            line_start = false;
            prev = None;
            plain = false;
            indent = b[i..].iter().take_while(|c| **c == b' ').count();
            let blank = matches!(b.get(i + indent), None | Some(b'\n' | b'\r'));
            if let Some(parent) = block_scalar {
                if blank || indent > parent {
                    i = end_of_line(i) + 1;
                    line_start = true;
                    continue;
                }
                block_scalar = None;
            }
            i += indent;
            continue;
        }
        let c = b[i];
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' if prev.is_none() || matches!(b[i - 1], b' ' | b'\t') => {
                i = end_of_line(i);
                continue;
            }
            b'[' | b'{' if depth > 0 || value_start(prev, plain) => {
                depth += 1;
                if depth > MAX_YAML_FLOW_DEPTH {
                    out.too_deep = Some(line_col(b, i));
                    return out;
                }
            }
            b']' | b'}' if depth > 0 => depth -= 1,
            b'\'' | b'"' if depth > 0 || value_start(prev, plain) => {
                // A quoted scalar, possibly over several lines: skip to its end.
                let mut j = i + 1;
                while j < b.len() {
                    match b[j] {
                        b'\\' if c == b'"' => j += 1,
                        b'\'' if c == b'\'' && b.get(j + 1) == Some(&b'\'') => j += 1,
                        x if x == c => break,
                        _ => {}
                    }
                    j += 1;
                }
                prev = Some(c);
                i = j + 1;
                continue;
            }
            b'&' | b'!' if depth > 0 || value_start(prev, plain) => {
                // An anchor or a tag: the value starts after it.
                while i < b.len() && !b[i].is_ascii_whitespace() && !(depth > 0 && matches!(b[i], b',' | b']' | b'}')) {
                    i += 1;
                }
                continue;
            }
            b'*' if out.first_alias.is_none() && (depth > 0 || value_start(prev, plain)) && b.get(i + 1).is_some_and(|n| !n.is_ascii_whitespace()) => {
                out.first_alias = Some(line_col(b, i));
            }
            b'|' | b'>' if depth == 0 && value_start(prev, plain) => {
                // `key: |`, `- >-`, `|2`: the following deeper lines are text.
                let rest = &text[i + 1..end_of_line(i)];
                let after = rest.trim_start_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit()).trim();
                if after.is_empty() || after.starts_with('#') {
                    // Its text is deeper than the node that holds it: the key (`a: |`,
                    // `- a: |`) or the sequence item (`- |`).
                    let line = &b[..i];
                    let from = line.iter().rposition(|c| *c == b'\n').map_or(0, |n| n + 1);
                    let mut node = from + indent;
                    if prev == Some(b':') {
                        while b[node] == b'-' && matches!(b.get(node + 1), Some(b' ' | b'\t')) {
                            node += 1;
                            node += b[node..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
                        }
                    } else {
                        node = b[from..i].iter().rposition(|c| *c == b'-').map_or(node, |n| from + n);
                    }
                    block_scalar = Some(node - from);
                    i = end_of_line(i);
                    continue;
                }
            }
            b':' | b'-' | b'?' if depth == 0 && matches!(b.get(i + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n')) => {
                // `key: `, `- `, `? `: an indicator, after which a value starts.
                plain = false;
            }
            _ if depth == 0 => {
                plain = true;
                i += 1;
                continue;
            }
            _ => {}
        }
        prev = Some(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_depth_is_counted_where_flows_can_start() {
        let deep = format!("a: {}{}\n", "[".repeat(MAX_YAML_FLOW_DEPTH + 1), "]".repeat(MAX_YAML_FLOW_DEPTH + 1));
        assert_eq!(scan_yaml(&deep).too_deep.map(|p| (p.line, p.column)), Some((1, 4 + MAX_YAML_FLOW_DEPTH)));
        let text = format!("a: see {}\nb: '{}'\nc: |\n  {}\nd: # {}\n- e: >-\n    {}\n", "[".repeat(2000), "[".repeat(2000), "{".repeat(2000), "[".repeat(2000), "[".repeat(2000));
        assert!(scan_yaml(&text).too_deep.is_none(), "brackets in plain text, quotes, block scalars and comments");
        let multi = format!("a: \"x\n{}\"\nb: {}\n", "[".repeat(2000), "[".repeat(MAX_YAML_FLOW_DEPTH + 1));
        assert_eq!(scan_yaml(&multi).too_deep.map(|p| p.line), Some(3), "after a quoted scalar over two lines");
        let hidden = format!("- a: |\n    text\n  b: &x !!seq {}\n", "[".repeat(MAX_YAML_FLOW_DEPTH + 1));
        assert_eq!(scan_yaml(&hidden).too_deep.map(|p| p.line), Some(3), "a sibling key after a block scalar, an anchor and a tag");
        assert!(scan_yaml("a:\n  - x\nb: >\n  text\n").too_deep.is_none(), "a dash on an earlier line");
    }

    #[test]
    fn finds_the_first_alias() {
        let text = "a: &x [1]\nb: 2*3\nc: [*x, *x]\n";
        assert_eq!(scan_yaml(text).first_alias.map(|p| (p.line, p.column)), Some((3, 5)));
        assert_eq!(line_col(b"ab\ncd", 4), LineCol { line: 2, column: 2 });
    }
}
