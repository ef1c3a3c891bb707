"""Keeping callbacks away from our own network (SSRF): checked at registration and at connect.

Registration resolves the host and refuses private, loopback, link-local, multicast and other
non-global addresses. That alone is not enough: DNS can answer differently a minute later
(rebinding). So `GuardedTransport` resolves again for every connection it opens, checks every
address, and connects to the checked address itself, keeping the host name for TLS (SNI and
the certificate check) and for the Host header. It follows no redirects (it is a transport,
not a client) and reads no proxy from the environment.
"""

import asyncio
import contextlib
import ipaddress
import itertools
import math
import socket
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from urllib.parse import urlsplit

import httpcore
import httpx

from app.webhooks.wire import Backend

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


_POOL_SIZE = 8  # connections per pool
# An idle connection is closed after this, before most servers drop theirs (httpx's default).
_KEEPALIVE_SECONDS = 5.0


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
    """An httpx transport that connects only to checked addresses (see the module doc).

    httpcore's connection pools run over `wire.Backend`, whose every new connection goes to
    the address `checked_address` approved for the URL's host; a kept-alive connection was
    checked when it was opened. The host name stays in the URL, so TLS (SNI and the
    certificate) and the Host header name it.
    """

    def __init__(
        self,
        allow_loopback: bool,
        max_connections: int,
        timeout: float,
        ssl_context: ssl.SSLContext | None = None,  # tests: a context that trusts their CA
    ) -> None:
        self.allow_loopback = allow_loopback
        self._timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        backend = Backend(self._checked)
        # One for every pool: building one reads the CA bundle.
        context = ssl_context or httpx.create_ssl_context()
        # httpcore's pool scans every connection for every waiting request, so its cost grows
        # with the square of its size: many small pools, taken in turn, keep many sends in
        # flight at a flat cost per request (bench/RESULTS_webhooks.md).
        shards = max(1, math.ceil(max_connections / _POOL_SIZE))
        per_pool = math.ceil(max_connections / shards)
        self._pools = [
            httpcore.AsyncConnectionPool(
                ssl_context=context,
                max_connections=per_pool,
                max_keepalive_connections=per_pool,
                keepalive_expiry=_KEEPALIVE_SECONDS,
                retries=0,
                network_backend=backend,
            )
            for _ in range(shards)
        ]
        self._turn = itertools.cycle(self._pools)

    async def _checked(self, host: str, port: int) -> str:
        return str(await checked_address(host, port, self.allow_loopback))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        extensions = request.extensions
        if "timeout" not in extensions:
            extensions = {**extensions, "timeout": self._timeouts}
        core = httpcore.Request(
            request.method,
            httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=extensions,
        )
        with _mapped():
            resp = await next(self._turn).handle_async_request(core)
        assert isinstance(resp.stream, AsyncIterable)
        return httpx.Response(
            resp.status,
            headers=resp.headers,
            stream=_Body(resp.stream),
            extensions=resp.extensions,
        )

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


class _Body(httpx.AsyncByteStream):
    """httpcore's response body as httpx's, its errors mapped (closing returns the connection)."""

    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            with _mapped():
                await close()


# httpcore's errors as httpx's, most specific first (as httpx's own transport maps them).
_ERRORS: list[tuple[type[Exception], type[httpx.TransportError]]] = [
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
]


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except tuple(e for e, _ in _ERRORS) as exc:
        mapped = next(to for from_, to in _ERRORS if isinstance(exc, from_))
        raise mapped(str(exc)) from exc
