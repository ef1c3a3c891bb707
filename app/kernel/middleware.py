"""The door: every rule that holds for every request, in one pure-ASGI layer.

In order: HEAD answered as GET without its body, the request id and the access log, the
observer (request metrics), the security headers, CORS when configured, the rate limits
(app/kernel/ratelimit.py), the body limit and the input rulebook (app/kernel/input_guard.py).
Each rule lives in its own module as plain logic; this layer only applies them, with one
wrapper around `send` (two for HEAD) and at most one around `receive` for the whole request.
Six middlewares used to wrap `send` six times and copy the headers four times, on every
request (bench/RESULTS.md).

Pure ASGI rather than BaseHTTPMiddleware: it adds no task per request on the hot path and can
stop an oversized body while it streams in. Answers given here (429, 413, 422) still get the
request id, the security headers and CORS, and are counted and timed like any other.
"""

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kernel import input_guard
from app.kernel.errors import answer_error
from app.kernel.hardening import content_security_policy, security_headers
from app.kernel.logging import get_logger, request_id_var
from app.kernel.ratelimit import RateLimiter
from app.kernel.security import CONSOLE_PATH

log = get_logger("app.access")

# Told of every answered request: its scope, status and seconds taken (app/metrics/http.py).
Observer = Callable[[Scope, int, float], None]


def _request_id(headers: dict[bytes, bytes]) -> str:
    incoming = headers.get(b"x-request-id", b"").decode("latin-1")
    if 0 < len(incoming) <= 64 and incoming.isprintable():
        return incoming
    return uuid.uuid4().hex


class Door:
    def __init__(
        self,
        app: ASGIApp,
        *,
        observe: Observer,
        production: bool,
        rate_limit: RateLimiter,
        max_body_bytes: int,
        body_limit_per_path: dict[str, int] | None = None,
        cors: dict[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.observe = observe
        self.security_headers = security_headers(production)
        self.rate_limit = rate_limit
        self.max_body_bytes = max_body_bytes
        # Exact paths with a limit of their own (file uploads need more than JSON does).
        self.body_limit_per_path = body_limit_per_path or {}
        # CORS sits between the headers and the limits, as its own layer did: a preflight is
        # answered before any limit, and a 429 still carries the CORS headers.
        self.guarded: ASGIApp = CORSMiddleware(self._guard, **cors) if cors else self._guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "HEAD":
            # FastAPI's routes answer GET only, so an uptime check's or a link checker's HEAD
            # was a 405; HEAD is GET without the body (RFC 9110 9.3.2), for every route at once.
            # A copy: the server keeps its own scope, and with it the method it must answer.
            scope, send = {**scope, "method": "GET"}, _without_body(send)
        headers = dict(scope["headers"])
        request_id = _request_id(headers)
        token = request_id_var.set(request_id)
        extra = [*self.security_headers, (b"x-request-id", request_id.encode())]
        # The console's pages are personal too: its session rides in a cookie, not a header.
        authenticated = b"authorization" in headers or scope["path"].startswith(CONSOLE_PATH + "/")
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_through(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                given = message.get("headers", [])
                ctype = next((v for k, v in given if k.lower() == b"content-type"), b"")
                csp = (b"content-security-policy", content_security_policy(ctype))
                message["headers"] = _with_headers(given, [*extra, csp])
                if authenticated:
                    # Answers to a credentialed request may carry personal data: never cache.
                    message["headers"] = [
                        *(h for h in message["headers"] if h[0].lower() != b"cache-control"),
                        (b"cache-control", b"no-store"),
                    ]
            await send(message)

        try:
            await self.guarded(scope, receive, send_through)
        finally:
            seconds = time.perf_counter() - started
            self.observe(scope, status, seconds)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "method": method,
                        "path": scope["path"],
                        "status": status,
                        "ms": round(seconds * 1000, 2),
                    },
                )
            request_id_var.reset(token)

    async def _guard(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The limits and the input rules, then the app."""
        # Read again rather than handed down: CORS, when configured, sits between.
        headers = dict(scope["headers"])
        refused = await self.rate_limit.check(scope, headers)
        if refused is not None:
            await refused(scope, receive, send)
            return
        max_bytes = self.body_limit_per_path.get(scope["path"], self.max_body_bytes)
        too_large = f"The request body exceeds {max_bytes} bytes."
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await answer_error(scope, 413, "payload_too_large", too_large)(scope, receive, send)
            return
        problem = input_guard.request_problem(scope)
        ctype = input_guard.text_body_type(headers)
        if problem is None and ctype is not None:
            # A body that could hold text is read once, whole (bounded), checked, handed on.
            body = await input_guard.read_body(receive, max_bytes)
            if body is None:
                await answer_error(scope, 413, "payload_too_large", too_large)(scope, receive, send)
                return
            problem = input_guard.body_problem(ctype, body)
            receive = input_guard.replay(body, receive)
        elif problem is None:
            receive = _counting(receive, max_bytes, too_large)
        if problem is not None:
            field, message = problem
            details = [{"field": field, "message": message}]
            response = answer_error(scope, 422, "invalid", "Some fields are invalid.", details)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _with_headers(
    given: list[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """`given` and every header of `extra` it does not already have (a route's own wins)."""
    present = {name.lower() for name, _ in given}
    return [*given, *(h for h in extra if h[0] not in present)]


def _without_body(send: Send) -> Send:
    """`send` that sends a response's headers (its Content-Length included) but not its body."""

    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return headers_only


def _counting(receive: Receive, max_bytes: int, too_large: str) -> Receive:
    """`receive` that stops a streamed body (an upload) once it passes `max_bytes`."""
    seen = 0

    async def counting_receive() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > max_bytes:
                # FastAPI re-raises HTTPException from body reading; the app's handler
                # renders it in the contract's shape.
                raise HTTPException(413, too_large)
        return message

    return counting_receive
