"""Keyset pages, newest first, on (an instant, an id): every deep page costs the same.

The cursor is opaque to clients (API.md): the last row's instant and id, base64 of JSON.
"""

import base64
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Integer, Select, bindparam, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.kernel.errors import Invalid
from app.kernel.validation import in_range

T = TypeVar("T")


def encode_cursor(at: datetime, row_id: uuid.UUID) -> str:
    return encode_key([at.isoformat(), str(row_id)])


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    at, row_id = decode_key(cursor, instant, identifier)
    return at, row_id


def encode_key(values: list[Any]) -> str:
    """The cursor of any keyset: the last row's key values (JSON), base64."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_key(cursor: str, *parsers: Callable[[Any], Any]) -> list[Any]:
    """The key values of a cursor from `encode_key`, each read by its parser (`instant`,
    `identifier`, `integer`); anything else, a JSON value of the wrong type included, is a 422
    naming `cursor`, never a 500."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded))  # base64, UTF-8, JSON: ValueErrors
        if not isinstance(values, list) or len(values) != len(parsers):
            raise ValueError("a cursor of another key")
        return [parse(value) for parse, value in zip(parsers, values, strict=True)]
    except (ValueError, TypeError) as exc:
        raise Invalid.field("cursor", "Malformed cursor.", code="invalid_cursor") from exc


def instant(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.utcoffset() is None:
        raise ValueError("cursor instant without offset")
    # A forged one may be out of the calendar (year 1 at +14:00 has no UTC): the rulebook's
    # range, whose refusal is a ValueError like the others here.
    in_range(moment)
    return moment


def identifier(value: Any) -> uuid.UUID:
    return uuid.UUID(_text(value))


def integer(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    return value


def _text(value: Any) -> str:
    # uuid.UUID(5) raises AttributeError, which is no 422: every text value is checked here.
    if not isinstance(value, str):
        raise TypeError("not a text")
    return value


# The ordering and the limit as built expressions, the limit's value bound when the page runs:
# building them was a twentieth of a list page's CPU (bench/RESULTS_reads.md).
_PAGE_ROWS = bindparam("page_rows", type_=Integer)
_ORDERS: dict[tuple[Any, Any], tuple[ColumnElement[Any], ColumnElement[Any]]] = {}


def _newest_first(
    at: InstrumentedAttribute[Any], row_id: InstrumentedAttribute[Any]
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    order = _ORDERS.get((at, row_id))
    if order is None:
        order = _ORDERS[(at, row_id)] = (at.desc(), row_id.desc())
    return order


async def newest_first(
    session: AsyncSession,
    stmt: Select[T],
    at: InstrumentedAttribute[Any],
    row_id: InstrumentedAttribute[Any],
    limit: int,
    cursor: str | None,
    params: dict[str, Any] | None = None,
) -> tuple[list[T], str | None]:
    """One page of `stmt` ordered by (`at`, `row_id`) descending, and the next page's cursor.
    `stmt` selects one entity or several columns, `at` and `row_id` among them; `params` are
    the values of its bound parameters, if it has any."""
    if cursor:
        after_at, after_id = decode_cursor(cursor)
        stmt = stmt.where(tuple_(at, row_id) < tuple_(after_at, after_id))
    stmt = stmt.order_by(*_newest_first(at, row_id)).limit(_PAGE_ROWS)
    result = await session.execute(stmt, (params or {}) | {"page_rows": limit + 1})
    # One entity (select(Model)): its objects; columns (select(a, b, ...)): rows, read by name.
    # (The result's keys, not `stmt.column_descriptions`, which builds the ORM compile state.)
    rows = cast(list[T], list(result.scalars() if len(result.keys()) == 1 else result))
    page = rows[:limit]
    if len(rows) <= limit or not page:
        return page, None
    last = page[-1]
    return page, encode_cursor(getattr(last, at.key), getattr(last, row_id.key))
