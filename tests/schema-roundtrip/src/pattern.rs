//! Strings matching a `pattern`: a small regex parser for the subset specs use
//! (anchors, literals, escapes, classes, groups with `|`, quantifiers). Anything
//! else (look-around, back-references, word boundaries) is reported as not
//! generatable rather than guessed.

/// One regex item.
#[derive(Debug, Clone)]
enum Node {
    /// A literal character.
    Char(char),
    /// `[...]`: inclusive ranges, negated or not.
    Class(Vec<(char, char)>, bool),
    /// `.`
    Any,
    /// `(a|b)`: alternatives, each a sequence.
    Group(Vec<Vec<Node>>),
    /// `x{min,max}` (`max` `None` is unbounded).
    Repeat(Box<Node>, usize, Option<usize>),
    /// `^` or `$`: nothing to generate, the whole string is the match.
    Anchor,
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

/// A pattern this module cannot generate for, and why.
pub type Unsupported = String;

fn class_escape(c: char) -> Option<Vec<(char, char)>> {
    Some(match c {
        'd' => vec![('0', '9')],
        'w' => vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')],
        's' => vec![(' ', ' ')],
        _ => return None,
    })
}

impl Parser<'_> {
    fn alternatives(&mut self) -> Result<Vec<Vec<Node>>, Unsupported> {
        let mut alts = vec![self.sequence()?];
        while self.chars.peek() == Some(&'|') {
            self.chars.next();
            alts.push(self.sequence()?);
        }
        Ok(alts)
    }

    fn sequence(&mut self) -> Result<Vec<Node>, Unsupported> {
        let mut seq = Vec::new();
        while let Some(&c) = self.chars.peek() {
            if c == '|' || c == ')' {
                break;
            }
            self.chars.next();
            let atom = match c {
                '^' | '$' => Node::Anchor,
                '.' => Node::Any,
                '(' => {
                    if self.chars.peek() == Some(&'?') {
                        self.chars.next();
                        if self.chars.next() != Some(':') {
                            return Err("look-around or named group".to_owned());
                        }
                    }
                    let alts = self.alternatives()?;
                    if self.chars.next() != Some(')') {
                        return Err("unbalanced group".to_owned());
                    }
                    Node::Group(alts)
                }
                '[' => self.class()?,
                '\\' => self.escape()?,
                '*' | '+' | '?' | '{' => return Err(format!("quantifier {c:?} without an atom")),
                other => Node::Char(other),
            };
            let atom = self.quantified(atom)?;
            seq.push(atom);
        }
        Ok(seq)
    }

    fn escape(&mut self) -> Result<Node, Unsupported> {
        let c = self.chars.next().ok_or("trailing backslash")?;
        if let Some(ranges) = class_escape(c) {
            return Ok(Node::Class(ranges, false));
        }
        match c {
            'D' | 'W' | 'S' => Ok(Node::Class(class_escape(c.to_ascii_lowercase()).expect("known"), true)),
            'n' => Ok(Node::Char('\n')),
            't' => Ok(Node::Char('\t')),
            c if c.is_ascii_alphanumeric() => Err(format!("escape \\{c}")),
            c => Ok(Node::Char(c)),
        }
    }

    fn class(&mut self) -> Result<Node, Unsupported> {
        let mut negated = false;
        if self.chars.peek() == Some(&'^') {
            self.chars.next();
            negated = true;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.chars.next().ok_or("unterminated class")?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = if c == '\\' {
                let e = self.chars.next().ok_or("trailing backslash")?;
                if let Some(r) = class_escape(e) {
                    ranges.extend(r);
                    continue;
                }
                if e.is_ascii_alphanumeric() && !matches!(e, 'n' | 't') {
                    return Err(format!("class escape \\{e}"));
                }
                match e {
                    'n' => '\n',
                    't' => '\t',
                    e => e,
                }
            } else {
                c
            };
            if self.chars.peek() == Some(&'-') {
                let mut look = self.chars.clone();
                look.next();
                if let Some(&hi) = look.peek() {
                    if hi != ']' {
                        self.chars.next();
                        let hi = self.chars.next().expect("peeked");
                        let hi = if hi == '\\' { self.chars.next().ok_or("trailing backslash")? } else { hi };
                        if hi < lo {
                            return Err("reversed class range".to_owned());
                        }
                        ranges.push((lo, hi));
                        continue;
                    }
                }
            }
            ranges.push((lo, lo));
        }
        Ok(Node::Class(ranges, negated))
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, Unsupported> {
        let (min, max) = match self.chars.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.chars.next();
                let mut text = String::new();
                for c in self.chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    text.push(c);
                }
                let parse = |s: &str| s.trim().parse::<usize>().map_err(|_| format!("quantifier {{{text}}}"));
                let (min, max) = match text.split_once(',') {
                    None => (parse(&text)?, Some(parse(&text)?)),
                    Some((a, "")) => (parse(a)?, None),
                    Some((a, b)) => (parse(a)?, Some(parse(b)?)),
                };
                if matches!(atom, Node::Anchor) {
                    return Err("quantified anchor".to_owned());
                }
                return self.lazy(Node::Repeat(Box::new(atom), min, max));
            }
            _ => return Ok(atom),
        };
        self.chars.next();
        if matches!(atom, Node::Anchor) {
            return Err("quantified anchor".to_owned());
        }
        self.lazy(Node::Repeat(Box::new(atom), min, max))
    }

    /// A `?` after a quantifier makes it lazy, which changes nothing for generation.
    fn lazy(&mut self, node: Node) -> Result<Node, Unsupported> {
        if self.chars.peek() == Some(&'?') {
            self.chars.next();
        }
        if matches!(self.chars.peek(), Some('*' | '+' | '{')) {
            return Err("nested quantifier".to_owned());
        }
        Ok(node)
    }
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern(Vec<Vec<Node>>);

impl Pattern {
    /// Parses `pattern`, or says why it is not supported.
    pub fn parse(pattern: &str) -> Result<Pattern, Unsupported> {
        let mut parser = Parser { chars: pattern.chars().peekable() };
        let alts = parser.alternatives()?;
        if parser.chars.next().is_some() {
            return Err("unbalanced `)`".to_owned());
        }
        Ok(Pattern(alts))
    }

    /// A string matching the pattern whose length in characters is within
    /// `min..=max`, or `None` after a few tries.
    pub fn generate(&self, rng: &mut fastrand::Rng, min: usize, max: Option<usize>) -> Option<String> {
        for attempt in 0..40 {
            // Later attempts keep repetitions short, to get under a maximum length.
            let spread = if attempt < 20 { 8 } else { 2 };
            let mut out = String::new();
            alternatives(&self.0, rng, spread, &mut out);
            let len = out.chars().count();
            if len >= min && max.is_none_or(|m| len <= m) {
                return Some(out);
            }
        }
        None
    }
}

fn alternatives(alts: &[Vec<Node>], rng: &mut fastrand::Rng, spread: usize, out: &mut String) {
    let seq = &alts[rng.usize(..alts.len())];
    for node in seq {
        node_into(node, rng, spread, out);
    }
}

const PRINTABLE: std::ops::RangeInclusive<char> = ' '..='~';

fn node_into(node: &Node, rng: &mut fastrand::Rng, spread: usize, out: &mut String) {
    match node {
        Node::Char(c) => out.push(*c),
        Node::Any => out.push(rng.char('a'..='z')),
        Node::Anchor => {}
        Node::Class(ranges, false) => {
            let (lo, hi) = ranges[rng.usize(..ranges.len())];
            out.push(rng.char(lo..=hi));
        }
        Node::Class(ranges, true) => {
            let allowed: Vec<char> = PRINTABLE.filter(|c| !ranges.iter().any(|(lo, hi)| (lo..=hi).contains(&c))).collect();
            if let Some(c) = allowed.get(rng.usize(..allowed.len().max(1))) {
                out.push(*c);
            }
        }
        Node::Group(alts) => alternatives(alts, rng, spread, out),
        Node::Repeat(inner, min, max) => {
            let hi = max.unwrap_or(min + spread).min(min + spread);
            for _ in 0..rng.usize(*min..=hi) {
                node_into(inner, rng, spread, out);
            }
        }
    }
}
