"""Which hosts a harvest may connect to, checked on the address actually connected to.

The check lives in an httpcore network backend: it resolves the host itself, refuses
loopback, private, link-local, multicast and reserved addresses (unless private ones are
allowed), then connects to the very address it checked. A DNS answer that changes between a
check and the connection (DNS rebinding) cannot slip through, because there is no second
look-up. TLS still verifies the certificate against the host name (httpcore passes it as SNI).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore


class BlockedAddress(Exception):
    """The host resolves to an address a harvest may not reach."""


def refusal(address: str, *, allow_private: bool) -> str | None:
    """Why ``address`` may not be connected to, or None when it may."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if allow_private:
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "a reserved address"
    return None


class CheckedBackend(httpcore.SyncBackend):
    """Resolves, checks, then connects to the checked address."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as err:
            raise httpcore.ConnectError(f"cannot resolve {host}: {err.strerror}") from None
        last: Exception | None = None
        for info in infos:
            address = str(info[4][0])
            why = refusal(address, allow_private=self.allow_private)
            if why is not None:
                raise BlockedAddress(f"{host} resolves to {address}, {why} "
                                     "(--allow-private permits private addresses)")
        for info in infos:
            try:
                return super().connect_tcp(str(info[4][0]), port, timeout, local_address,
                                           socket_options)
            except httpcore.ConnectError as err:
                last = err
        raise last or httpcore.ConnectError(f"cannot connect to {host}")
