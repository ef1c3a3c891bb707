"""Bodies of the SLA policy endpoints."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.kernel.validation import StrictModel

# A year of working days is far beyond any published standard: a larger figure is a typo.
Days = Annotated[int, Field(ge=1, le=365)]


class PolicyIn(StrictModel):
    effective_from: date = Field(
        description="first local date the version applies to complaints verified (and taken in) "
        "on it; today or later in the jurisdiction's time zone"
    )
    unit: Literal["working_days", "calendar_days"] = "working_days"
    information_days: Days = Field(description="respond to an information request within")
    non_field_days: Days = Field(description="respond to a complaint needing no field visit")
    field_inspection_days: Days = Field(description="respond to a complaint needing a field visit")
    verification_days: Days = Field(description="verify a complaint taken in within")
    needs_info_days: Days = Field(description="the reporter supplies missing information within")
    auto_close_days: Days = Field(description="close an answered complaint without feedback after")
    legal_basis: Annotated[str | None, Field(min_length=1, max_length=500)] = Field(
        None, description="the regulation or decree, e.g. 'Perbup Ngawi No. 12 Tahun 2026'"
    )


class PolicyOut(BaseModel):
    id: uuid.UUID
    version: int
    effective_from: date
    unit: str
    information_days: int
    non_field_days: int
    field_inspection_days: int
    verification_days: int
    needs_info_days: int
    auto_close_days: int
    legal_basis: str | None
    created_at: datetime
    in_force: bool = Field(description="the version a complaint verified now would get")


class PolicyList(BaseModel):
    """Every version, newest start date first (a jurisdiction has a handful: no paging)."""

    items: list[PolicyOut]
