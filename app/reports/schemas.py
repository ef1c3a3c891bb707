"""The reports' answers: every count named as the regulation's table names it."""

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kernel.validation import StrictModel

Breakdown = Literal["agency", "type", "category", "channel", "region", "counter_site"]
Interval = Literal["week", "month"]


class PeriodOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    start: date = Field(alias="from", description="first local date, included")
    end: date = Field(alias="to", description="last local date, included")
    timezone: str = Field(description="the jurisdiction's time zone the dates are in")


class Span(BaseModel):
    median: float | None
    p90: float | None


class Measures(BaseModel):
    received: int
    archived: int
    not_verified: int
    waiting_for_information: int
    in_process: int
    responded: int = Field(description="answered, waiting for the reporter's reaction")
    settled: int = Field(description="closed with resolution resolved")
    not_settleable: int = Field(description="closed with resolution not_settleable")
    reopened: int = Field(description="complaints reopened at least once")
    on_time: int
    late: int
    on_time_percent: float | None
    overdue_now: int
    settled_of_eligible_percent: float | None
    working_days: dict[str, Span] = Field(
        description="median and 90th percentile working days to verify, acknowledge, respond"
    )
    transfers: int = Field(description="transfers of these complaints")
    transfers_in: int | None = Field(None, description="agencies only: transfers to it")
    transfers_out: int | None = Field(None, description="agencies only: transfers from it")
    feedback: int
    mean_rating: float | None
    satisfied: int
    satisfied_percent: float | None


class Row(Measures):
    key: str | None = Field(
        description="the agency or category id, type, channel, kecamatan "
        "code or bucket date; null for complaints without one"
    )
    name: str | None


class BreakdownOut(BaseModel):
    by: str
    period: PeriodOut
    rows: list[Row]
    formulas: dict[str, str]


class ShareOut(BaseModel):
    name: str
    percent: float | None
    numerator: int
    denominator: int
    formula: str


class TargetOut(BaseModel):
    year: int
    target_percent: float
    actual_percent: float | None = Field(description="settled_of_eligible")
    met: bool | None
    source: Literal["jurisdiction", "regulation"]


class SummaryOut(BaseModel):
    period: PeriodOut
    totals: Measures
    archived_by_reason: dict[str, int]
    shares: list[ShareOut]
    target: TargetOut
    formulas: dict[str, str]


class SatisfactionRow(BaseModel):
    key: str | None
    name: str | None
    feedback: int
    mean_rating: float | None
    satisfied_percent: float | None
    ratings: dict[str, int] = Field(description="latest rating per complaint, '1' to '5'")
    comments: int = Field(description="feedback given with a comment")
    reopened: int


class SatisfactionOut(BaseModel):
    period: PeriodOut
    rows: list[SatisfactionRow]
    formulas: dict[str, str]


class MonthlyOut(BaseModel):
    month: str
    summary: SummaryOut
    agencies: BreakdownOut
    trend: BreakdownOut = Field(description="per month, the twelve months up to this one")


class TargetIn(StrictModel):
    settled_percent: float = Field(ge=0, le=100)


class TargetSet(BaseModel):
    jurisdiction_id: uuid.UUID
    year: int
    settled_percent: float
