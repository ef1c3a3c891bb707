"""Open311's reads: a jurisdiction by its Kemendagri code, its categories, its complaints.

Who sees which complaint is the rule of /v1 (`visible_to`); the public sees complaints by
tracking number only (DOMAIN.md), so a request list without a caller needs their numbers.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.complaints.access import visible_to
from app.complaints.models import Complaint
from app.complaints.queries import tracked
from app.complaints.tracking import normalize
from app.jurisdictions.models import Jurisdiction
from app.kernel.errors import BadRequest, Forbidden, NotFound
from app.kernel.security import Principal
from app.open311.mapping import OUR_STATUSES, RequestRow
from app.routing.models import Agency, Category

# The spec lets a server cap a list; ours is the spec's own example figure.
MAX_REQUESTS = 1000


async def jurisdiction(
    session: AsyncSession, code: str | None, principal: Principal | None
) -> uuid.UUID:
    """The jurisdiction a call is for: the caller's, or the one `jurisdiction_id` names."""
    if principal is not None:
        if code is not None:
            own = await session.scalar(
                select(Jurisdiction.code).where(Jurisdiction.id == principal.jurisdiction_id)
            )
            if own != code:
                raise Forbidden("This api_key is for another jurisdiction.")
        return principal.jurisdiction_id
    if code is None:
        raise BadRequest("jurisdiction_id was not provided (the Kemendagri code, e.g. 35.21).")
    found = await session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == code))
    if found is None:
        raise NotFound(f"jurisdiction_id {code} not found.")
    return found


async def services(
    session: AsyncSession, jurisdiction_id: uuid.UUID
) -> list[tuple[str, str, str | None]]:
    """(code, name, parent's name) of every active category, by code."""
    parent = aliased(Category)
    rows = await session.execute(
        select(Category.code, Category.name, parent.name)
        .outerjoin(parent, parent.id == Category.parent_id)
        .where(Category.jurisdiction_id == jurisdiction_id, Category.active)
        .order_by(Category.code)
    )
    return [(code, name, group) for code, name, group in rows.all()]


async def category_id(session: AsyncSession, jurisdiction_id: uuid.UUID, code: str) -> uuid.UUID:
    found = await session.scalar(
        select(Category.id).where(
            Category.jurisdiction_id == jurisdiction_id, Category.code == code, Category.active
        )
    )
    if found is None:
        raise NotFound(f"service_code {code} not found.")
    return found


@dataclass(frozen=True)
class RequestFilters:
    tracking_ids: Sequence[str] | None = None
    service_codes: Sequence[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: Sequence[str] | None = None


def _conditions(f: RequestFilters) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if f.tracking_ids is not None:
        ids = [t for t in map(normalize, f.tracking_ids) if t is not None]
        out.append(Complaint.tracking_id.in_(ids))
    if f.service_codes:
        out.append(Category.code.in_(f.service_codes))
    if f.start is not None:
        out.append(Complaint.received_at >= f.start)
    if f.end is not None:
        out.append(Complaint.received_at <= f.end)
    if f.statuses:
        ours = set().union(*(OUR_STATUSES[s] for s in f.statuses))
        out.append(Complaint.status.in_(sorted(ours)))
    return out


async def requests(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID | None,
    principal: Principal | None,
    f: RequestFilters,
) -> list[RequestRow]:
    """Newest first, at most MAX_REQUESTS: the caller's visible complaints, or the public's
    (only those whose tracking numbers were given)."""
    if principal is None and f.tracking_ids is None:
        raise Forbidden(
            "Without an api_key, ask for requests by their service_request_id "
            "(the public sees a complaint by its tracking number only)."
        )
    where = _conditions(f)
    if jurisdiction_id is not None:
        where.append(Complaint.jurisdiction_id == jurisdiction_id)
    elif f.tracking_ids is not None:
        # By number across jurisdictions: ask only the jurisdictions that hold those numbers.
        numbers = [t for t in map(normalize, f.tracking_ids) if t is not None]
        owners = await tracked(session, numbers)
        where.append(Complaint.jurisdiction_id.in_(sorted({j for j, _ in owners})))
    if principal is not None:
        where.append(visible_to(principal))
    rows = await session.execute(
        select(Complaint, Category.code, Category.name, Agency.name)
        .outerjoin(Category, Category.id == Complaint.category_id)
        .outerjoin(Agency, Agency.id == Complaint.agency_id)
        .where(*where)
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(MAX_REQUESTS)
    )
    return [
        RequestRow(
            tracking_id=c.tracking_id,
            status=c.status,
            archived_reason=c.archived_reason,
            confidential=c.confidential,
            text=c.text,
            address=c.address,
            lat=c.lat,
            lon=c.lon,
            service_code=code,
            service_name=name,
            agency_name=agency,
            received_at=c.received_at,
            updated_at=c.updated_at,
            due_at=c.due_at,
        )
        for c, code, name, agency in rows.all()
    ]


async def tracking_id_of(session: AsyncSession, token: str) -> str | None:
    """A token (the complaint id POST answered with) to its tracking number."""
    try:
        complaint_id = uuid.UUID(token)
    except ValueError:
        return None
    found: str | None = await session.scalar(
        select(Complaint.tracking_id).where(Complaint.id == complaint_id)
    )
    return found
