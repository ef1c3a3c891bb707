"""Agency and category look-ups other modules use (they never touch these tables directly)."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid
from app.routing.models import Agency, Category


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
