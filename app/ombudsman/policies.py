"""Versions of a jurisdiction's Ombudsman deadlines, chosen by the rule the SLA policy uses
(`policy_in_force`): the newest effective on the local day; DEFAULT (version 0) before any."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.jurisdictions.policy import policy_in_force
from app.jurisdictions.service import JurisdictionContext, load_context
from app.kernel.errors import Conflict, Invalid
from app.ombudsman import schemas
from app.ombudsman.models import OmbudsmanPolicy as Row
from app.ombudsman.policy import DAY_FIELDS, DEFAULT, DEFAULT_LEGAL_BASIS, OmbudsmanPolicy


class PolicyDateTaken(Conflict):
    code = "policy_date_taken"


def _value(row: Row) -> OmbudsmanPolicy:
    return OmbudsmanPolicy(
        id=row.id,
        version=row.version,
        effective_from=row.effective_from,
        **{f: getattr(row, f) for f in DAY_FIELDS},
    )


async def versions(
    session: AsyncSession, jurisdiction_id: uuid.UUID
) -> list[tuple[OmbudsmanPolicy, str | None]]:
    rows = await session.scalars(
        select(Row).where(Row.jurisdiction_id == jurisdiction_id).order_by(Row.version)
    )
    # The built-in default stays version 0 under every jurisdiction's own versions: it holds
    # until the first of them takes effect.
    return [(DEFAULT, DEFAULT_LEGAL_BASIS), *((_value(r), r.legal_basis) for r in rows)]


async def in_force(
    session: AsyncSession, ctx: JurisdictionContext, instant: datetime
) -> OmbudsmanPolicy:
    """The version in force on the local day of `instant`."""
    return policy_in_force(
        [p for p, _ in await versions(session, ctx.id)], ctx.calendar.local_date(instant)
    )


async def of_case(
    session: AsyncSession, jurisdiction_id: uuid.UUID, policy_id: uuid.UUID | None
) -> OmbudsmanPolicy:
    """The version a case was taken in under (DEFAULT for version 0)."""
    if policy_id is None:
        return DEFAULT
    row = await session.get(Row, policy_id)
    if row is None or row.jurisdiction_id != jurisdiction_id:
        raise LookupError(f"ombudsman policy {policy_id} is not this jurisdiction's")
    return _value(row)


def _out(p: OmbudsmanPolicy, basis: str | None, current: OmbudsmanPolicy) -> schemas.PolicyOut:
    return schemas.PolicyOut(
        id=p.id,
        version=p.version,
        effective_from=p.effective_from,
        legal_basis=basis,
        in_force=p.version == current.version,
        **{f: getattr(p, f) for f in DAY_FIELDS},
    )


async def list_policies(
    session: AsyncSession, jurisdiction_id: uuid.UUID, now: datetime
) -> schemas.PolicyList:
    """Every version, newest first, the one in force today flagged."""
    ctx = await load_context(session, jurisdiction_id)
    found = await versions(session, jurisdiction_id)
    current = policy_in_force([p for p, _ in found], ctx.calendar.local_date(now))
    return schemas.PolicyList(items=[_out(p, b, current) for p, b in reversed(found)])


async def create_policy(
    session: AsyncSession, jurisdiction_id: uuid.UUID, body: schemas.PolicyIn, now: datetime
) -> schemas.PolicyOut:
    """The next version, effective from a local date not in the past; cases keep theirs."""
    ctx = await load_context(session, jurisdiction_id)
    today = ctx.calendar.local_date(now)
    if body.effective_from < today:
        raise Invalid.field(
            "effective_from",
            f"effective_from must be today ({today.isoformat()}, {ctx.timezone}) or later.",
            code="effective_from_in_past",
        )
    found = await session.scalar(
        select(Row.version).where(
            Row.jurisdiction_id == jurisdiction_id, Row.effective_from == body.effective_from
        )
    )
    if found is not None:
        raise PolicyDateTaken(f"Version {found} already starts on {body.effective_from}.")
    latest = await session.scalar(
        select(func.max(Row.version)).where(Row.jurisdiction_id == jurisdiction_id)
    )
    row = Row(
        jurisdiction_id=jurisdiction_id,
        version=(latest or 0) + 1,
        created_at=now,
        **body.model_dump(),
    )
    session.add(row)
    await session.flush()
    value = _value(row)
    current = policy_in_force([p for p, _ in await versions(session, jurisdiction_id)], today)
    return _out(value, row.legal_basis, current)
