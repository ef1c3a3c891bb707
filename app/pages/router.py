"""The public pages: /lacak (follow a complaint) and /lapor (file one). Thin: each route reads the
request, calls the service the API uses, and renders; what may be shown is decided there."""

import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import (
    UploadFile,  # what request.form() holds (FastAPI's is a subclass)
)

from app.attachments import service as attachments
from app.complaints import queries, submission
from app.complaints.tracking import new_tracking_id
from app.jurisdictions.service import JurisdictionContext, id_by_code, load_context
from app.kernel.deps import DB, Now
from app.kernel.errors import AppError, NotFound
from app.kernel.logging import get_logger
from app.kernel.security import Public
from app.pages import form as web_form
from app.pages.wording import deadline_text, event_text, status_text
from app.privacy.deps import Cipher
from app.routing import regions_service
from app.web.templating import render
from app.web.tokens import FormSigner

log = get_logger(__name__)
router = APIRouter(include_in_schema=False, dependencies=[Depends(Public())])

Code = Annotated[str, Path(pattern=r"^\d{2}\.\d{2}$")]
RegionCode = Annotated[str | None, Query(max_length=13)]
MAX_REGIONS = 1000  # more kecamatan or desa than any regency has


@router.get("/lacak")
async def lookup(
    request: Request, db: DB, now: Now, nomor: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    """The lookup form; with ?nomor= the complaint's page, or the form again saying not found."""
    if not nomor or not nomor.strip():
        return render(request, "pages/lacak.html", {"nomor": "", "error": None})
    found = await queries.track(db, nomor, now)
    if found is None:
        return _not_found(request, nomor)
    return RedirectResponse(f"/lacak/{found.tracking_id}", status_code=303)


@router.get("/lacak/{tracking_id}")
async def tracking(
    request: Request,
    tracking_id: Annotated[str, Path(max_length=40)],
    db: DB,
    now: Now,
) -> Response:
    """Where a complaint is, in Indonesian: what `/v1/track` answers, as a page."""
    t = await queries.track(db, tracking_id, now)
    if t is None:
        return _not_found(request, tracking_id)
    timeline = [
        {"text": event_text(e["type"]), "at": datetime.fromisoformat(e["occurred_at"])}
        for e in t.timeline
    ]
    context = {
        "t": t,
        "status": status_text(t.status),
        "deadline": deadline_text(t.on_time, t.responded_at is not None),
        "timeline": timeline,
        "baru": False,
    }
    return render(request, "pages/tracking.html", context)


def _not_found(request: Request, nomor: str) -> Response:
    error = f"Laporan dengan nomor “{nomor}” tidak ditemukan. Periksa kembali nomornya."
    return render(request, "pages/lacak.html", {"nomor": nomor, "error": error}, status=404)


@router.get("/lapor")
async def default_form(request: Request) -> RedirectResponse:
    """The form of this service's own jurisdiction (LAPOR_WEB_JURISDICTION)."""
    code = request.app.state.settings.web_jurisdiction
    return RedirectResponse(f"/lapor/{code}", status_code=303)


@router.get("/lapor/{code}")
async def form_page(
    request: Request, code: Code, db: DB, now: Now, kecamatan: RegionCode = None
) -> Response:
    """The empty form (with the desa of `kecamatan` when one was picked)."""
    ctx = await _jurisdiction(db, code)
    filled = web_form.Filled.of({"kecamatan": kecamatan or ""})
    return await _form(request, db, ctx, now, filled, {})


@router.get("/lapor/{code}/desa")
async def desa_of(code: Code, db: DB, kecamatan: RegionCode = None) -> list[dict[str, str]]:
    """The desa/kelurahan of a kecamatan, for the form's script (the page works without it)."""
    ctx = await _jurisdiction(db, code)
    return [{"code": r.code, "name": r.name} for r in await _children(db, ctx, kecamatan)]


@router.post("/lapor")
async def submit(request: Request, db: DB, now: Now, cipher: Cipher) -> Response:
    """Take the form in through the API's own submission; answer with the tracking number."""
    settings = request.app.state.settings
    posted = await request.form(max_files=web_form.MAX_FILES, max_fields=40)
    ctx = await _jurisdiction(db, str(posted.get("wilayah") or ""))
    filled = web_form.Filled.of(posted)
    if posted.get("pilih") == "kecamatan":  # the no-JavaScript desa picker: same form, desa listed
        return await _form(request, db, ctx, now, filled, {})
    if posted.get(web_form.HONEYPOT):
        log.warning("web form honeypot filled", extra={"jurisdiction": ctx.code})
        # Answered like a success, so the bot learns nothing; nothing is stored.
        return _sent(request, ctx, new_tracking_id(), now)
    forms: FormSigner = request.app.state.forms
    problem = forms.problem(
        str(posted.get("token") or ""),
        "lapor",
        now,
        bind=request.cookies.get(web_form.CSRF_COOKIE, ""),
        min_age=web_form.MIN_FILL,
        max_age=web_form.MAX_FILL,
    )
    if problem is not None:
        log.warning("web form refused", extra={"reason": problem, "jurisdiction": ctx.code})
        error = {"token": "Formulir sudah kedaluwarsa atau terkirim terlalu cepat; kirim ulang."}
        return await _form(request, db, ctx, now, filled, error, status=422)
    errors = await _region_errors(db, ctx, filled)
    files = [f for f in posted.getlist("lampiran") if isinstance(f, UploadFile) and f.filename]
    if len(files) > web_form.MAX_FILES:
        errors["lampiran"] = web_form.MESSAGES["lampiran"]
    _, field_errors = web_form.validate(filled, [])
    errors |= field_errors
    if errors:
        return await _form(request, db, ctx, now, filled, errors, status=422)
    principal = web_form.web_principal(ctx.id)
    try:
        async with db.begin_nested():  # a refused file leaves no other file of this post behind
            ids = [str((await _upload(request, db, principal, f)).id) for f in files]
    except AppError as exc:
        message = f"Lampiran tidak dapat diterima: {exc.message}"
        return await _form(request, db, ctx, now, filled, {"lampiran": message}, status=422)
    body, errors = web_form.validate(filled, ids)
    if body is None:
        return await _form(request, db, ctx, now, filled, errors, status=422)
    _, created = await submission.submit(db, settings, cipher, principal, body, None, now)
    verification_due = datetime.fromisoformat(created["verification_due_at"])
    return _sent(request, ctx, created["tracking_id"], verification_due)


async def _upload(request: Request, db: AsyncSession, principal: Any, f: UploadFile) -> Any:
    limit: int = request.app.state.settings.max_attachment_bytes
    data = await f.read(limit + 1)
    return await attachments.upload(db, request.app.state.blob_store, principal, data, limit)


def _sent(
    request: Request, ctx: JurisdictionContext, tracking_id: str, verification_due: datetime
) -> Response:
    base = request.app.state.settings.public_base_url.rstrip("/")
    context = {
        "tracking_id": tracking_id,
        "link": f"{base}/lacak/{tracking_id}",
        "verification_due": verification_due,
        "timezone": ctx.timezone,
    }
    return render(request, "pages/sent.html", context)


async def _jurisdiction(db: AsyncSession, code: str) -> JurisdictionContext:
    jurisdiction_id = await id_by_code(db, code) if code else None
    if jurisdiction_id is None:
        raise NotFound(f"No jurisdiction has the code {code!r}.")
    return await load_context(db, jurisdiction_id)


async def _children(db: AsyncSession, ctx: JurisdictionContext, parent: str | None) -> list[Any]:
    if parent is not None and not parent.startswith(ctx.code + "."):
        return []
    page = await regions_service.list_regions(db, ctx.code, parent, MAX_REGIONS, None)
    return list(page.items)


async def _region_errors(
    db: AsyncSession, ctx: JurisdictionContext, filled: web_form.Filled
) -> dict[str, str]:
    """The kecamatan and desa must be the jurisdiction's own and belong together."""
    kecamatan, desa = filled.values["kecamatan"], filled.values["desa"]
    errors: dict[str, str] = {}
    if kecamatan and kecamatan not in {r.code for r in await _children(db, ctx, None)}:
        errors["kecamatan"] = web_form.MESSAGES["kecamatan"]
    elif desa and desa not in {r.code for r in await _children(db, ctx, kecamatan or None)}:
        errors["desa"] = web_form.MESSAGES["desa"]
    return errors


async def _form(
    request: Request,
    db: AsyncSession,
    ctx: JurisdictionContext,
    now: datetime,
    filled: web_form.Filled,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    """The form as the person left it, with a fresh token bound to their form cookie."""
    cookie = request.cookies.get(web_form.CSRF_COOKIE) or secrets.token_urlsafe(18)
    forms: FormSigner = request.app.state.forms
    kecamatan = filled.values["kecamatan"]
    context = {
        "code": ctx.code,
        "jurisdiction": ctx.name,
        "token": forms.issue("lapor", now, bind=cookie),
        "honeypot": web_form.HONEYPOT,
        "kecamatan": await _children(db, ctx, None),
        "desa": await _children(db, ctx, kecamatan) if kecamatan else [],
        "v": filled.values,
        "checked": filled.checked,
        "errors": errors,
        "max_files": web_form.MAX_FILES,
        "max_mb": request.app.state.settings.max_attachment_bytes // 1_048_576,
    }
    response = render(request, "pages/form.html", context, status=status)
    settings = request.app.state.settings
    response.set_cookie(
        web_form.CSRF_COOKIE,
        cookie,
        max_age=int(web_form.MAX_FILL.total_seconds()),
        path="/lapor",
        secure=settings.is_production,
        httponly=True,
        samesite="strict",
    )
    return response
