"""Keeping callbacks away from our own network (SSRF): checked at registration and at connect.

Registration resolves the host and refuses private, loopback, link-local, multicast and other
non-global addresses. That alone is not enough: DNS can answer differently a minute later
(rebinding). So `GuardedTransport` resolves again for every request, checks every address,
and connects to the checked address itself, keeping the host name for TLS (SNI and the
certificate check) and for the Host header.
"""

import asyncio
import ipaddress
import itertools
import math
import socket
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


_POOL_SIZE = 8  # connections per pool


class BlockedAddress(Exception):
    """The URL points at an address we must not call."""


def address_problem(ip: IPAddress, allow_loopback: bool) -> str | None:
    """Why this address may not be called, or None if it may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return address_problem(ip.ipv4_mapped, allow_loopback)
    if ip.is_loopback:
        return None if allow_loopback else "loopback address"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_private:
        return "private address"
    if not ip.is_global:
        return "reserved or non-public address"
    return None


def url_problem(url: str, require_https: bool) -> str | None:
    """Checks on the URL's form alone (no DNS): scheme, host, no credentials."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        return "the URL must be http(s)"
    if require_https and parts.scheme != "https":
        return "the URL must use https"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username or parts.password:
        return "the URL must not hold credentials"
    return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host name resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BlockedAddress(f"cannot resolve {host}: {exc.strerror}") from exc
    return list({ipaddress.ip_address(info[4][0]) for info in infos})


async def checked_address(host: str, port: int, allow_loopback: bool) -> IPAddress:
    """Resolve and check all addresses; any bad one refuses the host (no lucky round-robin)."""
    addresses = await resolve(host, port)
    if not addresses:
        raise BlockedAddress(f"{host} has no address")
    for ip in addresses:
        problem = address_problem(ip, allow_loopback)
        if problem:
            raise BlockedAddress(f"{host} resolves to a {problem} ({ip})")
    return sorted(addresses, key=lambda a: a.version)[0]


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that connects only to checked addresses (see the module doc)."""

    def __init__(self, allow_loopback: bool, max_connections: int) -> None:
        self.allow_loopback = allow_loopback
        # httpcore's pool scans every connection for every waiting request, so its cost grows
        # with the square of its size: many small pools, taken in turn, keep many sends in
        # flight at a flat cost per request (bench/RESULTS_webhooks.md).
        shards = max(1, math.ceil(max_connections / _POOL_SIZE))
        per_pool = math.ceil(max_connections / shards)
        limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
        self._pools = [httpx.AsyncHTTPTransport(limits=limits, retries=0) for _ in range(shards)]
        self._turn = itertools.cycle(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        ip = await checked_address(host, port, self.allow_loopback)
        if str(ip) != host:
            # The Host header was set from the original URL when the request was built.
            request.url = request.url.copy_with(host=str(ip))
            request.extensions = {**request.extensions, "sni_hostname": host}
        return await next(self._turn).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


def guarded_client(allow_loopback: bool, max_connections: int, timeout: float) -> httpx.AsyncClient:
    """The client every callback goes through: no redirects, no proxies from the environment."""
    return httpx.AsyncClient(
        transport=GuardedTransport(allow_loopback, max_connections),
        follow_redirects=False,
        trust_env=False,
        timeout=timeout,
    )
