//! Fair-use limits, and which proxies may name the client address: what keeps one tenant (or one
//! client) from starving or billing the others.

use std::net::IpAddr;

use super::ConfigError;
use super::vars::{Vars, parse_number};

/// Addresses (or CIDR ranges) of the reverse proxies in front of Revtops. Only a request that
/// arrives from one of them may name its client in `X-Forwarded-For`; anyone else could forge it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|item| {
                let (addr, bits) = item.split_once('/').unwrap_or((item, ""));
                let addr: IpAddr = addr
                    .parse()
                    .map_err(|_| format!("`{item}` is not an IP address or CIDR range"))?;
                let max = if addr.is_ipv4() { 32 } else { 128 };
                let bits = if bits.is_empty() {
                    max
                } else {
                    bits.parse::<u8>()
                        .ok()
                        .filter(|b| *b <= max)
                        .ok_or_else(|| format!("`{item}` has a bad prefix length"))?
                };
                Ok((addr, bits))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|(net, bits)| in_range(ip, *net, *bits))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) as u128, u32::from(b) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        (IpAddr::V6(a), IpAddr::V4(b)) => match a.to_ipv4_mapped() {
            Some(a) => (u32::from(a) as u128, u32::from(b) as u128, 32),
            None => return false,
        },
        _ => return false,
    };
    let shift = width - u32::from(bits);
    shift >= width || (ip >> shift) == (net >> shift)
}

#[derive(Debug, Clone)]
pub struct LimitsConfig {
    pub trusted_proxies: TrustedProxies,
    /// Accounts one client address may create per hour (local mode).
    pub registrations_per_ip_per_hour: i64,
    /// SQL explorer queries and artifact reads per user per minute.
    pub queries_per_minute: i64,
}

pub(super) fn limits<F: Fn(&str) -> Option<String>>(
    vars: &Vars<F>,
) -> Result<LimitsConfig, ConfigError> {
    Ok(LimitsConfig {
        trusted_proxies: vars.parse("TRUSTED_PROXIES", TrustedProxies::default(), |raw| {
            TrustedProxies::parse(raw)
        })?,
        registrations_per_ip_per_hour: vars.parse(
            "REGISTRATIONS_PER_IP_PER_HOUR",
            10,
            parse_number(1i64, 100_000),
        )?,
        queries_per_minute: vars.parse("QUERIES_PER_MINUTE", 60, parse_number(1i64, 100_000))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_match_addresses_and_ranges() {
        let p = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7, ::1, fd00::/8").unwrap();
        for yes in [
            "10.1.2.3",
            "192.168.1.7",
            "::1",
            "fd12::1",
            "::ffff:10.9.9.9",
        ] {
            assert!(p.contains(yes.parse().unwrap()), "{yes}");
        }
        for no in ["11.0.0.1", "192.168.1.8", "::2", "fe80::1"] {
            assert!(!p.contains(no.parse().unwrap()), "{no}");
        }
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }
}
