"""What other packages may know of a complaint: frozen facts read here, never its ORM rows.

The complaints package owns `complaints` and `complaint_events`; the hub, webhooks, channels,
routing and attachments read them through these functions (see "Ownership" in the README).
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints.access import visible_to
from app.complaints.models import Complaint, ComplaintEvent
from app.kernel.security import Principal


@dataclass(frozen=True)
class ComplaintFacts:
    """One complaint as the system's subscribers and syncs need it (no reporter identity)."""

    id: uuid.UUID
    jurisdiction_id: uuid.UUID
    tracking_id: str
    channel: str
    channel_detail: dict[str, Any]
    status: str
    last_seq: int
    title: str | None
    text: str
    region_code: str | None
    address: str | None
    received_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    anonymous: bool
    confidential: bool
    agency_id: uuid.UUID | None
    submitted_by: uuid.UUID | None
    callback_url: str | None


@dataclass(frozen=True)
class ComplaintState:
    """Where a complaint stands, for comparing with another system's copy."""

    id: uuid.UUID
    channel: str
    status: str
    last_seq: int
    received_at: datetime


@dataclass(frozen=True)
class EventFacts:
    seq: int
    type: str
    status: str  # the status the event left the complaint in
    occurred_at: datetime
    actor: dict[str, Any]
    data: dict[str, Any]


_FACTS = tuple(getattr(Complaint, name) for name in ComplaintFacts.__dataclass_fields__)
_STATE = tuple(getattr(Complaint, name) for name in ComplaintState.__dataclass_fields__)


async def facts(session: AsyncSession, complaint_id: uuid.UUID) -> ComplaintFacts | None:
    """A complaint for the system (which acts for no caller, so sees every complaint)."""
    row = (await session.execute(select(*_FACTS).where(Complaint.id == complaint_id))).first()
    return ComplaintFacts(*row) if row is not None else None


async def states(session: AsyncSession, jurisdiction_id: uuid.UUID) -> list[ComplaintState]:
    """Every complaint of a jurisdiction, where it stands."""
    query = select(*_STATE).where(Complaint.jurisdiction_id == jurisdiction_id)
    rows = await session.execute(query)
    return [ComplaintState(*row) for row in rows]


async def event(session: AsyncSession, complaint_id: uuid.UUID, seq: int) -> EventFacts | None:
    """Event `seq` of a complaint, with the status it left the complaint in."""
    e = await session.get(ComplaintEvent, (complaint_id, seq))
    if e is None:
        return None
    return _event(e)


def _event(e: ComplaintEvent) -> EventFacts:
    return EventFacts(e.seq, e.type, e.status, e.occurred_at, e.actor, e.data)


async def of_jurisdiction(
    session: AsyncSession, jurisdiction_id: uuid.UUID, ids: Iterable[uuid.UUID], limit: int
) -> list[ComplaintFacts]:
    """Those of these complaints that are the jurisdiction's, oldest first, at most `limit`."""
    rows = await session.execute(
        select(*_FACTS)
        .where(Complaint.id.in_(list(ids)), Complaint.jurisdiction_id == jurisdiction_id)
        .order_by(Complaint.received_at)
        .limit(limit)
    )
    return [ComplaintFacts(*row) for row in rows]


async def events_of(
    session: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[EventFacts]]:
    """The timelines of these complaints, each in seq order."""
    result: dict[uuid.UUID, list[EventFacts]] = {}
    if not ids:
        return result
    rows = await session.scalars(
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id.in_(ids))
        .order_by(ComplaintEvent.complaint_id, ComplaintEvent.seq)
    )
    for e in rows:
        result.setdefault(e.complaint_id, []).append(_event(e))
    return result


def finished_before(cutoff: datetime) -> Select[uuid.UUID]:
    """The ids of complaints closed, or archived, before `cutoff` (for a statement's WHERE).

    An archived complaint has no archived_at of its own: its last change (updated_at) is when
    it was archived, since nothing moves an archived complaint afterwards.
    """
    return select(Complaint.id).where(
        or_(
            and_(Complaint.status == "closed", Complaint.closed_at < cutoff),
            and_(Complaint.status == "archived", Complaint.updated_at < cutoff),
        )
    )


async def is_visible(session: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> bool:
    """Whether this caller may see the complaint (the one rule of who sees what)."""
    found = await session.scalar(
        select(Complaint.id).where(Complaint.id == complaint_id, visible_to(principal))
    )
    return found is not None


@dataclass(frozen=True)
class Agreement:
    """How often verification kept the suggestion, for one type or one category id."""

    dimension: str  # "type" or "category"
    key: str
    total: int
    agreed: int


_AGREEMENT = text(
    """
    SELECT 'type' AS dimension, c.type AS key, count(*) AS total,
           count(*) FILTER (WHERE c.suggested_type = c.type) AS agreed
    FROM complaints c
    WHERE c.jurisdiction_id = :j AND c.type IS NOT NULL AND c.suggested_type IS NOT NULL
      AND (CAST(:since AS timestamptz) IS NULL OR c.verified_at >= :since)
    GROUP BY c.type
    UNION ALL
    SELECT 'category', c.category_id::text, count(*),
           count(*) FILTER (WHERE c.suggested_category_id = c.category_id)
    FROM complaints c
    WHERE c.jurisdiction_id = :j AND c.category_id IS NOT NULL AND c.verified_at IS NOT NULL
      AND c.suggestion IS NOT NULL
      AND (CAST(:since AS timestamptz) IS NULL OR c.verified_at >= :since)
    GROUP BY c.category_id
    ORDER BY 1, 2
    """
)


async def agreement(
    session: AsyncSession, jurisdiction_id: uuid.UUID, since: datetime | None
) -> list[Agreement]:
    """Suggestion against decision per type and per category, for complaints verified since."""
    rows = await session.execute(_AGREEMENT, {"j": jurisdiction_id, "since": since})
    return [Agreement(*row) for row in rows]


@dataclass(frozen=True)
class Verified:
    """A verified complaint as training history: what it said and what was decided."""

    text: str  # title and text, as one
    region_code: str | None
    type: str | None
    channel: str
    category_id: uuid.UUID | None
    routing_category_id: uuid.UUID | None  # the admin's category, else the suggestion
    agency_id: uuid.UUID | None  # only once the agency is the answer (see _DECIDED)


# An agency is the answer once it took the complaint up, or an admin chose it.
_DECIDED = (
    "(c.status IN ('in_progress', 'responded', 'closed') OR c.routing->>'routed_by' = 'admin')"
)
_VERIFIED = text(
    f"""
    SELECT coalesce(c.title, '') || ' ' || c.text, c.region_code, c.type, c.channel,
           c.category_id, coalesce(c.category_id, c.suggested_category_id),
           CASE WHEN {_DECIDED} THEN c.agency_id END
    FROM complaints c
    WHERE c.jurisdiction_id = :j AND c.verified_at IS NOT NULL
    ORDER BY c.verified_at, c.id
    """  # noqa: S608 (a constant, no input)
)
_LABELLED = text(
    f"""
    SELECT count(*) FROM complaints c
    WHERE c.jurisdiction_id = :j AND c.verified_at IS NOT NULL
      AND c.agency_id = ANY(:agencies) AND {_DECIDED}
    """  # noqa: S608 (a constant, no input)
)


async def verified(session: AsyncSession, jurisdiction_id: uuid.UUID) -> list[Verified]:
    """Every verified complaint of the jurisdiction, in the order it was verified."""
    rows = await session.execute(_VERIFIED, {"j": jurisdiction_id})
    return [Verified(*row) for row in rows]


async def labelled(
    session: AsyncSession, jurisdiction_id: uuid.UUID, agencies: Iterable[uuid.UUID]
) -> int:
    """How many verified complaints have one of these agencies as their decided answer."""
    found = await session.scalar(_LABELLED, {"j": jurisdiction_id, "agencies": list(agencies)})
    return int(found or 0)


async def of_jurisdiction_ids(
    session: AsyncSession, jurisdiction_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of `ids` are complaints of this jurisdiction (links from other records)."""
    wanted = list(set(ids))
    if not wanted:
        return set()
    found = await session.scalars(
        select(Complaint.id).where(
            Complaint.id.in_(wanted), Complaint.jurisdiction_id == jurisdiction_id
        )
    )
    return set(found)
