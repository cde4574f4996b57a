"""The client's address: the one function the throttles, the login lockout and the logs use.

The socket address (``REMOTE_ADDR``) is the client unless it belongs to ``TRUSTED_PROXIES``.
Only then is ``X-Forwarded-For`` read, from the right (the hop our proxy appended) to the left,
skipping the addresses of trusted proxies: the first address that is not one is the client.
Whatever a client writes to the left of that is never believed, so rotating the header changes
nothing when no proxy is trusted, and nothing but unread entries when one is.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: IPv6 clients are counted per /64: one subscriber usually holds a whole /64 and could
#: otherwise take a new address per request.
IPV6_CLIENT_PREFIX = 64

#: Stands for a request whose socket address is missing or unreadable (never a real address).
UNKNOWN_CLIENT = "unknown"


def parse_address(value: str) -> IPAddress | None:
    """Parse one address as proxies write them (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``).

    IPv4-mapped IPv6 addresses become IPv4; anything else (a name, ``unknown``) is None.
    """
    text = value.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: IPAddress) -> bool:
    """Whether ``address`` belongs to one of the ``TRUSTED_PROXIES`` networks."""
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> IPAddress | None:
    """Return the client's address (see the module docstring); None when the socket has none."""
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None or not settings.TRUSTED_PROXIES or not is_trusted_proxy(peer):
        return peer
    # The walk is bounded: a header of 10,000 hops costs no more than one of 64.
    hops = request.headers.get("X-Forwarded-For", "").split(",")[-64:]
    client = peer
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # A malformed entry: stop at the last hop we could vouch for.
            break
        client = address
        if not is_trusted_proxy(address):
            break
    return client


def client_address(request: HttpRequest) -> str:
    """The client's address as text (``UNKNOWN_CLIENT`` when the socket has none)."""
    address = client_ip(request)
    return str(address) if address is not None else UNKNOWN_CLIENT


def client_key(request: HttpRequest) -> str:
    """The key a rate limit counts the client under: its IPv4 address or its IPv6 /64."""
    address = client_ip(request)
    if address is None:
        return UNKNOWN_CLIENT
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)
