"""SMS gateway formats into one shape, the concatenation header, and the keyword prefix. Pure."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from pydantic import ConfigDict, Field

from app.complaints.tracking import normalize as normalize_tracking
from app.kernel.errors import Invalid
from app.kernel.validation import StrictModel
from app.privacy.crypto import normalize_identifier

MAX_PART_CHARS = 1_600
# A message the gateway already joined (Gammu, Twilio, "whole": true) may be as long as a
# complaint; longer is refused by the complaint's own limit, never cut.
MAX_WHOLE_CHARS = 10_000
COMPLAINT_KEYWORDS = frozenset({"LAPOR", "ADUAN", "ADU"})
STATUS_KEYWORDS = frozenset({"CEK", "STATUS"})


@dataclass(frozen=True)
class Concat:
    ref: str
    total: int
    part: int


@dataclass(frozen=True)
class InboundSms:
    sender: str  # +E.164 digits
    text: str
    message_ref: str | None
    concat: Concat | None
    # Twilio (and a gateway that says so) hands over a message already joined.
    whole: bool = False


class ConcatIn(StrictModel):
    ref: Annotated[str, Field(min_length=1, max_length=20)]
    total: Annotated[int, Field(ge=1, le=255)]
    part: Annotated[int, Field(ge=1, le=255)]


class JsonSmsIn(StrictModel):
    """The generic gateway format: one SMS (or one part of a long one) per request."""

    # Not stripped: a long SMS is cut at any character, so a part may end or begin with the
    # space between two words, and stripping it would glue them together when parts are joined.
    model_config = ConfigDict(populate_by_name=True, str_strip_whitespace=False)
    message_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    sender: Annotated[str, Field(alias="from", min_length=3, max_length=32)]
    to: Annotated[str, Field(max_length=32)] | None = None
    text: Annotated[str, Field(max_length=MAX_WHOLE_CHARS)]
    concat: ConcatIn | None = None
    whole: bool = Field(False, description="true when the gateway already joined the parts")


def sender_phone(raw: str) -> str:
    """'+6281..', '6281..' and '081..' as one '+62..' number; an alphanumeric sender is refused."""
    cleaned = raw.strip()
    if not re.fullmatch(r"\+?[0-9][0-9 \-]{5,20}", cleaned):
        raise Invalid.field("from", "The sender is not a phone number.", code="invalid_sender")
    digits = normalize_identifier("phone", cleaned)
    return "+" + (digits or "")


def _text(raw: str | None, whole: bool = False) -> str:
    # Kept as sent: a long SMS is cut anywhere, and the space at a cut belongs to the text.
    text = raw or ""
    if not text.strip():
        raise Invalid.field("text", "The message is empty.", code="empty_message")
    limit, what = (MAX_WHOLE_CHARS, "A joined SMS") if whole else (MAX_PART_CHARS, "An SMS part")
    if len(text) > limit:
        raise Invalid.field("text", f"{what} is at most {limit} characters.", code="text_too_long")
    return text


def parse_udh(raw: str | None) -> Concat | None:
    """The concatenation element of a User Data Header (hex, or the raw bytes Kannel passes)."""
    if not raw:
        return None
    value = raw.strip()
    data = (
        bytes.fromhex(value)
        if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", value)
        else value.encode("latin-1", errors="replace")
    )
    if len(data) < 2 or data[0] != len(data) - 1:
        raise Invalid.field("udh", "The UDH is malformed.", code="invalid_udh")
    i = 1
    while i + 1 < len(data):
        iei, length = data[i], data[i + 1]
        body = data[i + 2 : i + 2 + length]
        if iei == 0x00 and length == 3 and len(body) == 3:  # 8-bit reference
            ref, total, part = str(body[0]), body[1], body[2]
        elif iei == 0x08 and length == 4 and len(body) == 4:  # 16-bit reference
            ref, total, part = str(body[0] << 8 | body[1]), body[2], body[3]
        else:
            i += 2 + length
            continue
        if total < 1 or not 1 <= part <= total:
            raise Invalid.field("udh", "The UDH part numbers are impossible.", code="invalid_udh")
        return Concat(ref, total, part)
    return None


def from_json(body: JsonSmsIn) -> InboundSms:
    """The generic JSON gateway's message."""
    concat = body.concat
    if concat is not None and concat.part > concat.total:
        raise Invalid.field("concat.part", "part cannot exceed total.")
    return InboundSms(
        sender=sender_phone(body.sender),
        text=_text(body.text, body.whole),
        message_ref=body.message_id,
        concat=Concat(concat.ref, concat.total, concat.part) if concat else None,
        whole=body.whole,
    )


def from_kannel(params: Mapping[str, str]) -> InboundSms:
    """Kannel's sms-service get-url/post-url parameters (from=%p&text=%a&udh=%u&id=...)."""
    if "from" not in params:
        raise Invalid.field("from", "The sender ('from') is missing.", code="missing_sender")
    ref = params.get("id") or None
    if ref is not None and len(ref) > 200:
        raise Invalid.field("id", "The message id is too long.")
    return InboundSms(
        sender=sender_phone(params["from"]),
        text=_text(params.get("text")),
        message_ref=ref,
        concat=parse_udh(params.get("udh")),
    )


def from_twilio(params: Mapping[str, str]) -> InboundSms:
    """Twilio's form post; Twilio joins long messages itself (NumSegments)."""
    sid = params.get("MessageSid") or params.get("SmsSid")
    if not sid or len(sid) > 200:
        raise Invalid.field("MessageSid", "MessageSid is missing.", code="missing_message_id")
    if "From" not in params:
        raise Invalid.field("From", "The sender ('From') is missing.", code="missing_sender")
    return InboundSms(
        sender=sender_phone(params["From"]),
        text=_text(params.get("Body"), whole=True),
        message_ref=sid,
        concat=None,
        whole=True,
    )


@dataclass(frozen=True)
class Keyword:
    kind: str  # "complaint" or "status"
    text: str  # the complaint text, or what followed CEK
    tracking_id: str | None = None


def parse_keyword(text: str) -> Keyword:
    """`LAPOR <text>` is a complaint, `CEK <tracking id>` a status query, else a complaint."""
    first, _, rest = text.strip().partition(" ")
    word = first.upper().rstrip(":#")
    if word in STATUS_KEYWORDS:
        return Keyword("status", rest.strip(), normalize_tracking(rest) if rest.strip() else None)
    if word in COMPLAINT_KEYWORDS:
        return Keyword("complaint", rest.strip())
    return Keyword("complaint", text.strip())
