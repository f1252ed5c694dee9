//! The scripts as a newcomer first tries them: `--help` prints the script's header and does
//! nothing else (no set-up, no database recreated), and an option a script does not take is
//! refused with a message pointing at its --help, before any work.

use std::process::{Command, Output};

use kea_tests::script;

fn run(name: &str, args: &[&str]) -> Output {
    Command::new(script(name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running scripts/{name}: {e}"))
}

/// The header's first line, as `--help` must print it (without the leading "# ").
fn first_header_line(name: &str) -> String {
    let text = std::fs::read_to_string(script(name)).unwrap();
    text.lines()
        .nth(1)
        .unwrap()
        .trim_start_matches("# ")
        .to_string()
}

// Each of these would set up, build or recreate a database if --help or a bad option reached
// its work; the assertions fail (or the test hangs) on such a script.
const SCRIPTS: [&str; 12] = [
    "bench",
    "citus",
    "create-db",
    "demo",
    "deploy-check",
    "images",
    "init",
    "migrate",
    "regress",
    "schema-dump",
    "serve",
    "test",
];

#[test]
fn help_prints_the_header_and_exits() {
    for name in SCRIPTS {
        for flag in ["--help", "-h"] {
            let out = run(name, &[flag]);
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "scripts/{name} {flag} failed: {out:?}"
            );
            assert!(
                stdout.starts_with(&first_header_line(name)),
                "scripts/{name} {flag} did not print its header:\n{stdout}"
            );
            assert!(
                !stdout.contains("==>"),
                "scripts/{name} {flag} started working:\n{stdout}"
            );
        }
    }
}

#[test]
fn unknown_options_are_refused_before_any_work() {
    for name in SCRIPTS {
        let out = run(name, &["--no-such-option"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            !out.status.success(),
            "scripts/{name} took --no-such-option"
        );
        assert!(
            !stdout.contains("==>"),
            "scripts/{name} started working on a bad option:\n{stdout}"
        );
        // bench's first argument is a benchmark's name.
        let refused = if name == "bench" {
            "no benchmark named '--no-such-option'".to_string()
        } else {
            "unknown option '--no-such-option'".to_string()
        };
        assert!(
            stderr.contains(&refused) && (name == "bench" || stderr.contains("--help")),
            "scripts/{name} did not say why:\n{stderr}"
        );
    }
}

#[test]
fn bench_name_help_is_kea_benchs_own() {
    let out = run("bench", &["jobs", "--help"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "scripts/bench jobs --help failed: {out:?}"
    );
    assert!(
        stdout.contains("--no-graphile") && !stdout.contains("==>"),
        "not kea-bench's help, or set-up ran:\n{stdout}"
    );
}
