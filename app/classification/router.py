"""GET /v1/reports/classification: how often the suggestions agreed with the admins."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime

from app.classification import service
from app.deps import DB
from app.errors import Forbidden, Invalid, Unauthorized, responses
from app.security import ADMIN, SUPERVISOR, Allow, Principal

router = APIRouter(prefix="/v1", tags=["reports"])

Reader = Annotated[Principal, Depends(Allow(ADMIN, SUPERVISOR))]


@router.get(
    "/reports/classification",
    response_model=dict[str, list[dict[str, Any]]],
    responses=responses(Unauthorized, Forbidden, Invalid),
)
async def classification_report(
    principal: Reader, db: DB, since: AwareDatetime | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Agreement of suggestion and verification, per type and per category."""
    return await service.agreement(db, principal.jurisdiction_id, since)
