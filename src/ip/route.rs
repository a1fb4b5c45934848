//! The routing table and its longest-prefix match (RFC 1122 §3.3.1; the classless form of
//! RFC 1812 §5.2.4.3 that replaced the classful lookup).

use std::cmp::Reverse;
use std::net::Ipv4Addr;

use super::InterfaceAddr;
use super::addr::mask;

/// One route: datagrams to `prefix/prefix_len` leave on `interface`, to `next_hop` or, for a
/// directly attached network, straight to their destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Route {
    /// Network prefix; bits beyond `prefix_len` are ignored.
    pub prefix: Ipv4Addr,
    /// Prefix length, 0 (default route) to 32 (host route).
    pub prefix_len: u8,
    /// The gateway, or `None` when the network is directly attached.
    pub next_hop: Option<Ipv4Addr>,
    /// Outgoing interface.
    pub interface: u8,
}

impl Route {
    /// The route to the subnet of an interface address, directly attached.
    pub fn attached(i: &InterfaceAddr) -> Route {
        Route {
            prefix: i.addr,
            prefix_len: i.prefix_len.min(32),
            next_hop: None,
            interface: i.interface,
        }
    }

    /// A route to `prefix/prefix_len` through the gateway `via`.
    pub fn via(prefix: Ipv4Addr, prefix_len: u8, via: Ipv4Addr, interface: u8) -> Route {
        Route {
            prefix,
            prefix_len,
            next_hop: Some(via),
            interface,
        }
    }

    /// Does `dst` fall within this route's prefix? A prefix length above 32 matches nothing.
    pub fn matches(&self, dst: Ipv4Addr) -> bool {
        let m = mask(self.prefix_len);
        self.prefix_len <= 32 && (u32::from(dst) & m) == (u32::from(self.prefix) & m)
    }

    fn normalized(self) -> Route {
        Route {
            prefix: Ipv4Addr::from(u32::from(self.prefix) & mask(self.prefix_len)),
            ..self
        }
    }
}

/// A route could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteError {
    /// The prefix length exceeds 32.
    PrefixTooLong(u8),
}

/// A routing table: at most one route per prefix, kept longest prefix first, so that equal
/// tables compare and hash equal whatever order their routes were added in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoutingTable {
    routes: Vec<Route>,
}

impl RoutingTable {
    /// An empty table.
    pub fn new() -> Self {
        RoutingTable::default()
    }

    /// A table holding `routes`, added in order (a later route replaces an earlier one for the
    /// same prefix).
    pub fn from_routes(routes: impl IntoIterator<Item = Route>) -> Result<Self, RouteError> {
        let mut table = RoutingTable::new();
        for r in routes {
            table.add(r)?;
        }
        Ok(table)
    }

    /// The routes, longest prefix first, with host bits cleared.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Adds `route`, replacing the route for the same prefix if there is one.
    pub fn add(&mut self, route: Route) -> Result<(), RouteError> {
        if route.prefix_len > 32 {
            return Err(RouteError::PrefixTooLong(route.prefix_len));
        }
        self.insert(route);
        Ok(())
    }

    /// [`add`](Self::add) for a route already known to have a prefix length of at most 32.
    pub(crate) fn insert(&mut self, route: Route) {
        let route = route.normalized();
        let key = |r: &Route| (Reverse(r.prefix_len), r.prefix);
        match self.routes.binary_search_by_key(&key(&route), key) {
            Ok(i) => self.routes[i] = route,
            Err(i) => self.routes.insert(i, route),
        }
    }

    /// Removes the route for `prefix/prefix_len`, returning it.
    pub fn remove(&mut self, prefix: Ipv4Addr, prefix_len: u8) -> Option<Route> {
        let prefix = Ipv4Addr::from(u32::from(prefix) & mask(prefix_len));
        let i = self
            .routes
            .iter()
            .position(|r| r.prefix_len == prefix_len && r.prefix == prefix)?;
        Some(self.routes.remove(i))
    }

    /// Longest-prefix match: of the routes whose prefix contains `dst`, the one with the longest
    /// prefix (RFC 1812 §5.2.4.3 "longest match"). Two routes never share a prefix, so the
    /// answer is unique.
    pub fn lookup(&self, dst: Ipv4Addr) -> Option<&Route> {
        self.routes.iter().find(|r| r.matches(dst))
    }
}
