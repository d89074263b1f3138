//! Which operations are listings, and how their pages follow each other.
//!
//! A listing is an operation whose JSON response is an object with a `data`
//! list. The cursor shape is read from the response's fields and the
//! operation's query parameters, in the shapes the OpenAI spec uses:
//! - `next_page` token in the response, sent back as `page` (usage);
//! - `next` in the response, sent back as `after` (groups, roles);
//! - `after` with items that have an `id`: the last item's id (files,
//!   assistants, batches: openai-python's `SyncCursorPage`);
//! - `after` with `last_id` in the response, where items have no common `id`
//!   field (conversation items: openai-python's `SyncConversationCursorPage`);
//! - a `data` list with no `has_more`, no cursor field and no cursor
//!   parameter: one page (models: openai-python's `SyncPage`).
//!
//! `pagination:` in the config turns an operation off or sets its rule. A
//! listing that fits none of the shapes keeps its plain method and is listed,
//! with the reason, in the generation report.

use crate::config::{PaginationConfig, PaginationKindConfig, PaginationRule};
use crate::ir::*;
use std::collections::BTreeMap;

/// What the lowering does with one operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Not a listing: nothing to report.
    NotAList,
    /// A listing with this rule (the method name is filled in by the caller).
    Paged(Pagination),
    /// A listing left without auto-paging, and why.
    LeftOut(String),
}

/// The struct a type reference names, through aliases.
pub(crate) fn struct_of<'t>(ty: &TypeRef, types: &'t BTreeMap<TypeId, TypeDef>) -> Option<&'t StructDef> {
    let TypeRef::Named(id) = through_aliases(ty, types) else { return None };
    match &types.get(id)?.kind {
        TypeKind::Struct(s) => Some(s),
        _ => None,
    }
}

/// A field of `s` (not flattened) whose type is `want` after aliases.
fn field_of<'s>(s: &'s StructDef, name: &str, types: &BTreeMap<TypeId, TypeDef>, want: fn(&TypeRef) -> bool) -> Option<&'s Field> {
    s.fields.iter().find(|f| f.wire_name == name && !f.flatten && !f.boxed && want(through_aliases(&f.ty, types)))
}

fn is_string(ty: &TypeRef) -> bool {
    *ty == TypeRef::String
}

fn is_bool(ty: &TypeRef) -> bool {
    *ty == TypeRef::Bool
}

fn is_array(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Array(_))
}

/// A string query parameter of the operation.
fn query_param<'o>(op: &'o Operation, name: &str) -> Option<&'o Param> {
    op.params.iter().find(|p| p.location == ParamLocation::Query && p.wire_name == name)
}

/// The array of items in `op`'s JSON response, decoded as a large body
/// arrives: the listing's items when it is paged (whatever the config names
/// them), else the response object's `data` array, if it has one.
pub fn items_array(op: &Operation, types: &BTreeMap<TypeId, TypeDef>) -> Option<ItemsArray> {
    if let Some(p) = &op.pagination {
        return Some(ItemsArray { field: p.items_field.clone(), item: p.item.clone() });
    }
    let ResponseKind::Json(ty) = &op.response else { return None };
    let items = field_of(struct_of(ty, types)?, "data", types, is_array)?;
    let TypeRef::Array(item) = through_aliases(&items.ty, types) else { return None };
    Some(ItemsArray { field: items.wire_name.clone(), item: (**item).clone() })
}

/// Classifies one operation, with the config's override if it has one.
pub fn classify(op: &Operation, types: &BTreeMap<TypeId, TypeDef>, config: Option<&PaginationConfig>) -> Outcome {
    let page = match &op.response {
        ResponseKind::Json(ty) => struct_of(ty, types),
        _ => None,
    };
    match config {
        Some(PaginationConfig::Off(_)) => {
            return match page {
                Some(_) => Outcome::LeftOut("turned off by `pagination:` in the codegen config".to_owned()),
                None => Outcome::NotAList,
            }
        }
        Some(PaginationConfig::Rule(rule)) => {
            return match page {
                Some(page) => configured(op, page, types, rule),
                None => Outcome::LeftOut("the codegen config gives a pagination rule, but the response is not a JSON object".to_owned()),
            }
        }
        None => {}
    }
    let Some(page) = page else { return Outcome::NotAList };
    let Some(items) = field_of(page, "data", types, is_array) else { return Outcome::NotAList };
    let has_more = field_of(page, "has_more", types, is_bool);
    let has = |name: &str| page.fields.iter().any(|f| f.wire_name == name);
    if op.method != "GET" || op.body.is_some() {
        // Creating or searching returns a list too; only a listing is fetched again with a cursor.
        return if has_more.is_some() || has("next_page") { Outcome::LeftOut(format!("a `{}` operation with a request body or side effects: only GET listings are paged", op.method)) } else { Outcome::NotAList };
    }
    let TypeRef::Array(item) = through_aliases(&items.ty, types) else { return Outcome::NotAList };
    let rule = |kind, cursor: Option<&str>, param: Option<&str>| Pagination {
        kind,
        items_field: items.wire_name.clone(),
        item: (**item).clone(),
        cursor_field: cursor.map(str::to_owned),
        query_param: param.map(str::to_owned),
        has_more_field: has_more.map(|f| f.wire_name.clone()),
        method: String::new(),
    };
    let string_param = |name: &str| query_param(op, name).filter(|p| p.ty == TypeRef::String);
    let item_id = struct_of(item, types).and_then(|s| field_of(s, "id", types, is_string));

    if has("next_page") {
        return match (field_of(page, "next_page", types, is_string), string_param("page")) {
            (Some(_), Some(_)) => Outcome::Paged(rule(PaginationKind::Field, Some("next_page"), Some("page"))),
            (None, _) => Outcome::LeftOut("the response's `next_page` is not a string".to_owned()),
            (_, None) => Outcome::LeftOut("the response has a `next_page` token, but the operation has no string `page` query parameter to send it back in".to_owned()),
        };
    }
    let after = string_param("after");
    if has("next") {
        return match (field_of(page, "next", types, is_string), after) {
            (Some(_), Some(_)) => Outcome::Paged(rule(PaginationKind::Field, Some("next"), Some("after"))),
            (None, _) => Outcome::LeftOut("the response's `next` is not a string".to_owned()),
            (_, None) => Outcome::LeftOut("the response has a `next` cursor, but the operation has no string `after` query parameter".to_owned()),
        };
    }
    if after.is_some() {
        if item_id.is_some() {
            return Outcome::Paged(rule(PaginationKind::LastItem, Some("id"), Some("after")));
        }
        if field_of(page, "last_id", types, is_string).is_some() {
            return Outcome::Paged(rule(PaginationKind::Field, Some("last_id"), Some("after")));
        }
        return Outcome::LeftOut("the operation takes `after`, but its items have no string `id` and the response no string `last_id` to take it from".to_owned());
    }
    if query_param(op, "after").is_some() || query_param(op, "page").is_some() {
        return Outcome::LeftOut("the cursor query parameter is not a string".to_owned());
    }
    if has_more.is_some() || has("last_id") {
        return Outcome::LeftOut("the response says whether more items follow, but the operation has no cursor query parameter (`after` or `page`) to ask for them".to_owned());
    }
    Outcome::Paged(rule(PaginationKind::Single, None, None))
}

/// The config's rule, checked against the operation.
fn configured(op: &Operation, page: &StructDef, types: &BTreeMap<TypeId, TypeDef>, rule: &PaginationRule) -> Outcome {
    let fail = |reason: String| Outcome::LeftOut(format!("the codegen config's pagination rule does not fit: {reason}"));
    let items_name = rule.items.as_deref().unwrap_or("data");
    let Some(items) = field_of(page, items_name, types, is_array) else { return fail(format!("the response has no list field `{items_name}`")) };
    let TypeRef::Array(item) = through_aliases(&items.ty, types) else { return fail(format!("`{items_name}` is not a list")) };
    let has_more = field_of(page, "has_more", types, is_bool).map(|f| f.wire_name.clone());
    let mut out = Pagination { kind: PaginationKind::Single, items_field: items.wire_name.clone(), item: (**item).clone(), cursor_field: None, query_param: None, has_more_field: has_more, method: String::new() };
    if rule.kind == PaginationKindConfig::Single {
        return Outcome::Paged(out);
    }
    let param = rule.param.as_deref().unwrap_or("after");
    if query_param(op, param).is_none_or(|p| p.ty != TypeRef::String) {
        return fail(format!("the operation has no string query parameter `{param}`"));
    }
    let (kind, cursor) = match rule.kind {
        PaginationKindConfig::LastItem => {
            let cursor = rule.cursor.as_deref().unwrap_or("id");
            if struct_of(item, types).and_then(|s| field_of(s, cursor, types, is_string)).is_none() {
                return fail(format!("the items have no string field `{cursor}`"));
            }
            (PaginationKind::LastItem, cursor)
        }
        PaginationKindConfig::Field => {
            let Some(cursor) = rule.cursor.as_deref() else { return fail("a `field` rule needs `cursor:`, the response field holding the next cursor".to_owned()) };
            if field_of(page, cursor, types, is_string).is_none() {
                return fail(format!("the response has no string field `{cursor}`"));
            }
            (PaginationKind::Field, cursor)
        }
        PaginationKindConfig::Single => unreachable!("returned above"),
    };
    out.kind = kind;
    out.cursor_field = Some(cursor.to_owned());
    out.query_param = Some(param.to_owned());
    Outcome::Paged(out)
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::ir::*;

    /// The model of a spec with one `GET /things` whose response has `props`
    /// (YAML flow map entries) and whose query parameters are `query`.
    fn model(props: &str, query: &str, config: &str) -> Model {
        let yaml = format!(
            r#"
openapi: 3.0.0
info: {{title: t, version: "1"}}
paths:
  /things:
    get:
      operationId: listThings
      parameters: [{query}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{type: object, required: [data], properties: {{{props}}}}}
components:
  schemas:
    Thing: {{type: object, required: [id], properties: {{id: {{type: string}}}}}}
    NoId: {{type: object, properties: {{name: {{type: string}}}}}}
"#
        );
        let spec = crate::load::load_bytes("t.yaml", yaml.as_bytes()).unwrap();
        crate::lower::lower(&spec, &Config::from_yaml("c.yaml", config).unwrap()).unwrap()
    }

    fn outcome(m: &Model) -> Result<(PaginationKind, Option<String>, Option<String>), String> {
        match (&m.operations[0].pagination, m.unpaginated.first()) {
            (Some(p), None) => Ok((p.kind, p.cursor_field.clone(), p.query_param.clone())),
            (None, Some(u)) => Err(u.reason.clone()),
            other => panic!("{other:?}"),
        }
    }

    const THINGS: &str = "data: {type: array, items: {$ref: '#/components/schemas/Thing'}}";
    const NO_IDS: &str = "data: {type: array, items: {$ref: '#/components/schemas/NoId'}}";
    const AFTER: &str = "{name: after, in: query, schema: {type: string}}";

    #[test]
    fn shapes_are_told_apart() {
        let s = |v: &str| Some(v.to_owned());
        let m = model(&format!("{THINGS}, has_more: {{type: boolean}}"), AFTER, "");
        assert_eq!(outcome(&m), Ok((PaginationKind::LastItem, s("id"), s("after"))));
        let m = model(&format!("{NO_IDS}, has_more: {{type: boolean}}, last_id: {{type: string}}"), AFTER, "");
        assert_eq!(outcome(&m), Ok((PaginationKind::Field, s("last_id"), s("after"))));
        // Without `has_more`, a listing with a cursor still pages (until a page names none).
        let m = model(THINGS, AFTER, "");
        assert_eq!(outcome(&m), Ok((PaginationKind::LastItem, s("id"), s("after"))));
        assert_eq!(m.operations[0].pagination.as_ref().unwrap().has_more_field, None);
        let m = model(THINGS, "", "");
        assert_eq!(outcome(&m), Ok((PaginationKind::Single, None, None)));
    }

    #[test]
    fn listings_without_a_usable_cursor_are_reported() {
        let m = model(&format!("{THINGS}, has_more: {{type: boolean}}"), "", "");
        assert!(outcome(&m).unwrap_err().contains("no cursor query parameter"), "{:?}", outcome(&m));
        let m = model(&format!("{NO_IDS}, has_more: {{type: boolean}}"), AFTER, "");
        assert!(outcome(&m).unwrap_err().contains("no string `id`"), "{:?}", outcome(&m));
        let m = model(THINGS, "{name: after, in: query, schema: {type: integer}}", "");
        assert!(outcome(&m).unwrap_err().contains("not a string"), "{:?}", outcome(&m));
        let m = model(&format!("{THINGS}, next_page: {{type: string}}"), AFTER, "");
        assert!(outcome(&m).unwrap_err().contains("no string `page` query parameter"), "{:?}", outcome(&m));
        // No `data` list: not a listing, nothing to report.
        let m = model("items: {type: array, items: {type: string}}", AFTER, "");
        assert!(m.operations[0].pagination.is_none() && m.unpaginated.is_empty());
    }

    #[test]
    fn the_config_overrides_detection() {
        let m = model(&format!("{THINGS}, has_more: {{type: boolean}}"), AFTER, "pagination:\n  listThings: none\n");
        assert!(outcome(&m).unwrap_err().contains("turned off"));
        assert!(m.warnings.is_empty(), "turning one off is not a mistake");
        let m = model(&format!("{THINGS}, has_more: {{type: boolean}}"), AFTER, "pagination:\n  listThings: {kind: single}\n");
        assert_eq!(outcome(&m), Ok((PaginationKind::Single, None, None)));
        let m = model(&format!("{NO_IDS}, token: {{type: string}}"), "{name: from, in: query, schema: {type: string}}", "pagination:\n  listThings: {kind: field, cursor: token, param: from}\n");
        assert_eq!(outcome(&m), Ok((PaginationKind::Field, Some("token".to_owned()), Some("from".to_owned()))));
        for (rule, reason) in [
            ("{kind: field, cursor: token, param: from}", "no string query parameter `from`"),
            ("{kind: field, cursor: token}", "no string field `token`"),
            ("{kind: field}", "needs `cursor:`"),
            ("{kind: last_item, cursor: name}", "no string field `name`"),
            ("{kind: single, items: rows}", "no list field `rows`"),
        ] {
            let m = model(THINGS, AFTER, &format!("pagination:\n  listThings: {rule}\n"));
            assert!(outcome(&m).unwrap_err().contains(reason), "{rule}: {:?}", outcome(&m));
            assert!(m.warnings.iter().any(|w| w.message.contains(reason)), "{rule}: a rule that does not fit is a warning");
        }
        // Entries for operations the spec does not have are ignored.
        let m = model(THINGS, AFTER, "pagination:\n  listOthers: none\n");
        assert!(m.operations[0].pagination.is_some());
    }
}
