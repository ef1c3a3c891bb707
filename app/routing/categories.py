"""The category tree of a jurisdiction: each node optionally with a default agency and type."""

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kernel.errors import Conflict, Invalid, NotFound
from app.routing import reference, schemas
from app.routing.models import Category, RoutingRule
from app.routing.service import active_agency, delete_unused


class CategoryNotFound(NotFound):
    code = "category_not_found"


def _category_out(c: Category) -> schemas.CategoryOut:
    return schemas.CategoryOut(
        id=c.id,
        code=c.code,
        name=c.name,
        parent_id=c.parent_id,
        default_agency_id=c.default_agency_id,
        default_type=c.default_type,
        active=c.active,
    )


async def _check_category_refs(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    changes: dict[str, Any],
    own: uuid.UUID | None,
) -> None:
    if changes.get("default_agency_id") is not None:
        await active_agency(
            session, jurisdiction_id, changes["default_agency_id"], "default_agency_id"
        )
    parent = changes.get("parent_id")
    if parent is not None:
        if parent == own:
            raise Invalid.field("parent_id", "A category cannot be its own parent.")
        found = await session.scalar(
            select(Category.id).where(
                Category.id == parent, Category.jurisdiction_id == jurisdiction_id
            )
        )
        if found is None:
            raise Invalid.field("parent_id", "Unknown parent category.", code="unknown_category")


async def list_categories(
    session: AsyncSession, jurisdiction_id: uuid.UUID, limit: int, cursor: str | None
) -> schemas.CategoryPage:
    query = (
        select(Category).where(Category.jurisdiction_id == jurisdiction_id).order_by(Category.code)
    )
    if cursor:
        query = query.where(Category.code > cursor)
    rows = list((await session.scalars(query.limit(limit + 1))).all())
    page = rows[:limit]
    return schemas.CategoryPage(
        items=[_category_out(c) for c in page],
        next_cursor=page[-1].code if len(rows) > limit else None,
    )


async def create_category(
    session: AsyncSession, jurisdiction_id: uuid.UUID, body: schemas.CategoryIn
) -> schemas.CategoryOut:
    """A node of the category tree, optionally with a default agency and type."""
    reference.changed(session, jurisdiction_id)
    await _check_category_refs(session, jurisdiction_id, body.model_dump(), None)
    taken = await session.scalar(
        select(Category.id).where(
            Category.jurisdiction_id == jurisdiction_id, Category.code == body.code
        )
    )
    if taken is not None:
        raise Conflict(f"Category code {body.code} exists already.", code="category_code_taken")
    row = Category(jurisdiction_id=jurisdiction_id, **body.model_dump())
    session.add(row)
    await session.flush()
    return _category_out(row)


async def update_category(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    category_id: uuid.UUID,
    body: schemas.CategoryPatch,
) -> schemas.CategoryOut:
    reference.changed(session, jurisdiction_id)
    row = await session.scalar(
        select(Category).where(
            Category.id == category_id, Category.jurisdiction_id == jurisdiction_id
        )
    )
    if row is None:
        raise CategoryNotFound("No such category.")
    changes = body.model_dump(exclude_unset=True)
    await _check_category_refs(session, jurisdiction_id, changes, row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    await session.flush()
    return _category_out(row)


async def delete_category(
    session: AsyncSession, jurisdiction_id: uuid.UUID, category_id: uuid.UUID
) -> None:
    """Delete an unused category; one that complaints, rules or children use: 409."""
    reference.changed(session, jurisdiction_id)
    row = await session.scalar(
        select(Category).where(
            Category.id == category_id, Category.jurisdiction_id == jurisdiction_id
        )
    )
    if row is None:
        raise CategoryNotFound("No such category.")
    rules = await session.scalar(
        select(func.count()).select_from(RoutingRule).where(RoutingRule.category_id == category_id)
    )
    if rules:
        raise Conflict("Routing rules use this category.", code="category_in_use")
    await delete_unused(session, delete(Category).where(Category.id == category_id), "category")
