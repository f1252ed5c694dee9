//! Development secrets do not start a production worker (issue 17, item 5; docs/security.md,
//! "Secrets"): the values of `scripts/dev-secrets.txt` (the scripts' defaults, the tests'
//! values) and secrets shorter than a safe length are refused unless `KEA_DEV=1`. The gateway
//! applies the same rule (`gateway/src/secrets.rs`).

use kea_worker::Config;

/// The repository's own secrets, one a line (`#` comments).
const KNOWN: &str = include_str!("../../scripts/dev-secrets.txt");
/// A Twilio auth token is 32 characters.
const MIN_SECRET: usize = 32;
const MIN_DB_PASSWORD: usize = 16;

fn weakness(value: &str, min: usize) -> Option<&'static str> {
    let known = KNOWN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == value);
    if known {
        Some("is a development value from this repository")
    } else if value.chars().count() < min {
        Some("is too short")
    } else {
        None
    }
}

/// Ok, or why this worker must not start; `dev` (KEA_DEV=1) only warns.
pub fn check(config: &Config, dev: bool) -> Result<(), String> {
    let mut problems = Vec::new();
    if let Some(w) = config
        .twilio_auth_token
        .as_deref()
        .and_then(|t| weakness(t, MIN_SECRET))
    {
        problems.push(format!(
            "TWILIO_AUTH_TOKEN {w} (at least {MIN_SECRET} characters)"
        ));
    }
    let password = config
        .effective_database_url()
        .parse::<tokio_postgres::Config>()
        .ok()
        .and_then(|c| {
            c.get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        });
    if let Some(w) = password
        .as_deref()
        .and_then(|p| weakness(p, MIN_DB_PASSWORD))
    {
        problems.push(format!(
            "the database password {w} (at least {MIN_DB_PASSWORD} characters)"
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    if dev {
        tracing::warn!(
            ?problems,
            "KEA_DEV=1: running with development secrets (never in production)"
        );
        return Ok(());
    }
    Err(format!(
        "refusing to start with weak secrets: {}\n  what to do: set real secrets (docs/security.md, \"Secrets\"); on a development machine only, set KEA_DEV=1",
        problems.join("; ")
    ))
}

/// KEA_DEV as the scripts set it: anything but empty, 0, false, no, off.
pub fn dev_flag() -> bool {
    std::env::var("KEA_DEV").is_ok_and(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no" | "off"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn config(token: &str, url: &str) -> Config {
        Config::parse_from([
            "kea-worker",
            "--twilio-auth-token",
            token,
            "--worker-database-url",
            url,
        ])
    }

    #[test]
    fn development_secrets_are_refused_unless_kea_dev() {
        let dev_url = "postgres://kea_authenticator:kea@127.0.0.1:5432/kea";
        let e = check(&config("kea-dev-auth-token", dev_url), false).unwrap_err();
        assert!(
            e.contains("TWILIO_AUTH_TOKEN") && e.contains("database password"),
            "{e}"
        );
        assert!(check(&config("kea-dev-auth-token", dev_url), true).is_ok());
        let strong = "0123456789abcdef0123456789abcdef";
        let e = check(&config(strong, "postgres://w:short@127.0.0.1/kea"), false).unwrap_err();
        assert!(e.contains("too short"), "{e}");
        assert!(check(&config(strong, "postgres://w@127.0.0.1/kea"), false).is_ok());
        assert!(check(
            &config(
                strong,
                "postgres://w:a-long-random-db-password@127.0.0.1/kea"
            ),
            false
        )
        .is_ok());
    }
}
