"""HTTP edge of hub sync: the reconciliation reports."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from app.hub import sync
from app.kernel.deps import DB
from app.kernel.errors import Forbidden, Invalid, Unauthorized, responses
from app.kernel.security import ADMIN, SUPERVISOR, Allow, Principal

router = APIRouter(prefix="/v1/hub", tags=["hub"])

Reader = Annotated[Principal, Depends(Allow(ADMIN, SUPERVISOR))]


class ReconciliationOut(BaseModel):
    id: uuid.UUID
    started_at: datetime
    finished_at: datetime
    checked: int
    repaired: list[dict[str, object]]
    problems: list[dict[str, object]]


class ReconciliationPage(BaseModel):
    items: list[ReconciliationOut]
    next_cursor: str | None


@router.get(
    "/reconciliations",
    response_model=ReconciliationPage,
    responses=responses(Unauthorized, Forbidden, Invalid),
)
async def list_reconciliations(
    principal: Reader,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ReconciliationPage:
    """The latest reconcile runs with what each repaired and what it could not."""
    rows, next_cursor = await sync.recent_reconciliations(
        db, principal.jurisdiction_id, limit, cursor
    )
    return ReconciliationPage(
        items=[
            ReconciliationOut(
                id=r.id,
                started_at=r.started_at,
                finished_at=r.finished_at,
                checked=r.checked,
                repaired=r.repaired,
                problems=r.problems,
            )
            for r in rows
        ],
        next_cursor=next_cursor,
    )
