"""The input rulebook at the door: no NUL in any path, query, header, form or JSON text, and no
over-long path or query value, whatever route it is for, answered 422 naming the field.

Applied to every request at the door (app/kernel/middleware.py) rather than as a rule per
parameter, so a new route cannot forget it. PostgreSQL text
cannot hold U+0000, so a NUL that got through became a driver error and a 500; provider doors
that parse their bodies by hand (SMS gateways, Meta, X) are covered the same way. Bodies are
inspected only when they could hold one (a byte search; JSON and forms are parsed only then).
Request models add their own rules on top (app/kernel/validation.py).
"""

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.routing import Match
from starlette.types import Message, Receive, Scope

from app.kernel.error_docs import api_routes
from app.kernel.validation import NUL_MESSAGE

# Longest path segment or query value taken; a parameter with a tighter limit says so itself.
MAX_PARAM_CHARS = 2_000
NUL = "\x00"
_TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded")


def _nul_in_json(value: Any, path: str) -> str | None:
    """The dotted path of the first text (key or value) holding a NUL, if any."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                return where
            found = _nul_in_json(item, where)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_in_json(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _bad_pairs(pairs: list[tuple[str, str]], limit: int | None) -> tuple[str, str] | None:
    for name, value in pairs:
        if NUL in name or NUL in value:
            return name.replace(NUL, ""), NUL_MESSAGE
        if limit is not None and len(value) > limit:
            return name, f"Text must be at most {limit} characters."
    return None


def _path_problem(scope: Scope) -> tuple[str, str] | None:
    path: str = scope["path"]
    if NUL not in path and all(len(s) <= MAX_PARAM_CHARS for s in path.split("/")):
        return None
    # Name the path parameter as the route declares it, when a route matches.
    names: list[tuple[str, str]] = []
    for route in api_routes(scope["app"].routes):
        match, child = route.matches(scope)
        if match != Match.NONE:
            names = [(k, str(v)) for k, v in child.get("path_params", {}).items()]
            break
    return _bad_pairs(names, MAX_PARAM_CHARS) or (
        "path",
        "must not contain U+0000 or over-long segments",
    )


def _query_problem(raw: bytes) -> tuple[str, str] | None:
    if b"%00" not in raw and NUL.encode() not in raw and len(raw) <= MAX_PARAM_CHARS:
        return None
    return _bad_pairs(parse_qsl(raw.decode("latin-1"), keep_blank_values=True), MAX_PARAM_CHARS)


def _header_problem(headers: list[tuple[bytes, bytes]]) -> tuple[str, str] | None:
    for name, value in headers:
        if b"\x00" in value:
            return name.decode("latin-1"), NUL_MESSAGE
    return None


def body_problem(ctype: str, body: bytes) -> tuple[str, str] | None:
    """The (field, message) of the first NUL in a JSON or form body's text."""
    if ctype == "application/json" and b"\\u0000" in body:
        try:
            found = _nul_in_json(json.loads(body), "")
        except ValueError:
            return None  # not JSON: the route answers 400 malformed_json
        return None if found is None else (found or "body", NUL_MESSAGE)
    if ctype == "application/x-www-form-urlencoded" and (b"%00" in body or b"\x00" in body):
        return _bad_pairs(parse_qsl(body.decode("latin-1"), keep_blank_values=True), None)
    return None


def request_problem(scope: Scope) -> tuple[str, str] | None:
    """The (field, message) of the first NUL or over-long text in the path, query or headers."""
    return (
        _path_problem(scope)
        or _query_problem(scope.get("query_string", b""))
        or _header_problem(scope["headers"])
    )


def text_body_type(headers: dict[bytes, bytes]) -> str | None:
    """The body's media type when it is one whose text is checked (JSON, a form), else None."""
    ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower().decode("latin-1")
    return ctype if ctype in _TEXT_BODIES else None


async def read_body(receive: Receive, max_bytes: int) -> bytes | None:
    """The whole body, or None as soon as it passes `max_bytes`."""
    chunks = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > max_bytes:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """The body read once, handed on whole; after it, the connection's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
