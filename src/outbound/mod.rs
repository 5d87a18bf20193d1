//! Requests the service makes to URLs that others chose (developers' webhooks, and any later
//! notification endpoint): name resolution behind a trait, and the guard that resolves a host and
//! decides it with `domain::outbound` before anything connects. `client` builds the one kind of
//! HTTP client allowed to make such requests.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};

use crate::domain::outbound::{Host, HostDecision, OutboundPolicy, OutboundRefusal};

pub mod client;

/// Turns a host name into addresses. Blocking: call it off the async workers.
pub trait Resolver: Send + Sync + fmt::Debug {
    fn lookup(&self, name: &str) -> io::Result<Vec<IpAddr>>;
}

/// The system's resolver (`getaddrinfo`, so `/etc/hosts` too).
#[derive(Debug, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn lookup(&self, name: &str) -> io::Result<Vec<IpAddr>> {
        Ok((name, 0).to_socket_addrs()?.map(|a| a.ip()).collect())
    }
}

/// Answers only the names it was given, and may be told new answers at any time (tests: a name
/// that changes its address between registration and delivery). Never asks the network.
#[derive(Debug, Default)]
pub struct FixedResolver(Mutex<HashMap<String, Vec<IpAddr>>>);

impl FixedResolver {
    pub fn new() -> Arc<FixedResolver> {
        Arc::new(FixedResolver::default())
    }

    /// From now on `name` resolves to `addrs` (none: it does not resolve).
    pub fn set(&self, name: &str, addrs: &[&str]) {
        let addrs = addrs
            .iter()
            .map(|a| a.parse().expect("an IP address"))
            .collect();
        self.0
            .lock()
            .expect("resolver table")
            .insert(name.to_ascii_lowercase(), addrs);
    }
}

impl Resolver for FixedResolver {
    fn lookup(&self, name: &str) -> io::Result<Vec<IpAddr>> {
        let table = self.0.lock().expect("resolver table");
        match table.get(name) {
            Some(addrs) => Ok(addrs.clone()),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "unknown name")),
        }
    }
}

/// The outbound-URL guard: the operator's allow-list and the resolver. Cheap to clone.
#[derive(Debug, Clone)]
pub struct OutboundGuard {
    policy: OutboundPolicy,
    resolver: Arc<dyn Resolver>,
}

impl OutboundGuard {
    pub fn new(policy: OutboundPolicy, resolver: Arc<dyn Resolver>) -> OutboundGuard {
        OutboundGuard { policy, resolver }
    }

    pub fn policy(&self) -> &OutboundPolicy {
        &self.policy
    }

    /// The whole check of a URL, resolving its host if it is a name (blocking): at registration.
    pub fn check_url(&self, url: &str) -> Result<(), OutboundRefusal> {
        let host = Host::of_url(url).ok_or_else(|| OutboundRefusal {
            reason: "unresolvable",
            message: "the URL names no host".into(),
        })?;
        match self.policy.check_host(&host)? {
            HostDecision::Admitted(_) | HostDecision::AnyAddress(_) => Ok(()),
            HostDecision::Resolve(name) => self.resolve(&name).map(drop),
        }
    }

    /// The addresses `name` has now, if every one of them may be reached (blocking). What this
    /// returns is what the client connects to: nothing resolves the name a second time.
    pub fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, OutboundRefusal> {
        let name = match self.policy.check_host(&Host::name(name))? {
            HostDecision::Admitted(ip) => return Ok(vec![ip]),
            HostDecision::AnyAddress(name) | HostDecision::Resolve(name) => name,
        };
        let mut addrs = self.resolver.lookup(&name).unwrap_or_default();
        addrs.sort();
        addrs.dedup();
        self.policy.check_resolved(&name, &addrs)?;
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(allow: &str) -> (OutboundGuard, Arc<FixedResolver>) {
        let resolver = FixedResolver::new();
        resolver.set("sales.example", &["93.184.215.14", "2606:4700::1111"]);
        resolver.set("intranet.example", &["10.0.0.5"]);
        resolver.set("split.example", &["93.184.215.14", "169.254.169.254"]);
        let policy = OutboundPolicy::parse(allow).unwrap();
        (OutboundGuard::new(policy, resolver.clone()), resolver)
    }

    #[test]
    fn names_are_decided_on_what_they_resolve_to_now() {
        let (guard, resolver) = guard("");
        let reason = |url: &str| guard.check_url(url).err().map(|r| r.reason);
        assert_eq!(reason("https://sales.example/hook"), None);
        assert_eq!(reason("https://SALES.example./hook"), None);
        assert_eq!(reason("https://intranet.example/"), Some("private"));
        assert_eq!(reason("https://split.example/"), Some("link_local"));
        assert_eq!(reason("https://nowhere.example/"), Some("unresolvable"));
        assert_eq!(reason("http://localhost:9/"), Some("localhost"));
        assert_eq!(reason("http://2130706433/"), Some("loopback"));
        assert_eq!(
            guard.resolve("sales.example").unwrap().len(),
            2,
            "every address is returned to connect to"
        );
        // the same name, asked again after its answer changed (DNS rebinding)
        resolver.set("sales.example", &["127.0.0.1"]);
        assert_eq!(reason("https://sales.example/"), Some("loopback"));
        assert_eq!(
            guard.resolve("sales.example").unwrap_err().reason,
            "loopback"
        );
    }

    #[test]
    fn the_allow_list_admits_on_premises_hosts() {
        let (guard, _) = guard("10.0.0.0/8, sales.corp, 127.0.0.1");
        assert_eq!(guard.check_url("https://intranet.example/"), Ok(()));
        assert_eq!(guard.check_url("http://127.0.0.1:8080/"), Ok(()));
        assert!(guard.check_url("http://127.0.0.2:8080/").is_err());
        // an allowed name need not resolve yet at registration; at delivery it must
        assert_eq!(guard.check_url("https://sales.corp/"), Ok(()));
        assert_eq!(
            guard.resolve("sales.corp").unwrap_err().reason,
            "unresolvable"
        );
    }
}
