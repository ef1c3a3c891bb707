"""Calendar endpoints: holidays, the jurisdiction's overrides, and deadline arithmetic."""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from app.calendar.workdays import CalendarOverride
from app.jurisdictions import service as jurisdictions
from app.kernel.deps import DB, Now
from app.kernel.errors import Forbidden, Invalid, NotFound, Unauthorized, responses
from app.kernel.security import ADMIN, STAFF, Allow, Principal
from app.kernel.validation import Day, Instant, StrictModel

router = APIRouter(prefix="/v1/calendar", tags=["calendar"])

Staff = Annotated[Principal, Depends(Allow(*STAFF))]
Admin = Annotated[Principal, Depends(Allow(ADMIN))]
ComplaintType = Literal["information", "non_field", "field_inspection"]


class HolidayOut(BaseModel):
    date: date
    name: str = Field(description="English (a jurisdiction's own day: its own name)")
    name_id: str = Field(
        description="Indonesian, as the joint decree names it (a jurisdiction's "
        "own day: its own name)"
    )
    source: str


class HolidayList(BaseModel):
    year: int
    timezone: str
    items: list[HolidayOut]


class OverrideIn(StrictModel):
    date: date
    kind: Literal["holiday", "working_day"] = Field(
        description="holiday: a regional day off; working_day: a national day off worked here"
    )
    name: Annotated[str, Field(min_length=1, max_length=200)]


class OverrideOut(BaseModel):
    date: date
    kind: str
    name: str


class DeadlineOut(BaseModel):
    from_: datetime = Field(alias="from")
    working_days: int
    unit: str
    due_at: datetime
    timezone: str
    policy_version: int | None

    model_config = ConfigDict(populate_by_name=True)


@router.get("/holidays", response_model=HolidayList, responses=responses(Unauthorized, Forbidden))
async def holidays(
    principal: Staff, db: DB, year: Annotated[int, Query(ge=2000, le=2100)]
) -> HolidayList:
    """National holidays, cuti bersama and this jurisdiction's own days off in `year`."""
    ctx = await jurisdictions.load_context(db, principal.jurisdiction_id)
    items = [
        HolidayOut(date=h.day, name=h.name, name_id=h.name_id, source=h.source)
        for h in ctx.calendar.holidays_in_year(year)
    ]
    return HolidayList(year=year, timezone=ctx.timezone, items=items)


@router.get(
    "/overrides", response_model=list[OverrideOut], responses=responses(Unauthorized, Forbidden)
)
async def list_overrides(principal: Staff, db: DB) -> list[OverrideOut]:
    """The jurisdiction's additions to and removals from the national calendar."""
    rows = await jurisdictions.list_overrides(db, principal.jurisdiction_id)
    return [OverrideOut(date=r.day, kind=r.kind, name=r.name) for r in rows]


@router.put(
    "/overrides/{day}",
    response_model=OverrideOut,
    responses=responses(Unauthorized, Forbidden, Invalid),
)
async def put_override(day: Day, body: OverrideIn, principal: Admin, db: DB) -> OverrideOut:
    """Add or replace the override for one date (e.g. Hari Jadi, a local cuti bersama)."""
    if body.date != day:
        raise Invalid.field("date", "The body's date must match the path.")
    override = CalendarOverride(day=day, kind=body.kind, name=body.name)
    await jurisdictions.put_override(db, principal.jurisdiction_id, override)
    return OverrideOut(date=day, kind=body.kind, name=body.name)


@router.delete(
    "/overrides/{day}", status_code=204, responses=responses(Unauthorized, Forbidden, NotFound)
)
async def delete_override(day: Day, principal: Admin, db: DB) -> None:
    """Remove an override; the national calendar applies again on that date."""
    if not await jurisdictions.delete_override(db, principal.jurisdiction_id, day):
        raise NotFound("No override on that date.", code="override_not_found")


@router.get(
    "/deadline", response_model=DeadlineOut, responses=responses(Unauthorized, Forbidden, Invalid)
)
async def deadline(
    principal: Staff,
    db: DB,
    now: Now,
    from_: Annotated[Instant | None, Query(alias="from")] = None,
    working_days: Annotated[int | None, Query(ge=0, le=1000)] = None,
    type: ComplaintType | None = None,
) -> DeadlineOut:
    """When `working_days` (or the policy's days for `type`) after `from` ends, here."""
    if (working_days is None) == (type is None):
        raise Invalid.field("working_days", "Give exactly one of working_days and type.")
    ctx = await jurisdictions.load_context(db, principal.jurisdiction_id)
    start = from_ or now
    if type is not None:
        policy = ctx.policy_at(start)
        days, unit, version = policy.days_for(type), policy.unit, policy.version
    else:
        assert working_days is not None
        days, unit, version = working_days, "working_days", None
    due_at = ctx.calendar.add_days(start, days, unit)
    return DeadlineOut(
        from_=start,
        working_days=days,
        unit=unit,
        due_at=due_at,
        timezone=ctx.timezone,
        policy_version=version,
    )
