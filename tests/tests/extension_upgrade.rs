//! Extension upgrades: a database created at any released version of pg_kea and moved along
//! with `ALTER EXTENSION pg_kea UPDATE` must hold exactly what a fresh install of the current
//! version holds (the same objects, signatures and definitions, read from the catalog).
//! scripts/init installs every released install script and upgrade step from `sql/pg_kea/`.

use kea_tests::{admin, admin_to, drop_database, fresh_database};

/// Every member of the extension with what defines it, one line each, sorted. Function
/// bodies are compared by hash (C functions: their symbol), tables by columns, defaults,
/// constraints, indexes and triggers, types by attributes.
const SNAPSHOT: &str = r#"
with ext as (select oid from pg_extension where extname = 'pg_kea'),
members as (
    select d.classid, d.objid, d.objsubid from pg_depend d, ext
     where d.refclassid = 'pg_extension'::regclass and d.refobjid = ext.oid and d.deptype = 'e'
)
select pg_describe_object(m.classid, m.objid, m.objsubid) || coalesce(' :: ' || (
    case m.classid
    when 'pg_proc'::regclass then (
        select format('(%s) -> %s %s strict=%s parallel=%s secdef=%s cost=%s rows=%s body=%s acl=%s',
                      pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                      p.provolatile, p.proisstrict, p.proparallel, p.prosecdef, p.procost,
                      p.prorows, md5(p.prosrc), p.proacl)
          from pg_proc p where p.oid = m.objid)
    when 'pg_class'::regclass then (
        select string_agg(x, '; ' order by x) from (
            select format('col %s %s %s default=%s', a.attnum || ':' || a.attname,
                          format_type(a.atttypid, a.atttypmod), a.attnotnull,
                          pg_get_expr(ad.adbin, ad.adrelid)) as x
              from pg_attribute a
              left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
             where a.attrelid = m.objid and a.attnum > 0 and not a.attisdropped
            union all
            select 'constraint ' || conname || ' ' || pg_get_constraintdef(oid)
              from pg_constraint where conrelid = m.objid
            union all
            select 'index ' || pg_get_indexdef(indexrelid) from pg_index where indrelid = m.objid
            union all
            select 'trigger ' || pg_get_triggerdef(oid) from pg_trigger
             where tgrelid = m.objid and not tgisinternal
            union all
            select 'acl ' || coalesce(relacl::text, '') from pg_class where oid = m.objid
        ) parts)
    when 'pg_type'::regclass then (
        select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', '
                          order by a.attnum)
          from pg_type t join pg_attribute a on a.attrelid = t.typrelid
         where t.oid = m.objid and a.attnum > 0 and not a.attisdropped)
    end), '')
from members m
order by 1
"#;

async fn snapshot(db: &str) -> Vec<String> {
    let c = admin_to(db).await;
    c.query(SNAPSHOT, &[])
        .await
        .unwrap_or_else(|e| panic!("reading the catalog of {db}: {e}"))
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn every_released_version_upgrades_to_what_a_fresh_install_holds() {
    let a = admin().await;
    let current: String = a
        .query_one(
            "select default_version from pg_available_extensions where name = 'pg_kea'",
            &[],
        )
        .await
        .expect("pg_kea is available (scripts/init installs it)")
        .get(0);
    let older: Vec<String> = a
        .query(
            "select version from pg_available_extension_versions
              where name = 'pg_kea' and version <> $1 order by version",
            &[&current],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        !older.is_empty(),
        "no released version older than {current} is installed: scripts/init copies sql/pg_kea/pg_kea--*.sql"
    );

    fresh_database("kea_test_ext_fresh").await;
    admin_to("kea_test_ext_fresh")
        .await
        .batch_execute("create extension pg_kea")
        .await
        .unwrap();
    let want = snapshot("kea_test_ext_fresh").await;
    drop_database("kea_test_ext_fresh").await;
    assert!(want.len() > 5, "a fresh install has objects: {want:?}");

    for from in &older {
        let db = format!("kea_test_ext_from_{}", from.replace('.', "_"));
        fresh_database(&db).await;
        let c = admin_to(&db).await;
        c.batch_execute(&format!("create extension pg_kea version '{from}'"))
            .await
            .unwrap_or_else(|e| panic!("creating pg_kea {from}: {e}"));
        c.batch_execute("alter extension pg_kea update")
            .await
            .unwrap_or_else(|e| panic!("upgrading pg_kea {from} -> {current}: {e}"));
        let version: String = c
            .query_one(
                "select extversion from pg_extension where extname = 'pg_kea'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        let got = snapshot(&db).await;
        drop(c);
        drop_database(&db).await;
        assert_eq!(version, current, "upgraded from {from}");
        let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
        let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "pg_kea {from} upgraded to {current} differs from a fresh install:\n\
             only in the fresh install:\n  {}\nonly in the upgraded database:\n  {}\n\
             (fix sql/pg_kea/pg_kea--*--{current}.sql)",
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  "),
            extra
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  ")
        );
        println!(
            "pg_kea {from} -> {current}: {} objects, same as a fresh install",
            got.len()
        );
    }
}

/// The install script of the current version, as the build generates it, must be the one
/// committed in `sql/pg_kea/`: a change to pg_kea's SQL without a new version would reach
/// existing databases never (same version, nothing to upgrade). pgrx orders its statements
/// differently from build to build, so they are compared as a sorted list, without comments.
#[test]
fn the_built_install_script_is_the_committed_one() {
    let manifest = include_str!("../../pg_kea/Cargo.toml");
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("pg_kea/Cargo.toml has its own version");
    let pg_config = std::env::var("PG_CONFIG")
        .unwrap_or_else(|_| "/usr/lib/postgresql/15/bin/pg_config".into());
    let out = std::process::Command::new(&pg_config)
        .arg("--sharedir")
        .output()
        .expect("pg_config");
    let share = String::from_utf8(out.stdout).unwrap();
    let name = format!("pg_kea--{version}.sql");
    let built = std::fs::read_to_string(format!("{}/extension/{name}", share.trim()))
        .expect("the installed script (scripts/init installs it)");
    let committed = std::fs::read_to_string(format!(
        "{}/../sql/pg_kea/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default();
    assert!(
        statements(&built) == statements(&committed),
        "pg_kea {version}'s SQL differs from sql/pg_kea/{name}.\n\
         If {version} is not released yet (not on main), copy the built script there:\n  \
         cp {}/extension/{name} sql/pg_kea/\n\
         If it is released, give pg_kea a new version in pg_kea/Cargo.toml, add \
         sql/pg_kea/pg_kea--{version}--<new>.sql and commit the new install script.",
        share.trim()
    );
}

fn statements(script: &str) -> Vec<String> {
    let mut chunks: Vec<String> = script
        .split("\n\n")
        .map(|chunk| {
            chunk
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .map(|l| match (l.find("/*"), l.find("*/")) {
                    (Some(a), Some(b)) if b > a => format!("{}{}", &l[..a], &l[b + 2..]),
                    _ => l.to_string(),
                })
                .map(|l| l.trim_end().to_string())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|c| !c.is_empty())
        .collect();
    chunks.sort();
    chunks
}
