"""Routing rules: maintained by the admins, applied at verification, explained on request."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.classification.rules import classify
from app.errors import NotFound
from app.jurisdictions.service import JurisdictionContext
from app.routing import regions_service, schemas
from app.routing.decide import RuleSpec, Sample, evaluate
from app.routing.models import Agency, Category, RoutingRule
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
    query = select(RoutingRule).where(RoutingRule.jurisdiction_id == jurisdiction_id)
    if cursor:
        query = query.where(RoutingRule.position > int(cursor))
    rows = list(
        (
            await session.scalars(
                query.order_by(RoutingRule.position, RoutingRule.created_at).limit(limit + 1)
            )
        ).all()
    )
    page = rows[:limit]
    return schemas.RulePage(
        items=[_out(r) for r in page],
        next_cursor=str(page[-1].position) if len(rows) > limit else None,
    )


async def create_rule(
    session: AsyncSession, jurisdiction_id: uuid.UUID, body: schemas.RuleIn
) -> schemas.RuleOut:
    """A new rule at `position` (lower positions are checked first)."""
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
    row = await _rule(session, jurisdiction_id, rule_id)
    await _check_refs(session, jurisdiction_id, body)
    for key, value in body.model_dump().items():
        setattr(row, key, value)
    await session.flush()
    return _out(row)


async def delete_rule(
    session: AsyncSession, jurisdiction_id: uuid.UUID, rule_id: uuid.UUID
) -> None:
    result = await session.execute(
        delete(RoutingRule).where(
            RoutingRule.id == rule_id, RoutingRule.jurisdiction_id == jurisdiction_id
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise RuleNotFound("No such routing rule.")


@dataclass(frozen=True)
class Decision:
    outcome: str  # "rule", "category_default" or "triage"
    agency: Agency | None
    reason: str
    region: dict[str, Any] | None
    rules: list[dict[str, Any]]
    rule_id: uuid.UUID | None = None

    def as_event_data(self) -> dict[str, Any]:
        return {
            "routed_by": self.outcome,
            "rule_id": str(self.rule_id) if self.rule_id else None,
            "reason": self.reason,
            "region": self.region,
            "rules_checked": self.rules,
        }


async def decide(
    session: AsyncSession,
    ctx: JurisdictionContext,
    sample: Sample,
    address: str | None,
) -> Decision:
    """First matching active rule, else the category's default agency, else the triage queue."""
    region: dict[str, Any] | None = None
    if sample.region_code is None and address:
        match = await regions_service.resolve_address(session, ctx.code, address)
        if match is not None:
            region = {
                "code": match.place.code,
                "name": match.place.name,
                "score": round(match.score, 1),
                "from": "address",
            }
            sample = Sample(
                sample.text, sample.title, sample.category_id, match.place.code, sample.channel
            )
    elif sample.region_code is not None:
        region = {"code": sample.region_code, "from": "given"}
    rows = (
        await session.scalars(
            select(RoutingRule)
            .join(Agency, Agency.id == RoutingRule.agency_id)
            .where(RoutingRule.jurisdiction_id == ctx.id, RoutingRule.active, Agency.active)
            # Equal positions: the older rule first, so a tie never depends on the plan.
            .order_by(RoutingRule.position, RoutingRule.created_at, RoutingRule.id)
        )
    ).all()
    specs = [
        RuleSpec(
            r.id,
            r.position,
            r.name,
            r.agency_id,
            r.category_id,
            r.region_prefix,
            tuple(r.keywords),
            r.channel,
        )
        for r in rows
    ]
    winner, checks = evaluate(specs, sample)
    explained = [c.as_json() for c in checks]
    if winner is not None:
        agency = await session.get(Agency, winner.rule.agency_id)
        hits = ", ".join(
            f"{c['kind']}={c.get('hit') or c.get('actual') or c['expected']}"
            for c in winner.conditions
        )
        return Decision(
            "rule",
            agency,
            f"rule #{winner.rule.position} '{winner.rule.name}' matched ({hits})",
            region,
            explained,
            winner.rule.id,
        )
    if sample.category_id is not None:
        category = await session.get(Category, sample.category_id)
        if category is not None and category.default_agency_id is not None:
            agency = await session.get(Agency, category.default_agency_id)
            if agency is not None and agency.active:
                return Decision(
                    "category_default",
                    agency,
                    f"no rule matched; default agency of category '{category.code}'",
                    region,
                    explained,
                )
    return Decision(
        "triage",
        None,
        "no rule matched and no category default: left for the admins' triage",
        region,
        explained,
    )


async def explain(
    session: AsyncSession, ctx: JurisdictionContext, body: schemas.RuleTestIn
) -> schemas.RouteExplanation:
    """Where a sample complaint would go now, and why (nothing is stored)."""
    category_id, category = body.category_id, None
    if category_id is not None:
        await check_category(session, ctx.id, category_id)
        category = {"id": str(category_id), "from": "given"}
    else:
        # As at verification: without a category, the classifier's suggestion routes.
        code = classify(body.text, body.title).category.value
        found = await session.scalar(
            select(Category).where(
                Category.jurisdiction_id == ctx.id, Category.code == code, Category.active
            )
        )
        if found is not None:
            category_id = found.id
            category = {"id": str(found.id), "code": found.code, "from": "suggestion"}
    sample = Sample(body.text, body.title, category_id, body.region_code, body.channel)
    decision = await decide(session, ctx, sample, body.address)
    agency = decision.agency
    return schemas.RouteExplanation(
        outcome=decision.outcome,
        agency={"id": str(agency.id), "code": agency.code, "name": agency.name} if agency else None,
        reason=decision.reason,
        category=category,
        region=decision.region,
        rules=decision.rules,
        liaison=await dispatch_notice(session, ctx, agency, datetime.now(UTC)) if agency else None,
    )
