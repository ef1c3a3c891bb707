"""Bodies of the identity endpoints: corrections, reveals, subject-access exports, the audit log."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from app.complaints.schemas import ReporterIn
from app.complaints.schemas import ReporterOut as ReporterOut
from app.kernel.validation import PatchModel, StrictModel

Reason = Annotated[str, Field(min_length=5, max_length=2_000)]


class RevealIn(StrictModel):
    reason: Reason = Field(description="why the identity is needed; kept in the access log")


class RevealOut(BaseModel):
    complaint_id: uuid.UUID
    anonymous: bool
    reporter: ReporterOut


class ReporterCorrection(PatchModel, ReporterIn):
    """Fields to set; a field sent as null is removed. `reason` is logged, the values are not."""

    clearable = frozenset(ReporterIn.model_fields)

    reason: Reason

    @model_validator(mode="after")
    def _changes_something(self) -> "ReporterCorrection":
        if not self.model_fields_set - {"reason"}:
            raise ValueError("send at least one of name, nik, phone, email, address")
        return self

    def changes(self) -> dict[str, str | None]:
        return {f: getattr(self, f) for f in sorted(self.model_fields_set - {"reason"})}


class SubjectSearch(StrictModel):
    """Exactly one identifier; POST keeps it out of URLs and access logs."""

    nik: Annotated[str, Field(pattern=r"^\d{16}$")] | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9][0-9 \-]{5,20}$")] | None = None
    email: Annotated[str, Field(min_length=3, max_length=320)] | None = None
    reason: Reason

    @model_validator(mode="after")
    def _exactly_one(self) -> "SubjectSearch":
        given = [k for k in ("nik", "phone", "email") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of nik, phone, email")
        return self

    def identifier(self) -> tuple[Literal["nik", "phone", "email"], str]:
        for kind in ("nik", "phone", "email"):
            value = getattr(self, kind)
            if value is not None:
                return kind, value
        raise AssertionError("validated to hold one identifier")


class ExportedEvent(BaseModel):
    seq: int
    type: str
    occurred_at: datetime
    actor: dict[str, Any]
    data: dict[str, Any]


class ExportedComplaint(BaseModel):
    id: uuid.UUID
    tracking_id: str
    status: str
    channel: str
    title: str | None
    text: str
    anonymous: bool
    confidential: bool
    received_at: datetime
    closed_at: datetime | None
    reporter: ReporterOut
    events: list[ExportedEvent]


class SubjectExport(BaseModel):
    matched_by: str
    complaints: list[ExportedComplaint]


class AccessLogEntry(BaseModel):
    id: uuid.UUID
    occurred_at: datetime
    complaint_id: uuid.UUID | None
    ombudsman_case_id: uuid.UUID | None = None
    actor_kind: str
    actor_id: uuid.UUID
    actor_role: str
    actor_name: str
    action: str
    purpose: str
    fields: list[str]
    request_id: str | None


class AccessLogPage(BaseModel):
    items: list[AccessLogEntry]
    next_cursor: str | None
