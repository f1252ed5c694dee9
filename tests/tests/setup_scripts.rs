//! The set-up scripts as a new user meets them: run from a checkout the `postgres` user cannot
//! enter (a private home directory, a `mktemp -d` folder), and `scripts/migrate` refusing,
//! with a message that says what to do, what it cannot do safely.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kea_tests::{admin_to, drop_database, fresh_database};

fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A copy of what the scripts read (scripts/, migrations/, sql/, pg_kea/Cargo.toml) in a new
/// mode-700 folder.
fn private_copy() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("kea-private-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    for part in ["scripts", "migrations", "sql", "pg_kea"] {
        let status = Command::new("cp")
            .args(["-r", "--no-preserve=mode"])
            .arg(checkout().join(part))
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "copying {part}");
    }
    for script in std::fs::read_dir(dir.path().join("scripts")).unwrap() {
        let path = script.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

fn run(script: &Path, args: &[&str]) -> Output {
    Command::new(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn migrations_run_from_a_folder_the_postgres_user_cannot_read() {
    let copy = private_copy();
    let mode = std::fs::metadata(copy.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    let db = "kea_test_private_checkout";
    let out = run(&copy.path().join("scripts/create-db"), &[db, "--fresh"]);
    let said = text(&out);
    drop(copy);
    let tables: i64 = if out.status.success() {
        admin_to(db)
            .await
            .query_one(
                "select count(*) from pg_tables where schemaname = 'app'",
                &[],
            )
            .await
            .unwrap()
            .get(0)
    } else {
        0
    };
    drop_database(db).await;
    assert!(out.status.success(), "create-db failed:\n{said}");
    assert!(
        !said.contains("Permission denied"),
        "psql was asked to read the checkout:\n{said}"
    );
    assert!(tables >= 10, "the app tables exist ({tables})");
}

#[tokio::test]
async fn migrate_is_idempotent_and_refuses_what_it_cannot_upgrade() {
    let db = "kea_test_migrate_refusals";
    let create_db = checkout().join("scripts/create-db");
    let migrate = checkout().join("scripts/migrate");
    let out = run(&create_db, &[db, "--fresh"]);
    assert!(out.status.success(), "create-db:\n{}", text(&out));

    let again = run(&migrate, &[db]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("up to date"),
        "a second run changes nothing: {}",
        text(&again)
    );

    let c = admin_to(db).await;
    // The installed build's script changed but its version did not (a rebuild of the same
    // version): the database cannot be brought to it by an upgrade.
    c.batch_execute(
        "update public.kea_schema_migrations set checksum = 'x:tampered' where version = 'pg_kea'",
    )
    .await
    .unwrap();
    let same_version = run(&migrate, &[db]);
    // An installed version with no upgrade path to this build.
    c.batch_execute(
        "update public.kea_schema_migrations set checksum = null where version = 'pg_kea';
         update pg_extension set extversion = '0.0.1' where extname = 'pg_kea'",
    )
    .await
    .unwrap();
    let no_path = run(&migrate, &[db]);
    let version: String = c
        .query_one(
            "select extversion from pg_extension where extname = 'pg_kea'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    drop(c);
    drop_database(db).await;

    assert!(!same_version.status.success());
    assert!(
        text(&same_version).contains("changed since") && text(&same_version).contains("what to do"),
        "{}",
        text(&same_version)
    );
    assert!(!no_path.status.success());
    assert!(
        text(&no_path).contains("no upgrade path from it")
            && text(&no_path).contains("nothing was changed"),
        "{}",
        text(&no_path)
    );
    assert_eq!(version, "0.0.1", "a refused migration changes nothing");
}

/// A database of the last release, with its data, upgraded by `scripts/migrate`, holds the
/// same schema as a fresh one (`sql/schema.dump.sql`), keeps its rows, and its calls go on.
#[tokio::test]
async fn a_database_of_the_last_release_upgrades_to_the_current_schema() {
    let db = "kea_test_from_0_1_0";
    fresh_database(db).await;
    let c = admin_to(db).await;
    c.batch_execute("create extension pg_kea version '0.1.0'")
        .await
        .unwrap();
    let release = std::fs::read_to_string(checkout().join("tests/upgrade/kea-0.1.0.sql")).unwrap();
    c.batch_execute(&release).await.expect("restoring 0.1.0");

    let migrated = run(&checkout().join("scripts/migrate"), &[db]);
    let check = run(&checkout().join("scripts/schema-dump"), &["--check", db]);
    let counts = c
        .query_one(
            "select (select count(*) from app.merchants), (select count(*) from app.turns),
                    (select count(*) from kea.menus k join app.menus m on m.id = k.menu_id and m.active),
                    (select extversion from pg_extension where extname = 'pg_kea')",
            &[],
        )
        .await;
    // The call that was in progress at the upgrade takes its next turn.
    let turn = c
        .query_one(
            "select api.twilio_gather('{\"To\": \"+15555550100\", \"CallSid\": \"CAold1\",
                 \"SpeechResult\": \"that is all\", \"Confidence\": \"0.9\"}', 2)",
            &[],
        )
        .await
        .map(|r| r.get::<_, String>(0));
    drop(c);
    drop_database(db).await;

    assert!(migrated.status.success(), "migrate:\n{}", text(&migrated));
    assert!(
        check.status.success(),
        "schema after the upgrade:\n{}",
        text(&check)
    );
    let counts = counts.unwrap();
    assert_eq!(counts.get::<_, i64>(0), 1, "the merchant is kept");
    assert_eq!(counts.get::<_, i64>(1), 2, "the turns are kept");
    assert_eq!(
        counts.get::<_, i64>(2),
        1,
        "the active menu is published again"
    );
    assert_ne!(counts.get::<_, String>(3), "0.1.0", "pg_kea was upgraded");
    // The caller had one large pepperoni pizza and said "that is all": the read-back follows,
    // asking for turn 3.
    let turn = turn.expect("a turn after the upgrade");
    assert!(
        turn.contains("Let me read that back. One large Pepperoni Pizza,")
            && turn.contains("Shall I place the order?")
            && turn.contains(r#"action="/twilio/voice/gather?turn=3""#),
        "the read-back after the upgrade: {turn}"
    );
}

/// A form compiled by another build of pg_kea (an upgrade that changed the extraction and no
/// SQL) is compiled again by `scripts/migrate`, which otherwise has nothing to do: backends
/// would refuse it and compile the menu at every first use.
#[tokio::test]
async fn migrate_compiles_again_the_menus_another_build_compiled() {
    let db = "kea_test_migrate_forms";
    let out = run(&checkout().join("scripts/create-db"), &[db, "--fresh"]);
    assert!(out.status.success(), "create-db:\n{}", text(&out));
    let c = admin_to(db).await;
    let m = kea_tests::merchant(&c, "").await;
    let this_build =
        "select substring(kea.compile_menu(document) for 16) = substring(compiled for 16)
                        from kea.menus where menu_id = $1";
    // Another build's fingerprint in front of the same tables.
    c.execute(
        "update kea.menus set compiled = '\\x30303030303030303030303030303030'::bytea
                                         || substring(compiled from 17)
          where menu_id = $1",
        &[&m.menu_id],
    )
    .await
    .unwrap();
    let before: bool = c.query_one(this_build, &[&m.menu_id]).await.unwrap().get(0);
    let migrated = run(&checkout().join("scripts/migrate"), &[db]);
    let after: bool = c.query_one(this_build, &[&m.menu_id]).await.unwrap().get(0);
    let again = run(&checkout().join("scripts/migrate"), &[db]);
    drop(c);
    drop_database(db).await;

    assert!(!before, "the test's form is of another build");
    assert!(migrated.status.success(), "{}", text(&migrated));
    assert!(after, "the form is this build's again: {}", text(&migrated));
    assert!(
        text(&migrated).contains("1 compiled menus were of another build"),
        "{}",
        text(&migrated)
    );
    assert!(
        !text(&again).contains("another build") && text(&again).contains("up to date"),
        "a second run has nothing to compile: {}",
        text(&again)
    );
}
