//! The `api.*` findings: [`api::surface`] of both sides' generated Rust API
//! (see [`super::generated`]) compared, item by item.

use super::doc::Owner;
use super::rules::RuleId;
use super::walk::Ctx;
use crate::api::{self, ApiItem, ItemKind};
use crate::load::child;
use std::collections::{BTreeMap, BTreeSet};

/// Items whose type is in `types` (the type's own item aside) are left out: the type says it all.
fn roots(items: &[ApiItem]) -> Vec<&ApiItem> {
    let types: BTreeSet<&str> = items.iter().filter(|i| i.kind == ItemKind::Type).map(|i| i.path.as_str()).collect();
    items.iter().filter(|i| i.kind == ItemKind::Type || !i.path.split_once("::").is_some_and(|(owner, _)| owner != "Client" && types.contains(owner))).collect()
}

fn show_features(set: &BTreeSet<String>) -> String {
    set.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
}

impl Ctx<'_> {
    /// The `api.*` findings: every item of the generated API removed, changed,
    /// moved behind fewer features or added.
    pub(crate) fn api(&mut self) {
        let Some(models) = self.models else { return };
        let (old, new) = (&models.old.surface, &models.new.surface);
        let diff = api::compare(old, new);
        let saved = self.owner.clone();
        for item in diff.removed_roots() {
            let what = if item.kind == ItemKind::Type { "code naming it no longer compiles" } else { "code using it no longer compiles" };
            self.api_finding(RuleId::ApiRemoved, item, format!("removed: {what}"), true, false);
        }
        for (was, now) in &diff.renamed {
            self.api_finding(RuleId::ApiRenamed, was, format!("renamed to `{}` (same place in the spec): code naming the old name no longer compiles", now.path), true, false);
        }
        for (was, now) in &diff.changed {
            self.api_finding(RuleId::ApiChanged, now, format!("`{}` → `{}`", was.signature, now.signature), true, true);
        }
        // A new variant of an enum that was there and can be matched exhaustively breaks such matches.
        let exhaustive = |item: &ApiItem| {
            let owner = item.path.split_once("::").map(|(o, _)| o);
            item.kind == ItemKind::Variant && owner.is_some_and(|o| old.contains_key(&format!("type {o}")) && models.new.by_name.get(o).and_then(|id| models.new.model.types.get(id)).is_some_and(api::is_exhaustive))
        };
        for item in diff.added.iter().filter(|i| exhaustive(i)) {
            self.api_finding(RuleId::ApiVariantAdded, item, format!("added: `{}`; the enum has no #[non_exhaustive], so exhaustive matches no longer compile", item.signature), false, true);
        }
        // Cargo features that are gone: `features = [..]` naming one no longer resolves.
        if models.old.model.cargo_features && models.new.model.cargo_features {
            let (was, is) = (models.old.model.features(), models.new.model.features());
            self.owner = Owner::Document;
            for gone in was.difference(&is) {
                // Where it came from: an operation of that group on the old side.
                let op = models.old.model.operations.iter().find(|o| &o.feature == gone).map(|o| child(&child("/paths", &o.path), &o.method.to_lowercase()));
                // `unreferenced` holds the types no operation uses: one of them.
                let at = op.or_else(|| models.old.model.types.iter().find(|(_, t)| t.features.contains(crate::ir::UNREFERENCED_FEATURE)).map(|(id, _)| id.trim_start_matches('#').to_owned()));
                self.emit_rust(RuleId::ApiFeatureRemoved, &format!("api feature {gone}"), format!("Cargo feature `{gone}` removed: builds that select it fail"), at.as_deref(), None, Vec::new());
            }
        }
        // Additions: one finding per operation or component schema they belong to.
        let mut added: BTreeMap<Owner, Vec<&ApiItem>> = BTreeMap::new();
        for item in roots(&diff.added).into_iter().filter(|i| !exhaustive(i)) {
            let owner = models.new.home(&item.path).map_or(Owner::Document, |(o, _)| o);
            added.entry(owner).or_default().push(item);
        }
        for (owner, items) in added {
            let list: Vec<String> = items.iter().map(|i| format!("{} `{}`", i.kind.as_str(), i.path)).collect();
            let pointer = models.new.home(&items[0].path).map(|(_, p)| p);
            self.owner = owner.clone();
            let location = format!("{} api", owner.group());
            self.emit_rust(RuleId::ApiAdded, &location, format!("added: {}", list.join(", ")), None, pointer.as_deref(), items.iter().map(|i| i.path.clone()).collect());
        }
        let (of, nf) = (&models.old.features, &models.new.features);
        let origins = api::Origins::of(old, new);
        // Only gated items can lose a feature (no entry: compiled whatever features are on).
        for (k, is) in nf {
            // The same item on both sides: a name another schema took now is not the same item.
            let (Some(item), true) = (new.get(k), old.get(k).is_some_and(|o| new.get(k).is_some_and(|n| origins.same(o, n)))) else { continue };
            let was = of.get(k);
            let lost: BTreeSet<String> = match was {
                None => BTreeSet::new(),
                Some(a) => a.difference(is).cloned().collect(),
            };
            if was.is_some() && lost.is_empty() {
                continue;
            }
            let now = show_features(is);
            let msg = if was.is_none() { format!("was compiled whatever features are on; now only with {now}") } else { format!("no longer compiled with {} (now with {now})", show_features(&lost)) };
            self.api_finding(RuleId::ApiFeatureRemoved, item, msg, true, true);
        }
        self.owner = saved;
    }

    /// Records one `api.*` finding, owned by the operation or component schema
    /// the item comes from, at the pointers of what it came from on each side.
    fn api_finding(&mut self, rule: RuleId, item: &ApiItem, message: String, on_old: bool, on_new: bool) {
        let location = format!("api {} {}", item.kind.as_str(), item.path);
        self.api_finding_at(rule, item, &location, message, on_old, on_new);
    }

    fn api_finding_at(&mut self, rule: RuleId, item: &ApiItem, location: &str, message: String, on_old: bool, on_new: bool) {
        let Some(models) = self.models else { return };
        let old_home = on_old.then(|| models.old.home(&item.path)).flatten();
        let new_home = on_new.then(|| models.new.home(&item.path)).flatten();
        let owner = new_home.as_ref().or(old_home.as_ref()).map_or(Owner::Document, |(o, _)| o.clone());
        self.owner = owner;
        let (op, np) = (old_home.map(|(_, p)| p), new_home.map(|(_, p)| p));
        self.emit_rust(rule, location, message, op.as_deref(), np.as_deref(), vec![item.path.clone()]);
    }
}
