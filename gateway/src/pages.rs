//! The browser pages: the agent console (`/console`) and the merchant page (`/merchant`),
//! plain HTML, JavaScript modules and CSS from `gateway/web/`, embedded in the binary (no build
//! step). They talk to the gateway through `/rpc` and `/events` only (docs/console.md).

use bytes::Bytes;
use hyper::StatusCode;

use crate::server::Reply;

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
    ("/web/kea.css", CSS, include_bytes!("../web/kea.css")),
    ("/web/kea.js", JS, include_bytes!("../web/kea.js")),
    ("/web/kea.svg", SVG, include_bytes!("../web/kea.svg")),
];

/// Whether `path` is one of the pages or their assets.
pub fn serves(path: &str) -> bool {
    ASSETS.iter().any(|(p, _, _)| *p == path)
}

/// The page or asset at `path` (404 when there is none).
pub fn reply(path: &str) -> Reply {
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, content_type, body)) => Reply {
            status: StatusCode::OK,
            content_type,
            body: Bytes::from_static(body),
            retry_after: None,
            headers: Vec::new(),
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
