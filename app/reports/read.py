"""Read-only queries over other packages' tables (complaints, their events, agencies,
categories, regions): the one exception to the ownership rule, written down here and in the
import contracts. Nothing in this module writes; every query goes through the complaints'
access rule (`visible_to`) and list filters, so a report never shows a complaint the caller
could not list.

Figures are aggregated in PostgreSQL, grouped by one key; the working days of each step are
the complaint's stored spans (`verify_days`, ... written by its transitions).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints.access import visible_to
from app.complaints.lifecycle import CLOCK_RUNNING
from app.complaints.models import Complaint, ComplaintEvent
from app.complaints.queries import ListFilters, filter_conditions, overdue_at
from app.kernel.security import Principal
from app.reports import figures
from app.reports.models import ReportTarget
from app.routing.models import Agency, Category, Region

ANSWERED = ("responded", "closed")
ARCHIVE_REASONS = ("unclear", "duplicate", "not_a_complaint", "out_of_scope", "incomplete")
KEYS = ("agency", "type", "category", "channel", "region", "counter_site", "none", "week", "month")
# A kecamatan's code is its first three parts: 35.21.01 of 35.21.01.2001.
KECAMATAN_LENGTH = 8


@dataclass(frozen=True)
class Scope:
    """Who asks, about which complaints (received in [start, end)), with which calendar."""

    principal: Principal
    filters: ListFilters
    start: datetime
    end: datetime
    now: datetime
    timezone: str


def _local_date(column: Any, tz: str) -> ColumnElement[date]:
    return cast(func.timezone(tz, column), Date)


def _key(name: str, tz: str) -> Any:
    c = Complaint
    if name == "agency":
        return c.agency_id
    if name == "type":
        return c.type
    if name == "category":
        return c.category_id
    if name == "channel":
        return c.channel
    if name == "region":
        return func.left(c.region_code, KECAMATAN_LENGTH)
    if name == "counter_site":  # "DPUPR · Gerai HUT Ngawi": the office, and the event if any
        site = c.channel_detail["counter_site"]
        key = func.concat_ws(" · ", site["agency_code"].astext, site["event"].astext)
        return func.nullif(key, "")  # a counter complaint entered without its site
    if name in {"week", "month"}:
        return cast(func.date_trunc(name, _local_date(c.received_at, tz)), Date)
    return literal("all")


def _where(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        visible_to(scope.principal),
        Complaint.received_at >= scope.start,
        Complaint.received_at < scope.end,
        *filter_conditions(scope.filters, scope.now),
    ]


def _measures(scope: Scope) -> dict[str, ColumnElement[Any]]:
    c = Complaint
    status = c.status

    def n(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.count().filter(condition)

    answered = status.in_(ANSWERED)
    return {
        "received": func.count(),
        "archived": n(status == "archived"),
        **{
            f"archived_{r}": n(and_(status == "archived", c.archived_reason == r))
            for r in ARCHIVE_REASONS
        },
        "not_verified": n(status == "received"),
        "waiting_for_information": n(status == "needs_info"),
        "in_process": n(status.in_(CLOCK_RUNNING)),
        "responded": n(status == "responded"),
        "settled": n(and_(status == "closed", c.resolution == "resolved")),
        "not_settleable": n(and_(status == "closed", c.resolution == "not_settleable")),
        "reopened": n(c.reopen_count > 0),
        "on_time": n(and_(answered, c.responded_at <= c.due_at)),
        "late": n(or_(and_(answered, c.responded_at > c.due_at), overdue_at(scope.now))),
        "overdue_now": n(overdue_at(scope.now)),
        "feedback": n(c.rating.is_not(None)),
        "satisfied": n(c.satisfied.is_(True)),
        "rating_sum": func.coalesce(func.sum(c.rating), 0),
        **{f"rating_{r}": n(c.rating == r) for r in range(1, 6)},
    }


# Stored by the transitions (app/complaints/spans.py); NULL until the span has ended.
SPANS = {
    "verify": Complaint.verify_days,
    "acknowledge": Complaint.acknowledge_days,
    "respond": Complaint.respond_days,
}
# For this transaction only. work_mem: a year's grouping in memory (4 MB, PostgreSQL's default,
# spilled the sorted variant to disk). plan_cache_mode: the driver prepares each statement once
# per connection, and after five runs PostgreSQL may keep a generic plan made without the
# period's bounds: an index scan planned for 5,000 rows that then reads a year's 333,000 in
# random order (6.8 s instead of 1.3 s on the benchmark's year, after a few monthly reports).
REPORT_SETTINGS = (
    "SET LOCAL work_mem = '64MB'",
    "SET LOCAL plan_cache_mode = force_custom_plan",
)


async def _tuned(session: AsyncSession) -> None:
    for setting in REPORT_SETTINGS:
        await session.execute(text(setting))


async def grouped(session: AsyncSession, scope: Scope, key: str) -> list[dict[str, Any]]:
    """One row of measures per value of `key` (its value under "key").

    The rows are counted per key and per combination of the three stored spans (a few hundred
    per key: spans are small integers), a hash aggregation instead of sorting every row for
    each span's percentiles; the counts are then summed per key and the percentiles worked out
    from the spans' histograms, with percentile_cont's own interpolation (figures.percentile)."""
    await _tuned(session)
    k = _key(key, scope.timezone).label("key")
    measures = _measures(scope)
    spans = [days.label(f"{span}_days") for span, days in SPANS.items()]
    stmt = (
        select(k, *spans, *(col.label(name) for name, col in measures.items()))
        .where(*_where(scope))
        .group_by(*([] if key == "none" else [k]), *spans)
    )
    totals: dict[Any, dict[str, Any]] = {}
    histograms: dict[Any, dict[str, dict[int, int]]] = {}
    for group in (await session.execute(stmt)).mappings():
        row = totals.get(group["key"])
        if row is None:
            row = totals[group["key"]] = {"key": group["key"]} | dict.fromkeys(measures, 0)
            histograms[group["key"]] = {span: {} for span in SPANS}
        for name in measures:
            row[name] += group[name]
        for span, counts in histograms[group["key"]].items():
            days = group[f"{span}_days"]
            if days is not None:
                counts[days] = counts.get(days, 0) + group["received"]
    for key_value, row in totals.items():
        feedback = row["feedback"]
        row["mean_rating"] = Decimal(row.pop("rating_sum")) / feedback if feedback else None
        for span, counts in histograms[key_value].items():
            row[f"{span}_median"] = figures.percentile(counts, 0.5)
            row[f"{span}_p90"] = figures.percentile(counts, 0.9)
    return list(totals.values())


async def transfers(session: AsyncSession, scope: Scope, key: str) -> list[dict[str, Any]]:
    """Transfers of the scope's complaints: (key, from agency, to agency, count)."""
    await _tuned(session)
    k = _key(key, scope.timezone).label("key")
    source = ComplaintEvent.data["from_agency_id"].astext.label("from_agency")
    target = ComplaintEvent.data["agency_id"].astext.label("to_agency")
    stmt = (
        select(k, source, target, func.count().label("n"))
        .select_from(Complaint)
        .join(ComplaintEvent, ComplaintEvent.complaint_id == Complaint.id)
        .where(ComplaintEvent.type == "transferred", *_where(scope))
        .group_by(source, target, *([] if key == "none" else [k]))
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def comments(session: AsyncSession, scope: Scope, key: str) -> dict[Any, int]:
    """Feedback that came with a comment, per value of `key`."""
    await _tuned(session)
    k = _key(key, scope.timezone).label("key")
    comment = ComplaintEvent.data["comment"].astext
    stmt = (
        select(k, func.count())
        .select_from(Complaint)
        .join(ComplaintEvent, ComplaintEvent.complaint_id == Complaint.id)
        .where(
            ComplaintEvent.type == "feedback_received",
            func.coalesce(func.btrim(comment), "") != "",
            *_where(scope),
        )
        .group_by(*([] if key == "none" else [k]))
    )
    return {key_value: int(n) for key_value, n in (await session.execute(stmt)).all()}


async def names(session: AsyncSession, jurisdiction_id: uuid.UUID, key: str) -> dict[Any, str]:
    """Display names of a breakdown's keys."""
    if key == "agency":
        rows = await session.execute(
            select(Agency.id, Agency.name).where(Agency.jurisdiction_id == jurisdiction_id)
        )
    elif key == "category":
        rows = await session.execute(
            select(Category.id, Category.name).where(Category.jurisdiction_id == jurisdiction_id)
        )
    elif key == "counter_site":  # by the office's agency code, the key's first part
        rows = await session.execute(
            select(Agency.code, Agency.name).where(Agency.jurisdiction_id == jurisdiction_id)
        )
    elif key == "region":
        rows = await session.execute(
            select(Region.code, Region.name).where(func.length(Region.code) == KECAMATAN_LENGTH)
        )
    else:
        return {}
    return dict(rows.all())


async def targets(session: AsyncSession, jurisdiction_id: uuid.UUID) -> dict[int, Any]:
    rows = await session.execute(
        select(ReportTarget.year, ReportTarget.settled_percent).where(
            ReportTarget.jurisdiction_id == jurisdiction_id
        )
    )
    return dict(rows.all())
