"""Open311 GeoReport v2 routes: each in `.json` and `.xml`, errors in the spec's shape.

Kept out of our OpenAPI document: Open311 is described by its own specification, and its
answers (lists, XML, `[{"code", "description"}]` errors) are not our contract's shapes.
"""

import json
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError

from app.complaints import submission
from app.complaints.router import READERS
from app.complaints.schemas import ComplaintCreate
from app.kernel.db_faults import RETRY_AFTER_SECONDS, is_database_fault
from app.kernel.deps import DB, Now
from app.kernel.errors import AppError, BadRequest, NotFound
from app.kernel.security import CITIZEN_APP, Principal, Public
from app.kernel.validation import Instant
from app.open311 import mapping, service
from app.open311.auth import ApiKey, OptionalKey
from app.open311.formats import MEDIA_TYPES, Format, errors, to_xml
from app.privacy.deps import Cipher

CHANGESET = "2026-12-01T00:00:00Z"  # when this endpoint's shape last changed
WINDOW = timedelta(days=90)  # the spec's default and longest span of a request list


def answer(fmt: str, root: str, value: Any, status: int = 200, **headers: str) -> Response:
    if fmt == "xml":
        content = to_xml(root, value)
    else:
        content = json.dumps(value, ensure_ascii=False).encode()
    media = MEDIA_TYPES.get(fmt, MEDIA_TYPES["json"])
    return Response(content, status_code=status, media_type=media, headers=headers or None)


def _described(exc: RequestValidationError | ValidationError) -> str:
    return "; ".join(f"{mapping.field_name(e['loc'])}: {e['msg']}" for e in exc.errors())


class Open311Route(APIRoute):
    """Every failure of an Open311 route answered as `[{"code", "description"}]` in the
    route's format: our errors (an invalid field is the spec's 400), a database fault 503."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            headers: dict[str, str] = {}
            try:
                return await handler(request)
            except AppError as exc:
                status, text, headers = exc.status, exc.message, exc.headers or {}
                for d in exc.details:
                    field = mapping.field_name(str(d.get("field", "")).split("."))
                    text += f" {field}: {d.get('message')}"
            except (RequestValidationError, ValidationError) as exc:
                status, text = 422, _described(exc)
            except Exception as exc:
                if not is_database_fault(exc):
                    raise
                status, text = 503, "The database is unavailable; try again shortly."
                headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            status = 400 if status == 422 else status
            fmt = str(request.path_params.get("fmt", "json"))
            return answer(fmt, "errors", errors(status, text), status, **headers)

        return guarded


router = APIRouter(
    prefix="/open311/v2", tags=["open311"], route_class=Open311Route, include_in_schema=False
)
FormatIn = Annotated[Format, Path(description="json or xml")]
JurisdictionCode = Annotated[str | None, Query(alias="jurisdiction_id", max_length=13)]
PUBLIC = [Depends(Public())]
Caller = Annotated[Principal | None, Depends(OptionalKey(*READERS))]


@router.get("/discovery.{fmt}", dependencies=PUBLIC)
async def discovery(fmt: FormatIn, request: Request) -> Response:
    base = request.app.state.settings.public_base_url.rstrip("/")
    return answer(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": f"{base}/docs",
            "key_service": "An API key comes from the district's admin (README: Open311).",
            "endpoints": [
                {
                    "specification": mapping.SPECIFICATION,
                    "url": f"{base}/open311/v2",
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


@router.get("/services.{fmt}", dependencies=PUBLIC)
async def services(fmt: FormatIn, db: DB, jurisdiction_code: JurisdictionCode = None) -> Response:
    jurisdiction_id = await service.jurisdiction(db, jurisdiction_code, None)
    rows = await service.services(db, jurisdiction_id)
    return answer(fmt, "services", [mapping.service(*row) for row in rows])


@router.get("/services/{service_code}.{fmt}", dependencies=PUBLIC)
async def service_definition(
    service_code: Annotated[str, Path(max_length=50)],
    fmt: FormatIn,
    db: DB,
    jurisdiction_code: JurisdictionCode = None,
) -> Response:
    jurisdiction_id = await service.jurisdiction(db, jurisdiction_code, None)
    await service.category_id(db, jurisdiction_id, service_code)
    return answer(fmt, "service_definition", mapping.definition(service_code))


def _list(raw: str | None) -> list[str] | None:
    return [p.strip() for p in raw.split(",") if p.strip()] if raw is not None else None


def _window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end - start > WINDOW:
        raise BadRequest("start_date and end_date may not span more than 90 days.")
    return start, end


@router.get("/requests.{fmt}", dependencies=PUBLIC)
async def list_requests(
    fmt: FormatIn,
    db: DB,
    caller: Caller,
    now: Now,
    jurisdiction_code: JurisdictionCode = None,
    service_request_id: Annotated[str | None, Query(max_length=2_000)] = None,
    service_code: Annotated[str | None, Query(max_length=2_000)] = None,
    start_date: Instant | None = None,
    end_date: Instant | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Requests by number (anyone), or the caller's visible ones by the spec's filters."""
    ids = _list(service_request_id)
    # Tracking numbers are unique across jurisdictions: the public may ask without naming one.
    by_number_only = caller is None and ids is not None and jurisdiction_code is None
    jurisdiction_id = (
        None if by_number_only else await service.jurisdiction(db, jurisdiction_code, caller)
    )
    if ids is not None:  # the spec: service_request_id overrides every other argument
        filters = service.RequestFilters(tracking_ids=ids)
    else:
        statuses = _list(status)
        unknown = set(statuses or ()) - {mapping.OPEN, mapping.CLOSED}
        if unknown:
            raise BadRequest(f"status must be open or closed, not {', '.join(sorted(unknown))}.")
        start, end = _window(start_date, end_date, now)
        filters = service.RequestFilters(
            service_codes=_list(service_code), start=start, end=end, statuses=statuses
        )
    rows = await service.requests(db, jurisdiction_id, caller, filters)
    return answer(fmt, "service_requests", [mapping.request(r) for r in rows])


@router.get("/requests/{service_request_id}.{fmt}", dependencies=PUBLIC)
async def get_request(
    service_request_id: Annotated[str, Path(max_length=40)],
    fmt: FormatIn,
    db: DB,
    jurisdiction_code: JurisdictionCode = None,
) -> Response:
    """One request by its number, as the public sees it (the spec answers a list of one)."""
    jurisdiction_id = (
        await service.jurisdiction(db, jurisdiction_code, None) if jurisdiction_code else None
    )
    rows = await service.requests(
        db, jurisdiction_id, None, service.RequestFilters(tracking_ids=[service_request_id])
    )
    if not rows:
        raise NotFound(f"service_request_id {service_request_id} not found.")
    return answer(fmt, "service_requests", [mapping.request(rows[0])])


@router.post("/requests.{fmt}")
async def create_request(
    fmt: FormatIn,
    request: Request,
    db: DB,
    cipher: Cipher,
    principal: Annotated[Principal, Depends(ApiKey(CITIZEN_APP))],
    now: Now,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> Response:
    """A citizen app's report, taken in exactly as `POST /v1/complaints` takes one."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    jurisdiction_id = await service.jurisdiction(db, form.get("jurisdiction_id"), principal)
    if not form.get("service_code"):
        raise BadRequest("service_code was not provided.")
    category_id = await service.category_id(db, jurisdiction_id, form["service_code"])
    body = ComplaintCreate.model_validate(mapping.complaint_body(form, str(category_id)))
    settings = request.app.state.settings
    status, created = await submission.submit(
        db, settings, cipher, principal, body, idempotency_key, now
    )
    reply = {
        "service_request_id": created["tracking_id"],
        "token": created["id"],
        "service_notice": f"Verification due by {created['verification_due_at']}.",
        "account_id": None,
    }
    return answer(fmt, "service_requests", [reply], status)


@router.get("/tokens/{token}.{fmt}", dependencies=PUBLIC)
async def token(token: Annotated[str, Path(max_length=40)], fmt: FormatIn, db: DB) -> Response:
    """The request a POST's token became (ours are taken in at once: the token is its id)."""
    tracking_id = await service.tracking_id_of(db, token)
    if tracking_id is None:
        raise NotFound(f"token {token} not found.")
    return answer(fmt, "service_requests", [{"service_request_id": tracking_id, "token": token}])
