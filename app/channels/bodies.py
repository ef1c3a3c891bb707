"""A provider's message into a complaint body, whole or refused: never cut to fit."""

from typing import Any

from pydantic import ValidationError

from app.complaints.schemas import ComplaintCreate
from app.kernel.errors import Invalid


def field_details(exc: ValidationError) -> list[dict[str, Any]]:
    """The error shape's details: each field that failed, named as the provider sent it."""
    return [{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]


def complaint_body(**fields: Any) -> ComplaintCreate:
    """The complaint a message makes; a field past its limit is a 422 naming it, not cut."""
    try:
        return ComplaintCreate(**fields)
    except ValidationError as exc:
        too_long = any(
            e["loc"] == ("text",) and e["type"] == "string_too_long" for e in exc.errors()
        )
        raise Invalid(
            "The message is longer than a complaint may be; send a shorter one."
            if too_long
            else "The message cannot become a complaint.",
            code="text_too_long" if too_long else "invalid_message",
            details=field_details(exc),
        ) from exc
