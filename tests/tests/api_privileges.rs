//! Every API role against every `api` function and view, pg_regress style: each is called
//! (functions with null arguments) or read as each role with that role's claims, and the
//! outcome matrix is compared with the committed `tests/sql/api_privileges.out`. A cell is
//! `yes` when the role got past the privilege checks (the call ran, or failed on its
//! arguments), `-` when it was refused with 42501 (no grant, or a function that requires
//! another kind of token). A new function or grant changes the matrix: review the diff, then
//! `KEA_BLESS=1 cargo test -p kea_tests --test api_privileges` writes the new expected file.

use kea_tests::admin;

/// The roles of docs/api.md, with the claims their tokens carry; `kea_authenticator` is the
/// gateway's own identity for the Twilio webhooks (no SET ROLE).
const ROLES: &[(&str, &str)] = &[
    ("kea_anon", "{}"),
    (
        "kea_agent",
        r#"{"role": "kea_agent", "agent_id": 999999999}"#,
    ),
    (
        "kea_merchant",
        r#"{"role": "kea_merchant", "merchant_id": 999999999}"#,
    ),
    ("kea_analyst", r#"{"role": "kea_analyst"}"#),
    (
        "kea_pos",
        r#"{"role": "kea_pos", "merchant_id": 999999999}"#,
    ),
    ("kea_service", r#"{"role": "kea_service"}"#),
    ("kea_authenticator", "{}"),
];

#[tokio::test]
async fn every_role_against_every_api_function_and_view() {
    let db = admin().await;
    // (label, SQL that uses it)
    let objects: Vec<(String, String)> = db
        .query(
            "select format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid)),
                    format('select count(*) from api.%I(%s)', p.proname,
                           (select string_agg(format('null::%s', format_type(t, null)), ', ')
                              from unnest(p.proargtypes::oid[]) t))
               from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname = 'api' and p.prokind = 'f'
             union all
             select c.relname || ' (view)', format('select count(*) from (select * from api.%I limit 1) v', c.relname)
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'api' and c.relkind = 'v'
             order by 1",
            &[],
        )
        .await
        .expect("the api catalog")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let width = objects.iter().map(|(l, _)| l.len()).max().unwrap_or(10);
    let mut out = format!("{:width$}", "");
    for (role, _) in ROLES {
        out += &format!(" {:>8}", role.trim_start_matches("kea_"));
    }
    out = out.trim_end().to_string() + "\n";
    for (label, sql) in &objects {
        let mut line = format!("{label:width$}");
        for (role, claims) in ROLES {
            db.batch_execute("begin").await.unwrap();
            db.execute(
                "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
                &[role, claims],
            )
            .await
            .unwrap();
            // Null arguments: some functions fail on them, after the privilege checks.
            db.batch_execute("set local statement_timeout = '5s'")
                .await
                .unwrap();
            let cell = match db.batch_execute(sql).await {
                Ok(()) => "yes",
                Err(e) if e.code().map(|c| c.code()) == Some("42501") => "-",
                Err(_) => "yes",
            };
            db.batch_execute("rollback").await.unwrap();
            line += &format!(" {cell:>8}");
        }
        out += line.trim_end();
        out += "\n";
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/sql/api_privileges.out");
    if std::env::var_os("KEA_BLESS").is_some() {
        std::fs::write(path, &out).expect("writing the expected matrix");
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != out {
        let diff: Vec<String> = expected
            .lines()
            .map(|l| format!("- {l}"))
            .filter(|l| !out.lines().any(|o| format!("- {o}") == *l))
            .chain(
                out.lines()
                    .filter(|o| !expected.lines().any(|l| l == *o))
                    .map(|o| format!("+ {o}")),
            )
            .collect();
        panic!(
            "the role x api matrix differs from tests/sql/api_privileges.out \
             (- expected, + now); if the change is intended: KEA_BLESS=1 cargo test -p kea_tests \
             --test api_privileges\n{}\n\nnow:\n{out}",
            diff.join("\n")
        );
    }
}
