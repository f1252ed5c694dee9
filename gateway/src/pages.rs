//! The browser pages: the agent console (`/console`) and the merchant page (`/merchant`),
//! plain HTML, JavaScript modules and CSS from `gateway/web/`, embedded in the binary (no build
//! step). They talk to the gateway through `/rpc` and `/events` only (docs/console.md).

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::StatusCode;

use crate::reply::Reply;

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Path, content type, body.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "/console",
        HTML,
        include_bytes!("../web/console/index.html"),
    ),
    (
        "/console/",
        HTML,
        include_bytes!("../web/console/index.html"),
    ),
    (
        "/console/console.js",
        JS,
        include_bytes!("../web/console/console.js"),
    ),
    (
        "/merchant",
        HTML,
        include_bytes!("../web/merchant/index.html"),
    ),
    (
        "/merchant/",
        HTML,
        include_bytes!("../web/merchant/index.html"),
    ),
    (
        "/merchant/merchant.js",
        JS,
        include_bytes!("../web/merchant/merchant.js"),
    ),
    (
        "/merchant/learning.js",
        JS,
        include_bytes!("../web/merchant/learning.js"),
    ),
    ("/web/kea.css", CSS, include_bytes!("../web/kea.css")),
    ("/web/kea.js", JS, include_bytes!("../web/kea.js")),
    ("/web/kea.svg", SVG, include_bytes!("../web/kea.svg")),
];

/// Whether `path` is one of the pages or their assets.
pub fn serves(path: &str) -> bool {
    ASSETS.iter().any(|(p, _, _)| *p == path)
}

/// What the browser may do with the pages (docs/security.md, "Pages"): scripts, styles,
/// images and requests from the gateway itself only (no inline script or style attribute:
/// `kea.js` sets styles through the CSSOM), never framed (clickjacking), no MIME sniffing, no
/// referrer leaving the page (`X-Content-Type-Options: nosniff` is on every answer:
/// `server::route`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn security_headers() -> Vec<(HeaderName, HeaderValue)> {
    [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
    ]
    .into_iter()
    .map(|(n, v)| (HeaderName::from_static(n), HeaderValue::from_static(v)))
    .collect()
}

/// The page or asset at `path` (404 when there is none), with the security headers.
pub fn reply(path: &str) -> Reply {
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, content_type, body)) => Reply {
            status: StatusCode::OK,
            content_type,
            body: Bytes::from_static(body),
            retry_after: None,
            headers: security_headers(),
        },
        None => Reply::text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_page_is_served_with_its_type() {
        assert!(super::serves("/console"));
        assert!(super::serves("/merchant/merchant.js"));
        assert!(!super::serves("/console/../Cargo.toml"));
        assert_eq!(super::reply("/web/kea.css").content_type, super::CSS);
    }
}
