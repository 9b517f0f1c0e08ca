"""The client's address, the one thing lock-outs, rate limits and throttles count by.

``X-Forwarded-For`` is believed only when the request comes from a proxy listed in ``TRUSTED_PROXIES``
(addresses or networks): the list is walked from the right, skipping trusted hops, and the first address that is
not a trusted proxy is the client. With no trusted proxies (the default) the client is ``REMOTE_ADDR``, and
anything a visitor writes into the header is ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The address of the client that sent ``request``; used by django-axes (``AXES_CLIENT_IP_CALLABLE``),
    django-ratelimit (``RATELIMIT_IP_META_KEY``) and the API throttles."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_networks()
    peer = _address(remote)
    if not networks or peer is None or not _is_trusted(peer, networks):
        return remote
    hops = [hop for header in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if (hop := header.strip())]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage a client wrote: the last trusted hop is as far as the chain can be believed
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
