"""What a jurisdiction holds now, read through its owners' services, and written as a file."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import clients as machine_clients
from app.accounts import service as accounts
from app.district.schema import (
    AgencyEntry,
    CategoryEntry,
    ClientEntry,
    District,
    JurisdictionEntry,
    LiaisonEntry,
    PersonEntry,
    RuleEntry,
)
from app.jurisdictions.service import JurisdictionContext, id_by_code, load_context
from app.kernel.errors import NotFound
from app.routing import categories, rules_service, schemas
from app.routing import service as routing

PAGE = 500


@dataclass
class State:
    ctx: JurisdictionContext
    agencies: dict[str, schemas.AgencyOut] = field(default_factory=dict)  # by code
    liaisons: dict[uuid.UUID, list[schemas.LiaisonOut]] = field(default_factory=dict)
    categories: dict[str, schemas.CategoryOut] = field(default_factory=dict)  # by code
    rules: dict[str, list[schemas.RuleOut]] = field(default_factory=dict)  # by name
    people: dict[str, Any] = field(default_factory=dict)  # by username: accounts' User
    clients: dict[str, list[Any]] = field(default_factory=dict)  # by name: accounts' Client


async def load(session: AsyncSession, ctx: JurisdictionContext, now: datetime) -> State:
    """Everything setup-district manages in this jurisdiction, keyed as the file keys it."""
    state = State(ctx)
    cursor: str | None = None
    while True:
        agency_page = await routing.list_agencies(session, ctx, PAGE, cursor, now)
        state.agencies |= {a.code: a for a in agency_page.items}
        if (cursor := agency_page.next_cursor) is None:
            break
    for agency in state.agencies.values():
        listed = await routing.list_liaisons(session, ctx, agency.id, now)
        state.liaisons[agency.id] = listed.items
    while True:
        category_page = await categories.list_categories(session, ctx.id, PAGE, cursor)
        state.categories |= {c.code: c for c in category_page.items}
        if (cursor := category_page.next_cursor) is None:
            break
    # Rules are paged by position; one page of the maximum a file holds reads them all.
    for rule in (await rules_service.list_rules(session, ctx.id, 1_000_000, None)).items:
        state.rules.setdefault(rule.name, []).append(rule)
    state.people = {u.username: u for u in await accounts.people(session, ctx.id)}
    after: uuid.UUID | None = None
    while True:
        found = await machine_clients.list_page(session, ctx.id, PAGE, after)
        for item in found[:PAGE]:
            state.clients.setdefault(item.client.name, []).append(item.client)
        if len(found) <= PAGE:
            break
        after = found[PAGE - 1].client.id
    return state


async def context_of(session: AsyncSession, code: str) -> JurisdictionContext:
    jurisdiction_id = await id_by_code(session, code)
    if jurisdiction_id is None:
        raise NotFound(f"No jurisdiction with code {code}.", code="jurisdiction_not_found")
    return await load_context(session, jurisdiction_id)


def _liaison(row: schemas.LiaisonOut) -> LiaisonEntry:
    return LiaisonEntry(
        role=row.role,
        name=row.name,
        decree_number=row.decree_number,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        email=row.email,
        phone=row.phone,
    )


async def export(session: AsyncSession, code: str, now: datetime) -> District:
    """The jurisdiction as a district file (no password, no key: only their owners hold them)."""
    ctx = await context_of(session, code)
    state = await load(session, ctx, now)
    agency_codes = {a.id: a.code for a in state.agencies.values()}
    category_codes = {c.id: c.code for c in state.categories.values()}

    def agency_code(agency_id: uuid.UUID | None) -> str | None:
        return agency_codes.get(agency_id) if agency_id else None

    def category_code(category_id: uuid.UUID | None) -> str | None:
        return category_codes.get(category_id) if category_id else None

    agencies = [
        AgencyEntry(
            code=a.code,
            name=a.name,
            kind=a.kind,
            head_email=a.head_email,
            parent=agency_code(a.parent_id),
            region_code=a.region_code,
            active=a.active,
            liaisons=[
                _liaison(r)
                for r in sorted(
                    state.liaisons[a.id], key=lambda r: (r.role != "primary", r.valid_from, r.name)
                )
            ],
        )
        for a in sorted(state.agencies.values(), key=lambda a: a.code)
    ]
    rules = sorted(
        (r for same_name in state.rules.values() for r in same_name),
        key=lambda r: (r.position, r.name),
    )
    return District(
        jurisdiction=JurisdictionEntry(code=ctx.code, name=ctx.name, timezone=ctx.timezone),
        agencies=agencies,
        categories=[
            CategoryEntry(
                code=c.code,
                name=c.name,
                parent=category_code(c.parent_id),
                default_agency=agency_code(c.default_agency_id),
                default_type=c.default_type,
                active=c.active,
            )
            for c in sorted(state.categories.values(), key=lambda c: c.code)
        ],
        rules=[
            RuleEntry(
                name=r.name,
                position=r.position,
                agency=agency_codes[r.agency_id],
                category=category_code(r.category_id),
                region_prefix=r.region_prefix,
                keywords=r.keywords,
                channel=r.channel,
                active=r.active,
            )
            for r in rules
        ],
        people=[
            PersonEntry(
                username=u.username,
                role=u.role,
                agency=agency_code(u.agency_id),
                display_name=u.display_name if u.display_name != u.username else None,
                email=u.email,
            )
            for u in state.people.values()
        ],
        clients=[
            ClientEntry(name=c.name, role=c.role, agency=agency_code(c.agency_id))
            for name in sorted(state.clients)
            for c in state.clients[name]
        ],
    )
