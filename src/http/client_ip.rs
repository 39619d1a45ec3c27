//! The client's address, for per-address limits. The peer of the TCP connection is the client,
//! unless it is one of the configured trusted proxies: then `X-Forwarded-For` names the hops, and
//! the client is the last address in it that is not a trusted proxy (anything to its left could
//! have been written by the client itself).

use std::net::IpAddr;

use poem::Request;

use crate::config::TrustedProxies;

pub fn client_ip(req: &Request, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = req.remote_addr().as_socket_addr().map(|a| a.ip())?;
    if trusted.is_empty() || !trusted.contains(peer) {
        return Some(peer);
    }
    let hops: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|hop| !trusted.contains(**hop))
        .or(hops.first())
        .copied()
        .or(Some(peer))
}
