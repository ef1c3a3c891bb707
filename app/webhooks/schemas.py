"""Request and response bodies of /v1/webhook-endpoints."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema

from app.complaints.vocabulary import EVENT_NAMES, OMBUDSMAN_EVENT_NAMES
from app.kernel.validation import PatchModel, StrictModel

# An endpoint subscribes to complaint events (the contract's) and, by name, to Ombudsman case
# events; by default to the complaint events only, as before there were cases.
SUBSCRIBABLE = (*EVENT_NAMES, *OMBUDSMAN_EVENT_NAMES)


def _known_event(name: str) -> str:
    if name not in SUBSCRIBABLE:
        raise ValueError(f"not an event type; one of {', '.join(SUBSCRIBABLE)}")
    return name


# One of the vocabulary's webhook events; shown in OpenAPI as the enum it is.
EventName = Annotated[
    str,
    AfterValidator(_known_event),
    WithJsonSchema({"enum": list(SUBSCRIBABLE), "type": "string"}),
]

DeliveryStatus = Literal["pending", "done", "dead", "cancelled"]
Url = Annotated[str, Field(min_length=8, max_length=2000)]
EventList = Annotated[list[EventName], Field(min_length=1, max_length=len(SUBSCRIBABLE))]
Description = Annotated[str, Field(max_length=500)]


class EndpointCreate(StrictModel):
    url: Url
    event_types: EventList = Field(default_factory=lambda: list(EVENT_NAMES))
    description: Description | None = None
    active: bool = True
    agency_id: uuid.UUID | None = Field(
        None, description="admins only: limit the endpoint to one agency's complaints"
    )


class EndpointUpdate(PatchModel):
    clearable = frozenset({"description"})

    url: Url | None = None
    event_types: EventList | None = None
    description: Description | None = None
    active: bool | None = Field(None, description="true re-enables a disabled endpoint")


class RotateSecret(StrictModel):
    overlap_hours: Annotated[int, Field(ge=0, le=168)] = 24


class EndpointOut(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    description: str | None
    active: bool
    agency_id: uuid.UUID | None
    owner_client_id: uuid.UUID | None
    disabled_at: datetime | None
    disabled_reason: str | None
    last_success_at: datetime | None
    previous_secret_expires_at: datetime | None
    created_at: datetime


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="whsec_...: shown once, keep it safe")


class EndpointPage(BaseModel):
    items: list[EndpointOut]
    next_cursor: str | None


class AttemptOut(BaseModel):
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    response_excerpt: str | None
    error: str | None


class DeliveryOut(BaseModel):
    id: uuid.UUID
    message_id: str
    event_type: str
    complaint_id: uuid.UUID | None
    ombudsman_case_id: uuid.UUID | None = None
    seq: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    done_at: datetime | None
    attempt_log: list[AttemptOut]


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None


class CallbackSecret(BaseModel):
    secrets: list[str] = Field(
        description="verify callback_url deliveries with any of these (several during rotation)"
    )
