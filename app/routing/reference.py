"""What a routing decision reads besides the complaint, cached briefly per process.

Intake decides for every complaint, so the rules, the agencies, the categories and the
threshold setting are read in four queries at most once per `CACHE_SECONDS` per jurisdiction
and process (`app/kernel/cache.py`). A change made through this service drops the cache when its
transaction commits (`changed`); another process sees it within `CACHE_SECONDS`.
"""

import uuid
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kernel.cache import TTLCache
from app.routing.decide import RuleSpec
from app.routing.models import Agency, Category, RoutingRule, RoutingSettings

CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class AgencyRef:
    id: uuid.UUID
    code: str
    name: str
    region_code: str | None = None  # the area an area office serves


@dataclass(frozen=True)
class CategoryRef:
    id: uuid.UUID
    code: str
    default_agency_id: uuid.UUID | None


@dataclass(frozen=True)
class Reference:
    rules: list[RuleSpec]  # active rules to active agencies, in the order they are checked
    agencies: dict[uuid.UUID, AgencyRef]  # the active ones
    every_agency: dict[uuid.UUID, AgencyRef]  # active or not: a complaint's detail names its own
    categories: dict[uuid.UUID, CategoryRef]  # the active ones
    threshold_setting: float | None

    @cached_property
    def areas(self) -> dict[str, str]:
        """The active area offices: agency id (as the model labels it) -> the area served."""
        return {str(a.id): a.region_code for a in self.agencies.values() if a.region_code}

    def category_id(self, code: str | None) -> uuid.UUID | None:
        return next((c.id for c in self.categories.values() if c.code == code), None)


_cache: TTLCache[uuid.UUID, Reference] = TTLCache(CACHE_SECONDS)


def changed(session: AsyncSession, jurisdiction_id: uuid.UUID) -> None:
    """Rules, agencies, categories or settings changed in this transaction: forget at commit."""
    _cache.invalidate_after_commit(session, jurisdiction_id)


async def load(session: AsyncSession, jurisdiction_id: uuid.UUID) -> Reference:
    """The jurisdiction's routing reference data (cached, see the module docstring)."""
    return await _cache.get(jurisdiction_id, lambda _: read(session, jurisdiction_id))


async def read(session: AsyncSession, jurisdiction_id: uuid.UUID) -> Reference:
    """The same, read fresh: for work that must see every committed change (training)."""
    rules = (
        await session.scalars(
            select(RoutingRule)
            .join(Agency, Agency.id == RoutingRule.agency_id)
            .where(
                RoutingRule.jurisdiction_id == jurisdiction_id, RoutingRule.active, Agency.active
            )
            # Equal positions: the older rule first, so a tie never depends on the plan.
            .order_by(RoutingRule.position, RoutingRule.created_at, RoutingRule.id)
        )
    ).all()
    agencies = (
        await session.execute(
            select(Agency.id, Agency.code, Agency.name, Agency.region_code, Agency.active).where(
                Agency.jurisdiction_id == jurisdiction_id
            )
        )
    ).all()
    every_agency = {a.id: AgencyRef(a.id, a.code, a.name, a.region_code) for a in agencies}
    categories = (
        await session.execute(
            select(Category.id, Category.code, Category.default_agency_id)
            .where(Category.jurisdiction_id == jurisdiction_id, Category.active)
            .order_by(Category.code)
        )
    ).all()
    setting = await session.scalar(
        select(RoutingSettings.auto_dispatch_threshold).where(
            RoutingSettings.jurisdiction_id == jurisdiction_id
        )
    )
    return Reference(
        rules=[
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
            for r in rules
        ],
        agencies={a.id: every_agency[a.id] for a in agencies if a.active},
        every_agency=every_agency,
        categories={c.id: CategoryRef(c.id, c.code, c.default_agency_id) for c in categories},
        threshold_setting=setting,
    )


async def category_names(session: AsyncSession, ids: list[uuid.UUID]) -> dict[str, str]:
    """The names of these categories, active or not, by id as text (read fresh, not cached)."""
    if not ids:
        return {}
    rows = await session.execute(select(Category.id, Category.name).where(Category.id.in_(ids)))
    return {str(cid): name for cid, name in rows}


async def agency_codes(session: AsyncSession, jurisdiction_id: uuid.UUID) -> dict[str, str]:
    """Every agency's code (active or not) by id as text, read fresh."""
    rows = await session.execute(
        select(Agency.id, Agency.code).where(Agency.jurisdiction_id == jurisdiction_id)
    )
    return {str(aid): code for aid, code in rows}
