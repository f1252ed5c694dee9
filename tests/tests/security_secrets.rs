//! Development secrets do not start a production gateway (issue 17, item 5; docs/security.md,
//! "Secrets"): the tests' own Twilio token and JWT secret and the scripts' database password
//! are refused, as are short secrets, unless the configuration says KEA_DEV; real-looking
//! secrets start it. (kea-worker's same rule: `cargo test -p kea_worker --bin kea-worker`.)

use kea_gateway::config::{Config, Security};
use kea_gateway::server;

/// The gateway's configuration with these secrets (`--twilio-auth-token`, `--jwt-secret`,
/// `--database-url`, `--dev` as flags), the rest as the tests' gateways have it.
fn config(args: &[&str]) -> Config {
    let flag = |name: &str| {
        args.iter()
            .position(|a| *a == name)
            .map(|i| args[i + 1].to_string())
    };
    Config {
        listen: "127.0.0.1:0".into(),
        metrics_listen: "off".into(),
        database_url: flag("--database-url").expect("a database url"),
        twilio_auth_token: flag("--twilio-auth-token").expect("a Twilio token"),
        public_url: None,
        jwt_secret: flag("--jwt-secret"),
        pool_size: 1,
        max_connections: 16,
        header_timeout_ms: 10_000,
        idle_timeout_ms: 5_000,
        body_timeout_ms: 10_000,
        sql_budget_ms: 8_000,
        lane_wait_ms: 0,
        limits: Default::default(),
        security: Security {
            dev: args.contains(&"--dev"),
            ..Default::default()
        },
    }
}

fn refusal(c: Config) -> String {
    match server::build_state(c) {
        Ok(_) => panic!("the gateway started"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn the_repositorys_secrets_start_only_a_development_gateway() {
    let test_secrets = [
        "--twilio-auth-token",
        kea_tests::AUTH_TOKEN,
        "--jwt-secret",
        kea_tests::JWT_SECRET,
        "--database-url",
        "postgres://kea_authenticator:kea@127.0.0.1:5432/kea_test",
    ];
    let e = refusal(config(&test_secrets));
    for named in [
        "TWILIO_AUTH_TOKEN",
        "KEA_JWT_SECRET",
        "KEA_DATABASE_URL",
        "KEA_DEV=1",
    ] {
        assert!(e.contains(named), "{named} not in: {e}");
    }
    // The flag a development machine sets.
    let mut dev = test_secrets.to_vec();
    dev.push("--dev");
    assert!(server::build_state(config(&dev)).is_ok());

    // Not from the repository, but short; then a rotation list with one development secret.
    let strong_token = "8f14e45fceea167a5a36dedd4bea2543";
    let strong_jwt = "c9f0f895fb98ab9159f51fd0297e236d-long-enough";
    let e = refusal(config(&[
        "--twilio-auth-token",
        "shorty",
        "--jwt-secret",
        strong_jwt,
        "--database-url",
        "postgres://kea_authenticator@127.0.0.1:5432/kea",
    ]));
    assert!(e.contains("TWILIO_AUTH_TOKEN is too short"), "{e}");
    let rotation = format!("{strong_jwt},kea-dev-jwt-secret-change-me-in-production");
    let e = refusal(config(&[
        "--twilio-auth-token",
        strong_token,
        "--jwt-secret",
        &rotation,
        "--database-url",
        "postgres://kea_authenticator@127.0.0.1:5432/kea",
    ]));
    assert!(e.contains("KEA_JWT_SECRET (secret 2)"), "{e}");

    // Real-looking secrets, a database login without a password (peer or certificate
    // authentication, a password file): it starts.
    assert!(server::build_state(config(&[
        "--twilio-auth-token",
        strong_token,
        "--jwt-secret",
        strong_jwt,
        "--database-url",
        "postgres://kea_authenticator@127.0.0.1:5432/kea",
    ]))
    .is_ok());
}
