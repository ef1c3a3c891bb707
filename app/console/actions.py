"""The complaint actions as console forms: one POST route per action, each guarded by the
API's own permission (`permissions.allow`), its body parsed into the API's own request model,
and handed to the same use case the API route calls. Nothing here decides a rule."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints import actions, schemas
from app.complaints.permissions import allow
from app.console.guard import parse_form
from app.jurisdictions.service import JurisdictionContext, load_context
from app.kernel.deps import DB, Now
from app.kernel.security import CONSOLE_PATH, Principal

Run = Callable[
    [AsyncSession, JurisdictionContext, Principal, uuid.UUID, Any, Any], Awaitable[object]
]


# (action, path segment, request model, the use case). archive takes no context.
ACTIONS: tuple[tuple[str, str, type[BaseModel], Run], ...] = (
    ("verify", "verifikasi", schemas.VerifyIn, actions.verify),
    ("request_info", "minta-info", schemas.RequestInfoIn, actions.request_info),
    (
        "archive",
        "arsip",
        schemas.ArchiveIn,
        lambda db, _, p, c, b, n: actions.archive(db, p, c, b, n),
    ),
    ("dispatch", "disposisi", schemas.DispatchIn, actions.dispatch),
    ("acknowledge", "terima", schemas.AcknowledgeIn, actions.acknowledge),
    ("transfer", "alihkan", schemas.TransferIn, actions.transfer),
    ("respond", "tanggapi", schemas.ResponseIn, actions.respond),
    ("extend", "perpanjang", schemas.ExtendIn, actions.extend),
)
SEGMENT = {name: segment for name, segment, _, _ in ACTIONS}


def complaint_url(complaint_id: uuid.UUID) -> str:
    return f"{CONSOLE_PATH}/keluhan/{complaint_id}"


def _route(name: str, model: type[BaseModel], run: Run) -> Callable[..., Awaitable[Response]]:
    async def act(
        complaint_id: uuid.UUID,
        request: Request,
        principal: Annotated[Principal, Depends(allow(name))],
        db: DB,
        now: Now,
    ) -> Response:
        body = await parse_form(request, model)
        ctx = await load_context(db, principal.jurisdiction_id)
        await run(db, ctx, principal, complaint_id, body, now)
        # Post/redirect/get: a reload of the page never posts the action twice.
        return RedirectResponse(f"{complaint_url(complaint_id)}?selesai={name}", status_code=303)

    act.__name__ = f"console_{name}"
    return act


def add_action_routes(router: APIRouter) -> None:
    for name, segment, model, run in ACTIONS:
        router.add_api_route(
            f"/keluhan/{{complaint_id}}/{segment}", _route(name, model, run), methods=["POST"]
        )
