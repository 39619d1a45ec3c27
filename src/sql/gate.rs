//! The parser gate: analytics SQL must be exactly one plain query over the allow-listed relations,
//! calling only allow-listed functions, within length and nesting limits. Rejections are short
//! reasons the model can act on. The database boundary holds on its own; this is the first wall.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArguments, ObjectName, Query, Select, SetExpr, Statement, TableFactor, Visit,
    Visitor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::catalog;

pub const MAX_QUERY_BYTES: usize = 64 * 1024;
/// Parser recursion budget: deeper expressions are refused instead of exhausting the stack.
pub const MAX_NESTING: usize = 64;

/// Functions analytics SQL may call. Everything else (pg_*, set_config, dblink, lo_*, sleeps,
/// advisory locks, query_to_xml, ...) is refused.
const ALLOWED_FUNCTIONS: &[&str] = &[
    // aggregates
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "variance",
    "var_pop",
    "var_samp",
    "percentile_cont",
    "percentile_disc",
    "mode",
    "string_agg",
    "array_agg",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
    "bool_and",
    "bool_or",
    "every",
    "corr",
    "covar_pop",
    "covar_samp",
    "regr_slope",
    "regr_intercept",
    // window functions
    "row_number",
    "rank",
    "dense_rank",
    "percent_rank",
    "cume_dist",
    "ntile",
    "lag",
    "lead",
    "first_value",
    "last_value",
    "nth_value",
    // conditionals
    "coalesce",
    "nullif",
    "greatest",
    "least",
    // strings
    "lower",
    "upper",
    "initcap",
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "substr",
    "substring",
    "left",
    "right",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "lpad",
    "rpad",
    "concat",
    "concat_ws",
    "replace",
    "split_part",
    "strpos",
    "position",
    "starts_with",
    "reverse",
    "repeat",
    "regexp_replace",
    "regexp_match",
    "regexp_matches",
    "regexp_split_to_array",
    "format",
    "md5",
    "to_char",
    "to_number",
    "string_to_array",
    "array_to_string",
    "translate",
    // numbers
    "abs",
    "round",
    "ceil",
    "ceiling",
    "floor",
    "trunc",
    "mod",
    "power",
    "pow",
    "sqrt",
    "cbrt",
    "exp",
    "ln",
    "log",
    "log10",
    "sign",
    "div",
    "width_bucket",
    // dates and times
    "now",
    "current_date",
    "current_timestamp",
    "localtimestamp",
    "current_time",
    "localtime",
    "date_trunc",
    "date_part",
    "date_bin",
    "extract",
    "age",
    "make_date",
    "make_interval",
    "make_timestamp",
    "make_timestamptz",
    "to_date",
    "to_timestamp",
    "justify_days",
    "justify_hours",
    "justify_interval",
    "isfinite",
    "generate_series",
    // json
    "jsonb_extract_path",
    "jsonb_extract_path_text",
    "json_extract_path",
    "json_extract_path_text",
    "jsonb_array_length",
    "json_array_length",
    "jsonb_typeof",
    "json_typeof",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "json_array_elements",
    "json_array_elements_text",
    "jsonb_each",
    "jsonb_each_text",
    "jsonb_object_keys",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "to_jsonb",
    "to_json",
    "jsonb_strip_nulls",
    // arrays
    "array_length",
    "cardinality",
    "unnest",
    "array_position",
    "array_remove",
    "array_append",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Rejection(pub String);

fn reject<T>(msg: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection(msg.into()))
}

/// Checks `sql`; on success returns the relations it reads.
pub fn check(sql: &str) -> Result<BTreeSet<String>, Rejection> {
    if sql.len() > MAX_QUERY_BYTES {
        return reject(format!("query is longer than {MAX_QUERY_BYTES} bytes"));
    }
    if sql.contains('\0') {
        return reject("query contains a NUL byte");
    }
    if sql.trim().is_empty() {
        return reject("query is empty");
    }
    let dialect = PostgreSqlDialect {};
    let statements = Parser::new(&dialect)
        .with_recursion_limit(MAX_NESTING)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| {
            Rejection(format!(
                "could not parse the query: {}",
                short(&e.to_string())
            ))
        })?;
    let statement = match statements.as_slice() {
        [one] => one,
        [] => return reject("query is empty"),
        _ => return reject("send exactly one statement (no `;`-separated batches)"),
    };
    let Statement::Query(query) = statement else {
        return reject(
            "only SELECT queries are allowed (no INSERT, UPDATE, DELETE, DDL, SET, COPY, EXPLAIN, ...)",
        );
    };
    let mut walker = Walker::default();
    if let ControlFlow::Break(rejection) = query.visit(&mut walker) {
        return Err(rejection);
    }
    Ok(walker.relations)
}

fn short(msg: &str) -> String {
    msg.chars().take(200).collect()
}

#[derive(Default)]
struct Walker {
    /// The relations read, CTE references excepted.
    relations: BTreeSet<String>,
    /// One frame per query being walked, innermost last.
    scopes: Vec<Scope>,
}

/// The CTE names a query's subtree can see, resolved as PostgreSQL does: a CTE is visible in its
/// own query (the body and the later CTEs of its WITH list, or all of them when RECURSIVE) and in
/// the queries nested inside, never outside. So a CTE named after a catalog relation cannot hide
/// that relation anywhere else in the statement.
struct Scope {
    /// Pointers (identities) of this query's CTE bodies, in WITH order.
    cte_bodies: Vec<*const Query>,
    cte_names: Vec<String>,
    recursive: bool,
    /// Names visible to this query from the queries around it.
    inherited: Vec<String>,
    /// Names visible in this query's own body (and FROM items).
    visible: Vec<String>,
}

impl Walker {
    /// Names visible to `query`, entered from the innermost enclosing query.
    fn inherited_by(&self, query: &Query) -> Vec<String> {
        let Some(parent) = self.scopes.last() else {
            return Vec::new();
        };
        match parent
            .cte_bodies
            .iter()
            .position(|body| std::ptr::eq(*body, query))
        {
            // The k-th CTE body of the parent sees what surrounds the parent, plus its earlier
            // siblings (all of them, itself included, in a WITH RECURSIVE).
            Some(k) => {
                let own = if parent.recursive {
                    &parent.cte_names[..]
                } else {
                    &parent.cte_names[..k]
                };
                parent.inherited.iter().chain(own).cloned().collect()
            }
            None => parent.visible.clone(),
        }
    }

    fn is_cte(&self, name: &ObjectName) -> bool {
        match name.0.as_slice() {
            [part] => ident_name(part).is_some_and(|n| {
                self.scopes
                    .last()
                    .is_some_and(|scope| scope.visible.contains(&n))
            }),
            // `public.x` names a table even where a CTE x is visible.
            _ => false,
        }
    }
}

fn folded(ident: &sqlparser::ast::Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// The unquoted-folded name of a single identifier part.
fn ident_name(part: &sqlparser::ast::ObjectNamePart) -> Option<String> {
    part.as_ident().map(folded)
}

/// Resolves `name` / `public.name` to an allow-listed relation, or explains the refusal.
fn relation_name(name: &ObjectName) -> Result<String, Rejection> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(ident_name)
        .collect::<Option<_>>()
        .ok_or_else(|| Rejection(format!("relation {name} is not queryable")))?;
    let table = match parts.as_slice() {
        [table] => table.clone(),
        [schema, table] if schema == "public" => table.clone(),
        _ => {
            return reject(format!(
                "relation {name} is not queryable; queryable tables are {}",
                catalog::relation_names().join(", ")
            ));
        }
    };
    Ok(table)
}

fn function_name(name: &ObjectName) -> Result<String, Rejection> {
    match name.0.as_slice() {
        [part] => {
            ident_name(part).ok_or_else(|| Rejection(format!("function {name} is not allowed")))
        }
        _ => reject(format!(
            "function {name} is not allowed (call functions without a schema)"
        )),
    }
}

fn check_function(name: &ObjectName) -> ControlFlow<Rejection> {
    match function_name(name) {
        Ok(f) if ALLOWED_FUNCTIONS.contains(&f.as_str()) => ControlFlow::Continue(()),
        Ok(f) => ControlFlow::Break(Rejection(format!("function {f} is not allowed"))),
        Err(r) => ControlFlow::Break(r),
    }
}

fn forbidden_body(body: &SetExpr) -> Option<&'static str> {
    match body {
        SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => {
            Some("data-modifying statements are not allowed, including inside WITH")
        }
        SetExpr::Table(_) => Some("`TABLE name` is not supported; write SELECT * FROM name"),
        SetExpr::SetOperation { left, right, .. } => {
            forbidden_body(left).or_else(|| forbidden_body(right))
        }
        _ => None,
    }
}

impl Visitor for Walker {
    type Break = Rejection;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Rejection> {
        let inherited = self.inherited_by(query);
        let mut scope = Scope {
            cte_bodies: Vec::new(),
            cte_names: Vec::new(),
            recursive: false,
            visible: inherited.clone(),
            inherited,
        };
        if let Some(with) = &query.with {
            scope.recursive = with.recursive;
            for cte in &with.cte_tables {
                if let Some(why) = forbidden_body(&cte.query.body) {
                    return ControlFlow::Break(Rejection(why.into()));
                }
                scope.cte_bodies.push(&*cte.query);
                scope.cte_names.push(folded(&cte.alias.name));
            }
            scope.visible.extend(scope.cte_names.iter().cloned());
        }
        self.scopes.push(scope);
        if !query.locks.is_empty() {
            return ControlFlow::Break(Rejection(
                "locking clauses (FOR UPDATE/SHARE) are not allowed".into(),
            ));
        }
        if let Some(why) = forbidden_body(&query.body) {
            return ControlFlow::Break(Rejection(why.into()));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<Rejection> {
        if select.into.is_some() {
            return ControlFlow::Break(Rejection("SELECT INTO is not allowed".into()));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<Rejection> {
        match factor {
            // `FROM generate_series(...)` parses as a table with arguments: it is a function.
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            }
            | TableFactor::Function { name, .. } => check_function(name),
            TableFactor::Table { name, .. } if self.is_cte(name) => ControlFlow::Continue(()),
            TableFactor::Table { name, .. } => match relation_name(name) {
                Ok(table) => {
                    self.relations.insert(table);
                    ControlFlow::Continue(())
                }
                Err(r) => ControlFlow::Break(r),
            },
            TableFactor::Derived { .. }
            | TableFactor::NestedJoin { .. }
            | TableFactor::UNNEST { .. } => ControlFlow::Continue(()),
            _ => ControlFlow::Break(Rejection("this kind of FROM item is not supported".into())),
        }
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<Rejection> {
        self.scopes.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Rejection> {
        match expr {
            Expr::Function(f) => {
                if let FunctionArguments::Subquery(_) = f.args {
                    return ControlFlow::Continue(());
                }
                check_function(&f.name)
            }
            Expr::Cast { data_type, .. } => check_type(&data_type.to_string()),
            Expr::TypedString(ts) => check_type(&ts.data_type.to_string()),
            _ => ControlFlow::Continue(()),
        }
    }
}

/// Object-identifier types turn strings into catalog lookups (`'pg_authid'::regclass`).
fn check_type(ty: &str) -> ControlFlow<Rejection> {
    let t = ty.to_lowercase();
    if t.starts_with("reg") || t == "oid" || t.contains("pg_") {
        return ControlFlow::Break(Rejection(format!("casts to {ty} are not allowed")));
    }
    ControlFlow::Continue(())
}

/// After the walk: every relation must be allow-listed (CTE names excepted).
pub fn check_relations(relations: &BTreeSet<String>) -> Result<(), Rejection> {
    for r in relations {
        if catalog::relation(r).is_none() {
            return reject(format!(
                "table {r} is not queryable; queryable tables are {}",
                catalog::relation_names().join(", ")
            ));
        }
    }
    Ok(())
}

/// The full gate: parse, walk, and check relations.
pub fn admit(sql: &str) -> Result<(), Rejection> {
    check_relations(&check(sql)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(sql: &str) {
        if let Err(e) = admit(sql) {
            panic!("{sql}: {e}");
        }
    }

    fn no(sql: &str, why: &str) {
        match admit(sql) {
            Ok(()) => panic!("admitted: {sql}"),
            Err(e) => assert!(e.0.contains(why), "{sql}: {e} (expected `{why}`)"),
        }
    }

    #[test]
    fn ordinary_analytics_pass() {
        ok(
            "SELECT stage, count(*), sum(amount) FROM deals WHERE NOT is_closed GROUP BY stage ORDER BY 3 DESC",
        );
        ok(
            "WITH won AS (SELECT * FROM deals WHERE is_won) SELECT date_trunc('quarter', close_date) q, count(*) FROM won GROUP BY 1",
        );
        ok(
            "SELECT a.name FROM accounts a LEFT JOIN LATERAL (SELECT max(activity_date) m FROM activities x WHERE x.account_id = a.id) l ON true WHERE l.m < now() - interval '30 days'",
        );
        ok(
            "SELECT r.name, rank() OVER (ORDER BY sum(d.amount) DESC) FROM reps r JOIN deals d ON d.owner_id = r.id GROUP BY r.name",
        );
        ok(
            "SELECT d::date FROM generate_series(current_date - 7, current_date, interval '1 day') d",
        );
        ok("SELECT custom_fields->>'original_close_date' FROM public.deals");
        ok("SELECT 1 UNION ALL SELECT 2");
        ok("SELECT * FROM (VALUES (1), (2)) v(x)");
    }

    #[test]
    fn hostile_shapes_are_refused() {
        no("DELETE FROM deals", "only SELECT");
        no("SELECT 1; SELECT 2", "exactly one statement");
        no("SELECT * FROM deals FOR UPDATE", "locking");
        no("SELECT * INTO x FROM deals", "SELECT INTO");
        no(
            "WITH d AS (DELETE FROM deals RETURNING *) SELECT * FROM d",
            "data-modifying",
        );
        no("SELECT pg_sleep(10)", "function pg_sleep is not allowed");
        no(
            "SELECT PG_CATALOG.pg_read_file('/etc/passwd')",
            "not allowed",
        );
        no("SELECT set_config('app.org_id', 'x', true)", "set_config");
        no(
            "SELECT * FROM chat_messages",
            "table chat_messages is not queryable",
        );
        no("SELECT * FROM pg_catalog.pg_authid", "not queryable");
        no("SELECT * FROM \"Deals\"", "not queryable");
        no("TABLE deals", "");
        no("SELECT 'pg_authid'::regclass", "casts to");
        no(
            "SELECT * FROM query_to_xml('select 1', true, true, '')",
            "query_to_xml",
        );
        no("SELECT 1\0", "NUL");
        no(
            &format!("SELECT {}1{}", "(".repeat(200), ")".repeat(200)),
            "could not parse",
        );
        no(&"x".repeat(MAX_QUERY_BYTES + 1), "longer than");
        no("SET statement_timeout = 0", "only SELECT");
        no("EXPLAIN ANALYZE SELECT 1", "only SELECT");
        no("COPY deals TO STDOUT", "only SELECT");
    }

    #[test]
    fn a_cte_is_visible_only_in_its_own_query() {
        // A CTE named after a catalog relation inside a subquery does not hide the relation
        // outside it.
        for sql in [
            "SELECT rolname FROM pg_roles, (WITH pg_roles AS (SELECT 1) SELECT 1) x",
            "SELECT name, setting FROM pg_settings, (WITH pg_settings AS (SELECT 1) SELECT 1) x",
            "SELECT relname FROM pg_class, (WITH pg_class AS (SELECT 1) SELECT 1) x",
            "SELECT (SELECT count(*) FROM pg_class) FROM (WITH pg_class AS (SELECT 1) SELECT 1) x",
            "SELECT * FROM deals WHERE EXISTS (WITH users AS (SELECT 1) SELECT 1) AND id IN (SELECT id FROM users)",
            "(WITH pg_roles AS (SELECT 1) SELECT 1) UNION ALL SELECT 1 FROM pg_roles",
        ] {
            no(sql, "is not queryable");
        }
        // Without RECURSIVE, a CTE cannot see itself or the CTEs after it: the name means the
        // relation (PostgreSQL resolves it the same way).
        no(
            "WITH pg_class AS (SELECT * FROM pg_class) SELECT * FROM pg_class",
            "pg_class is not queryable",
        );
        no(
            "WITH a AS (SELECT * FROM pg_authid), pg_authid AS (SELECT 1) SELECT * FROM a",
            "pg_authid is not queryable",
        );
        // A schema-qualified name is never a CTE.
        no(
            "WITH pg_class AS (SELECT 1) SELECT * FROM pg_catalog.pg_class",
            "not queryable",
        );
        no(
            "WITH x AS (SELECT 1) SELECT * FROM public.x",
            "x is not queryable",
        );
        // Quoting matters as it does in PostgreSQL.
        no(
            "WITH \"PG_CLASS\" AS (SELECT 1) SELECT * FROM pg_class",
            "pg_class is not queryable",
        );
        ok("WITH \"Won\" AS (SELECT * FROM deals) SELECT * FROM \"Won\"");
        ok("WITH won AS (SELECT * FROM deals) SELECT * FROM WON");
    }

    #[test]
    fn ctes_stay_usable_where_postgresql_sees_them() {
        ok("WITH a AS (SELECT id FROM deals), b AS (SELECT * FROM a) SELECT * FROM b");
        ok(
            "WITH a AS (SELECT id FROM deals) SELECT * FROM (SELECT * FROM a) s WHERE id IN (SELECT id FROM a)",
        );
        ok(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT * FROM n",
        );
        ok("WITH a AS (WITH b AS (SELECT 1 AS x) SELECT x FROM b) SELECT * FROM a");
        no(
            "WITH a AS (WITH b AS (SELECT 1 AS x) SELECT x FROM b) SELECT * FROM b",
            "b is not queryable",
        );
        // A CTE shadowing an allow-listed table is fine: it reads the table.
        ok("WITH deals AS (SELECT * FROM deals WHERE is_won) SELECT count(*) FROM deals");
    }
}
