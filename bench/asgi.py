"""One HTTP request sent straight into an ASGI app: the in-process benchmarks' client.

No uvicorn, no socket, no load generator competing for the cores: what is left is the app's
own request path, so its CPU per request compares two versions (or an app and its twin) more
steadily than requests/s under wrk on a shared machine.
"""

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


async def call(
    app: ASGIApp,
    method: str,
    target: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes = b"",
    statuses: dict[int, int] | None = None,
) -> None:
    """Send `method target` (a path with its query) and count the answer's status."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"desk"), *headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("desk", 80),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # no disconnect: the client waits for its answer
        raise AssertionError("unreachable")

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start" and statuses is not None:
            status = int(message["status"])
            statuses[status] = statuses.get(status, 0) + 1

    await app(scope, receive, send)
