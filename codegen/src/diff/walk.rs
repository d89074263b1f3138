//! The diff context: both documents, the findings gathered so far, the memo of
//! compared component pairs and the bookkeeping that turns raw findings into a
//! [`Report`] (renames, "used by" lists, de-duplication, order).

use super::model::{Finding, Position, Report};
use super::rules::RuleId;
use super::generated::Models;
use super::Options;
use super::doc::{Dir, Doc, Loc, Owner};
use crate::load::{child, Spec};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Deepest schema nesting followed; real documents stay far below it.
const MAX_DEPTH: usize = 64;

struct Raw {
    rule: RuleId,
    location: String,
    message: String,
    owner: Owner,
    absorbed: Option<bool>,
    old: Option<String>,
    new: Option<String>,
    /// The Rust items, where the finding names them (`api.*`); else its owner's.
    rust: Option<Vec<String>>,
}

/// A new schema that includes a component through `allOf`: its own name when
/// it is a component, and its property names.
type Includer<'a> = (Option<String>, BTreeSet<&'a str>);

/// A property removed from a component schema, held back until the walk knows
/// whether the schema's uses lost it: a property moved from an `allOf` base into
/// every schema that includes it is not gone from any request or response.
struct PendingRemoval {
    raw: Raw,
    /// The component (new name), the property and the direction.
    base: String,
    property: String,
    dir: Dir,
}

/// Everything the walk carries.
pub(crate) struct Ctx<'a> {
    pub old: Doc<'a>,
    pub new: Doc<'a>,
    pub options: &'a Options,
    raw: Vec<Raw>,
    pub owner: Owner,
    /// Component pairs already compared (or being compared), per direction.
    compared: HashSet<(String, String, Dir)>,
    /// Pairs of differently named schemas being compared structurally (cycle guard).
    pub cross: HashSet<(String, String, Dir)>,
    /// Who reaches each (new-named) component schema directly.
    reached: HashMap<String, BTreeSet<Owner>>,
    /// Old name → new names seen at the same place where the old name is gone and the new one is new.
    ref_pairs: BTreeMap<String, BTreeSet<String>>,
    /// Renames known before the walk (identical content under a new name).
    renames: HashMap<String, String>,
    /// Component pairs waiting to be compared; a queue instead of recursion keeps the stack flat.
    queue: Vec<(String, String, Dir)>,
    pub depth: usize,
    /// Both sides' generated models, when both documents generate.
    pub models: Option<&'a Models>,
    /// Components (new names) compared where a value of their type sits, per direction.
    value_uses: HashSet<(String, Dir)>,
    /// For each component used as an `allOf` base (new name, direction): every
    /// new schema that includes it (its name when it is a component itself) and
    /// its property names.
    includers: HashMap<(String, Dir), Vec<Includer<'a>>>,
    pending: Vec<PendingRemoval>,
}

impl<'a> Ctx<'a> {
    pub fn new(old: &'a Spec, new: &'a Spec, options: &'a Options, models: Option<&'a Models>) -> Self {
        let mut ctx = Ctx {
            old: Doc::new(old),
            new: Doc::new(new),
            options,
            raw: Vec::new(),
            owner: Owner::Document,
            compared: HashSet::new(),
            cross: HashSet::new(),
            reached: HashMap::new(),
            ref_pairs: BTreeMap::new(),
            renames: HashMap::new(),
            queue: Vec::new(),
            depth: 0,
            models,
            value_uses: HashSet::new(),
            includers: HashMap::new(),
            pending: Vec::new(),
        };
        ctx.renames = super::rename::identical_renames(&ctx.old, &ctx.new);
        ctx
    }

    /// Records a finding owned by the current owner.
    pub fn emit(&mut self, rule: RuleId, location: &str, message: String, old: Option<&str>, new: Option<&str>) {
        self.emit_absorbed(rule, location, message, old, new, None);
    }

    /// Records a finding that says whether the generated client absorbs it.
    pub fn emit_absorbed(&mut self, rule: RuleId, location: &str, message: String, old: Option<&str>, new: Option<&str>, absorbed: Option<bool>) {
        let is_docs = matches!(rule, RuleId::DocsDescriptionChanged | RuleId::DocsExampleChanged);
        if is_docs && !self.options.docs {
            return;
        }
        self.raw.push(Raw { rule, location: location.to_owned(), message, owner: self.owner.clone(), absorbed, old: old.map(str::to_owned), new: new.map(str::to_owned), rust: None });
    }

    /// Records a finding on the given Rust items.
    pub fn emit_rust(&mut self, rule: RuleId, location: &str, message: String, old: Option<&str>, new: Option<&str>, rust: Vec<String>) {
        self.raw.push(Raw { rule, location: location.to_owned(), message, owner: self.owner.clone(), absorbed: None, old: old.map(str::to_owned), new: new.map(str::to_owned), rust: Some(rust) });
    }

    /// Records the removal of property `name` of the component being compared
    /// (its top level, `at`); it is reported at the end unless every schema that
    /// includes the component through `allOf` still has the property.
    #[allow(clippy::too_many_arguments)]
    pub fn removed_property(&mut self, rule: RuleId, at: &Loc, name: &str, message: String, old: &str, new: &str, dir: Dir) {
        let base = match (&self.owner, at.is_root()) {
            (Owner::Schema(b), true) => b.clone(),
            _ => return self.emit(rule, &at.prop(name).text(), message, Some(old), Some(new)),
        };
        let raw = Raw { rule, location: at.prop(name).text(), message, owner: self.owner.clone(), absorbed: None, old: Some(old.to_owned()), new: Some(new.to_owned()), rust: None };
        self.pending.push(PendingRemoval { raw, base, property: name.to_owned(), dir });
    }

    /// Notes that the new schema at `loc` with properties `props` includes component `b` through `allOf`.
    pub fn included(&mut self, b: &str, dir: Dir, loc: &Loc, props: BTreeSet<&'a str>) {
        let includer = match (&self.owner, loc.is_root()) {
            (Owner::Schema(c), true) => Some(c.clone()),
            _ => None,
        };
        self.includers.entry((b.to_owned(), dir)).or_default().push((includer, props));
    }

    /// Whether every use of component `base` still has `property`: the component
    /// is never a value of its own, and each schema that includes it has the
    /// property or is such a component itself (bases of bases).
    fn kept_by_includers(&self, base: &str, property: &str, dir: Dir, seen: &mut HashSet<String>) -> bool {
        let key = (base.to_owned(), dir);
        if !seen.insert(base.to_owned()) {
            return true; // a cycle adds no use
        }
        !self.value_uses.contains(&key)
            && self.includers.get(&key).is_some_and(|list| list.iter().all(|(includer, props)| props.contains(property) || includer.as_deref().is_some_and(|c| self.kept_by_includers(c, property, dir, seen))))
    }

    /// Reports the held-back removals that some use of their component lost.
    fn settle_removals(&mut self) {
        for p in std::mem::take(&mut self.pending) {
            if !self.kept_by_includers(&p.base, &p.property, p.dir, &mut HashSet::new()) {
                self.raw.push(p.raw);
            }
        }
    }

    /// Whether old schema `a` and new schema `b` are the same type (same name or a known rename).
    pub fn same_component(&self, a: &str, b: &str) -> bool {
        if a == b {
            return self.old.has_schema(a) && self.new.has_schema(b);
        }
        self.renames.get(a).is_some_and(|r| r == b)
    }

    /// Whether `a` → `b` looks like a rename: `a` is gone and `b` is new.
    pub fn rename_candidate(&self, a: &str, b: &str) -> bool {
        a != b && self.old.has_schema(a) && !self.new.has_schema(a) && self.new.has_schema(b) && !self.old.has_schema(b)
    }

    /// Schedules the comparison of component `a` (old) with component `b` (new)
    /// where a value of its type sits, once per direction; findings inside are
    /// owned by `schema b`.
    pub fn component(&mut self, a: &str, b: &str, dir: Dir) {
        self.value_uses.insert((b.to_owned(), dir));
        self.base_component(a, b, dir);
    }

    /// Like [`Ctx::component`], for a component included through `allOf`.
    pub fn base_component(&mut self, a: &str, b: &str, dir: Dir) {
        self.reached.entry(b.to_owned()).or_default().insert(self.owner.clone());
        if a != b && !self.renames.contains_key(a) {
            self.ref_pairs.entry(a.to_owned()).or_default().insert(b.to_owned());
        }
        if self.compared.insert((a.to_owned(), b.to_owned(), dir)) {
            self.queue.push((a.to_owned(), b.to_owned(), dir));
        }
    }

    /// Compares the scheduled component pairs until none is left.
    fn drain(&mut self) {
        while let Some((a, b, dir)) = self.queue.pop() {
            let (Some(o), Some(n)) = (self.old.schema(&a), self.new.schema(&b)) else { continue };
            self.owner = Owner::Schema(b.clone());
            self.depth = 0;
            self.schema(o, n, dir, &Loc::root(format!("schema {b}")));
        }
        self.owner = Owner::Document;
    }

    /// Enters one level of schema nesting; false when the guard depth is reached.
    pub fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            return false;
        }
        self.depth += 1;
        true
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Components present on both sides that the walk has not compared in a
    /// direction they are used in (their uses moved, or no operation reaches
    /// them: stream chunks named by the config, webhook payloads): compared by
    /// name. Directions come from the generated models: a type of a request
    /// body or parameter is compared as a request, a type of a response or
    /// stream event as a response; a type no operation uses as a response.
    fn identity(&mut self) {
        let names: Vec<&'a str> = self.old.schemas.map(|s| s.keys().map(String::as_str).collect()).unwrap_or_default();
        for name in names {
            if !self.new.has_schema(name) {
                continue;
            }
            let id = format!("#{}", child("/components/schemas", name));
            let dirs: Vec<Dir> = match self.models {
                Some(m) => {
                    let request = [&m.old, &m.new].iter().any(|side| side.model.types.get(&id).is_some_and(|t| t.in_request));
                    let response = [&m.old, &m.new].iter().any(|side| side.in_response(&id));
                    let mut dirs = Vec::new();
                    if request {
                        dirs.push(Dir::Request);
                    }
                    if response || !request {
                        dirs.push(Dir::Response);
                    }
                    dirs
                }
                None if [Dir::Request, Dir::Response].iter().any(|d| self.compared.contains(&(name.to_owned(), name.to_owned(), *d))) => Vec::new(),
                None => vec![Dir::Response],
            };
            for dir in dirs {
                if self.compared.insert((name.to_owned(), name.to_owned(), dir)) {
                    self.queue.push((name.to_owned(), name.to_owned(), dir));
                }
            }
        }
    }

    /// The Rust type name of a component on one side, as the generator names it.
    fn type_name(&self, old: bool, name: &str) -> String {
        let side = self.models.map(|m| if old { &m.old } else { &m.new });
        side.and_then(|s| s.component_type_name(name)).map_or_else(|| crate::names::type_name(name), str::to_owned)
    }

    /// Component-level findings: removed, added and renamed schemas.
    fn components(&mut self) {
        let old_names: Vec<&str> = self.old.schemas.map(|s| s.keys().map(String::as_str).collect()).unwrap_or_default();
        let new_names: Vec<&str> = self.new.schemas.map(|s| s.keys().map(String::as_str).collect()).unwrap_or_default();
        let mut renames = self.renames.clone();
        // Renames seen in use: the old name was replaced by exactly one new name, and that name replaced only it.
        let mut claimed: HashMap<&str, usize> = HashMap::new();
        for targets in self.ref_pairs.values() {
            for t in targets {
                *claimed.entry(t.as_str()).or_default() += 1;
            }
        }
        for (a, targets) in &self.ref_pairs {
            if targets.len() == 1 {
                let b = targets.iter().next().expect("one");
                if claimed.get(b.as_str()) == Some(&1) && self.rename_candidate(a, b) && !renames.values().any(|v| v == b) {
                    renames.insert(a.clone(), b.clone());
                }
            }
        }
        let renamed_to: HashSet<String> = renames.values().cloned().collect();
        let saved = self.owner.clone();
        let removed: Vec<&str> = old_names.iter().copied().filter(|a| !self.new.has_schema(a)).collect();
        let added: Vec<&str> = new_names.iter().copied().filter(|b| !self.old.has_schema(b) && !renamed_to.contains(*b)).collect();
        for a in removed {
            let ptr = child("/components/schemas", a);
            if let Some(b) = renames.get(a).cloned() {
                self.owner = Owner::Schema(b.clone());
                let (ta, tb) = (self.type_name(true, a), self.type_name(false, &b));
                let msg = format!("schema `{a}` renamed to `{b}`: the generated type `{ta}` becomes `{tb}`");
                self.emit(RuleId::SchemaRenamed, &format!("schema {b}"), msg, Some(&ptr), Some(&child("/components/schemas", &b)));
            } else {
                self.owner = Owner::Schema(a.to_owned());
                let msg = format!("schema `{a}` removed: the generated type `{}` disappears", self.type_name(true, a));
                self.emit(RuleId::SchemaRemoved, &format!("schema {a}"), msg, Some(&ptr), None);
            }
        }
        for b in added {
            self.owner = Owner::Schema(b.to_owned());
            let msg = format!("schema `{b}` added (type `{}`)", self.type_name(false, b));
            self.emit(RuleId::SchemaAdded, &format!("schema {b}"), msg, None, Some(&child("/components/schemas", b)));
        }
        self.owner = saved;
    }

    /// Operations that reach component schema `name`, directly or through
    /// other schemas: on the new side (the old one for a removed schema) as the
    /// generated models say, else as far as the walk went.
    fn used_by(&self, name: &str) -> Vec<String> {
        if let Some(m) = self.models {
            let id = format!("#{}", child("/components/schemas", name));
            let side = if m.new.model.types.contains_key(&id) { &m.new } else { &m.old };
            return side.uses_of(&id).map(|s| s.iter().cloned().collect()).unwrap_or_default();
        }
        let mut ops = BTreeSet::new();
        let mut seen = HashSet::new();
        let mut stack = vec![name.to_owned()];
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            for owner in self.reached.get(&n).into_iter().flatten() {
                match owner {
                    Owner::Op(label) => {
                        ops.insert(label.clone());
                    }
                    Owner::Schema(s) => stack.push(s.clone()),
                    Owner::Path(_) | Owner::Document => {}
                }
            }
        }
        ops.into_iter().collect()
    }

    /// Runs the whole diff.
    pub fn run(mut self, old_file: &str, new_file: &str) -> Report {
        self.security_schemes();
        self.global_security();
        self.paths();
        self.drain();
        self.identity();
        self.drain();
        self.settle_removals();
        self.components();
        self.api();
        let usage = self.options.used_names.as_ref().map(|names| super::used::Usage::new(names, self.models));
        let mut unused = 0;
        let mut used_by: HashMap<String, Vec<String>> = HashMap::new();
        let mut seen = HashSet::new();
        let mut findings = Vec::new();
        for r in std::mem::take(&mut self.raw) {
            if !seen.insert((r.rule, r.location.clone())) {
                continue;
            }
            let used = match &r.owner {
                Owner::Schema(name) => used_by.entry(name.clone()).or_insert_with(|| self.used_by(name)).clone(),
                _ => Vec::new(),
            };
            findings.push((
                r.owner.clone(),
                Finding {
                    rule: r.rule,
                    level: r.rule.default_level(),
                    location: r.location,
                    message: r.message,
                    group: r.owner.group(),
                    used_by: used,
                    absorbed: r.absorbed,
                    old: r.old.map(|pointer| Position { pointer, line: None }),
                    new: r.new.map(|pointer| Position { pointer, line: None }),
                    rust: match (r.rust, self.models) {
                        (Some(items), _) => items,
                        (None, Some(m)) => super::generated::owner_items(m, &r.owner),
                        (None, None) => match &r.owner {
                            Owner::Schema(name) => vec![crate::names::type_name(name)],
                            _ => Vec::new(),
                        },
                    },
                },
            ));
            if let Some(usage) = &usage {
                if !usage.uses(&findings.last().expect("just pushed").1) {
                    findings.pop();
                    unused += 1;
                }
            }
        }
        findings.sort_by_cached_key(|(o, f)| (group_key(o), std::cmp::Reverse(f.level.rank()), f.location.clone(), f.rule));
        let findings = findings.into_iter().map(|(_, f)| f).collect();
        Report { old_file: old_file.to_owned(), new_file: new_file.to_owned(), findings, suppressed: 0, unused: usage.map(|_| unused), api_note: None, crate_version: None }
    }
}

/// Groups in reading order: paths and operations by path, then schemas, then the document.
fn group_key(owner: &Owner) -> (u8, String, u8) {
    match owner {
        Owner::Path(p) => (0, p.clone(), 0),
        Owner::Op(label) => {
            let (method, path) = label.split_once(' ').unwrap_or(("", label));
            let rank = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"].iter().position(|m| *m == method).unwrap_or(8) as u8;
            (0, path.to_owned(), rank + 1)
        }
        Owner::Schema(name) => (1, name.clone(), 0),
        Owner::Document => (2, String::new(), 0),
    }
}
