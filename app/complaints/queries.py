"""Reads: one complaint, the filtered list (keyset pages), the timeline, public tracking."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints import schemas
from app.complaints.access import CONDITIONS, event_data_for, sees_links, visibility, visible_to
from app.complaints.actions import ComplaintNotFound
from app.complaints.clock import is_overdue, on_time
from app.complaints.lifecycle import CLOCK_RUNNING
from app.complaints.models import Complaint, ComplaintEvent, TrackingId
from app.complaints.permissions import allowed_for
from app.complaints.tracking import normalize
from app.complaints.vocabulary import EventType
from app.jurisdictions.service import JurisdictionContext, load_context, policy_of
from app.kernel.db import DriverStatement
from app.kernel.pagination import newest_first
from app.kernel.security import Principal
from app.privacy.redact import public_text
from app.routing.service import agency_ref

# Public tracking shows where a complaint is, never who did what.
PUBLIC_EVENTS: frozenset[EventType] = frozenset(
    {
        "received",
        "verified",
        "dispatched",
        "transferred",
        "responded",
        "closed",
        "archived",
        "reopened",
        "needs_info",
        "info_supplied",
    }
)


@dataclass(frozen=True)
class ListFilters:
    status: Sequence[str] | None = None
    type: Sequence[str] | None = None
    agency_id: uuid.UUID | None = None
    channel: Sequence[str] | None = None
    counter_site: str | None = None  # the agency code of the office or booth a counter took it
    category_id: uuid.UUID | None = None
    region_code: str | None = None
    overdue: bool | None = None
    due_before: datetime | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    q: str | None = None


def overdue_at(now: datetime) -> ColumnElement[bool]:
    """`clock.is_overdue` in SQL: the clock runs, is not paused, and the deadline has passed."""
    return and_(
        Complaint.status.in_(CLOCK_RUNNING),
        Complaint.paused_at.is_(None),
        Complaint.due_at < now,
    )


@dataclass(frozen=True)
class StatusCount:
    jurisdiction_id: uuid.UUID
    status: str
    complaints: int
    overdue: int


async def status_counts(session: AsyncSession, now: datetime) -> list[StatusCount]:
    """How many complaints each jurisdiction has in each status, and how many are overdue."""
    rows = await session.execute(
        select(
            Complaint.jurisdiction_id,
            Complaint.status,
            func.count(),
            func.count().filter(overdue_at(now)),
        ).group_by(Complaint.jurisdiction_id, Complaint.status)
    )
    return [StatusCount(j, status, n, late) for j, status, n, late in rows.all()]


# What a list item shows (schemas.ComplaintSummary) and `overdue` needs, as plain rows: a page
# builds no ORM object and loads no text or channel payload (bench/RESULTS_reads.md).
_SUMMARY = [name for name in schemas.ComplaintSummary.model_fields if name != "overdue"]
_SUMMARY_COLUMNS = [*(getattr(Complaint, name) for name in _SUMMARY), Complaint.paused_at]
_SUMMARY_SELECT = select(*_SUMMARY_COLUMNS)  # built once; `.where` returns a new statement


def _filtered(
    principal: Principal, f: ListFilters, now: datetime
) -> tuple[Select[Any], dict[str, Any]]:
    """The page's statement and its access rule's values: the rule itself is built once
    (`CONDITIONS`), as building it per request was a tenth of a list page's CPU."""
    kind, params = visibility(principal)
    return _SUMMARY_SELECT.where(CONDITIONS[kind], *filter_conditions(f, now)), params


def filter_conditions(f: ListFilters, now: datetime) -> list[ColumnElement[bool]]:
    """The list filters as SQL conditions; the reports filter with the same ones."""
    conditions: list[ColumnElement[bool]] = []
    if f.status:
        conditions.append(Complaint.status.in_(f.status))
    if f.type:
        conditions.append(Complaint.type.in_(f.type))
    if f.agency_id:
        conditions.append(Complaint.agency_id == f.agency_id)
    if f.channel:
        conditions.append(Complaint.channel.in_(f.channel))
    if f.counter_site:
        site = Complaint.channel_detail["counter_site"]["agency_code"].astext
        conditions.append(site == f.counter_site)
    if f.category_id:
        conditions.append(Complaint.category_id == f.category_id)
    if f.region_code:
        conditions.append(Complaint.region_code.startswith(f.region_code, autoescape=True))
    if f.overdue is not None:
        late = overdue_at(now)
        conditions.append(late if f.overdue else ~late)
    if f.due_before:
        conditions.append(Complaint.due_at < f.due_before)
    if f.received_from:
        conditions.append(Complaint.received_at >= f.received_from)
    if f.received_to:
        conditions.append(Complaint.received_at < f.received_to)
    if f.q:
        document = func.to_tsvector(
            "simple", func.coalesce(Complaint.title, "") + " " + Complaint.text
        )
        conditions.append(
            or_(
                document.bool_op("@@")(func.plainto_tsquery("simple", f.q)),
                Complaint.tracking_id == (normalize(f.q) or ""),
            )
        )
    return conditions


async def list_complaints(
    session: AsyncSession,
    principal: Principal,
    f: ListFilters,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> schemas.ComplaintPage:
    """Newest first, keyset-paginated on (received_at, id) so deep pages cost the same."""
    stmt, params = _filtered(principal, f, now)
    rows, next_cursor = await newest_first(
        session, stmt, Complaint.received_at, Complaint.id, limit, cursor, params
    )
    items = [
        {
            **dict(zip(_SUMMARY, c, strict=False)),  # the row's columns, paused_at last
            "overdue": is_overdue(c.status, c.due_at, c.paused_at is not None, now),
        }
        for c in rows
    ]
    # The page validated in one call (pydantic walks the list), not one model per item.
    return schemas.ComplaintPage.model_validate({"items": items, "next_cursor": next_cursor})


async def routing_of(
    session: AsyncSession, principal: Principal, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """The last routing decision (`ComplaintOut.routing`) of each listed complaint the caller
    may see: the triage queue shows its candidates and probabilities beside each row."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Complaint.id, Complaint.routing).where(
            Complaint.id.in_(ids), visible_to(principal), Complaint.routing.is_not(None)
        )
    )
    return {row.id: row.routing for row in rows}


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    """A complaint's columns as its reads need them (the detail, the timeline's access check,
    the identity reveal): one asyncpg row, no ORM entity. Loading the entity was a third of
    a detail read's CPU (bench/RESULTS_reads.md); the statement below selects these fields,
    in this order, so a new field here is a new column there."""

    id: uuid.UUID
    jurisdiction_id: uuid.UUID
    tracking_id: str
    status: str
    type: str | None
    suggested_type: str | None
    suggested_category_id: uuid.UUID | None
    suggestion: dict[str, Any] | None
    routing: dict[str, Any] | None
    channel: str
    channel_detail: dict[str, Any]
    channel_ref: str | None
    title: str | None
    text: str
    category_id: uuid.UUID | None
    region_code: str | None
    address: str | None
    lat: float | None
    lon: float | None
    occurred_at: datetime | None
    received_at: datetime
    anonymous: bool
    confidential: bool
    attachments: list[str]
    agency_id: uuid.UUID | None
    policy_id: uuid.UUID
    submitted_by: uuid.UUID | None
    verification_due_at: datetime
    verified_at: datetime | None
    due_at: datetime | None
    paused_at: datetime | None
    info_due_at: datetime | None
    acknowledged_at: datetime | None
    responded_at: datetime | None
    resolution: str | None
    resolution_reason: str | None
    auto_close_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    satisfied: bool | None
    reopen_count: int
    archived_reason: str | None
    duplicate_of: uuid.UUID | None
    possible_duplicate_of: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


# One statement per kind of access rule, built and compiled once and run by asyncpg itself:
# building the condition and the select on each request was a quarter of a detail read's CPU,
# SQLAlchemy's execution and the ORM entity a third of what was left (bench/RESULTS_reads.md).
_ROW_COLUMNS = [getattr(Complaint, f.name) for f in fields(ComplaintRow)]
_VISIBLE_BY_ID = {
    kind: DriverStatement(
        select(*_ROW_COLUMNS).where(Complaint.id == bindparam("complaint_id"), condition),
        reads_only=True,
    )
    for kind, condition in CONDITIONS.items()
}


async def get_visible(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID
) -> ComplaintRow:
    """The complaint if `principal` may see it, else ComplaintNotFound (never a 403: whether
    a complaint exists is itself not for everyone to learn)."""
    kind, params = visibility(principal)
    rows = await _VISIBLE_BY_ID[kind].fetch(session, params | {"complaint_id": complaint_id})
    if not rows:
        raise ComplaintNotFound("No such complaint.")
    return ComplaintRow(*rows[0])


async def complaint_out(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    c: Complaint | ComplaintRow,
    now: datetime,
) -> schemas.ComplaintOut:
    """The full view of a complaint as `principal` may see it (identity is never part of it;
    see reveal-reporter; links to other complaints only for those who see links; only the
    actions `principal` may take)."""
    links = sees_links(principal)
    agency = await agency_ref(session, ctx.id, c.agency_id)
    policy = await policy_of(session, ctx, c.policy_id)
    return schemas.ComplaintOut(
        id=c.id,
        tracking_id=c.tracking_id,
        status=c.status,
        type=c.type,
        suggested_type=c.suggested_type,
        suggested_category_id=c.suggested_category_id,
        suggestion=c.suggestion,
        routing=c.routing,
        channel=c.channel,
        channel_detail=c.channel_detail,
        channel_ref=c.channel_ref,
        title=c.title,
        text=c.text,
        category_id=c.category_id,
        location=schemas.LocationOut(
            region_code=c.region_code, address=c.address, lat=c.lat, lon=c.lon
        ),
        occurred_at=c.occurred_at,
        received_at=c.received_at,
        anonymous=c.anonymous,
        confidential=c.confidential,
        attachments=c.attachments,
        agency=schemas.AgencyRef(id=agency.id, code=agency.code, name=agency.name)
        if agency
        else None,
        policy=schemas.PolicyRef(
            id=policy.id,
            version=policy.version,
            unit=policy.unit,
            days=policy.days_for(c.type) if c.type else None,
        ),
        verification_due_at=c.verification_due_at,
        verified_at=c.verified_at,
        due_at=c.due_at,
        paused=c.paused_at is not None,
        info_due_at=c.info_due_at,
        acknowledged_at=c.acknowledged_at,
        responded_at=c.responded_at,
        resolution=c.resolution,
        resolution_reason=c.resolution_reason,
        auto_close_at=c.auto_close_at,
        closed_at=c.closed_at,
        rating=c.rating,
        satisfied=c.satisfied,
        reopen_count=c.reopen_count,
        archived_reason=c.archived_reason,
        duplicate_of=c.duplicate_of if links else None,
        possible_duplicate_of=c.possible_duplicate_of if links else None,
        overdue=is_overdue(c.status, c.due_at, c.paused_at is not None, now),
        allowed_actions=allowed_for(c.status, principal.role, has_deadline=c.due_at is not None),
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


async def list_events(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID, limit: int, after: int
) -> schemas.EventPage:
    await get_visible(session, principal, complaint_id)
    rows = (
        await session.scalars(
            select(ComplaintEvent)
            .where(ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.seq > after)
            .order_by(ComplaintEvent.seq)
            .limit(limit + 1)
        )
    ).all()
    items = [
        schemas.EventOut(
            seq=e.seq,
            type=e.type,
            occurred_at=e.occurred_at,
            actor=e.actor,
            data=event_data_for(principal, e.data),
        )
        for e in rows[:limit]
    ]
    next_cursor = str(items[-1].seq) if len(rows) > limit and items else None
    return schemas.EventPage(items=items, next_cursor=next_cursor)


async def tracked(
    session: AsyncSession, tracking_ids: Sequence[str]
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """The (jurisdiction, complaint) of each known tracking number, found before the tenant
    query: numbers are unique nationwide and a citizen names no jurisdiction (app/tenancy.py)."""
    rows = await session.execute(
        select(TrackingId.jurisdiction_id, TrackingId.complaint_id).where(
            TrackingId.tracking_id.in_(tracking_ids)
        )
    )
    return [(j, c) for j, c in rows.all()]


async def track(
    session: AsyncSession, raw_tracking_id: str, now: datetime
) -> schemas.TrackOut | None:
    """What anyone may know by the tracking number: status and dates, the text unless rahasia
    (with the contact data a reporter wrote into it masked). The JSON `/v1/track` and the page
    `/lacak` both read it, so they cannot disagree."""
    tracking_id = normalize(raw_tracking_id)
    if tracking_id is None:
        return None
    owners = await tracked(session, [tracking_id])
    if not owners:
        return None
    ((jurisdiction_id, complaint_id),) = owners
    c = await session.scalar(
        select(Complaint).where(
            Complaint.id == complaint_id, Complaint.jurisdiction_id == jurisdiction_id
        )
    )
    if c is None:
        return None
    agency = await agency_ref(session, c.jurisdiction_id, c.agency_id)
    ctx = await load_context(session, c.jurisdiction_id)
    events = (
        await session.execute(
            select(ComplaintEvent.type, ComplaintEvent.occurred_at)
            .where(
                ComplaintEvent.complaint_id == c.id,
                ComplaintEvent.jurisdiction_id == c.jurisdiction_id,
                ComplaintEvent.type.in_(PUBLIC_EVENTS),
            )
            .order_by(ComplaintEvent.seq)
        )
    ).all()
    return schemas.TrackOut(
        tracking_id=c.tracking_id,
        status=c.status,
        type=c.type,
        channel=c.channel,
        agency_name=agency.name if agency else None,
        title=None if c.confidential else public_text(c.title),
        text=None if c.confidential else public_text(c.text),
        confidential=c.confidential,
        received_at=c.received_at,
        verified_at=c.verified_at,
        due_at=c.due_at,
        responded_at=c.responded_at,
        closed_at=c.closed_at,
        on_time=on_time(c.status, c.due_at, c.responded_at, c.paused_at is not None, now),
        timezone=ctx.timezone,
        timeline=[{"type": t, "occurred_at": at.isoformat()} for t, at in events],
    )
