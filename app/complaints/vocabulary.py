"""The contract's enums (API.md), defined once for the models, the schemas and the lifecycle."""

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

STATUSES: tuple[str, ...] = get_args(Status)
TYPES: tuple[str, ...] = get_args(ComplaintType)
CHANNELS: tuple[str, ...] = get_args(Channel)

# The result of handling a response records (Pasal 11 ayat 2, "hasil penanganan").
Resolution = Literal["resolved", "not_settleable"]
RESOLUTIONS: tuple[str, ...] = get_args(Resolution)
