"""Which addresses a result download may connect to, and how a host is judged by them."""

from __future__ import annotations

import pytest

from genmedia.adapters.providers.addresses import ForbiddenAddress, is_public, public_addresses

REFUSED = [
    "127.0.0.1",
    "127.255.0.9",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.20",
    "169.254.169.254",
    "100.64.0.1",
    "100.100.100.200",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "198.51.100.7",
    "::",
    "::1",
    "fd00::1",
    "fe80::1",
    "fe80::1%2",
    "fec0::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "2002:a9fe:a9fe::1",
    "2002:7f00:1::",
    "64:ff9b::a00:1",
    "64:ff9b::7f00:1",
    "64:ff9b:1::808:808",
    "2001:db8::1",
    "not an address",
]
ALLOWED = [
    "93.184.216.34",
    "8.8.8.8",
    "151.101.1.69",
    "2606:4700::1111",
    "2a00:1450:4001:82b::200e",
    "::ffff:8.8.8.8",
    "2002:808:808::1",
    "64:ff9b::808:808",
]


@pytest.mark.parametrize("address", REFUSED)
def test_private_loopback_link_local_and_reserved_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ALLOWED)
def test_global_unicast_addresses_are_public(address: str) -> None:
    assert is_public(address)


def test_a_host_is_refused_if_any_of_its_addresses_is_not_public() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.1"]

    with pytest.raises(ForbiddenAddress) as excinfo:
        public_addresses("cdn.example", 443, resolve)

    assert (excinfo.value.host, excinfo.value.address) == ("cdn.example", "10.0.0.1")


def test_a_host_with_only_public_addresses_gives_them_all_in_order() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["2606:4700::1111", "93.184.216.34"]

    assert public_addresses("cdn.example", 443, resolve) == ["2606:4700::1111", "93.184.216.34"]


def test_a_host_without_addresses_is_a_lookup_failure() -> None:
    with pytest.raises(OSError, match="no address"):
        public_addresses("cdn.example", 443, lambda host, port: [])
