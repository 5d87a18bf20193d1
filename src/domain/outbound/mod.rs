//! The outbound-URL rule (SSRF guard) for every address a user chooses that the service then
//! calls (developers' webhooks): which host a URL names, whether an address may be reached given
//! the operator's allow-list (`ANJU_OUTBOUND_ALLOW`), and why not. Pure: resolving names and
//! connecting are the caller's (`crate::outbound`).

use std::fmt;
use std::net::IpAddr;

use super::refusal::{Refusal, RefusalKind};

mod ranges;
#[cfg(test)]
mod tests;

pub use ranges::{embedded_v4, special, Special};

/// One network of the allow-list: `10.20.0.0/16`, `fd00::/8`, or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// `addr/prefix` or a bare address (a /32 or /128); host bits beyond the prefix are dropped.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let net: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or network"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}`: the prefix must be from 0 to {max}"))?,
        };
        let net = match net {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                IpAddr::V4((a.to_bits() & mask).into())
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                IpAddr::V6((a.to_bits() & mask).into())
            }
        };
        Ok(Cidr { net, prefix })
    }

    /// Whether `ip` is in this network; an IPv4-mapped IPv6 address counts as its IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        ranges::in_net(ip, self.net, self.prefix)
            || ranges::in_net(ip.to_canonical(), self.net, self.prefix)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

/// The host a URL names, as the guard judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// an address literal; for `http(s)` URLs the `url` crate has already read the decimal,
    /// octal, hexadecimal and short IPv4 spellings (`2130706433`, `0177.0.0.1`, `127.1`)
    Ip(IpAddr),
    /// a name to resolve: lower case, without a trailing dot
    Name(String),
}

impl Host {
    /// The host of an absolute URL, or `None` if it has none.
    pub fn of_url(url: &str) -> Option<Host> {
        let url = url::Url::parse(url).ok()?;
        match url.host()? {
            url::Host::Ipv4(a) => Some(Host::Ip(IpAddr::V4(a))),
            url::Host::Ipv6(a) => Some(Host::Ip(IpAddr::V6(a))),
            url::Host::Domain(name) => Some(Host::name(name)),
        }
    }

    /// A host name as resolvers get it (`Sales.Example.` → `sales.example`); an address
    /// literal stays one.
    pub fn name(name: &str) -> Host {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        match name.trim_start_matches('[').trim_end_matches(']').parse() {
            Ok(ip) => Host::Ip(ip),
            Err(_) => Host::Name(name),
        }
    }
}

/// Why an outbound URL or address is refused: a stable `reason` and a sentence for people.
/// It names the class of address, never what a name resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundRefusal {
    /// `loopback`, `private`, `link_local`, … (see `Special::code`), `localhost` or `unresolvable`
    pub reason: &'static str,
    pub message: String,
}

impl OutboundRefusal {
    /// 422 `outbound_refused` with `details: {field, reason}`.
    pub fn into_refusal(self, field: &str) -> Refusal {
        Refusal::new(RefusalKind::OutboundRefused, self.message)
            .with_details(serde_json::json!({ "field": field, "reason": self.reason }))
    }
}

impl fmt::Display for OutboundRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason, self.message)
    }
}

impl std::error::Error for OutboundRefusal {}

/// What must happen before a host may be connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostDecision {
    /// an address literal that may be reached
    Admitted(IpAddr),
    /// a name on the allow-list: whatever it resolves to may be reached
    AnyAddress(String),
    /// a name: resolve it, then `check_resolved` every answer
    Resolve(String),
}

/// The operator's allow-list (`ANJU_OUTBOUND_ALLOW`): networks and host names that may be reached
/// although they are loopback, private and the like (on-premises sales systems, tests). Empty by
/// default: only public unicast addresses are reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    nets: Vec<Cidr>,
    hosts: Vec<String>,
}

impl OutboundPolicy {
    /// A comma- (or space-) separated list of CIDRs, addresses and host names.
    pub fn parse(list: &str) -> Result<OutboundPolicy, String> {
        let mut policy = OutboundPolicy::default();
        for entry in list.split([',', ' ', '\n', '\t']).filter(|e| !e.is_empty()) {
            let looks_like_address = entry.contains([':', '/', '['])
                || entry.trim_end_matches('.').parse::<IpAddr>().is_ok();
            if looks_like_address {
                policy.nets.push(Cidr::parse(entry)?);
                continue;
            }
            let name = entry.trim_end_matches('.').to_ascii_lowercase();
            let valid = !name.is_empty()
                && name.len() <= 253
                && name
                    .split('.')
                    .all(|label| !label.is_empty() && label.len() <= 63)
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
            if !valid {
                return Err(format!("`{entry}` is neither a network nor a host name"));
            }
            policy.hosts.push(name);
        }
        Ok(policy)
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty() && self.hosts.is_empty()
    }

    /// Whether `name` (normalised as `Host::name` does) is on the allow-list.
    pub fn admits_name(&self, name: &str) -> bool {
        self.hosts.iter().any(|h| h == name)
    }

    /// An address may be reached if it is public unicast or in an allowed network.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), OutboundRefusal> {
        match special(ip) {
            Some(_) if self.nets.iter().any(|n| n.contains(ip)) => Ok(()),
            Some(class) => Err(OutboundRefusal {
                reason: class.code(),
                message: format!("{ip} is {}", class.describe()),
            }),
            None => Ok(()),
        }
    }

    /// The decision before any resolution: an address literal is decided now; `localhost` and
    /// its sub-domains (RFC 6761) are refused unless allow-listed by name.
    pub fn check_host(&self, host: &Host) -> Result<HostDecision, OutboundRefusal> {
        match host {
            Host::Ip(ip) => self.check_ip(*ip).map(|()| HostDecision::Admitted(*ip)),
            Host::Name(name) if self.admits_name(name) => {
                Ok(HostDecision::AnyAddress(name.clone()))
            }
            Host::Name(name) if name == "localhost" || name.ends_with(".localhost") => {
                Err(OutboundRefusal {
                    reason: "localhost",
                    message: format!("{name} names this machine"),
                })
            }
            Host::Name(name) => Ok(HostDecision::Resolve(name.clone())),
        }
    }

    /// The decision on what `name` resolved to: refused if it has no address or if ANY of its
    /// addresses is refused (a connection may go to any of them).
    pub fn check_resolved(&self, name: &str, addrs: &[IpAddr]) -> Result<(), OutboundRefusal> {
        if self.admits_name(name) && !addrs.is_empty() {
            return Ok(());
        }
        if addrs.is_empty() {
            return Err(OutboundRefusal {
                reason: "unresolvable",
                message: format!("{name} does not resolve to an address"),
            });
        }
        for ip in addrs {
            if let Err(refused) = self.check_ip(*ip) {
                return Err(OutboundRefusal {
                    reason: refused.reason,
                    message: format!(
                        "{name} resolves to {}",
                        special(*ip).map_or("a refused address", Special::describe)
                    ),
                });
            }
        }
        Ok(())
    }
}

impl fmt::Display for OutboundPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nets = self.nets.iter().map(ToString::to_string);
        let all: Vec<String> = nets.chain(self.hosts.iter().cloned()).collect();
        f.write_str(&all.join(","))
    }
}
