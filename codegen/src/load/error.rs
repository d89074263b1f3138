//! The one error type of loading: it names the file, the JSON pointer and, where
//! the source text lets us find it, the line and column.

use std::fmt;

/// Where in a source file something is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// A spec that cannot be loaded or lowered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// File name as given by the caller.
    pub file: String,
    /// JSON pointer (RFC 6901) of the offending node; empty for the whole document.
    pub pointer: String,
    /// Line and column in the source, where known.
    pub position: Option<LineCol>,
    /// What is wrong, without a trailing period.
    pub reason: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        if !self.pointer.is_empty() {
            write!(f, ": at #{}", self.pointer)?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for SpecError {}

/// Escapes one JSON pointer token (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer token (RFC 6901).
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Joins a pointer and a token.
pub fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}
