"""Jurisdiction set-up and the per-jurisdiction context (calendar, policies) the clock needs."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar.workdays import CalendarOverride as Override
from app.calendar.workdays import WorkCalendar
from app.jurisdictions.models import CalendarOverride, Jurisdiction, SlaPolicy
from app.jurisdictions.policy import DEFAULT_POLICY_VALUES, Policy, policy_in_force
from app.kernel.cache import TTLCache
from app.kernel.errors import Conflict, Invalid, NotFound

# Other processes see a changed calendar or a new policy version within this many seconds; the
# process that made the change sees it at once (see `invalidate`).
CONTEXT_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class JurisdictionContext:
    id: uuid.UUID
    code: str
    name: str
    timezone: str
    calendar: WorkCalendar
    policies: list[Policy]

    def policy_at(self, instant: datetime) -> Policy:
        return policy_in_force(self.policies, self.calendar.local_date(instant))


_cache: TTLCache[uuid.UUID, JurisdictionContext] = TTLCache(CONTEXT_CACHE_SECONDS)


def invalidate_after_commit(session: AsyncSession, jurisdiction_id: uuid.UUID) -> None:
    """Drop the cached context once the change is committed (see `TTLCache`)."""
    _cache.invalidate_after_commit(session, jurisdiction_id)


def invalidate(jurisdiction_id: uuid.UUID) -> None:
    _cache.invalidate(jurisdiction_id)


def as_policy(row: SlaPolicy) -> Policy:
    """The plain value of a stored version."""
    return Policy(
        id=row.id,
        version=row.version,
        effective_from=row.effective_from,
        unit="calendar_days" if row.unit == "calendar_days" else "working_days",
        information_days=row.information_days,
        non_field_days=row.non_field_days,
        field_inspection_days=row.field_inspection_days,
        verification_days=row.verification_days,
        needs_info_days=row.needs_info_days,
        auto_close_days=row.auto_close_days,
    )


async def load_context(session: AsyncSession, jurisdiction_id: uuid.UUID) -> JurisdictionContext:
    """The jurisdiction with its calendar and policy versions (cached briefly)."""
    return await _cache.get(jurisdiction_id, lambda _: _read_context(session, jurisdiction_id))


async def _read_context(session: AsyncSession, jurisdiction_id: uuid.UUID) -> JurisdictionContext:
    jur = await session.get(Jurisdiction, jurisdiction_id)
    if jur is None:
        raise NotFound("Unknown jurisdiction.", code="jurisdiction_not_found")
    overrides = (
        await session.scalars(
            select(CalendarOverride).where(CalendarOverride.jurisdiction_id == jurisdiction_id)
        )
    ).all()
    policies = (
        await session.scalars(select(SlaPolicy).where(SlaPolicy.jurisdiction_id == jurisdiction_id))
    ).all()
    calendar = WorkCalendar(
        jur.timezone,
        [Override(day=o.day, kind=o.kind, name=o.name) for o in overrides],  # type: ignore[arg-type]
    )
    return JurisdictionContext(
        jur.id, jur.code, jur.name, jur.timezone, calendar, [as_policy(p) for p in policies]
    )


async def policy_of(
    session: AsyncSession, ctx: JurisdictionContext, policy_id: uuid.UUID
) -> Policy:
    """A complaint's own version. Versions never change once made, but one made in another
    process may be missing from a context cached here before it: then the context is reloaded."""
    found = next((p for p in ctx.policies if p.id == policy_id), None)
    if found is None:
        invalidate(ctx.id)
        fresh = await load_context(session, ctx.id)
        found = next((p for p in fresh.policies if p.id == policy_id), None)
    if found is None:
        raise LookupError(f"policy {policy_id} is not jurisdiction {ctx.code}'s")
    return found


async def codes(session: AsyncSession) -> dict[uuid.UUID, str]:
    """Every jurisdiction's Kemendagri code by id."""
    return dict((await session.execute(select(Jurisdiction.id, Jurisdiction.code))).all())


async def id_by_code(session: AsyncSession, code: str) -> uuid.UUID | None:
    """The jurisdiction with this Kemendagri code, if there is one."""
    return await session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == code))


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid.field("timezone", f"Unknown IANA time zone '{name}'.") from exc
    return name


async def create_jurisdiction(
    session: AsyncSession, code: str, name: str, timezone: str, policy_from: date | None = None
) -> Jurisdiction:
    """A new jurisdiction with version 1 of the default SLA policy."""
    check_timezone(timezone)
    existing = await session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if existing is not None:
        raise Conflict(f"Jurisdiction {code} exists already.", code="jurisdiction_exists")
    jur = Jurisdiction(code=code, name=name, timezone=timezone)
    session.add(jur)
    await session.flush()
    await session.execute(
        insert(SlaPolicy).values(
            jurisdiction_id=jur.id,
            version=1,
            effective_from=policy_from or date(2000, 1, 1),
            legal_basis="Default policy (DOMAIN.md): working days 5/14/60",
            **DEFAULT_POLICY_VALUES,
        )
    )
    return jur


async def list_overrides(session: AsyncSession, jurisdiction_id: uuid.UUID) -> list[Override]:
    rows = await session.scalars(
        select(CalendarOverride)
        .where(CalendarOverride.jurisdiction_id == jurisdiction_id)
        .order_by(CalendarOverride.day)
    )
    return [Override(day=r.day, kind=r.kind, name=r.name) for r in rows]  # type: ignore[arg-type]


async def put_override(session: AsyncSession, jurisdiction_id: uuid.UUID, o: Override) -> None:
    """Add or replace the override of one date; this process sees it at once."""
    await session.execute(
        pg_insert(CalendarOverride)
        .values(jurisdiction_id=jurisdiction_id, day=o.day, kind=o.kind, name=o.name)
        .on_conflict_do_update(
            index_elements=["jurisdiction_id", "day"], set_={"kind": o.kind, "name": o.name}
        )
    )
    invalidate_after_commit(session, jurisdiction_id)


async def delete_override(session: AsyncSession, jurisdiction_id: uuid.UUID, day: date) -> bool:
    result = await session.execute(
        delete(CalendarOverride).where(
            CalendarOverride.jurisdiction_id == jurisdiction_id, CalendarOverride.day == day
        )
    )
    invalidate_after_commit(session, jurisdiction_id)
    return bool(result.rowcount)  # type: ignore[attr-defined]
