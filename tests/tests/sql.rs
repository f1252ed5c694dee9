//! SQL regression tests: every `tests/sql/*.sql` runs against kea_test inside a transaction
//! that is rolled back. A file fails when any statement raises (the files assert with
//! `assert` / `raise` in DO blocks).

use kea_tests::admin;

#[tokio::test]
async fn sql_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sql");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/sql")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no SQL tests found in {dir}");
    let mut failures = Vec::new();
    for f in &files {
        let db = admin().await;
        let sql = std::fs::read_to_string(f).expect("readable");
        let result = db
            .batch_execute(&format!("begin;\n{sql}\n;rollback;"))
            .await;
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        match result {
            Ok(()) => println!("sql {name} ... ok"),
            Err(e) => {
                let msg = e
                    .as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_string());
                println!("sql {name} ... FAILED: {msg}");
                failures.push(format!("{name}: {msg}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} SQL files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
