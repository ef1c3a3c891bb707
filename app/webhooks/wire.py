"""httpcore's network layer for callbacks, on asyncio's own transports instead of AnyIO's streams.

httpx (through httpcore) stays the HTTP client: this module only replaces the sockets under it
(`httpcore.AsyncNetworkBackend`), for three costs that profiling the sender found
(bench/RESULTS_webhooks.md):
- httpcore asks every idle connection of a pool, on every request, whether its socket is
  readable; over AnyIO that is a dictionary of socket attributes (a `getpeername` call) and a
  `poll` call per connection. Here the protocol already knows: bytes or EOF have arrived or not.
- AnyIO wraps each read and write in cancel scopes and checkpoints; here a read waits on one
  future with one timer.
- httpcore writes a request's head and its body separately: two `send` calls, two TCP segments
  (asyncio sets TCP_NODELAY). Here writes are held until the response is read (or 64 KiB
  pile up), so a request leaves in one `send`.

`connect` is given the address check (app/webhooks/url_guard.py): the backend connects only
to the address the check returned, and TLS still verifies the original host name.
"""

# ruff: noqa: ASYNC109 - `timeout` parameters: the signatures are httpcore's interface

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, cast

import httpcore

_FLUSH_AT = 64 * 1024  # held bytes beyond this are written at once

Connect = Callable[[str, int], Awaitable[str]]  # (host, port) -> the checked address to dial


def _stream_transport(transport: asyncio.BaseTransport) -> asyncio.Transport:
    """A TCP connection's transport, typed as one. Not an isinstance check: uvloop's, which the
    worker runs on (app/cli.py), has asyncio.Transport's methods without subclassing it."""
    return cast(asyncio.Transport, transport)


class _Wire(asyncio.Protocol):
    """The receiving side of one connection: what has arrived, and who waits for it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: Exception | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.drained: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = _stream_transport(transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        self.resume_writing()

    def pause_writing(self) -> None:
        if self.drained is None:
            self.drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)
        self.drained = None

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


def _expire(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_exception(TimeoutError())


async def _wait(fut: asyncio.Future[None], seconds: float | None) -> None:
    """Wait for `fut`, at most `seconds` (TimeoutError), with one timer, not a task."""
    if seconds is None:
        await fut
        return
    timer = asyncio.get_running_loop().call_later(seconds, _expire, fut)
    try:
        await fut
    finally:
        timer.cancel()


class Stream(httpcore.AsyncNetworkStream):
    """One connection as httpcore sees it."""

    def __init__(self, transport: asyncio.Transport, wire: _Wire) -> None:
        self._transport = transport
        self._wire = wire
        self._held: list[bytes] = []
        self._held_bytes = 0

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        await self._flush(timeout)
        wire = self._wire
        if not wire.buffer and not wire.eof:
            wire.waiter = asyncio.get_running_loop().create_future()
            try:
                await _wait(wire.waiter, timeout)
            except TimeoutError as exc:
                raise httpcore.ReadTimeout(f"no answer within {timeout}s") from exc
            finally:
                wire.waiter = None
        if wire.buffer:
            data = bytes(wire.buffer[:max_bytes])
            del wire.buffer[:max_bytes]
            return data
        if wire.error is not None:
            raise httpcore.ReadError(str(wire.error) or type(wire.error).__name__)
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._wire.eof:
            raise httpcore.WriteError("the connection is closed")
        self._held.append(buffer)
        self._held_bytes += len(buffer)
        if self._held_bytes >= _FLUSH_AT:
            await self._flush(timeout)

    async def _flush(self, timeout: float | None) -> None:
        if not self._held:
            return
        data = b"".join(self._held) if len(self._held) > 1 else self._held[0]
        self._held.clear()
        self._held_bytes = 0
        if self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(data)
        drained = self._wire.drained
        if drained is not None:  # the kernel's buffer is full: wait until it drains
            try:
                await _wait(asyncio.shield(drained), timeout)
            except TimeoutError as exc:
                raise httpcore.WriteTimeout(f"could not send within {timeout}s") from exc

    async def aclose(self) -> None:
        self._held.clear()
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        await self._flush(timeout)
        loop = asyncio.get_running_loop()
        try:
            transport = await loop.start_tls(
                self._transport,
                self._wire,
                ssl_context,
                server_hostname=server_hostname,
                ssl_handshake_timeout=timeout,
            )
        except TimeoutError as exc:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"TLS handshake took over {timeout}s") from exc
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        assert transport is not None
        return Stream(transport, self._wire)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # on an idle connection: the server closed it (or misbehaves)
            return bool(self._wire.buffer) or self._wire.eof
        key = {"client_addr": "sockname", "server_addr": "peername"}.get(info, info)
        return self._transport.get_extra_info(key)


class Backend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections on the running asyncio loop, to the address `connect` approves."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await self._connect(host, port)
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                transport, wire = await loop.create_connection(
                    _Wire, address, port, local_addr=local
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"no connection within {timeout}s") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return Stream(_stream_transport(transport), wire)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("callbacks go over TCP only")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
