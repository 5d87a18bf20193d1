//! The address ranges an outbound request may not reach: IANA's special-purpose ranges that are
//! not globally reachable, multicast and broadcast, and the IPv6 forms that carry an IPv4
//! address inside (mapped, NAT64, 6to4), which are judged by that IPv4 address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not a public unicast one: the `reason` of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Unspecified,
    Loopback,
    /// RFC 1918 and IPv6 unique local (fc00::/7)
    Private,
    /// 100.64.0.0/10, carrier-grade NAT (RFC 6598)
    SharedCgnat,
    /// 169.254.0.0/16 (cloud metadata at 169.254.169.254) and fe80::/10
    LinkLocal,
    Multicast,
    Broadcast,
    Documentation,
    Benchmarking,
    /// protocol assignments, reserved, deprecated and discard ranges
    Reserved,
}

impl Special {
    /// The stable snake_case reason reported to the developer.
    pub fn code(self) -> &'static str {
        match self {
            Special::Unspecified => "unspecified",
            Special::Loopback => "loopback",
            Special::Private => "private",
            Special::SharedCgnat => "shared_cgnat",
            Special::LinkLocal => "link_local",
            Special::Multicast => "multicast",
            Special::Broadcast => "broadcast",
            Special::Documentation => "documentation",
            Special::Benchmarking => "benchmarking",
            Special::Reserved => "reserved",
        }
    }

    /// For people: "a loopback address".
    pub fn describe(self) -> &'static str {
        match self {
            Special::Unspecified => "an unspecified address (0.0.0.0/8, ::)",
            Special::Loopback => "a loopback address",
            Special::Private => "a private address (RFC 1918, IPv6 unique local)",
            Special::SharedCgnat => "a carrier-grade NAT address (100.64.0.0/10)",
            Special::LinkLocal => "a link-local address (169.254.0.0/16, fe80::/10)",
            Special::Multicast => "a multicast address",
            Special::Broadcast => "the broadcast address",
            Special::Documentation => "a documentation address",
            Special::Benchmarking => "a benchmarking address",
            Special::Reserved => "a reserved or special-purpose address",
        }
    }
}

const fn v4(a: u8, b: u8, c: u8, d: u8) -> u32 {
    Ipv4Addr::new(a, b, c, d).to_bits()
}

#[allow(clippy::too_many_arguments)]
const fn v6(a: u16, b: u16, c: u16, d: u16, e: u16, f: u16, g: u16, h: u16) -> u128 {
    Ipv6Addr::new(a, b, c, d, e, f, g, h).to_bits()
}

/// First match wins (the broadcast address before 240.0.0.0/4).
const V4_RANGES: [(u32, u8, Special); 16] = [
    (v4(0, 0, 0, 0), 8, Special::Unspecified),
    (v4(10, 0, 0, 0), 8, Special::Private),
    (v4(100, 64, 0, 0), 10, Special::SharedCgnat),
    (v4(127, 0, 0, 0), 8, Special::Loopback),
    (v4(169, 254, 0, 0), 16, Special::LinkLocal),
    (v4(172, 16, 0, 0), 12, Special::Private),
    (v4(192, 0, 0, 0), 24, Special::Reserved),
    (v4(192, 0, 2, 0), 24, Special::Documentation),
    (v4(192, 88, 99, 0), 24, Special::Reserved),
    (v4(192, 168, 0, 0), 16, Special::Private),
    (v4(198, 18, 0, 0), 15, Special::Benchmarking),
    (v4(198, 51, 100, 0), 24, Special::Documentation),
    (v4(203, 0, 113, 0), 24, Special::Documentation),
    (v4(224, 0, 0, 0), 4, Special::Multicast),
    (v4(255, 255, 255, 255), 32, Special::Broadcast),
    (v4(240, 0, 0, 0), 4, Special::Reserved),
];

/// IPv6 ranges, after the forms that embed an IPv4 address were judged by it. First match wins
/// (`::` and `::1` before the deprecated IPv4-compatible `::/96`).
const V6_RANGES: [(u128, u8, Special); 16] = [
    (0, 128, Special::Unspecified),
    (1, 128, Special::Loopback),
    (0, 96, Special::Reserved),
    (v6(0, 0, 0, 0, 0xffff, 0, 0, 0), 96, Special::Reserved),
    (v6(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48, Special::Reserved),
    (v6(0x100, 0, 0, 0, 0, 0, 0, 0), 64, Special::Reserved),
    (v6(0x2001, 0, 0, 0, 0, 0, 0, 0), 32, Special::Reserved),
    (v6(0x2001, 2, 0, 0, 0, 0, 0, 0), 48, Special::Benchmarking),
    (v6(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28, Special::Reserved),
    (
        v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        Special::Documentation,
    ),
    (v6(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, Special::Documentation),
    (v6(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16, Special::Reserved),
    (v6(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, Special::Private),
    (v6(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, Special::LinkLocal),
    (v6(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, Special::Reserved),
    (v6(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, Special::Multicast),
];

fn in_v4(addr: u32, net: u32, prefix: u8) -> bool {
    prefix == 0 || (addr ^ net) >> (32 - u32::from(prefix)) == 0
}

fn in_v6(addr: u128, net: u128, prefix: u8) -> bool {
    prefix == 0 || (addr ^ net) >> (128 - u32::from(prefix)) == 0
}

/// Whether `addr` lies in `net/prefix` (same family only).
pub(super) fn in_net(addr: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => in_v4(a.to_bits(), n.to_bits(), prefix),
        (IpAddr::V6(a), IpAddr::V6(n)) => in_v6(a.to_bits(), n.to_bits(), prefix),
        _ => false,
    }
}

/// The IPv4 address an IPv6 address stands for: IPv4-mapped `::ffff:a.b.c.d`, NAT64
/// `64:ff9b::a.b.c.d` (RFC 6052) and 6to4 `2002:aabb:ccdd::/48` (RFC 3056).
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = ip.to_bits();
    let low32 = Ipv4Addr::from_bits(bits as u32);
    if in_v6(bits, v6(0, 0, 0, 0, 0, 0xffff, 0, 0), 96)
        || in_v6(bits, v6(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96)
    {
        return Some(low32);
    }
    if in_v6(bits, v6(0x2002, 0, 0, 0, 0, 0, 0, 0), 16) {
        return Some(Ipv4Addr::from_bits((bits >> 80) as u32));
    }
    None
}

/// Why `ip` may not be reached, or `None` for a public unicast address.
pub fn special(ip: IpAddr) -> Option<Special> {
    match ip {
        IpAddr::V4(a) => {
            let bits = a.to_bits();
            V4_RANGES
                .iter()
                .find(|(net, prefix, _)| in_v4(bits, *net, *prefix))
                .map(|r| r.2)
        }
        IpAddr::V6(a) => match embedded_v4(a) {
            Some(inner) => special(IpAddr::V4(inner)),
            None => {
                let bits = a.to_bits();
                V6_RANGES
                    .iter()
                    .find(|(net, prefix, _)| in_v6(bits, *net, *prefix))
                    .map(|r| r.2)
            }
        },
    }
}
