//! Twilio request signatures (X-Twilio-Signature): HMAC-SHA1 over the full URL followed by
//! every POST parameter, sorted by name, as `name + value`; base64.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// The signature Twilio would send for `url` and `params`.
pub fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    sign_sorted(auth_token, url, &sorted(params))
}

/// The parameters in the order they are signed. Repeated names are signed with their values
/// sorted (twilio-python does the same).
fn sorted(params: &[(String, String)]) -> Vec<&(String, String)> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted.dedup();
    sorted
}

fn sign_sorted(auth_token: &str, url: &str, sorted: &[&(String, String)]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC takes any key");
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    B64.encode(mac.finalize().into_bytes())
}

/// True when `signature` matches `url` as given, or `url` with its default port added or
/// removed: Twilio may sign either form, and the official libraries accept both. The parameters
/// are sorted once, and the other form of the URL is built only when the one given does not
/// match (a request signed as it arrived, the usual case, costs one HMAC).
pub fn validate(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    let sorted = sorted(params);
    let matches = |u: &str| -> bool {
        let expected = sign_sorted(auth_token, u, &sorted);
        expected.as_bytes().ct_eq(signature.as_bytes()).into()
    };
    matches(url) || other_port_form(url).is_some_and(|u| matches(&u))
}

/// `raw` with its scheme's default port added (when it has no port) or removed (when it names
/// the default one); `None` when it names another port or is not http(s). String surgery on
/// purpose: URL parsers normalise the default port away, and the signed string must stay
/// byte-for-byte.
fn other_port_form(raw: &str) -> Option<String> {
    let (scheme, rest) = raw.split_once("://")?;
    let default = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let userinfo = &authority[..authority.len() - host_port.len()];
    // IPv6 hosts are bracketed: a port is only what follows the closing bracket.
    let port_at = host_port
        .rfind(':')
        .filter(|&i| !host_port[i..].contains(']'));
    let variant = match port_at {
        Some(i) if &host_port[i + 1..] == default => host_port[..i].to_string(),
        Some(_) => return None,
        None => format!("{host_port}:{default}"),
    };
    Some(format!("{scheme}://{userinfo}{variant}{tail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Vectors from twilio-python's tests (shared/notes/twilio.md).
    fn params() -> Vec<(String, String)> {
        p(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ])
    }

    #[test]
    fn official_vector() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            sign("12345", url, &params()),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
        assert!(validate(
            "12345",
            url,
            &params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn official_vector_with_port() {
        let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assert_eq!(
            sign("12345", with_port, &params()),
            "kvajT1Ptam85bY51eRf/AJRuM3w="
        );
        // Either signature is accepted for either form of the URL.
        let plain = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert!(validate(
            "12345",
            plain,
            &params(),
            "kvajT1Ptam85bY51eRf/AJRuM3w="
        ));
        assert!(validate(
            "12345",
            with_port,
            &params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn repeated_parameters() {
        let params = p(&[
            ("Sid", "CA123"),
            ("SidAccount", "AC123"),
            ("Digits", "5678"),
            ("Digits", "1234"),
            ("Digits", "1234"),
        ]);
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(sign("12345", url, &params), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
    }

    #[test]
    fn tampering_is_caught() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let mut changed = params();
        changed[2].1 = "9999".into();
        assert!(!validate(
            "12345",
            url,
            &changed,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(!validate(
            "wrong",
            url,
            &params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(!validate("12345", url, &params(), ""));
    }
}
