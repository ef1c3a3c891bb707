"""Working-day spans of a complaint, stored once when the transition that ends them happens.

verify_days: received_at to verified_at; acknowledge_days: verified_at to the first
acknowledged_at; respond_days: verified_at to the latest responded_at. Each counts the working
days that began after the start's local date up to the end's local date, in the jurisdiction's
time zone and calendar as they are when the span is stored: a later calendar change (a regional
holiday added afterwards) does not rewrite a stored span, as it does not move a stored deadline.

`backfill` works the same spans out in SQL for rows that have none (the migration that added the
columns, the benchmark's generated rows), with the arithmetic the reports used before: an index
of the calendar (`working_day_index`) subscripted by each instant's local date.
"""

import uuid
from datetime import datetime

from sqlalchemy import Connection, text

from app.calendar.workdays import WorkCalendar, working_day_index

# span column: (its start instant, its end instant), the complaints' own columns.
SPANS: dict[str, tuple[str, str]] = {
    "verify_days": ("received_at", "verified_at"),
    "acknowledge_days": ("verified_at", "acknowledged_at"),
    "respond_days": ("verified_at", "responded_at"),
}


def span(cal: WorkCalendar, start: datetime | None, end: datetime | None) -> int | None:
    """Working days from `start`'s local date to `end`'s; None while either is unknown."""
    if start is None or end is None:
        return None
    return cal.working_days_started_between(start, end)


_LOCAL = "CAST(timezone(CAST(:tz AS text), {}) AS date)"


def _position(column: str) -> str:
    return f"({_LOCAL.format(column)} - CAST(:first AS date)) + 1"


_SET = ",\n".join(
    f"{name} = CASE WHEN {start} IS NOT NULL AND {end} IS NOT NULL THEN "
    f"(CAST(:index AS int[]))[{_position(end)}] - (CAST(:index AS int[]))[{_position(start)}] END"
    for name, (start, end) in SPANS.items()
)
_ROWS = (
    "FROM complaints WHERE jurisdiction_id = :j AND verified_at IS NOT NULL"
    " AND (CAST(:only AS uuid) IS NULL OR id = :only)"
)
_LAST = "greatest(received_at, verified_at, acknowledged_at, responded_at)"
_BOUNDS = text(f"SELECT min({_LOCAL.format('received_at')}), max({_LOCAL.format(_LAST)}) {_ROWS}")
_UPDATE = text(f"UPDATE complaints SET {_SET} {_ROWS.removeprefix('FROM complaints ')}")  # noqa: S608


def backfill(
    conn: Connection, jurisdiction_id: uuid.UUID, cal: WorkCalendar, only: uuid.UUID | None = None
) -> None:
    """Work out the stored spans of a jurisdiction's verified complaints (or of one) in SQL."""
    tz = cal.tz.key
    params = {"tz": tz, "j": jurisdiction_id, "only": only}
    first, last = conn.execute(_BOUNDS, params).one()
    if first is None:
        return
    index = working_day_index(cal, first, max(first, last))
    conn.execute(_UPDATE, params | {"first": first, "index": index})
