"""Request and response models of agencies, liaisons, categories, rules and regions."""

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from app.kernel.validation import PatchModel, StrictModel

AgencyKind = Literal["dinas", "badan", "bagian", "kecamatan", "kelurahan_desa", "bumd", "vertical"]
LiaisonRole = Literal["primary", "deputy"]
ComplaintType = Literal["information", "non_field", "field_inspection"]
ChannelName = Literal[
    "call_center", "sms_1708", "social_media", "counter", "web", "mobile_app", "lapor_hub"
]
Code = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Email = Annotated[str, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
RegionCode = Annotated[str, Field(pattern=r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$", max_length=13)]
Phone = Annotated[str, Field(min_length=5, max_length=30, pattern=r"^\+?[0-9 -]+$")]
# The number of the decree (SK) that appoints a liaison.
DecreeNumber = Annotated[str, Field(min_length=1, max_length=100)]
# An area office's area: a kecamatan (35.21.09) or a desa/kelurahan (35.21.09.2001).
AreaCode = Annotated[
    str,
    Field(
        pattern=r"^\d{2}\.\d{2}\.\d{2}(\.\d{4})?$",
        max_length=13,
        description="Kemendagri kecamatan or desa/kelurahan code",
    ),
]


class AgencyIn(StrictModel):
    code: Code
    name: Name
    kind: AgencyKind
    parent_id: uuid.UUID | None = None
    active: bool = True
    head_email: Email | None = None
    region_code: AreaCode | None = None


class AgencyPatch(PatchModel):
    clearable = frozenset({"parent_id", "head_email", "region_code"})
    name: Name | None = None
    kind: AgencyKind | None = None
    parent_id: uuid.UUID | None = None
    active: bool | None = None
    head_email: Email | None = None
    region_code: AreaCode | None = None


class LiaisonRef(BaseModel):
    id: uuid.UUID
    role: LiaisonRole
    name: str


class AgencyOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    kind: str
    parent_id: uuid.UUID | None
    active: bool
    head_email: str | None
    region_code: str | None = Field(
        None, description="the kecamatan or desa/kelurahan this area office serves"
    )
    current_liaison: LiaisonRef | None = Field(
        None, description="who would be notified today (jurisdiction's local date)"
    )


class AgencyPage(BaseModel):
    items: list[AgencyOut]
    next_cursor: str | None


class LiaisonIn(StrictModel):
    role: LiaisonRole
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    decree_number: DecreeNumber | None = None
    valid_from: date
    valid_to: date | None = None
    user_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _range(self) -> "LiaisonIn":
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to must be on or after valid_from")
        return self


class LiaisonPatch(PatchModel):
    clearable = frozenset({"email", "phone", "decree_number", "valid_to"})
    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    decree_number: DecreeNumber | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class LiaisonOut(BaseModel):
    id: uuid.UUID
    agency_id: uuid.UUID
    role: LiaisonRole
    name: str
    email: str | None
    phone: str | None
    decree_number: str | None
    valid_from: date
    valid_to: date | None
    user_id: uuid.UUID | None
    valid_today: bool


class LiaisonList(BaseModel):
    items: list[LiaisonOut]
    next_cursor: str | None = None


class CategoryIn(StrictModel):
    code: Code
    name: Name
    parent_id: uuid.UUID | None = None
    default_agency_id: uuid.UUID | None = None
    default_type: ComplaintType | None = None
    active: bool = True


class CategoryPatch(PatchModel):
    clearable = frozenset({"parent_id", "default_agency_id", "default_type"})
    name: Name | None = None
    parent_id: uuid.UUID | None = None
    default_agency_id: uuid.UUID | None = None
    default_type: ComplaintType | None = None
    active: bool | None = None


class CategoryOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    parent_id: uuid.UUID | None
    default_agency_id: uuid.UUID | None
    default_type: str | None
    active: bool


class CategoryPage(BaseModel):
    items: list[CategoryOut]
    next_cursor: str | None


# A keyword needs a letter or digit: punctuation alone normalises to nothing and never matches.
Keyword = Annotated[str, Field(min_length=2, max_length=100, pattern=r"[A-Za-z0-9]")]


class RuleIn(StrictModel):
    name: Name
    position: Annotated[int, Field(ge=0, le=1_000_000)]
    agency_id: uuid.UUID
    category_id: uuid.UUID | None = None
    region_prefix: RegionCode | None = None
    keywords: Annotated[list[Keyword], Field(max_length=50)] = Field(default_factory=list)
    channel: ChannelName | None = None
    active: bool = True

    @model_validator(mode="after")
    def _some_condition(self) -> "RuleIn":
        if not (self.category_id or self.region_prefix or self.keywords or self.channel):
            raise ValueError("a rule needs at least one condition")
        return self


class RuleOut(BaseModel):
    id: uuid.UUID
    name: str
    position: int
    agency_id: uuid.UUID
    category_id: uuid.UUID | None
    region_prefix: str | None
    keywords: list[str]
    channel: str | None
    active: bool


class RulePage(BaseModel):
    items: list[RuleOut]
    next_cursor: str | None


class RuleTestIn(StrictModel):
    text: Annotated[str, Field(min_length=1, max_length=10_000)]
    title: Annotated[str, Field(max_length=200)] | None = None
    category_id: uuid.UUID | None = None
    region_code: RegionCode | None = None
    address: Annotated[str, Field(max_length=500)] | None = None
    channel: ChannelName | None = None


class Candidate(BaseModel):
    agency_id: uuid.UUID
    code: str
    name: str
    probability: float


class RouteExplanation(BaseModel):
    """The decision verify would make now: the same function, the same fields."""

    outcome: Literal["rule", "model", "category_default", "triage"]
    agency: dict[str, Any] | None
    agency_id: uuid.UUID | None = None
    agency_code: str | None = None
    reason: str
    rule_id: uuid.UUID | None = None
    probability: float | None = Field(None, description="the model's probability for its choice")
    threshold: float | None = Field(None, description="below it the model abstains (triage)")
    candidates: list[Candidate] = Field(
        default_factory=list, description="the model's likeliest agencies, likeliest first"
    )
    cues: list[str] = Field(
        default_factory=list,
        description="the terms that weighed most for the choice (~ marks a character n-gram)",
    )
    model_version: int | None = None
    category: dict[str, Any] | None = None
    region: dict[str, Any] | None
    rules: list[dict[str, Any]]
    liaison: dict[str, Any] | None = None


class RegionOut(BaseModel):
    code: str
    name: str
    level: str
    parent_code: str | None


class RegionPage(BaseModel):
    items: list[RegionOut]
    next_cursor: str | None


class RegionMatchOut(BaseModel):
    match: RegionOut | None
    score: float | None
    matched_text: str | None


class RoutingSettingsIn(StrictModel):
    liaison_direct_transfer: bool
    auto_dispatch_threshold: Annotated[float, Field(ge=0.0, le=1.0)] | None = Field(
        None,
        description="below this probability the learned model sends to triage; "
        "null: the threshold its evaluation chose for 90% precision",
    )


class RoutingSettingsOut(BaseModel):
    liaison_direct_transfer: bool
    auto_dispatch_threshold: float | None = None
    effective_threshold: float = Field(description="the threshold in force now")
    threshold_source: Literal["setting", "model_evaluation", "default"]
