"""Routing models (train, list versions) and GET /v1/reports/classification."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from app.classification import retrain, service
from app.classification.training import MIN_HISTORY
from app.kernel.deps import DB, Now
from app.kernel.errors import Conflict, Forbidden, Invalid, Unauthorized, responses
from app.kernel.security import ADMIN, SUPERVISOR, Allow, Principal
from app.kernel.validation import Instant

router = APIRouter(prefix="/v1", tags=["reports"])

Reader = Annotated[Principal, Depends(Allow(ADMIN, SUPERVISOR))]
Admin = Annotated[Principal, Depends(Allow(ADMIN))]


class NotEnoughHistory(Conflict):
    code = "not_enough_history"


class AgreementRow(BaseModel):
    key: str = Field(description="the type, or the category id, the admins decided on")
    label: str
    total: int = Field(description="verified complaints with a suggestion")
    agreed: int = Field(description="of those, how many the suggestion got right")
    agreement: float | None


class RoutingModelOut(BaseModel):
    id: uuid.UUID
    version: int
    trained_at: datetime
    samples: int = Field(description="verified complaints with a known final agency")
    kept: bool = Field(description="it beat the model in use and the cold start on the hold-out")
    size_bytes: int
    evaluation: dict[str, Any] = Field(
        description="per head (agency, category, type): hold-out top-1/top-3, precision and "
        "triage at the threshold, a threshold table, per-label precision/recall/F1, the most "
        "confused pairs, and the baseline's and the model in use's top-1 on the same hold-out"
    )


class RoutingModelPage(BaseModel):
    items: list[RoutingModelOut]
    next_cursor: str | None


class ClassificationReport(BaseModel):
    type: list[AgreementRow]
    category: list[AgreementRow]
    training: RoutingModelOut | None = Field(
        None, description="the newest training run and its evaluation"
    )


@router.get(
    "/reports/classification",
    response_model=ClassificationReport,
    responses=responses(Unauthorized, Forbidden, Invalid),
)
async def classification_report(
    principal: Reader, db: DB, since: Instant | None = None
) -> ClassificationReport:
    """Agreement of suggestion and verification, per type and category; the last training."""
    agreement = await service.agreement(db, principal.jurisdiction_id, since)
    runs, _ = await retrain.versions(db, principal.jurisdiction_id, 1, None)
    return ClassificationReport.model_validate(agreement | {"training": runs[0] if runs else None})


@router.post(
    "/routing-models",
    status_code=201,
    response_model=RoutingModelOut,
    tags=["routing"],
    responses=responses(Unauthorized, Forbidden, NotEnoughHistory),
)
async def train_routing_model(principal: Admin, db: DB, now: Now) -> RoutingModelOut:
    """Train on the verified history now; kept (and used) only if it beats the model in use."""
    out = await retrain.train(db, principal.jurisdiction_id, now)
    if out is None:
        raise NotEnoughHistory(
            f"Routing learns from at least {MIN_HISTORY} verified complaints "
            "whose agency is known; until then the rules and category defaults route."
        )
    return RoutingModelOut.model_validate(out)


@router.get(
    "/routing-models",
    response_model=RoutingModelPage,
    tags=["routing"],
    responses=responses(Unauthorized, Forbidden, Invalid),
)
async def list_routing_models(
    principal: Reader,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,7}$")] = None,
) -> RoutingModelPage:
    """Training runs, newest first, each with its hold-out evaluation."""
    items, last = await retrain.versions(
        db, principal.jurisdiction_id, limit, int(cursor) if cursor else None
    )
    return RoutingModelPage(
        items=[RoutingModelOut.model_validate(i) for i in items],
        next_cursor=str(last) if last is not None else None,
    )
