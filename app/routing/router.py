"""HTTP edge of agencies, liaisons, categories, routing rules and regions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import JSONResponse

from app.jurisdictions.service import load_context
from app.kernel.deps import DB, Now
from app.kernel.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, responses
from app.kernel.idempotency import create_once
from app.kernel.security import ADMIN, STAFF, SUPERVISOR, Allow, Principal
from app.routing import categories, regions_service, rules_service, schemas, service

router = APIRouter(prefix="/v1", tags=["routing"])

Admin = Annotated[Principal, Depends(Allow(ADMIN))]
Staff = Annotated[Principal, Depends(Allow(*STAFF))]
Supervising = Annotated[Principal, Depends(Allow(ADMIN, SUPERVISOR))]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=60)]
AUTH = (Unauthorized, Forbidden)
IdempotencyKey = Annotated[str | None, Header(max_length=255)]


@router.get("/agencies", response_model=schemas.AgencyPage, responses=responses(*AUTH, Invalid))
async def list_agencies(
    principal: Staff, db: DB, now: Now, limit: Limit = 50, cursor: Cursor = None
) -> schemas.AgencyPage:
    """Agencies by code, each with the liaison who would be notified today."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await service.list_agencies(db, ctx, limit, cursor, now)


@router.post(
    "/agencies",
    status_code=201,
    response_model=schemas.AgencyOut,
    responses=responses(*AUTH, Conflict, Invalid),
)
async def create_agency(
    body: schemas.AgencyIn, principal: Admin, db: DB, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Add an agency (Perangkat Daerah) of the caller's jurisdiction."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await create_once(
        db,
        principal.id,
        idempotency_key,
        "agencies",
        body,
        lambda: service.create_agency(db, ctx, body),
    )


@router.get(
    "/agencies/{agency_id}", response_model=schemas.AgencyOut, responses=responses(*AUTH, NotFound)
)
async def get_agency(agency_id: uuid.UUID, principal: Staff, db: DB, now: Now) -> schemas.AgencyOut:
    """One agency with its current liaison."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await service.get_agency(db, ctx, agency_id, now)


@router.patch(
    "/agencies/{agency_id}",
    response_model=schemas.AgencyOut,
    responses=responses(*AUTH, NotFound, Invalid),
)
async def update_agency(
    agency_id: uuid.UUID, body: schemas.AgencyPatch, principal: Admin, db: DB, now: Now
) -> schemas.AgencyOut:
    """Change an agency; `active: false` retires it (history stays)."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await service.update_agency(db, ctx, agency_id, body, now)


@router.delete(
    "/agencies/{agency_id}", status_code=204, responses=responses(*AUTH, NotFound, Conflict)
)
async def delete_agency(agency_id: uuid.UUID, principal: Admin, db: DB) -> Response:
    """Delete an agency entered by mistake; one already in use must be deactivated instead."""
    await service.delete_agency(db, principal.jurisdiction_id, agency_id)
    return Response(status_code=204)


@router.get(
    "/agencies/{agency_id}/liaisons",
    response_model=schemas.LiaisonList,
    responses=responses(*AUTH, NotFound),
)
async def list_liaisons(
    agency_id: uuid.UUID, principal: Staff, db: DB, now: Now
) -> schemas.LiaisonList:
    """The agency's appointments, primary first, each marked valid today or not."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await service.list_liaisons(db, ctx, agency_id, now)


@router.post(
    "/agencies/{agency_id}/liaisons",
    status_code=201,
    response_model=schemas.LiaisonOut,
    responses=responses(*AUTH, NotFound, Conflict, Invalid),
)
async def add_liaison(
    agency_id: uuid.UUID,
    body: schemas.LiaisonIn,
    principal: Admin,
    db: DB,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a liaison's appointment (decree number, valid from/to)."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await create_once(
        db,
        principal.id,
        idempotency_key,
        f"agencies/{agency_id}/liaisons",
        body,
        lambda: service.add_liaison(db, ctx, agency_id, body, now),
    )


@router.patch(
    "/agencies/{agency_id}/liaisons/{liaison_id}",
    response_model=schemas.LiaisonOut,
    responses=responses(*AUTH, NotFound, Invalid),
)
async def update_liaison(
    agency_id: uuid.UUID,
    liaison_id: uuid.UUID,
    body: schemas.LiaisonPatch,
    principal: Admin,
    db: DB,
    now: Now,
) -> schemas.LiaisonOut:
    """Change an appointment: end it with `valid_to`, or correct its details."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await service.update_liaison(db, ctx, agency_id, liaison_id, body, now)


@router.delete(
    "/agencies/{agency_id}/liaisons/{liaison_id}",
    status_code=204,
    responses=responses(*AUTH, NotFound),
)
async def remove_liaison(
    agency_id: uuid.UUID, liaison_id: uuid.UUID, principal: Admin, db: DB
) -> Response:
    """Delete an appointment recorded by mistake (to end one, set its valid_to instead)."""
    ctx = await load_context(db, principal.jurisdiction_id)
    await service.remove_liaison(db, ctx, agency_id, liaison_id)
    return Response(status_code=204)


@router.get("/categories", response_model=schemas.CategoryPage, responses=responses(*AUTH, Invalid))
async def list_categories(
    principal: Staff, db: DB, limit: Limit = 50, cursor: Cursor = None
) -> schemas.CategoryPage:
    """The category tree as a flat list by code (`parent_id` links the tree)."""
    return await categories.list_categories(db, principal.jurisdiction_id, limit, cursor)


@router.post(
    "/categories",
    status_code=201,
    response_model=schemas.CategoryOut,
    responses=responses(*AUTH, Conflict, Invalid),
)
async def create_category(
    body: schemas.CategoryIn, principal: Admin, db: DB, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Add a category, optionally with a default agency and type."""
    return await create_once(
        db,
        principal.id,
        idempotency_key,
        "categories",
        body,
        lambda: categories.create_category(db, principal.jurisdiction_id, body),
    )


@router.patch(
    "/categories/{category_id}",
    response_model=schemas.CategoryOut,
    responses=responses(*AUTH, NotFound, Invalid),
)
async def update_category(
    category_id: uuid.UUID, body: schemas.CategoryPatch, principal: Admin, db: DB
) -> schemas.CategoryOut:
    """Change a category; `active: false` retires it."""
    return await categories.update_category(db, principal.jurisdiction_id, category_id, body)


@router.delete(
    "/categories/{category_id}", status_code=204, responses=responses(*AUTH, NotFound, Conflict)
)
async def delete_category(category_id: uuid.UUID, principal: Admin, db: DB) -> Response:
    """Delete a category entered by mistake; one already in use must be deactivated instead."""
    await categories.delete_category(db, principal.jurisdiction_id, category_id)
    return Response(status_code=204)


@router.get("/routing-rules", response_model=schemas.RulePage, responses=responses(*AUTH, Invalid))
async def list_rules(
    principal: Supervising,
    db: DB,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> schemas.RulePage:
    """The rules in the order they are checked."""
    return await rules_service.list_rules(db, principal.jurisdiction_id, limit, cursor)


@router.post(
    "/routing-rules",
    status_code=201,
    response_model=schemas.RuleOut,
    responses=responses(*AUTH, Conflict, Invalid),
)
async def create_rule(
    body: schemas.RuleIn, principal: Admin, db: DB, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Add a rule: conditions on category, region prefix, keywords, channel; action an agency."""
    return await create_once(
        db,
        principal.id,
        idempotency_key,
        "routing-rules",
        body,
        lambda: rules_service.create_rule(db, principal.jurisdiction_id, body),
    )


@router.post(
    "/routing-rules/test",
    response_model=schemas.RouteExplanation,
    responses=responses(*AUTH, Invalid),
)
async def test_rules(
    body: schemas.RuleTestIn, principal: Supervising, db: DB, now: Now
) -> schemas.RouteExplanation:
    """Where a sample complaint would go and why: every rule checked, the one that matched."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await rules_service.explain(db, ctx, body, now)


@router.get(
    "/routing-rules/{rule_id}",
    response_model=schemas.RuleOut,
    responses=responses(*AUTH, NotFound),
)
async def get_rule(rule_id: uuid.UUID, principal: Supervising, db: DB) -> schemas.RuleOut:
    """One rule."""
    return await rules_service.get_rule(db, principal.jurisdiction_id, rule_id)


@router.put(
    "/routing-rules/{rule_id}",
    response_model=schemas.RuleOut,
    responses=responses(*AUTH, NotFound, Invalid),
)
async def replace_rule(
    rule_id: uuid.UUID, body: schemas.RuleIn, principal: Admin, db: DB
) -> schemas.RuleOut:
    """Replace a rule (its position too)."""
    return await rules_service.replace_rule(db, principal.jurisdiction_id, rule_id, body)


@router.delete("/routing-rules/{rule_id}", status_code=204, responses=responses(*AUTH, NotFound))
async def delete_rule(rule_id: uuid.UUID, principal: Admin, db: DB) -> Response:
    """Remove a rule."""
    await rules_service.delete_rule(db, principal.jurisdiction_id, rule_id)
    return Response(status_code=204)


@router.get(
    "/routing-settings",
    response_model=schemas.RoutingSettingsOut,
    responses=responses(*AUTH),
)
async def get_settings(principal: Supervising, db: DB) -> schemas.RoutingSettingsOut:
    """The jurisdiction's routing policy."""
    return await service.get_settings(db, principal.jurisdiction_id)


@router.put(
    "/routing-settings",
    response_model=schemas.RoutingSettingsOut,
    responses=responses(*AUTH, Invalid),
)
async def put_settings(
    body: schemas.RoutingSettingsIn, principal: Admin, db: DB
) -> schemas.RoutingSettingsOut:
    """The jurisdiction's routing policy (may liaisons transfer directly?)."""
    return await service.put_settings(db, principal.jurisdiction_id, body)


@router.get("/regions", response_model=schemas.RegionPage, responses=responses(*AUTH, Invalid))
async def list_regions(
    principal: Staff,
    db: DB,
    parent: Annotated[str | None, Query(pattern=r"^\d{2}(\.\d{2}){0,2}$")] = None,
    limit: Limit = 200,
    cursor: Annotated[str | None, Query(pattern=r"^[\d.]{2,13}$")] = None,
) -> schemas.RegionPage:
    """Kecamatan of the jurisdiction, or the desa/kelurahan of `parent`."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await regions_service.list_regions(db, ctx.code, parent, limit, cursor)


@router.get(
    "/regions/match", response_model=schemas.RegionMatchOut, responses=responses(*AUTH, Invalid)
)
async def match_region(
    principal: Staff, db: DB, q: Annotated[str, Query(min_length=2, max_length=500)]
) -> schemas.RegionMatchOut:
    """Resolve a free-text address to a region code, with a similarity score (0-100)."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return regions_service.match_out(await regions_service.resolve_address(db, ctx.code, q))
