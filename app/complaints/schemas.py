"""Request and response bodies of the complaint endpoints: strict, bounded, documented."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from app.complaints.vocabulary import Channel, ComplaintType, Resolution, Status
from app.kernel.validation import StrictModel, field_rule

ChannelName = Channel
StatusName = Status
Platform = Literal["x", "facebook", "instagram", "whatsapp"]
CounterKind = Literal["walk_in", "complaint_box", "letter"]
ArchiveReason = Literal["unclear", "duplicate", "not_a_complaint", "out_of_scope", "incomplete"]

# Channels whose complaints may carry the date they were really received (paper, phone, hub).
BACKDATABLE_CHANNELS = frozenset({"counter", "call_center", "lapor_hub"})

Text = Annotated[str, Field(min_length=1, max_length=10_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=2_000)]
Attachment = Annotated[str, Field(min_length=1, max_length=2_000)]


# BaseModel named again only so linters see a pydantic model (its list defaults are copied).
class Strict(StrictModel, BaseModel):
    """Base of the complaint request bodies."""


AgencyCode = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9._-]+$")]


class CounterSite(Strict):
    """Where a counter complaint was taken: an agency's own office or booth (gerai pengaduan),
    and the event it stood at, if any (an expo, a mobile service day)."""

    agency_code: AgencyCode = Field(description="the code of the agency whose office or booth")
    event: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class Location(Strict):
    region_code: (
        Annotated[str, Field(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$", max_length=13)]
        | None
    ) = None
    address: Annotated[str, Field(max_length=500)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None

    @model_validator(mode="after")
    def _both_coordinates(self) -> "Location":
        if (self.lat is None) != (self.lon is None):
            raise field_rule("lon" if self.lon is None else "lat", "lat and lon go together")
        return self


class ReporterIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    nik: Annotated[str, Field(pattern=r"^\d{16}$")] | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9][0-9 \-]{5,20}$")] | None = None
    email: (
        Annotated[str, Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}\.[A-Za-z]{2,}$", max_length=320)]
        | None
    ) = None
    address: Annotated[str, Field(max_length=500)] | None = None
    social_id: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None, description="the reporter's account id on the social platform they wrote from"
    )


class FiledBy(Strict):
    """Someone filing on the reporter's behalf (family, a village official, a lawyer)."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    relation: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9][0-9 \-]{5,20}$")] | None = None
    email: (
        Annotated[str, Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}\.[A-Za-z]{2,}$", max_length=320)]
        | None
    ) = None


class ComplaintCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "channel": "mobile_app",
                    "text": "Jalan di Desa Beran berlubang besar, sudah dua bulan.",
                    "title": "Jalan berlubang",
                    "location": {"region_code": "35.21.09.2006", "address": "Jl. Raya Beran"},
                    "reporter": {"name": "Siti Aminah", "phone": "+6281234567890"},
                    "channel_ref": "app-report-1842",
                }
            ]
        }
    )

    channel: ChannelName
    platform: Platform | None = Field(None, description="social_media: which platform")
    counter_kind: CounterKind | None = Field(None, description="counter: walk-in, box or letter")
    counter_site: CounterSite | None = Field(
        None, description="counter: the office or booth it was taken at, and the event"
    )
    text: Text
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    category_id: uuid.UUID | None = None
    location: Location | None = None
    occurred_at: AwareDatetime | None = None
    received_at: AwareDatetime | None = Field(
        None, description="counter, call centre and hub only: when it was really received"
    )
    reporter: ReporterIn | None = None
    anonymous: bool = False
    confidential: bool = False
    callback_url: Annotated[HttpUrl, Field(max_length=2_000)] | None = None
    channel_ref: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    attachments: Annotated[list[Attachment], Field(max_length=10)] = []
    call_ref: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="call_center: the call's reference in the telephony system"
    )
    letter_number: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="counter letter: the letter's number"
    )
    letter_date: date | None = Field(None, description="counter letter: the date on the letter")
    contact_consent: bool | None = Field(
        None, description="whether the reporter agreed to be contacted about the complaint"
    )
    filed_by: FiledBy | None = Field(
        None, description="someone filing on the reporter's behalf; kept encrypted like them"
    )

    @model_validator(mode="after")
    def _channel_details(self) -> "ComplaintCreate":
        if self.call_ref is not None and self.channel != "call_center":
            raise ValueError("call_ref is only for call_center intake")
        letter = self.letter_number is not None or self.letter_date is not None
        if letter and self.counter_kind != "letter":
            raise ValueError("letter_number and letter_date are only for counter letters")
        if (self.channel == "social_media") != (self.platform is not None):
            raise field_rule("platform", "platform is required for social_media and only for it")
        if self.counter_site is not None and self.channel != "counter":
            raise field_rule("counter_site", "counter_site is only for counter intake")
        if (self.channel == "counter") != (self.counter_kind is not None):
            raise field_rule("counter_kind", "counter_kind is required for counter and only for it")
        if self.received_at is not None and self.channel not in BACKDATABLE_CHANNELS:
            raise field_rule(
                "received_at", "received_at is only for counter, call_center and lapor_hub intake"
            )
        return self


class ComplaintCreated(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "622f0d4e-9c1b-4a57-8d36-2f1f6f0b9a11",
                    "tracking_id": "LPR-2MTAC-QWBF7",
                    "status": "received",
                    "suggested_type": "field_inspection",
                    "received_at": "2026-11-20T02:15:00Z",
                    "verification_due_at": "2026-11-25T16:59:59.999999Z",
                    "existing": False,
                }
            ]
        }
    )

    id: uuid.UUID
    tracking_id: str
    status: StatusName
    suggested_type: ComplaintType | None
    received_at: datetime
    verification_due_at: datetime
    existing: bool = Field(
        False, description="true when channel_ref matched an earlier complaint of the same sender"
    )


class AgencyRef(BaseModel):
    id: uuid.UUID
    code: str
    name: str


class PolicyRef(BaseModel):
    id: uuid.UUID
    version: int
    unit: str
    days: int | None


class LocationOut(BaseModel):
    region_code: str | None
    address: str | None
    lat: float | None
    lon: float | None


class ReporterOut(BaseModel):
    name: str | None = None
    nik: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class ComplaintOut(BaseModel):
    id: uuid.UUID
    tracking_id: str
    status: StatusName
    type: ComplaintType | None
    suggested_type: ComplaintType | None
    suggested_category_id: uuid.UUID | None = None
    suggestion: dict[str, Any] | None = Field(
        None, description="the classifier's guess at intake: type, category, confidence, cues"
    )
    routing: dict[str, Any] | None = Field(
        None,
        description="the last routing decision: routed_by, probability, threshold, the top "
        "candidates (in triage: the agencies to pick from), cues, model_version",
    )
    channel: ChannelName
    channel_detail: dict[str, Any]
    channel_ref: str | None
    title: str | None
    text: str
    category_id: uuid.UUID | None
    location: LocationOut
    occurred_at: datetime | None
    received_at: datetime
    anonymous: bool
    confidential: bool
    attachments: list[str]
    agency: AgencyRef | None
    policy: PolicyRef
    verification_due_at: datetime
    verified_at: datetime | None
    due_at: datetime | None
    paused: bool
    info_due_at: datetime | None
    acknowledged_at: datetime | None
    responded_at: datetime | None
    resolution: Resolution | None = Field(
        description="the latest response's result of handling; a closed complaint keeps it"
    )
    resolution_reason: str | None
    auto_close_at: datetime | None
    closed_at: datetime | None
    rating: int | None = Field(description="the reporter's latest rating, 1-5")
    satisfied: bool | None
    reopen_count: int
    archived_reason: str | None
    duplicate_of: uuid.UUID | None = Field(
        description="admins only (README: Roles and access); null for every other caller"
    )
    possible_duplicate_of: uuid.UUID | None = Field(
        description="an earlier complaint by the same reporter saying much the same; admins "
        "only (README: Roles and access), null for every other caller"
    )
    overdue: bool
    allowed_actions: list[str]
    created_at: datetime
    updated_at: datetime
    reporter: ReporterOut | None = Field(
        None,
        description="only on GET for callers who may see it (README: Roles and access); "
        "never for an anonymous reporter",
    )


class ComplaintSummary(BaseModel):
    id: uuid.UUID
    tracking_id: str
    status: StatusName
    type: ComplaintType | None
    channel: ChannelName
    title: str | None
    agency_id: uuid.UUID | None
    received_at: datetime
    verification_due_at: datetime
    due_at: datetime | None
    overdue: bool
    responded_at: datetime | None
    resolution: Resolution | None
    closed_at: datetime | None
    rating: int | None
    satisfied: bool | None


class ComplaintPage(BaseModel):
    items: list[ComplaintSummary]
    next_cursor: str | None


class EventOut(BaseModel):
    seq: int
    type: str
    occurred_at: datetime
    actor: dict[str, Any]
    data: dict[str, Any]


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


class TrackOut(BaseModel):
    tracking_id: str
    status: StatusName
    type: ComplaintType | None
    channel: ChannelName
    agency_name: str | None
    title: str | None
    text: str | None = Field(description="absent when the complaint is confidential (rahasia)")
    confidential: bool
    received_at: datetime
    verified_at: datetime | None
    due_at: datetime | None
    responded_at: datetime | None
    closed_at: datetime | None
    on_time: bool | None = Field(
        description="the deadline kept (responded by due_at, or not yet past it); null before "
        "verification sets one"
    )
    timezone: str = Field(description="the jurisdiction's IANA time zone, to show dates locally")
    timeline: list[dict[str, Any]]


# --- action bodies ---------------------------------------------------------------------------


class VerifyIn(Strict):
    type: ComplaintType
    category_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    note: Annotated[str, Field(max_length=2_000)] | None = None


class RequestInfoIn(Strict):
    message: ShortText


class InfoIn(Strict):
    text: Text
    attachments: Annotated[list[Attachment], Field(max_length=10)] = []


class ArchiveIn(Strict):
    reason: ArchiveReason
    duplicate_of: uuid.UUID | None = None
    note: Annotated[str, Field(max_length=2_000)] | None = None

    @model_validator(mode="after")
    def _duplicate_needs_original(self) -> "ArchiveIn":
        if (self.reason == "duplicate") != (self.duplicate_of is not None):
            raise field_rule(
                "duplicate_of",
                "duplicate_of is required when the reason is duplicate, and only then",
            )
        return self


class DispatchIn(Strict):
    agency_id: uuid.UUID
    note: Annotated[str, Field(max_length=2_000)] | None = None


class AcknowledgeIn(Strict):
    note: Annotated[str, Field(max_length=2_000)] | None = None


class TransferIn(Strict):
    agency_id: uuid.UUID
    reason: ShortText


class ResponseIn(Strict):
    message: Text
    attachments: Annotated[list[Attachment], Field(max_length=10)] = []
    resolution: Resolution = Field(
        "resolved",
        description="the result of handling: resolved, or not_settleable (e.g. outside the "
        "region's authority or budget) with a resolution_reason",
    )
    resolution_reason: ShortText | None = Field(
        None, description="why it cannot be settled; required for not_settleable, and only then"
    )

    @model_validator(mode="after")
    def _reason_for_not_settleable(self) -> "ResponseIn":
        if (self.resolution == "not_settleable") != (self.resolution_reason is not None):
            raise field_rule(
                "resolution_reason",
                "resolution_reason is required when the resolution is not_settleable, "
                "and only then",
            )
        return self


class FeedbackIn(Strict):
    rating: Annotated[int, Field(ge=1, le=5)]
    satisfied: bool
    comment: Annotated[str, Field(max_length=2_000)] | None = None


class ExtendIn(Strict):
    working_days: Annotated[int, Field(ge=1, le=60)]
    reason: ShortText
