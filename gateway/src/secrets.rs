//! Development secrets do not start a production server (issue 17, item 5; docs/security.md,
//! "Secrets"). The values in `scripts/dev-secrets.txt` (every default of the scripts and
//! every test's) are public: with them anyone could sign a `kea_service` token or a Twilio
//! webhook. The gateway refuses them, and secrets shorter than [`MIN_SECRET`], unless
//! `KEA_DEV=1` says this is a development machine (scripts/lib.sh sets it when it fills in a
//! default, and says so).

use crate::config::Config;

/// The repository's own secrets, one a line (`#` comments).
pub const KNOWN: &str = include_str!("../../scripts/dev-secrets.txt");
/// Shortest HS256 or Twilio secret taken (a Twilio auth token is 32 characters; PostgREST
/// wants 32 for its JWT secret).
pub const MIN_SECRET: usize = 32;
/// Shortest database password taken (a URL without one, for peer or certificate
/// authentication or a password file, is fine).
pub const MIN_DB_PASSWORD: usize = 16;

pub fn is_known(value: &str) -> bool {
    KNOWN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == value)
}

/// What is wrong with one secret, if anything.
pub fn weakness(value: &str, min: usize) -> Option<&'static str> {
    if is_known(value) {
        Some("is a development value from this repository")
    } else if value.chars().count() < min {
        Some("is too short")
    } else {
        None
    }
}

/// Every weak secret of this configuration, by variable.
pub fn problems(config: &Config) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(w) = weakness(&config.twilio_auth_token, MIN_SECRET) {
        out.push(format!(
            "TWILIO_AUTH_TOKEN {w} (at least {MIN_SECRET} characters)"
        ));
    }
    for (i, s) in crate::auth::secrets(config.jwt_secret.as_deref())
        .iter()
        .enumerate()
    {
        if let Some(w) = weakness(s, MIN_SECRET) {
            out.push(format!(
                "KEA_JWT_SECRET (secret {}) {w} (at least {MIN_SECRET} characters)",
                i + 1
            ));
        }
    }
    let password = config
        .database_url
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
        out.push(format!(
            "the password in KEA_DATABASE_URL {w} (at least {MIN_DB_PASSWORD} characters)"
        ));
    }
    out
}

/// Ok, or why this gateway must not start. With `KEA_DEV=1` weak secrets are only logged.
pub fn check(config: &Config) -> Result<(), String> {
    let problems = problems(config);
    if problems.is_empty() {
        return Ok(());
    }
    if config.security.dev {
        tracing::warn!(
            ?problems,
            "KEA_DEV=1: running with development secrets (never in production)"
        );
        return Ok(());
    }
    Err(format!(
        "refusing to start with weak secrets: {}.\n  what to do: set real secrets (docs/security.md, \
         \"Secrets\"); on a development machine only, set KEA_DEV=1",
        problems.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_of_the_scripts_is_known() {
        let lib = include_str!("../../scripts/lib.sh");
        for var in [
            "TWILIO_AUTH_TOKEN",
            "KEA_JWT_SECRET",
            "KEA_DB_PASSWORD",
            "KEA_DEMO_PASSWORD",
        ] {
            let default = lib
                .lines()
                .find_map(|l| l.split_once(&format!("{var}:-")).map(|(_, d)| d))
                .and_then(|d| d.split('}').next())
                .unwrap_or_else(|| panic!("scripts/lib.sh has no default for {var}"));
            assert!(
                is_known(default),
                "{var}'s default {default:?} is not in scripts/dev-secrets.txt"
            );
        }
        assert!(!is_known("# Secrets"), "comments are not secrets");
    }

    #[test]
    fn short_and_known_secrets_are_weak() {
        assert!(weakness("kea-dev-auth-token", 8).is_some());
        assert!(weakness("short", 32).is_some());
        assert!(weakness(&"x".repeat(32), 32).is_none());
    }
}
