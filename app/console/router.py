"""The staff console under /konsol/: login, the work queues and the complaint page.

Thin routes: each checks who is calling with the API's permission objects (the session cookie
resolves to the same Principal a token would, app/kernel/security.py), calls what the API route
calls, and renders a template. Every unsafe request passes `csrf_guard` first (each console
router is made by `guard.console_router`); the actions are app/console/actions.py, the reports
and set-up pages their own modules.
"""

import asyncio
import uuid
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import sessions
from app.accounts.service import FAILURE_DELAY_SECONDS
from app.attachments import router as attachments_api
from app.complaints import queries
from app.complaints import router as complaints_api
from app.complaints.queries import ListFilters
from app.complaints.schemas import ChannelName
from app.complaints.vocabulary import ComplaintType
from app.console import dashboard, setup
from app.console.actions import SEGMENT, add_action_routes
from app.console.guard import (
    LOGIN_CSRF_COOKIE,
    LOGIN_PATH,
    Staff,
    clear_session_cookie,
    console_router,
    login_csrf,
    parse_form,
    set_cookie,
)
from app.console.pages import page
from app.console.queues import QUEUES, queue_filters, queues_for
from app.jurisdictions.service import load_context
from app.kernel.deps import DB, Now
from app.kernel.errors import NotFound
from app.kernel.security import ADMIN, CONSOLE_PATH, SESSION_COOKIE, STAFF, Principal, Public
from app.privacy import schemas as privacy_schemas
from app.privacy import service as privacy
from app.privacy.deps import Cipher
from app.routing import categories
from app.routing import service as routing

router = console_router()

Person = Annotated[Principal, Depends(Staff(*STAFF))]
# Revealing a reporter is the privacy API's admin-only action (app/privacy/router.py).
REVEAL = Staff(ADMIN)
Revealer = Annotated[Principal, Depends(REVEAL)]
PAGE_SIZE = 25
# An empty choice of a filter form ("Semua") arrives as "": no filter, not a 422.
Blank = Literal[""] | None
ALL = 200  # agencies and categories of one district fit one page of a select


def _safe_next(target: str | None) -> str:
    """Only a console path: a login link cannot send the browser to another site."""
    if (
        target
        and target.startswith(CONSOLE_PATH + "/")
        and "//" not in target
        and "\\" not in target
    ):
        return target
    return CONSOLE_PATH + "/"


def _login_page(request: Request, target: str, error: str | None, status: int) -> Response:
    token = login_csrf(request)
    response = page(request, "login.html", None, status, next=target, error=error, csrf_token=token)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/masuk", dependencies=[Depends(Public())])
async def login_form(
    request: Request, next: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    return _login_page(request, _safe_next(next), None, 200)


@router.post("/masuk", dependencies=[Depends(Public())])
async def log_in(
    request: Request,
    now: Now,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    settings = request.app.state.settings
    # Its own transaction, as the API's token endpoint: a failure is counted though it answers
    # an error. Unknown user, wrong password, locked or inactive: one answer for all.
    async with request.app.state.sessions() as session, session.begin():
        started = await sessions.log_in(session, settings, username, password, now)
    if started is None:
        await asyncio.sleep(FAILURE_DELAY_SECONDS)
        return _login_page(request, _safe_next(next), "Nama pengguna atau kata sandi salah.", 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    lifetime = settings.console_lifetime_hours * 3600
    set_cookie(request, response, SESSION_COOKIE, started.cookie, max_age=lifetime)
    return response


@router.post("/keluar")
async def log_out(request: Request, _: Person, db: DB) -> Response:
    await sessions.end(db, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    clear_session_cookie(request, response)
    return response


@router.get("/")
async def home(principal: Person) -> Response:
    return RedirectResponse(f"{CONSOLE_PATH}/antrian/{queues_for(principal)[0].slug}", 303)


@router.get("/antrian/{slug}")
async def queue(
    slug: str,
    request: Request,
    principal: Person,
    db: DB,
    now: Now,
    q: Annotated[str | None, Query(max_length=200)] = None,
    type: ComplaintType | Blank = None,
    channel: ChannelName | Blank = None,
    agency_id: uuid.UUID | Blank = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """A work queue: the complaint list service with the queue's preset and the chosen filters."""
    if slug not in QUEUES:
        raise NotFound("No such queue.", code="queue_not_found")
    text = q.strip() if q and q.strip() else None
    chosen = ListFilters(
        type=[type] if type else None,
        channel=[channel] if channel else None,
        agency_id=agency_id or None,
        q=text,
    )
    found = await queries.list_complaints(
        db, principal, queue_filters(slug, chosen, now), PAGE_SIZE, cursor, now
    )
    kept = {"q": text, "type": type, "channel": channel, "agency_id": agency_id}
    kept = {k: str(v) for k, v in kept.items() if v}
    more = urlencode({**kept, "cursor": found.next_cursor}) if found.next_cursor else None
    ctx = await load_context(db, principal.jurisdiction_id)
    agencies = await routing.list_agencies(db, ctx, ALL, None, now)
    # Triage is choosing among the model's candidates: each row shows them, likeliest first.
    suggested = (
        await queries.routing_of(db, principal, [c.id for c in found.items])
        if slug == "triase"
        else {}
    )
    return page(
        request,
        "queue.html",
        principal,
        suggested=suggested,
        queue=QUEUES[slug],
        found=found,
        agencies={a.id: a for a in agencies.items},
        chosen=kept,
        more=more,
        tz=ctx.timezone,
        now=now,
    )


@router.get("/keluhan/{complaint_id}")
async def complaint(
    complaint_id: uuid.UUID,
    request: Request,
    principal: Person,
    db: DB,
    now: Now,
    cipher: Cipher,
    selesai: Annotated[str | None, Query(max_length=30)] = None,
) -> Response:
    """One complaint as the API shows it to this caller, its timeline and its action forms."""
    # The API's own read: the same visibility (404 for another agency), the same logged identity.
    out = await complaints_api.read_complaint(db, principal, cipher, complaint_id, now)
    events = await queries.list_events(db, principal, complaint_id, ALL, 0)
    ctx = await load_context(db, principal.jurisdiction_id)
    agencies = await routing.list_agencies(db, ctx, ALL, None, now)
    cats = await categories.list_categories(db, principal.jurisdiction_id, ALL, None)
    return page(
        request,
        "complaint.html",
        principal,
        c=out,
        events=events.items,
        agencies=[a for a in agencies.items if a.active],
        agency_names={a.id: a.name for a in agencies.items},
        categories=[c for c in cats.items if c.active],
        actions={a: SEGMENT[a] for a in out.allowed_actions if a in SEGMENT},
        may_reveal=principal.role in REVEAL.roles,
        done=selesai,
        tz=ctx.timezone,
    )


@router.post("/keluhan/{complaint_id}/pelapor")
async def reveal(
    complaint_id: uuid.UUID, request: Request, principal: Revealer, db: DB, cipher: Cipher
) -> Response:
    """The privacy API's reveal: a stated reason, a logged read; shown once, never cached."""
    body = await parse_form(request, privacy_schemas.RevealIn)
    revealed = await privacy.reveal(db, cipher, principal, complaint_id, body.reason)
    return page(request, "reveal.html", principal, complaint_id=complaint_id, revealed=revealed)


@router.get("/lampiran/{attachment_id}")
async def attachment(
    attachment_id: uuid.UUID, principal: Person, db: DB, request: Request
) -> Response:
    """The API's own download, to those who may see the attachment's complaint."""
    store = request.app.state.blob_store
    return await attachments_api.get_attachment(attachment_id, principal, db, store)


add_action_routes(router)
# What create_app includes: every console router (each made by `console_router`).
ROUTERS = (router, dashboard.router, setup.router)
