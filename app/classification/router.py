"""GET /v1/reports/classification: how often the suggestions agreed with the admins."""

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, Field

from app.classification import service
from app.deps import DB
from app.errors import Forbidden, Invalid, Unauthorized, responses
from app.security import ADMIN, SUPERVISOR, Allow, Principal

router = APIRouter(prefix="/v1", tags=["reports"])

Reader = Annotated[Principal, Depends(Allow(ADMIN, SUPERVISOR))]


class AgreementRow(BaseModel):
    key: str = Field(description="the type, or the category id, the admins decided on")
    label: str
    total: int = Field(description="verified complaints with a suggestion")
    agreed: int = Field(description="of those, how many the suggestion got right")
    agreement: float | None


class ClassificationReport(BaseModel):
    type: list[AgreementRow]
    category: list[AgreementRow]


@router.get(
    "/reports/classification",
    response_model=ClassificationReport,
    responses=responses(Unauthorized, Forbidden, Invalid),
)
async def classification_report(
    principal: Reader, db: DB, since: AwareDatetime | None = None
) -> ClassificationReport:
    """Agreement of suggestion and verification, per type and per category."""
    return ClassificationReport.model_validate(
        await service.agreement(db, principal.jurisdiction_id, since)
    )
