use super::*;

/// Every class of address, with the reason it is refused (`None`: reached).
const ADDRESSES: &[(&str, Option<&str>)] = &[
    // IPv4
    ("0.0.0.0", Some("unspecified")),
    ("0.1.2.3", Some("unspecified")),
    ("10.0.0.5", Some("private")),
    ("10.255.255.255", Some("private")),
    ("100.64.0.1", Some("shared_cgnat")),
    ("100.127.255.254", Some("shared_cgnat")),
    ("127.0.0.1", Some("loopback")),
    ("127.255.0.9", Some("loopback")),
    ("169.254.169.254", Some("link_local")),
    ("169.254.0.1", Some("link_local")),
    ("172.16.0.1", Some("private")),
    ("172.31.255.255", Some("private")),
    ("192.0.0.8", Some("reserved")),
    ("192.0.2.10", Some("documentation")),
    ("192.88.99.1", Some("reserved")),
    ("192.168.1.1", Some("private")),
    ("198.18.0.1", Some("benchmarking")),
    ("198.19.255.1", Some("benchmarking")),
    ("198.51.100.7", Some("documentation")),
    ("203.0.113.7", Some("documentation")),
    ("224.0.0.251", Some("multicast")),
    ("239.255.255.250", Some("multicast")),
    ("240.0.0.1", Some("reserved")),
    ("255.255.255.255", Some("broadcast")),
    // public IPv4, including the neighbours of refused ranges
    ("8.8.8.8", None),
    ("93.184.215.14", None),
    ("100.63.255.255", None),
    ("100.128.0.0", None),
    ("172.15.255.255", None),
    ("172.32.0.0", None),
    ("169.253.255.255", None),
    ("192.167.255.255", None),
    ("198.17.255.255", None),
    ("198.20.0.0", None),
    ("223.255.255.255", None),
    ("11.0.0.1", None),
    // IPv6
    ("::", Some("unspecified")),
    ("::1", Some("loopback")),
    ("fc00::1", Some("private")),
    ("fd12:3456:789a::1", Some("private")),
    ("fe80::1", Some("link_local")),
    ("febf::1", Some("link_local")),
    ("fec0::1", Some("reserved")),
    ("ff02::1", Some("multicast")),
    ("ff0e::1", Some("multicast")),
    ("2001:db8::1", Some("documentation")),
    ("3fff::1", Some("documentation")),
    ("2001::1", Some("reserved")),
    ("2001:2::1", Some("benchmarking")),
    ("2001:10::1", Some("reserved")),
    ("100::1", Some("reserved")),
    ("64:ff9b:1::1", Some("reserved")),
    ("5f00::1", Some("reserved")),
    // IPv4 inside IPv6: judged by the IPv4 address
    ("::ffff:127.0.0.1", Some("loopback")),
    ("::ffff:7f00:1", Some("loopback")),
    ("::ffff:10.1.2.3", Some("private")),
    ("::ffff:169.254.169.254", Some("link_local")),
    ("::ffff:0.0.0.0", Some("unspecified")),
    ("::ffff:8.8.8.8", None),
    ("64:ff9b::10.0.0.1", Some("private")),
    ("64:ff9b::127.0.0.1", Some("loopback")),
    ("64:ff9b::169.254.169.254", Some("link_local")),
    ("64:ff9b::8.8.8.8", None),
    ("2002:7f00:1::1", Some("loopback")),
    ("2002:a00:1::", Some("private")),
    ("2002:c0a8:101::1", Some("private")),
    ("2002:808:808::1", None),
    // deprecated IPv4-compatible and SIIT forms
    ("::127.0.0.1", Some("reserved")),
    ("::8.8.8.8", Some("reserved")),
    ("::ffff:0:8.8.8.8", Some("reserved")),
    // public IPv6
    ("2001:4860:4860::8888", None),
    ("2606:4700::1111", None),
    ("2400:cb00::1", None),
];

#[test]
fn every_class_of_address_is_refused_and_public_unicast_is_reached() {
    let policy = OutboundPolicy::default();
    for (text, expected) in ADDRESSES {
        let ip: IpAddr = text.parse().unwrap();
        let got = policy.check_ip(ip).err().map(|r| r.reason);
        assert_eq!(got, *expected, "{text}");
    }
}

#[test]
fn the_allow_list_admits_networks_and_names_and_nothing_else() {
    let policy =
        OutboundPolicy::parse("127.0.0.1/32, 10.20.0.0/16 ::1,fd00::/8 sales.corp.").unwrap();
    for ok in [
        "127.0.0.1",
        "::ffff:127.0.0.1",
        "10.20.3.4",
        "::1",
        "fd00::5",
    ] {
        assert_eq!(policy.check_ip(ok.parse().unwrap()), Ok(()), "{ok}");
    }
    for refused in [
        "127.0.0.2",
        "10.21.0.1",
        "fc01::1",
        "169.254.169.254",
        "::2",
    ] {
        assert!(
            policy.check_ip(refused.parse().unwrap()).is_err(),
            "{refused}"
        );
    }
    assert!(policy.admits_name("sales.corp"));
    assert!(!policy.admits_name("sales.corp.evil"));
    assert_eq!(
        policy.check_host(&Host::name("Sales.Corp.")),
        Ok(HostDecision::AnyAddress("sales.corp".into()))
    );
    assert_eq!(
        policy.check_resolved("sales.corp", &["10.9.9.9".parse().unwrap()]),
        Ok(())
    );
    assert_eq!(
        policy.to_string(),
        "127.0.0.1/32,10.20.0.0/16,::1/128,fd00::/8,sales.corp"
    );
    // host bits are dropped; a bare address is one host
    assert_eq!(Cidr::parse("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
    assert_eq!(Cidr::parse("[::1]").unwrap().to_string(), "::1/128");
    assert!(Cidr::parse("0.0.0.0/0")
        .unwrap()
        .contains("10.0.0.1".parse().unwrap()));
    for bad in [
        "10.0.0.0/33",
        "::/129",
        "1.2.3.4/x",
        "not a name!",
        "a..b",
        "x/8",
    ] {
        assert!(OutboundPolicy::parse(bad).is_err(), "{bad}");
    }
    assert!(OutboundPolicy::parse("").unwrap().is_empty());
}

/// The host the guard judges, for URLs as a developer might type them: the `url` crate reads
/// every IPv4 spelling of `http(s)` URLs the way browsers do, so none slips past as a name.
#[test]
fn every_spelling_of_a_refused_host_is_refused() {
    let policy = OutboundPolicy::default();
    let refused = |url: &str| match Host::of_url(url) {
        Some(host) => policy.check_host(&host).err().map(|r| r.reason),
        None => Some("no host"),
    };
    for (url, reason) in [
        ("http://127.0.0.1/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://0177.0.0.1/", "loopback"),
        ("http://0x7f.1/", "loopback"),
        ("http://0x7f000001/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://127.0.0.1./", "loopback"),
        ("http://%31%32%37.0.0.1/", "loopback"),
        ("http://１２７.０.０.１/", "loopback"),
        ("http://[::1]:8080/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[0:0:0:0:0:ffff:7f00:1]/", "loopback"),
        ("http://0/", "unspecified"),
        ("http://0.0.0.0:9/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://169.254.169.254/latest/meta-data/", "link_local"),
        ("http://0xa9fea9fe/", "link_local"),
        ("http://[fe80::1]/", "link_local"),
        ("http://10.1/", "private"),
        ("http://012.0.0.1/", "private"),
        ("http://[fd00::1]/", "private"),
        ("https://[::ffff:a00:1]/", "private"),
        ("http://localhost:8080/", "localhost"),
        ("http://LOCALHOST./", "localhost"),
        ("http://api.localhost/", "localhost"),
    ] {
        assert_eq!(refused(url), Some(reason), "{url}");
    }
    // names are decided once resolved; public literals at once
    assert_eq!(
        Host::of_url("https://Sales.Example./hook"),
        Some(Host::Name("sales.example".into()))
    );
    assert_eq!(
        policy.check_host(&Host::of_url("https://sales.example/").unwrap()),
        Ok(HostDecision::Resolve("sales.example".into()))
    );
    assert_eq!(refused("https://8.8.8.8/"), None);
    assert_eq!(refused("https://[2001:4860:4860::8888]/"), None);
}

#[test]
fn a_name_is_refused_if_any_of_its_addresses_is() {
    let policy = OutboundPolicy::default();
    let ips = |list: &[&str]| {
        list.iter()
            .map(|a| a.parse().unwrap())
            .collect::<Vec<IpAddr>>()
    };
    assert_eq!(
        policy.check_resolved("sales.example", &ips(&["93.184.215.14", "2606:4700::1111"])),
        Ok(())
    );
    let refused = policy
        .check_resolved("intranet.example", &ips(&["93.184.215.14", "10.0.0.5"]))
        .unwrap_err();
    assert_eq!(refused.reason, "private");
    assert!(
        !refused.message.contains("10.0.0.5"),
        "the answer is not told: {}",
        refused.message
    );
    let none = policy.check_resolved("gone.example", &[]).unwrap_err();
    assert_eq!(none.reason, "unresolvable");
    let r = none.into_refusal("url");
    assert_eq!(r.kind, RefusalKind::OutboundRefused);
    assert_eq!(r.details.unwrap()["reason"], "unresolvable");
}
