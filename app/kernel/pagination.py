"""Keyset pages, newest first, on (an instant, an id): every deep page costs the same.

The cursor is opaque to clients (API.md): the last row's instant and id, base64 of JSON.
"""

import base64
import json
import uuid
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.kernel.errors import Invalid

T = TypeVar("T")


def encode_cursor(at: datetime, row_id: uuid.UUID) -> str:
    return encode_key([at.isoformat(), str(row_id)])


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    at, row_id = decode_key(cursor, 2)
    try:
        instant = datetime.fromisoformat(at)
        if instant.utcoffset() is None:
            raise ValueError("cursor instant without offset")
        return instant, uuid.UUID(row_id)
    except (ValueError, TypeError) as exc:
        raise malformed_cursor() from exc


def encode_key(values: list[Any]) -> str:
    """The cursor of any keyset: the last row's key values (JSON), base64."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_key(cursor: str, length: int) -> list[Any]:
    """The `length` key values of a cursor from `encode_key`; a 422 naming `cursor` otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError as exc:  # bad base64, bad UTF-8 and bad JSON are all ValueErrors
        raise malformed_cursor() from exc
    if not isinstance(values, list) or len(values) != length:
        raise malformed_cursor()
    return values


def malformed_cursor() -> Invalid:
    return Invalid.field("cursor", "Malformed cursor.", code="invalid_cursor")


async def newest_first(
    session: AsyncSession,
    stmt: Select[T],
    at: InstrumentedAttribute[Any],
    row_id: InstrumentedAttribute[Any],
    limit: int,
    cursor: str | None,
) -> tuple[list[T], str | None]:
    """One page of `stmt` ordered by (`at`, `row_id`) descending, and the next page's cursor.
    `stmt` selects one entity or several columns, `at` and `row_id` among them."""
    if cursor:
        after_at, after_id = decode_cursor(cursor)
        stmt = stmt.where(tuple_(at, row_id) < tuple_(after_at, after_id))
    stmt = stmt.order_by(at.desc(), row_id.desc()).limit(limit + 1)
    result = await session.execute(stmt)
    # One entity (select(Model)): its objects; columns (select(a, b, ...)): rows, read by name.
    rows = cast(list[T], list(result.scalars() if len(stmt.column_descriptions) == 1 else result))
    page = rows[:limit]
    if len(rows) <= limit or not page:
        return page, None
    last = page[-1]
    return page, encode_cursor(getattr(last, at.key), getattr(last, row_id.key))
