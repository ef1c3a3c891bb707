"""Routing rules: maintained by the admins, applied at verification, explained on request."""

import uuid
from datetime import datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.jurisdictions.service import JurisdictionContext
from app.kernel.errors import NotFound
from app.kernel.pagination import decode_key, encode_key, identifier, instant, integer
from app.routing import reference, schemas
from app.routing.decide import Sample
from app.routing.decision import suggest_and_route
from app.routing.models import RoutingRule
from app.routing.service import active_agency, check_category, dispatch_notice


class RuleNotFound(NotFound):
    code = "routing_rule_not_found"


def _out(r: RoutingRule) -> schemas.RuleOut:
    return schemas.RuleOut(
        id=r.id,
        name=r.name,
        position=r.position,
        agency_id=r.agency_id,
        category_id=r.category_id,
        region_prefix=r.region_prefix,
        keywords=r.keywords,
        channel=r.channel,
        active=r.active,
    )


async def _check_refs(
    session: AsyncSession, jurisdiction_id: uuid.UUID, body: schemas.RuleIn
) -> None:
    await active_agency(session, jurisdiction_id, body.agency_id)
    if body.category_id is not None:
        await check_category(session, jurisdiction_id, body.category_id)


async def list_rules(
    session: AsyncSession, jurisdiction_id: uuid.UUID, limit: int, cursor: str | None
) -> schemas.RulePage:
    """In the order routing checks them: position, then age (positions may repeat, so the
    cursor holds the whole key and no rule falls between two pages)."""
    key = (RoutingRule.position, RoutingRule.created_at, RoutingRule.id)
    query = select(RoutingRule).where(RoutingRule.jurisdiction_id == jurisdiction_id)
    if cursor:
        after = decode_key(cursor, integer, instant, identifier)
        query = query.where(tuple_(*key) > tuple_(*after))
    rows = list((await session.scalars(query.order_by(*key).limit(limit + 1))).all())
    page = rows[:limit]
    last = page[-1] if len(rows) > limit else None
    return schemas.RulePage(
        items=[_out(r) for r in page],
        next_cursor=(
            encode_key([last.position, last.created_at.isoformat(), str(last.id)]) if last else None
        ),
    )


async def create_rule(
    session: AsyncSession, jurisdiction_id: uuid.UUID, body: schemas.RuleIn
) -> schemas.RuleOut:
    """A new rule at `position` (lower positions are checked first)."""
    reference.changed(session, jurisdiction_id)
    await _check_refs(session, jurisdiction_id, body)
    row = RoutingRule(jurisdiction_id=jurisdiction_id, **body.model_dump())
    session.add(row)
    await session.flush()
    return _out(row)


async def _rule(
    session: AsyncSession, jurisdiction_id: uuid.UUID, rule_id: uuid.UUID
) -> RoutingRule:
    row = await session.scalar(
        select(RoutingRule).where(
            RoutingRule.id == rule_id, RoutingRule.jurisdiction_id == jurisdiction_id
        )
    )
    if row is None:
        raise RuleNotFound("No such routing rule.")
    return row


async def get_rule(
    session: AsyncSession, jurisdiction_id: uuid.UUID, rule_id: uuid.UUID
) -> schemas.RuleOut:
    return _out(await _rule(session, jurisdiction_id, rule_id))


async def replace_rule(
    session: AsyncSession, jurisdiction_id: uuid.UUID, rule_id: uuid.UUID, body: schemas.RuleIn
) -> schemas.RuleOut:
    """Replace every field of a rule."""
    reference.changed(session, jurisdiction_id)
    row = await _rule(session, jurisdiction_id, rule_id)
    await _check_refs(session, jurisdiction_id, body)
    for key, value in body.model_dump().items():
        setattr(row, key, value)
    await session.flush()
    return _out(row)


async def delete_rule(
    session: AsyncSession, jurisdiction_id: uuid.UUID, rule_id: uuid.UUID
) -> None:
    reference.changed(session, jurisdiction_id)
    result = await session.execute(
        delete(RoutingRule).where(
            RoutingRule.id == rule_id, RoutingRule.jurisdiction_id == jurisdiction_id
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise RuleNotFound("No such routing rule.")


async def explain(
    session: AsyncSession,
    ctx: JurisdictionContext,
    body: schemas.RuleTestIn,
    now: datetime,
) -> schemas.RouteExplanation:
    """Where a sample complaint would go now, and why (nothing is stored): intake's own path."""
    if body.category_id is not None:
        await check_category(session, ctx.id, body.category_id)
    sample = Sample(body.text, body.title, body.category_id, body.region_code, body.channel)
    routed = await suggest_and_route(session, ctx, sample, body.address)
    decision = routed.decision
    agency = decision.agency
    return schemas.RouteExplanation(
        **decision.summary(),
        agency={"id": str(agency.id), "code": agency.code, "name": agency.name} if agency else None,
        category=routed.category,
        rules=decision.rules,
        liaison=await dispatch_notice(session, ctx, agency, now) if agency else None,
    )
