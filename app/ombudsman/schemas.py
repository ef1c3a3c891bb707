"""Bodies and answers of /v1/ombudsman-cases and /v1/ombudsman-policies."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from app.calendar.workdays import DeadlineUnit
from app.kernel.validation import PatchModel, StrictModel
from app.ombudsman.steps import Conclusion, MeetingKind, Stage

Text = Annotated[str, Field(min_length=1, max_length=10_000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]
Number = Annotated[str, Field(min_length=1, max_length=100)]
Refs = Annotated[list[Annotated[str, Field(max_length=2_000)]], Field(max_length=20)]
Reason = Annotated[str, Field(min_length=5, max_length=2_000)]
Days = Annotated[int, Field(ge=1, le=365)]


class CitizenIn(StrictModel):
    """The citizen as the Ombudsman's letter names them; sent only when it discloses them."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    nik: Annotated[str, Field(pattern=r"^\d{16}$")] | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9][0-9 \-]{5,20}$")] | None = None
    email: Annotated[str, Field(min_length=3, max_length=320)] | None = None
    address: Annotated[str, Field(max_length=500)] | None = None


class CitizenOut(BaseModel):
    name: str | None = None
    nik: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class CaseIn(StrictModel):
    letter_number: Number = Field(description="the Ombudsman letter's number")
    letter_date: date
    perwakilan: Short = Field(description="the Ombudsman office, e.g. Perwakilan Jawa Tengah")
    report_number: Number | None = Field(None, description="the Ombudsman's register number")
    subject: Annotated[str, Field(min_length=1, max_length=500)]
    agency_id: uuid.UUID = Field(description="the agency reported (terlapor)")
    received_at: AwareDatetime | None = Field(None, description="when the letter arrived")
    citizen: CitizenIn | None = Field(None, description="only when the Ombudsman disclosed it")
    citizen_confidential: bool = Field(
        False, description="the Ombudsman keeps the reporter secret: never exported or shown"
    )
    complaint_ids: Annotated[list[uuid.UUID], Field(max_length=20)] = Field(default_factory=list)


class CasePatch(PatchModel):
    perwakilan: Short | None = None
    report_number: Number | None = None
    subject: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    citizen_confidential: bool | None = None
    complaint_ids: Annotated[list[uuid.UUID], Field(max_length=20)] | None = None
    clearable = frozenset({"report_number"})


class ClarificationIn(StrictModel):
    description: Text = Field(description="what the Ombudsman asks: clarification, data")
    reference: Number | None = Field(None, description="the request letter's number")
    received_at: AwareDatetime | None = None
    due_date: date | None = Field(None, description="the letter's own deadline, if it sets one")
    owner_agency_id: uuid.UUID | None = Field(None, description="default: the reported agency")


class AnswerIn(StrictModel):
    answer: Text
    attachments: Refs = Field(default_factory=list)


class MeetingIn(StrictModel):
    meeting_kind: MeetingKind
    description: Text
    scheduled_at: AwareDatetime
    place: Annotated[str, Field(max_length=300)] | None = None


class MinutesIn(StrictModel):
    minutes: Text
    attachments: Refs = Field(default_factory=list)


class ActionIn(StrictModel):
    description: Text
    owner_agency_id: uuid.UUID | None = Field(None, description="default: the reported agency")
    due_date: date | None = Field(None, description="the LAHP's own time limit, if it sets one")


class LahpIn(StrictModel):
    conclusion: Conclusion
    lahp_number: Number
    received_at: AwareDatetime | None = None
    citizen_confidential: bool | None = Field(
        None, description="the LAHP keeps the reporter secret"
    )
    corrective_actions: Annotated[list[ActionIn], Field(max_length=50)] = Field(
        default_factory=list
    )


class NoteIn(StrictModel):
    note: Text
    attachments: Refs = Field(default_factory=list)


class CompleteIn(StrictModel):
    note: Text = Field(description="what was done")
    attachments: Refs = Field(min_length=1, description="evidence of completion (upload ids)")


class RecommendationIn(StrictModel):
    description: Text
    reference: Number = Field(description="the recommendation's number")
    received_at: AwareDatetime | None = None
    owner_agency_id: uuid.UUID | None = None


class ReportIn(StrictModel):
    report: Text = Field(description="the report on carrying out the recommendation")
    attachments: Refs = Field(default_factory=list)


class RevealIn(StrictModel):
    reason: Reason


class StepOut(BaseModel):
    id: uuid.UUID
    number: int
    kind: str
    meeting_kind: str | None
    reference: str | None
    description: str
    owner_agency_id: uuid.UUID
    state: str
    received_at: datetime
    due_at: datetime | None
    scheduled_at: datetime | None
    place: str | None
    answer: str | None
    notes: list[dict[str, Any]]
    attachments: list[str]
    done_at: datetime | None
    on_time: bool | None
    overdue: bool


class RoutedTo(BaseModel):
    agency_liaison: dict[str, Any] | None
    narahubung: list[dict[str, Any]]


class CaseOut(BaseModel):
    id: uuid.UUID
    letter_number: str
    letter_date: date
    perwakilan: str
    report_number: str | None
    subject: str
    agency_id: uuid.UUID
    stage: Stage
    policy_version: int
    citizen_disclosed: bool
    citizen_confidential: bool
    conclusion: str | None
    lahp_number: str | None
    received_at: datetime
    closed_at: datetime | None
    complaint_ids: list[uuid.UUID]
    next_due_at: datetime | None
    steps: list[StepOut] = Field(default_factory=list)


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


class EventOut(BaseModel):
    seq: int
    type: str
    stage: str
    step_id: uuid.UUID | None
    occurred_at: datetime
    actor: dict[str, Any]
    data: dict[str, Any]


class EventList(BaseModel):
    items: list[EventOut]


class RevealOut(BaseModel):
    case_id: uuid.UUID
    citizen: CitizenOut


class PolicyIn(StrictModel):
    effective_from: date
    clarification_days: Days
    clarification_unit: DeadlineUnit = "working_days"
    corrective_action_days: Days
    corrective_action_unit: DeadlineUnit = "calendar_days"
    recommendation_days: Days = 60
    recommendation_unit: DeadlineUnit = "calendar_days"
    legal_basis: Annotated[str, Field(max_length=500)] | None = None


class PolicyOut(BaseModel):
    id: uuid.UUID | None
    version: int
    effective_from: date
    clarification_days: int
    clarification_unit: str
    corrective_action_days: int
    corrective_action_unit: str
    recommendation_days: int
    recommendation_unit: str
    legal_basis: str | None
    in_force: bool


class PolicyList(BaseModel):
    items: list[PolicyOut]


StepKind = Literal["clarification", "meeting", "corrective_action", "recommendation"]
