"""The contract's enums (API.md), defined once for the models, the schemas and the lifecycle.

They are `Literal`s rather than Enum classes so that every call site that names a status or an
event with a plain string (`append_event(..., "verified", ...)`) is checked by mypy against
this one list, and the OpenAPI schema stays a plain string enum.
"""

from typing import Literal, get_args

Status = Literal[
    "received",
    "needs_info",
    "verified",
    "dispatched",
    "in_progress",
    "responded",
    "closed",
    "archived",
]
ComplaintType = Literal["information", "non_field", "field_inspection"]
Channel = Literal[
    "call_center", "sms_1708", "social_media", "counter", "web", "mobile_app", "lapor_hub"
]

# The events a callback endpoint may subscribe to (API.md's list, each sent as "complaint.<x>").
WebhookEvent = Literal[
    "received",
    "needs_info",
    "info_supplied",
    "verified",
    "archived",
    "dispatched",
    "acknowledged",
    "transferred",
    "responded",
    "feedback_received",
    "reopened",
    "closed",
    "due_soon",
    "overdue",
    "escalated",
    "deadline_extended",
]
# Events on the timeline (and fanned out) that no endpoint subscribes to by name.
InternalEvent = Literal["transfer_requested", "reporter_corrected"]
# Every event type a complaint's timeline can hold.
EventType = Literal[WebhookEvent, InternalEvent]

STATUSES: tuple[str, ...] = get_args(Status)
TYPES: tuple[str, ...] = get_args(ComplaintType)
CHANNELS: tuple[str, ...] = get_args(Channel)
WEBHOOK_EVENTS: tuple[str, ...] = get_args(WebhookEvent)
# As callback bodies and endpoint subscriptions name them.
EVENT_NAMES: tuple[str, ...] = tuple(f"complaint.{t}" for t in WEBHOOK_EVENTS)

# The result of handling a response records (Pasal 11 ayat 2, "hasil penanganan").
Resolution = Literal["resolved", "not_settleable"]
RESOLUTIONS: tuple[str, ...] = get_args(Resolution)

# The events of an Ombudsman case's timeline (app/ombudsman), sent as "ombudsman.<x>"; apart
# from the complaint events above, so no complaint callback ever carries one.
OmbudsmanEvent = Literal[
    "received",
    "updated",
    "clarification_requested",
    "clarification_answered",
    "meeting_scheduled",
    "meeting_held",
    "lahp_received",
    "corrective_action_added",
    "corrective_action_progress",
    "corrective_action_completed",
    "recommendation_received",
    "recommendation_reported",
    "due_soon",
    "overdue",
    "escalated",
    "closed",
]
OMBUDSMAN_EVENTS: tuple[str, ...] = get_args(OmbudsmanEvent)
OMBUDSMAN_EVENT_NAMES: tuple[str, ...] = tuple(f"ombudsman.{t}" for t in OMBUDSMAN_EVENTS)
