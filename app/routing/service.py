"""Agency and category look-ups other modules use (they never touch these tables directly)."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.classification import store
from app.jurisdictions.service import JurisdictionContext
from app.kernel.errors import Conflict, Invalid, NotFound
from app.routing import reference, schemas
from app.routing.decide import Appointment, current_liaison, is_valid
from app.routing.decision import threshold_of
from app.routing.models import Agency, Category, Liaison, Region, RoutingRule, RoutingSettings


async def active_agency(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    agency_id: uuid.UUID,
    field: str = "agency_id",
) -> Agency:
    """The agency, if it is active and in this jurisdiction; else a 422 naming `field`."""
    agency = await session.scalar(
        select(Agency).where(
            Agency.id == agency_id, Agency.jurisdiction_id == jurisdiction_id, Agency.active
        )
    )
    if agency is None:
        raise Invalid.field(field, "Unknown or inactive agency.", code="unknown_agency")
    return agency


async def agency_or_none(session: AsyncSession, agency_id: uuid.UUID | None) -> Agency | None:
    return None if agency_id is None else await session.get(Agency, agency_id)


async def agency_ref(
    session: AsyncSession, jurisdiction_id: uuid.UUID, agency_id: uuid.UUID | None
) -> reference.AgencyRef | None:
    """An agency's id, code and name, active or not, from the routing reference cache: the
    detail of every complaint names its agency, and a query for it was a round trip and an
    ORM row per read (bench/RESULTS_reads.md). A change made here is seen at once, one made
    by another process within `reference.CACHE_SECONDS`."""
    if agency_id is None:
        return None
    return (await reference.load(session, jurisdiction_id)).every_agency.get(agency_id)


async def check_category(
    session: AsyncSession, jurisdiction_id: uuid.UUID, category_id: uuid.UUID
) -> Category:
    category = await session.scalar(
        select(Category).where(
            Category.id == category_id,
            Category.jurisdiction_id == jurisdiction_id,
            Category.active,
        )
    )
    if category is None:
        raise Invalid.field("category_id", "Unknown category.", code="unknown_category")
    return category


class AgencyNotFound(NotFound):
    code = "agency_not_found"


class LiaisonNotFound(NotFound):
    code = "liaison_not_found"


def _agency_out(a: Agency, current: Liaison | None = None) -> schemas.AgencyOut:
    return schemas.AgencyOut(
        id=a.id,
        code=a.code,
        name=a.name,
        kind=a.kind,
        parent_id=a.parent_id,
        active=a.active,
        head_email=a.head_email,
        region_code=a.region_code,
        current_liaison=schemas.LiaisonRef(id=current.id, role=current.role, name=current.name)
        if current
        else None,
    )


async def _agency(
    session: AsyncSession, jurisdiction_id: uuid.UUID, agency_id: uuid.UUID
) -> Agency:
    agency = await session.scalar(
        select(Agency).where(Agency.id == agency_id, Agency.jurisdiction_id == jurisdiction_id)
    )
    if agency is None:
        raise AgencyNotFound("No such agency.")
    return agency


async def _check_parent(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    parent_id: uuid.UUID | None,
    own: uuid.UUID | None,
) -> None:
    if parent_id is None:
        return
    if parent_id == own:
        raise Invalid.field("parent_id", "An agency cannot be its own parent.")
    found = await session.scalar(
        select(Agency.id).where(Agency.id == parent_id, Agency.jurisdiction_id == jurisdiction_id)
    )
    if found is None:
        raise Invalid.field("parent_id", "Unknown parent agency.", code="unknown_agency")


async def _check_area(session: AsyncSession, ctx: JurisdictionContext, code: str | None) -> None:
    """An area must lie in the jurisdiction, and be one of its regions once they are loaded."""
    if code is None:
        return
    if not code.startswith(ctx.code + "."):
        raise Invalid.field(
            "region_code", f"Not a region of jurisdiction {ctx.code}.", code="unknown_region"
        )
    loaded = await session.scalar(
        select(Region.code).where(Region.code.startswith(ctx.code + ".")).limit(1)
    )
    if loaded is not None and await session.get(Region, code) is None:
        raise Invalid.field("region_code", "Unknown region.", code="unknown_region")


async def list_agencies(
    session: AsyncSession,
    ctx: JurisdictionContext,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> schemas.AgencyPage:
    """Agencies by code, each with the liaison who would be notified today."""
    query = select(Agency).where(Agency.jurisdiction_id == ctx.id).order_by(Agency.code)
    if cursor:
        query = query.where(Agency.code > cursor)
    rows = list((await session.scalars(query.limit(limit + 1))).all())
    page, more = rows[:limit], len(rows) > limit
    today = ctx.calendar.local_date(now)
    current = await current_liaisons(session, [a.id for a in page], today)
    return schemas.AgencyPage(
        items=[_agency_out(a, current.get(a.id)) for a in page],
        next_cursor=page[-1].code if more else None,
    )


async def get_agency(
    session: AsyncSession,
    ctx: JurisdictionContext,
    agency_id: uuid.UUID,
    now: datetime,
) -> schemas.AgencyOut:
    agency = await _agency(session, ctx.id, agency_id)
    today = ctx.calendar.local_date(now)
    current = await current_liaisons(session, [agency.id], today)
    return _agency_out(agency, current.get(agency.id))


async def create_agency(
    session: AsyncSession, ctx: JurisdictionContext, body: schemas.AgencyIn
) -> schemas.AgencyOut:
    """A new agency; its code is unique within the jurisdiction."""
    jurisdiction_id = ctx.id
    reference.changed(session, jurisdiction_id)
    await _check_parent(session, jurisdiction_id, body.parent_id, None)
    await _check_area(session, ctx, body.region_code)
    taken = await session.scalar(
        select(Agency.id).where(Agency.jurisdiction_id == jurisdiction_id, Agency.code == body.code)
    )
    if taken is not None:
        raise Conflict(f"Agency code {body.code} exists already.", code="agency_code_taken")
    agency = Agency(jurisdiction_id=jurisdiction_id, **body.model_dump())
    session.add(agency)
    await session.flush()
    return _agency_out(agency)


async def update_agency(
    session: AsyncSession,
    ctx: JurisdictionContext,
    agency_id: uuid.UUID,
    body: schemas.AgencyPatch,
    now: datetime,
) -> schemas.AgencyOut:
    """Change the fields sent; deactivating keeps history and stops new routing to it."""
    reference.changed(session, ctx.id)
    agency = await _agency(session, ctx.id, agency_id)
    changes = body.model_dump(exclude_unset=True)
    if "parent_id" in changes:
        await _check_parent(session, ctx.id, changes["parent_id"], agency.id)
    if "region_code" in changes:
        await _check_area(session, ctx, changes["region_code"])
    for key, value in changes.items():
        setattr(agency, key, value)
    await session.flush()
    return await get_agency(session, ctx, agency_id, now)


async def delete_unused(session: AsyncSession, statement: Any, what: str) -> None:
    """Run a DELETE; a row something still refers to is a 409 telling to deactivate instead."""
    try:
        async with session.begin_nested():
            await session.execute(statement)
    except IntegrityError as exc:
        raise Conflict(
            f"The {what} is referenced by complaints, people or other records; "
            "set active to false instead.",
            code=f"{what}_in_use",
        ) from exc


async def delete_agency(
    session: AsyncSession, jurisdiction_id: uuid.UUID, agency_id: uuid.UUID
) -> None:
    """Delete an unused agency (with its liaisons); anything else refers to it: 409."""
    reference.changed(session, jurisdiction_id)
    await _agency(session, jurisdiction_id, agency_id)
    rules = await session.scalar(
        select(func.count()).select_from(RoutingRule).where(RoutingRule.agency_id == agency_id)
    )
    if rules:
        raise Conflict("Routing rules send complaints to this agency.", code="agency_in_use")
    await delete_unused(session, delete(Agency).where(Agency.id == agency_id), "agency")


def _liaison_out(row: Liaison, today: date) -> schemas.LiaisonOut:
    return schemas.LiaisonOut(
        id=row.id,
        agency_id=row.agency_id,
        role=row.role,
        name=row.name,
        email=row.email,
        phone=row.phone,
        decree_number=row.decree_number,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        user_id=row.user_id,
        valid_today=is_valid(_appointment(row), today),
    )


def _appointment(row: Liaison) -> Appointment:
    return Appointment(row.id, row.role, row.valid_from, row.valid_to)


async def current_liaisons(
    session: AsyncSession, agency_ids: list[uuid.UUID], day: date
) -> dict[uuid.UUID, Liaison]:
    """Each agency's liaison on `day` (agencies with nobody valid are absent)."""
    if not agency_ids:
        return {}
    rows = (await session.scalars(select(Liaison).where(Liaison.agency_id.in_(agency_ids)))).all()
    by_agency: dict[uuid.UUID, list[Liaison]] = {}
    for row in rows:
        by_agency.setdefault(row.agency_id, []).append(row)
    out: dict[uuid.UUID, Liaison] = {}
    for agency_id, liaisons in by_agency.items():
        chosen = current_liaison([_appointment(r) for r in liaisons], day)
        if chosen is not None:
            out[agency_id] = next(r for r in liaisons if r.id == chosen.id)
    return out


async def list_liaisons(
    session: AsyncSession,
    ctx: JurisdictionContext,
    agency_id: uuid.UUID,
    now: datetime,
) -> schemas.LiaisonList:
    await _agency(session, ctx.id, agency_id)
    rows = (
        await session.scalars(
            select(Liaison)
            .where(Liaison.agency_id == agency_id)
            .order_by(Liaison.role.desc(), Liaison.valid_from)
        )
    ).all()
    today = ctx.calendar.local_date(now)
    return schemas.LiaisonList(items=[_liaison_out(r, today) for r in rows])


async def add_liaison(
    session: AsyncSession,
    ctx: JurisdictionContext,
    agency_id: uuid.UUID,
    body: schemas.LiaisonIn,
    now: datetime,
) -> schemas.LiaisonOut:
    """Record an appointment (SK) of a primary or deputy liaison."""
    await _agency(session, ctx.id, agency_id)
    # Only a liaison account of this very agency may be linked to its appointment.
    if body.user_id is not None and not await accounts.is_liaison_of(
        session, body.user_id, ctx.id, agency_id
    ):
        raise Invalid.field(
            "user_id", "Unknown user, or not a liaison of this agency.", code="unknown_user"
        )
    row = Liaison(agency_id=agency_id, **body.model_dump())
    session.add(row)
    await session.flush()
    return _liaison_out(row, ctx.calendar.local_date(now))


async def update_liaison(
    session: AsyncSession,
    ctx: JurisdictionContext,
    agency_id: uuid.UUID,
    liaison_id: uuid.UUID,
    body: schemas.LiaisonPatch,
    now: datetime,
) -> schemas.LiaisonOut:
    """Change an appointment, typically to end it (`valid_to`) or fix contact details."""
    await _agency(session, ctx.id, agency_id)
    row = await session.scalar(
        select(Liaison).where(Liaison.id == liaison_id, Liaison.agency_id == agency_id)
    )
    if row is None:
        raise LiaisonNotFound("No such liaison.")
    changes = body.model_dump(exclude_unset=True)
    valid_from = changes.get("valid_from", row.valid_from)
    valid_to = changes.get("valid_to", row.valid_to)
    if valid_to is not None and valid_to < valid_from:
        raise Invalid.field("valid_to", "valid_to must be on or after valid_from.")
    for key, value in changes.items():
        setattr(row, key, value)
    await session.flush()
    return _liaison_out(row, ctx.calendar.local_date(now))


async def agency_id_by_code(
    session: AsyncSession, jurisdiction_id: uuid.UUID, code: str
) -> uuid.UUID | None:
    """The jurisdiction's agency with this code, if there is one."""
    return await session.scalar(
        select(Agency.id).where(Agency.jurisdiction_id == jurisdiction_id, Agency.code == code)
    )


async def get_settings(
    session: AsyncSession, jurisdiction_id: uuid.UUID
) -> schemas.RoutingSettingsOut:
    row = await session.get(RoutingSettings, jurisdiction_id, populate_existing=True)
    effective, source = threshold_of(
        row.auto_dispatch_threshold if row else None,
        await store.current(session, jurisdiction_id),
    )
    return schemas.RoutingSettingsOut(
        liaison_direct_transfer=bool(row and row.liaison_direct_transfer),
        auto_dispatch_threshold=row.auto_dispatch_threshold if row else None,
        effective_threshold=effective,
        threshold_source=source,
    )


async def remove_liaison(
    session: AsyncSession, ctx: JurisdictionContext, agency_id: uuid.UUID, liaison_id: uuid.UUID
) -> None:
    await _agency(session, ctx.id, agency_id)
    result = await session.execute(
        delete(Liaison).where(Liaison.id == liaison_id, Liaison.agency_id == agency_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise LiaisonNotFound("No such liaison.")


async def dispatch_notice(
    session: AsyncSession,
    ctx: JurisdictionContext,
    agency: Agency | reference.AgencyRef,
    now: datetime,
) -> dict[str, Any]:
    """What a dispatch event records about who is told: the liaison valid today, or a flag."""
    day = ctx.calendar.local_date(now)
    current = (await current_liaisons(session, [agency.id], day)).get(agency.id)
    if current is None:
        return {"liaison": None, "no_valid_liaison": True, "liaison_date": day.isoformat()}
    return {
        "liaison": {
            "id": str(current.id),
            "role": current.role,
            "name": current.name,
            "email": current.email,
        },
        "no_valid_liaison": False,
        "liaison_date": day.isoformat(),
    }


async def liaison_may_transfer(session: AsyncSession, jurisdiction_id: uuid.UUID) -> bool:
    """The jurisdiction's policy: may a liaison transfer directly (else only ask the admins)?"""
    row = await session.get(RoutingSettings, jurisdiction_id)
    return bool(row and row.liaison_direct_transfer)


async def put_settings(
    session: AsyncSession, jurisdiction_id: uuid.UUID, body: schemas.RoutingSettingsIn
) -> schemas.RoutingSettingsOut:
    reference.changed(session, jurisdiction_id)
    values = body.model_dump()
    await session.execute(
        pg_insert(RoutingSettings)
        .values(jurisdiction_id=jurisdiction_id, **values)
        .on_conflict_do_update(index_elements=["jurisdiction_id"], set_=values)
    )
    return await get_settings(session, jurisdiction_id)


async def agency_head_email(session: AsyncSession, agency_id: uuid.UUID | None) -> str | None:
    if agency_id is None:
        return None
    agency = await session.get(Agency, agency_id)
    return agency.head_email if agency else None
