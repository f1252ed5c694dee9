//! The client's address, for throttling sign-ins per client (docs/security.md): the peer, or,
//! when the peer is one of the trusted proxies (`KEA_TRUSTED_PROXIES`), the last address in
//! `X-Forwarded-For` that is not a trusted proxy (the one the outermost trusted proxy saw).
//! None when the client cannot be told apart from others: a loopback peer that is not a listed
//! proxy (a proxy on the same host, every client of which would share one address), or a
//! trusted proxy that forwarded nothing usable.

use std::net::IpAddr;

use hyper::header::HeaderMap;

pub fn client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    if !trusted.contains(&peer) {
        return (!peer.is_loopback()).then_some(peer);
    }
    // Proxies append: the right-most entries are the ones our own proxies added.
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|a| a.trim().parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .ok()?;
    forwarded.into_iter().rev().find(|a| !trusted.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn the_client_is_what_the_trusted_proxies_saw() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        // No proxy configured: the peer itself, unless it is loopback.
        assert_eq!(super::client(client, &HeaderMap::new(), &[]), Some(client));
        assert_eq!(super::client(lo, &xff("203.0.113.7"), &[]), None);
        // An untrusted peer's X-Forwarded-For is not believed.
        assert_eq!(
            super::client(client, &xff("198.51.100.1"), &[proxy]),
            Some(client)
        );
        // From a trusted proxy: the last address that is not one of ours; a spoofed first entry
        // (the client's own header, which the proxy appended to) is ignored.
        assert_eq!(
            super::client(proxy, &xff("198.51.100.1, 203.0.113.7"), &[proxy]),
            Some(client)
        );
        assert_eq!(
            super::client(proxy, &xff("203.0.113.7, 10.0.0.5"), &[proxy]),
            Some(client)
        );
        assert_eq!(super::client(proxy, &HeaderMap::new(), &[proxy]), None);
        assert_eq!(super::client(proxy, &xff("garbage"), &[proxy]), None);
    }
}
