"""SLA policy versions: list them, add one. A complaint keeps the version it was verified
under (its `policy_id`), so a new version never moves an existing deadline."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.jurisdictions.models import Jurisdiction, JurisdictionEvent, SlaPolicy
from app.jurisdictions.policy import policy_in_force
from app.jurisdictions.schemas import PolicyIn, PolicyList, PolicyOut
from app.jurisdictions.service import as_policy, invalidate_after_commit, load_context
from app.kernel.errors import Conflict, Invalid, NotFound

# The holidays package, and so the calendar, covers no further.
LAST_YEAR = 2100


class PolicyNotFound(NotFound):
    code = "policy_not_found"


class PolicyDateTaken(Conflict):
    code = "policy_date_taken"


async def _rows(session: AsyncSession, jurisdiction_id: uuid.UUID) -> list[SlaPolicy]:
    return list(
        await session.scalars(
            select(SlaPolicy)
            .where(SlaPolicy.jurisdiction_id == jurisdiction_id)
            .order_by(SlaPolicy.effective_from.desc(), SlaPolicy.version.desc())
        )
    )


def _out(row: SlaPolicy, in_force_id: uuid.UUID) -> PolicyOut:
    return PolicyOut.model_validate(
        {c: getattr(row, c) for c in PolicyOut.model_fields if c != "in_force"}
        | {"in_force": row.id == in_force_id}
    )


async def _listed(
    session: AsyncSession, jurisdiction_id: uuid.UUID, now: datetime
) -> list[PolicyOut]:
    # Read fresh, not from the cached context: an admin checking what they just scheduled, in
    # another process, must not see the list of ten seconds ago.
    rows = await _rows(session, jurisdiction_id)
    ctx = await load_context(session, jurisdiction_id)
    today = ctx.calendar.local_date(now)
    in_force = policy_in_force([as_policy(r) for r in rows], today)
    return [_out(r, in_force.id) for r in rows]


async def list_policies(
    session: AsyncSession, jurisdiction_id: uuid.UUID, now: datetime
) -> PolicyList:
    """Every version of the jurisdiction's SLA policy, with the one in force today flagged."""
    return PolicyList(items=await _listed(session, jurisdiction_id, now))


async def get_policy(
    session: AsyncSession, jurisdiction_id: uuid.UUID, policy_id: uuid.UUID, now: datetime
) -> PolicyOut:
    """One version; 404 when it is not this jurisdiction's."""
    for item in await _listed(session, jurisdiction_id, now):
        if item.id == policy_id:
            return item
    raise PolicyNotFound("No such policy version.")


async def create_policy(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    actor: dict[str, str],
    body: PolicyIn,
    now: datetime,
) -> PolicyOut:
    """Add the next version, effective from a local date that is not in the past."""
    # One writer per jurisdiction at a time: the next version number and the date check below
    # then see every committed version (the unique constraints are the backstop). FOR NO KEY
    # UPDATE, not FOR UPDATE: intake's foreign keys to this row (KEY SHARE) must not wait.
    await session.execute(
        select(Jurisdiction.id)
        .where(Jurisdiction.id == jurisdiction_id)
        .with_for_update(key_share=True)
    )
    ctx = await load_context(session, jurisdiction_id)
    today = ctx.calendar.local_date(now)
    if body.effective_from < today:
        raise Invalid.field(
            "effective_from",
            f"effective_from must be today ({today.isoformat()}, {ctx.timezone}) or later: "
            "complaints already verified keep the version they got.",
            code="effective_from_in_past",
        )
    if body.effective_from.year > LAST_YEAR:
        raise Invalid.field("effective_from", f"effective_from must be in {LAST_YEAR} or before.")
    taken = await session.scalar(
        select(SlaPolicy.version).where(
            SlaPolicy.jurisdiction_id == jurisdiction_id,
            SlaPolicy.effective_from == body.effective_from,
        )
    )
    if taken is not None:
        raise PolicyDateTaken(
            f"Version {taken} already starts on {body.effective_from.isoformat()}; "
            "choose another date.",
            details=[{"field": "effective_from", "message": f"taken by version {taken}"}],
        )
    latest = await session.scalar(
        select(func.max(SlaPolicy.version)).where(SlaPolicy.jurisdiction_id == jurisdiction_id)
    )
    row = SlaPolicy(jurisdiction_id=jurisdiction_id, version=(latest or 0) + 1, created_at=now)
    for name, value in body.model_dump().items():
        setattr(row, name, value)
    session.add(row)
    await session.flush()
    session.add(
        JurisdictionEvent(
            jurisdiction_id=jurisdiction_id,
            type="policy_created",
            occurred_at=now,
            actor=actor,
            data={"policy_id": str(row.id), "version": row.version} | body.model_dump(mode="json"),
        )
    )
    invalidate_after_commit(session, jurisdiction_id)
    in_force = policy_in_force([as_policy(r) for r in await _rows(session, jurisdiction_id)], today)
    return _out(row, in_force.id)
