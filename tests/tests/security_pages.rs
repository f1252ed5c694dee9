//! The pages' security headers (issue 17, item 9; docs/security.md, "Pages"): a
//! Content-Security-Policy that allows nothing from elsewhere and no framing, X-Frame-Options,
//! no MIME sniffing, no referrer; every answer of the gateway is nosniff. That the pages still
//! work under the policy (and cannot be framed) is the browser test's (tests/browser/run.mjs).

use kea_tests::start_gateway;

#[tokio::test]
async fn pages_cannot_be_framed_and_load_only_their_own_code() {
    let gw = start_gateway().await;
    for path in [
        "/console",
        "/merchant",
        "/console/console.js",
        "/merchant/merchant.js",
        "/web/kea.js",
        "/web/kea.css",
    ] {
        let r = reqwest::get(format!("{}{path}", gw.url)).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers();
        let header = |n: &str| {
            h.get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{path}: no {n}"))
                .to_string()
        };
        let csp = header("content-security-policy");
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} not in {csp}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
    }
    // JSON answers are not sniffed either.
    let r = reqwest::get(format!("{}/healthz", gw.url)).await.unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}
