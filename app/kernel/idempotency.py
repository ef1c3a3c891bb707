"""Idempotency-Key for creating POSTs, exactly as API.md says.

The same key and body replay the first answer; the same key with another body is 422; a retry
while the first is still running is 409. A transaction-scoped advisory lock on (caller, key)
tells "still running" from "done" without a second transaction, and the record is written in
the same transaction as what it records, so a crash leaves neither.
"""

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.kernel.errors import Conflict, Invalid

MAX_KEY_LENGTH = 255

_LOCK = text("SELECT pg_try_advisory_xact_lock(:lock)")
# A separate statement on purpose: under READ COMMITTED it takes its snapshot after the lock is
# held, so it sees the record of a first request that committed a moment ago.
_FETCH = text(
    """
    SELECT request_hash, status_code, response FROM idempotency_records
    WHERE principal_id = :principal AND key = :key
    """
)
_STORE = text(
    """
    INSERT INTO idempotency_records (principal_id, key, request_hash, status_code, response)
    VALUES (:principal, :key, :hash, :status, CAST(:response AS jsonb))
    """
)

Handler = Callable[[], Awaitable[tuple[int, dict[str, Any]]]]


def _lock_id(principal_id: uuid.UUID, key: str) -> int:
    digest = hashlib.sha256(principal_id.bytes + key.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def run_once(
    session: AsyncSession,
    principal_id: uuid.UUID,
    key: str | None,
    request_fingerprint: str,
    handler: Handler,
) -> tuple[int, dict[str, Any]]:
    """Run `handler` (which returns status and JSON body) at most once per caller and key."""
    if key is None:
        return await handler()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Invalid.field("Idempotency-Key", "Idempotency-Key must be 1-255 printable chars.")
    request_hash = hashlib.sha256(request_fingerprint.encode()).hexdigest()
    params = {"lock": _lock_id(principal_id, key), "principal": principal_id, "key": key}
    if not (await session.execute(_LOCK, params)).scalar():
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="idempotency_in_progress",
        )
    row = (await session.execute(_FETCH, params)).mappings().first()
    if row is not None:
        if row["request_hash"] != request_hash:
            raise Invalid(
                "This Idempotency-Key was used with a different request body.",
                code="idempotency_key_reused",
                details=[{"field": "Idempotency-Key", "message": "used with another body"}],
            )
        return int(row["status_code"]), dict(row["response"])
    status, body = await handler()
    await session.execute(
        _STORE, params | {"hash": request_hash, "status": status, "response": json.dumps(body)}
    )
    return status, body


async def create_once(
    session: AsyncSession,
    principal_id: uuid.UUID,
    key: str | None,
    route: str,
    body: BaseModel,
    create: Callable[[], Awaitable[BaseModel]],
) -> JSONResponse:
    """A creating POST under the contract's Idempotency-Key rules (the route is part of the key)."""

    async def handler() -> tuple[int, dict[str, Any]]:
        return 201, (await create()).model_dump(mode="json")

    status, payload = await run_once(
        session, principal_id, key, f"{route} {body.model_dump_json()}", handler
    )
    return JSONResponse(payload, status_code=status)
