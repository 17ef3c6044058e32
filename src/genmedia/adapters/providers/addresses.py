"""Which network addresses a result download may reach, and the DNS lookup that names them.

Only global unicast addresses pass. Private, loopback, link-local (169.254.169.254, the cloud
metadata service), shared (100.64.0.0/10), multicast, reserved, unspecified and IPv6
site-local addresses are refused, and so is an IPv6 address that wraps a refused IPv4 one:
IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16) and NAT64 (64:ff9b::/96; 64:ff9b:1::/48 is
local by definition). Host names are judged by every address they resolve to, so decimal,
octal or hexadecimal spellings of an address (http://2130706433/) change nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


class ForbiddenAddress(Exception):
    """A host that is, or resolves to, an address downloads must not reach."""

    def __init__(self, host: str, address: str) -> None:
        shown = host if host == address else f"{host} ({address})"
        super().__init__(f"{shown} is not a public address")
        self.host = host
        self.address = address


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system's resolver gives for a host, in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    """Whether a download may connect to this IP address."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    embedded = _embedded_ipv4(parsed)
    if embedded is not None:
        return _global_unicast(embedded)
    if isinstance(parsed, ipaddress.IPv6Address) and parsed in _LOCAL_NAT64:
        return False
    return _global_unicast(parsed)


def public_addresses(host: str, port: int, resolve: Resolver) -> list[str]:
    """Every address of the host; ForbiddenAddress if any of them is not public.

    Resolution failures are raised as OSError, as the resolver raised them.
    """
    addresses = list(resolve(host, port))
    if not addresses:
        raise OSError(f"{host} has no address")
    for address in addresses:
        if not is_public(address):
            raise ForbiddenAddress(host, address)
    return addresses


def _global_unicast(address: Address) -> bool:
    refused = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )
    return address.is_global and not refused


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4 or NAT64), if it carries one."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
