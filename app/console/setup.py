"""Set-up pages: agencies, their liaisons (with the decree's validity), categories and routing
rules with the rule tester. Reads and writes go to the routing package's own services, with the
routing API's roles: admins change things, supervisors (Inspektorat) read."""

import uuid
from typing import Annotated, get_args

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.console.guard import Staff, console_router, parse_form
from app.console.pages import page
from app.jurisdictions.service import load_context
from app.kernel.deps import DB, Now
from app.kernel.security import ADMIN, CONSOLE_PATH, SUPERVISOR, Principal
from app.routing import categories, rules_service, schemas, service

router = console_router("/pengaturan")

Admin = Annotated[Principal, Depends(Staff(ADMIN))]
Supervising = Annotated[Principal, Depends(Staff(ADMIN, SUPERVISOR))]
ALL = 200
HERE = f"{CONSOLE_PATH}/pengaturan"


def _back(anchor: str) -> Response:
    return RedirectResponse(f"{HERE}?selesai={anchor}#{anchor}", status_code=303)


async def _setup_page(
    request: Request, principal: Principal, db: DB, now: Now, **extra: object
) -> Response:
    ctx = await load_context(db, principal.jurisdiction_id)
    agencies = (await service.list_agencies(db, ctx, ALL, None, now)).items
    cats = (await categories.list_categories(db, ctx.id, ALL, None)).items
    rules = (await rules_service.list_rules(db, ctx.id, ALL, None)).items
    return page(
        request,
        "setup.html",
        principal,
        agencies=agencies,
        agency_names={a.id: f"{a.code} · {a.name}" for a in agencies},
        categories=cats,
        category_names={c.id: c.name for c in cats},
        rules=rules,
        may_edit=principal.role == ADMIN,
        kinds=get_args(schemas.AgencyKind),
        done=request.query_params.get("selesai"),
        explanation=extra.get("explanation"),
    )


@router.get("")
async def setup(request: Request, principal: Supervising, db: DB, now: Now) -> Response:
    return await _setup_page(request, principal, db, now)


@router.post("/instansi")
async def create_agency(request: Request, principal: Admin, db: DB) -> Response:
    body = await parse_form(request, schemas.AgencyIn)
    ctx = await load_context(db, principal.jurisdiction_id)
    await service.create_agency(db, ctx, body)
    return _back("instansi")


@router.get("/instansi/{agency_id}")
async def agency(
    agency_id: uuid.UUID, request: Request, principal: Supervising, db: DB, now: Now
) -> Response:
    ctx = await load_context(db, principal.jurisdiction_id)
    found = await service.get_agency(db, ctx, agency_id, now)
    liaisons = await service.list_liaisons(db, ctx, agency_id, now)
    return page(
        request,
        "agency.html",
        principal,
        agency=found,
        liaisons=liaisons.items,
        may_edit=principal.role == ADMIN,
        kinds=get_args(schemas.AgencyKind),
        done=request.query_params.get("selesai"),
        tz=ctx.timezone,
    )


@router.post("/instansi/{agency_id}/penghubung")
async def add_liaison(
    agency_id: uuid.UUID, request: Request, principal: Admin, db: DB, now: Now
) -> Response:
    body = await parse_form(request, schemas.LiaisonIn)
    ctx = await load_context(db, principal.jurisdiction_id)
    await service.add_liaison(db, ctx, agency_id, body, now)
    return RedirectResponse(f"{HERE}/instansi/{agency_id}", status_code=303)


@router.post("/kategori")
async def create_category(request: Request, principal: Admin, db: DB) -> Response:
    body = await parse_form(request, schemas.CategoryIn)
    await categories.create_category(db, principal.jurisdiction_id, body)
    return _back("kategori")


@router.post("/aturan")
async def create_rule(request: Request, principal: Admin, db: DB) -> Response:
    body = await parse_form(request, schemas.RuleIn, lists=frozenset({"keywords"}))
    await rules_service.create_rule(db, principal.jurisdiction_id, body)
    return _back("aturan")


@router.post("/aturan/uji")
async def test_rules(request: Request, principal: Supervising, db: DB, now: Now) -> Response:
    """The rule tester: where a sample complaint would go now and why (nothing is stored)."""
    body = await parse_form(request, schemas.RuleTestIn)
    ctx = await load_context(db, principal.jurisdiction_id)
    explanation = await rules_service.explain(db, ctx, body, now)
    return await _setup_page(request, principal, db, now, explanation=explanation)


@router.post("/instansi/{agency_id}")
async def update_agency(
    agency_id: uuid.UUID, request: Request, principal: Admin, db: DB, now: Now
) -> Response:
    body = await parse_form(request, schemas.AgencyPatch)
    ctx = await load_context(db, principal.jurisdiction_id)
    await service.update_agency(db, ctx, agency_id, body, now)
    return RedirectResponse(f"{HERE}/instansi/{agency_id}?selesai=ubah", status_code=303)


@router.post("/kategori/{category_id}")
async def update_category(
    category_id: uuid.UUID, request: Request, principal: Admin, db: DB
) -> Response:
    body = await parse_form(request, schemas.CategoryPatch)
    await categories.update_category(db, principal.jurisdiction_id, category_id, body)
    return _back("kategori")


@router.post("/aturan/{rule_id}/aktif")
async def toggle_rule(rule_id: uuid.UUID, principal: Admin, db: DB) -> Response:
    """Switch a rule on or off, every other field kept (the API's PUT with one field changed)."""
    rule = await rules_service.get_rule(db, principal.jurisdiction_id, rule_id)
    fields = rule.model_dump(exclude={"id", "active"})
    body = schemas.RuleIn(**fields, active=not rule.active)
    await rules_service.replace_rule(db, principal.jurisdiction_id, rule_id, body)
    return _back("aturan")
