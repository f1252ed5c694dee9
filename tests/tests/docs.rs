//! Docs that cannot drift from the code: each test reads a doc and what it describes, and
//! fails saying exactly which line to add or remove.
//! - docs/errors.md holds every kea SQLSTATE (`K` + subsystem + HTTP status) that `sql/`,
//!   `gateway/src` and `worker/src` use, and nothing they do not raise;
//! - README's configuration table holds every environment variable the gateway and worker read,
//!   and every row is read by something;
//! - every repository path a doc names (in backticks) exists;
//! - the order status diagram of docs/workflow.md is the transitions
//!   `app.order_transition_allowed` allows (read from the database, pair by pair);
//! - every `api` function and view has a `COMMENT ON` (what /openapi.json says of it), and
//!   argument names without a `p_` prefix (what clients write in /rpc bodies);
//! - every `grant execute on function` is in the file that defines the function.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the checkout")
        .to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir` (relative to the checkout) whose name ends with one of `exts`.
fn files(dir: &str, exts: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root().join(dir))
        .into_iter()
        .map(|e| e.expect("readable tree"))
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| exts.iter().any(|x| p.to_string_lossy().ends_with(x)))
        .collect();
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// The rows of the first markdown table after `heading` in `doc`, as cells.
fn table_after(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let start = doc
        .find(heading)
        .unwrap_or_else(|| panic!("no heading {heading:?}"));
    let section = &doc[start + heading.len()..];
    let end = section.find("\n## ").unwrap_or(section.len());
    section[..end]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and |---|
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

fn code_cell(cell: &str) -> String {
    cell.trim_matches('`').to_string()
}

#[test]
fn every_kea_sqlstate_is_in_the_errors_table() {
    let doc = read(&root().join("docs/errors.md"));
    let mut table: BTreeMap<String, u16> = BTreeMap::new();
    for row in table_after(&doc, "# Error codes") {
        let code = code_cell(&row[0]);
        let status: u16 = row[2]
            .parse()
            .unwrap_or_else(|_| panic!("docs/errors.md: {code}'s status {:?}", row[2]));
        assert_eq!(
            code[2..],
            status.to_string(),
            "docs/errors.md: {code}'s status column says {status}, the code says {}",
            &code[2..]
        );
        assert!(
            table.insert(code.clone(), status).is_none(),
            "docs/errors.md lists {code} twice"
        );
    }
    assert!(table.len() > 10, "docs/errors.md's table was not read");

    let any_code = Regex::new(r"\bK[A-Z][0-9]{3}\b").unwrap();
    // Where SQL raises a code: `using errcode = 'KO409'`, `raise sqlstate 'KO409'`, or the
    // answer of a function that commits first, `app.http_error(409, 'KO409', ...)`.
    let sql_raise = Regex::new(
        r"(?i)(?:errcode\s*=?\s*|raise\s+sqlstate\s+)'(K[A-Z][0-9]{3})'|http_error\(\s*([0-9]{3})\s*,\s*'(K[A-Z][0-9]{3})'",
    )
    .unwrap();
    // The gateway's own codes are its error replies' string literals.
    let rust_code = Regex::new(r#""(K[A-Z][0-9]{3})""#).unwrap();

    let mut raised: BTreeMap<String, String> = BTreeMap::new();
    let mut named: BTreeMap<String, String> = BTreeMap::new();
    let mut problems = Vec::new();
    for f in files("sql", &[".sql"]) {
        if f.ends_with("schema.dump.sql") {
            continue; // generated from the other files
        }
        let text = read(&f);
        for (n, line) in text.lines().enumerate() {
            let at = format!("{}:{}", rel(&f), n + 1);
            for c in sql_raise.captures_iter(line) {
                let code = c.get(1).or(c.get(3)).unwrap().as_str().to_string();
                if let Some(status) = c.get(2) {
                    if status.as_str() != &code[2..] {
                        problems.push(format!(
                            "{at}: app.http_error answers {} with {code}",
                            status.as_str()
                        ));
                    }
                }
                raised.entry(code).or_insert(at.clone());
            }
            for m in any_code.find_iter(line) {
                named.entry(m.as_str().to_string()).or_insert(at.clone());
            }
        }
    }
    for dir in ["gateway/src", "worker/src"] {
        for f in files(dir, &[".rs"]) {
            for (n, line) in read(&f).lines().enumerate() {
                let at = format!("{}:{}", rel(&f), n + 1);
                for c in rust_code.captures_iter(line) {
                    let code = c[1].to_string();
                    if code.starts_with("KG") {
                        raised.entry(code.clone()).or_insert(at.clone());
                    }
                    named.entry(code).or_insert(at.clone());
                }
            }
        }
    }
    for (code, at) in &named {
        if !table.contains_key(code) {
            problems.push(format!(
                "{at} uses {code}: add a row for it to docs/errors.md"
            ));
        }
    }
    for code in table.keys() {
        if !raised.contains_key(code) {
            problems.push(format!(
                "docs/errors.md lists {code}, which nothing in sql/ or gateway/src raises: remove its row"
            ));
        }
    }
    // The other docs name only codes that exist.
    for f in files("docs", &[".md"]) {
        for (n, line) in read(&f).lines().enumerate() {
            for m in any_code.find_iter(line) {
                if !table.contains_key(m.as_str()) {
                    problems.push(format!(
                        "{}:{} names {}, which is not in docs/errors.md: add its row there (or correct the doc)",
                        rel(&f),
                        n + 1,
                        m.as_str()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_environment_variable_is_in_the_readme() {
    let readme = read(&root().join("README.md"));
    let mut rows: BTreeSet<String> = BTreeSet::new();
    let section = &readme[readme.find("\n## Configuration").expect("## Configuration")..];
    let section = &section[..section[4..].find("\n## ").map_or(section.len(), |e| e + 4)];
    let row_name = Regex::new(r"^\| `([A-Z][A-Z0-9_]*)`((?:, `[A-Z][A-Z0-9_]*`)*) \|").unwrap();
    for line in section.lines() {
        if let Some(c) = row_name.captures(line) {
            rows.insert(c[1].to_string());
            for extra in c[2].split(", ").filter(|s| !s.is_empty()) {
                rows.insert(extra.trim_matches('`').to_string());
            }
        }
    }
    assert!(rows.len() > 20, "README's configuration table was not read");

    // What the programs read: clap's `env = "X"`, std::env::var("X") / var_os, EnvFilter's
    // try_from_env("X"), and env!("X") (less cargo's own).
    let reads = Regex::new(
        r#"\benv\s*=\s*"([A-Z][A-Z0-9_]*)"|env::var(?:_os)?\(\s*"([A-Z][A-Z0-9_]*)"|from_env\(\s*"([A-Z][A-Z0-9_]*)"|env!\(\s*"([A-Z][A-Z0-9_]*)"|option_env!\(\s*"([A-Z][A-Z0-9_]*)""#,
    )
    .unwrap();
    let read_in = |dirs: &[&str]| -> BTreeMap<String, String> {
        let mut found = BTreeMap::new();
        for dir in dirs {
            for f in files(dir, &[".rs"]) {
                for (n, line) in read(&f).lines().enumerate() {
                    for c in reads.captures_iter(line) {
                        let name = (1..=5).find_map(|i| c.get(i)).unwrap().as_str();
                        if !name.starts_with("CARGO_") {
                            found.entry(name.to_string()).or_insert(format!(
                                "{}:{}",
                                rel(&f),
                                n + 1
                            ));
                        }
                    }
                }
            }
        }
        found
    };
    let programs = read_in(&["gateway/src", "worker/src"]);
    // Rows may also be read by the scripts (`$X`, `${X...}`) or by other Rust code.
    let others = read_in(&["pg_kea", "bench/src", "tests/src", "tests/tests"]);
    let mut scripts = String::new();
    for f in files("scripts", &[""]) {
        scripts += &read(&f);
    }

    let mut problems = Vec::new();
    for (name, at) in &programs {
        if !rows.contains(name) {
            problems.push(format!(
                "{at} reads {name}: add a row for it to README's configuration table"
            ));
        }
    }
    for name in &rows {
        let by_script = Regex::new(&format!(r"\$\{{?{name}\b")).unwrap();
        if !programs.contains_key(name)
            && !others.contains_key(name)
            && !by_script.is_match(&scripts)
        {
            problems.push(format!(
                "README's configuration table lists {name}, which nothing reads: remove its row"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_path_a_doc_names_exists() {
    let top = [
        ".ci",
        "bench",
        "deploy",
        "docs",
        "gateway",
        "migrations",
        "pg_kea",
        "scripts",
        "sql",
        "tests",
        "worker",
    ];
    let quoted = Regex::new(r"`([^`\s]+)`").unwrap();
    let mut docs = files("docs", &[".md"]);
    docs.push(root().join("README.md"));
    let mut problems = Vec::new();
    let mut checked = 0;
    for doc in &docs {
        for (n, line) in read(doc).lines().enumerate() {
            for c in quoted.captures_iter(line) {
                let path = c[1].trim_end_matches([',', '.', ':', ')']);
                let first = path.split('/').next().unwrap();
                if !path.contains('/') || !top.contains(&first) {
                    continue;
                }
                checked += 1;
                if !exists(path) {
                    problems.push(format!(
                        "{}:{} names `{path}`, which does not exist",
                        rel(doc),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} paths found in the docs");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Whether a path a doc names exists. Placeholders stand for any name: `*`, `<concern>`,
/// `NNNN` (a migration's number), a lone capital (`pg_kea--V.sql`); a name with no extension
/// may be the start of one (`migrations/0001` is `migrations/0001_roles_and_schemas.sql`).
fn exists(path: &str) -> bool {
    let mut dirs = vec![root()];
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let placeholder = Regex::new(r"<[^>]+>|\b[A-Z]\b").unwrap();
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        let pattern = regex::escape(part)
            .replace(r"\*", "[^/]*")
            .replace("NNNN", "[0-9]+");
        let pattern = placeholder.replace_all(&pattern, "[^/]+").into_owned();
        let prefix_ok = last && !part.contains('.');
        let re = Regex::new(&format!(
            "^{pattern}{}$",
            if prefix_ok { "(_.*)?" } else { "" }
        ))
        .unwrap();
        let mut next = Vec::new();
        for dir in &dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in entries.flatten() {
                if re.is_match(&e.file_name().to_string_lossy()) {
                    next.push(e.path());
                }
            }
        }
        dirs = next;
    }
    !dirs.is_empty()
}

/// The first mermaid state diagram after "## Order status machine", as (from, to) pairs;
/// `[*]` is `None`.
fn drawn_transitions(doc: &str) -> BTreeSet<(Option<String>, String)> {
    let start = doc
        .find("## Order status machine")
        .expect("docs/workflow.md: ## Order status machine");
    let block = &doc[start..];
    let block = &block[block.find("```mermaid").expect("a mermaid block")..];
    let block = &block[..block[3..].find("```").expect("its end") + 3];
    let edge = Regex::new(r"^\s*(\[\*\]|[a-z_]+)\s*-->\s*([a-z_]+)\s*(?::.*)?$").unwrap();
    block
        .lines()
        .filter_map(|l| edge.captures(l))
        .map(|c| {
            let from = (&c[1] != "[*]").then(|| c[1].to_string());
            (from, c[2].to_string())
        })
        .collect()
}

#[tokio::test]
async fn the_order_diagram_is_the_status_machine() {
    let drawn = drawn_transitions(&read(&root().join("docs/workflow.md")));
    assert!(drawn.len() > 10, "the diagram was not read: {drawn:?}");
    let db = kea_tests::admin().await;
    // The states are those app.orders.status may hold (its check constraint).
    let states: Vec<String> = db
        .query(
            "select m[1] from pg_constraint,
                    regexp_matches(pg_get_constraintdef(oid), '''([a-z_]+)''', 'g') m
              where conrelid = 'app.orders'::regclass and conname = 'orders_status_check'",
            &[],
        )
        .await
        .expect("the orders' status constraint")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(states.len() >= 8, "states: {states:?}");
    let allowed: BTreeSet<(Option<String>, String)> = db
        .query(
            "select a, b from unnest($1::text[] || array[null]) a, unnest($1::text[]) b
              where a is distinct from b and app.order_transition_allowed(a, b)",
            &[&states],
        )
        .await
        .expect("app.order_transition_allowed")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let show = |(a, b): &(Option<String>, String)| {
        format!("    {} --> {b}", a.as_deref().unwrap_or("[*]"))
    };
    let mut problems: Vec<String> = allowed
        .difference(&drawn)
        .map(|t| {
            format!(
                "app.order_transition_allowed allows it, the diagram lacks:{}",
                show(t)
            )
        })
        .collect();
    problems.extend(drawn.difference(&allowed).map(|t| {
        format!(
            "the diagram draws it, app.order_transition_allowed refuses:{}",
            show(t)
        )
    }));
    let undrawn: Vec<&String> = states
        .iter()
        .filter(|s| !drawn.iter().any(|(a, b)| a.as_ref() == Some(s) || b == *s))
        .collect();
    if !undrawn.is_empty() {
        problems.push(format!("states the diagram does not show: {undrawn:?}"));
    }
    assert!(
        problems.is_empty(),
        "docs/workflow.md, ## Order status machine:\n{}",
        problems.join("\n")
    );
}

/// Every `api` function and view describes itself (`COMMENT ON`, beside its definition in
/// sql/api/): the comment is what GET /openapi.json says of it.
#[tokio::test]
async fn every_api_function_and_view_has_a_comment() {
    let db = kea_tests::admin().await;
    let missing: Vec<String> = db
        .query(
            "select 'comment on function ' || p.oid::regprocedure::text
               from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname = 'api' and coalesce(obj_description(p.oid, 'pg_proc'), '') = ''
             union all
             select 'comment on view ' || c.oid::regclass::text
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'api' and c.relkind in ('v', 'm')
                and coalesce(obj_description(c.oid, 'pg_class'), '') = ''
             order by 1",
            &[],
        )
        .await
        .expect("the api schema's comments")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let described: i64 = db
        .query_one(
            "select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname = 'api'",
            &[],
        )
        .await
        .expect("counting the api functions")
        .get(0);
    assert!(
        described > 20,
        "the api functions were not read: {described}"
    );
    assert!(
        missing.is_empty(),
        "add these beside their definitions in sql/api/ (what /openapi.json says of them):\n    {}",
        missing.join("\n    ")
    );
}

/// The argument names of `api` functions are what clients write in `/rpc` bodies and read in
/// /openapi.json, and what docs/api.md calls them: plain names, no `p_` prefix.
#[tokio::test]
async fn api_arguments_are_named_as_clients_write_them() {
    let db = kea_tests::admin().await;
    let rows = db
        .query(
            "select p.oid::regprocedure::text, a.name
               from pg_proc p join pg_namespace n on n.oid = p.pronamespace
               cross join lateral unnest(p.proargnames) as a(name)
              where n.nspname = 'api'
              order by 1, 2",
            &[],
        )
        .await
        .expect("the api functions' argument names");
    assert!(
        rows.len() > 20,
        "the api arguments were not read: {}",
        rows.len()
    );
    let prefixed: Vec<String> = rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .filter(|(_, name)| name.starts_with("p_"))
        .map(|(f, name)| format!("{f}: {name}"))
        .collect();
    assert!(
        prefixed.is_empty(),
        "rename these in sql/api/ (qualify as fn_name.arg where a column has the name):\n    {}",
        prefixed.join("\n    ")
    );
}

/// A `grant execute on function` stands in the file that defines the function (docs/
/// architecture.md, "Where the SQL lives"), so a grant never depends on the order the files
/// are applied in and moves with its function.
#[test]
fn every_grant_is_beside_the_function_it_grants() {
    let define =
        Regex::new(r"(?i)create\s+(?:or\s+replace\s+)?function\s+([a-z_]+\.[a-z0-9_]+)\s*\(")
            .unwrap();
    let grant = Regex::new(r"(?is)grant\s+execute\s+on\s+function\s+(.*?)\s+to\s").unwrap();
    let name = Regex::new(r"([a-z_]+\.[a-z0-9_]+)\s*\(").unwrap();
    let mut defined: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut granted: Vec<(String, String)> = Vec::new();
    for dir in ["sql/app", "sql/worker", "sql/api"] {
        for path in files(dir, &[".sql"]) {
            let text = read(&path);
            for c in define.captures_iter(&text) {
                defined
                    .entry(c[1].to_string())
                    .or_default()
                    .insert(rel(&path));
            }
            for g in grant.captures_iter(&text) {
                for n in name.captures_iter(&g[1]) {
                    granted.push((rel(&path), n[1].to_string()));
                }
            }
        }
    }
    assert!(granted.len() > 20, "no grants read: {granted:?}");
    let astray: Vec<String> = granted
        .iter()
        .filter(|(file, f)| !defined.get(f).is_some_and(|files| files.contains(file)))
        .map(|(file, f)| format!("{file} grants {f}, defined in {:?}", defined.get(f)))
        .collect();
    assert!(
        astray.is_empty(),
        "move each grant beside its function:\n    {}",
        astray.join("\n    ")
    );
}

/// Migrations are applied in the order of their numbers and recorded by file name: two files
/// with one number (two engineers each taking the next free one) would run in an order that
/// depends on the rest of their names, and the next engineer cannot tell which came first.
#[test]
fn every_migration_has_a_number_of_its_own() {
    let mut by_number: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in files("migrations", &[".sql"]) {
        let name = rel(&path);
        let file = name.trim_start_matches("migrations/");
        if let Some(number) = file
            .get(..4)
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        {
            by_number
                .entry(number.to_string())
                .or_default()
                .push(file.to_string());
        }
    }
    assert!(by_number.len() > 10, "no migrations read: {by_number:?}");
    let shared: Vec<String> = by_number
        .values()
        .filter(|files| files.len() > 1)
        .map(|files| files.join(" and "))
        .collect();
    assert!(
        shared.is_empty(),
        "give each migration the next free number: {}",
        shared.join("; ")
    );
}
