"""Pure rules of delivery: the retry schedule, Retry-After, what an answer means, the body."""

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

# Seconds to wait before attempt 1, 2, ... 10 (Standard Webhooks' customary schedule).
SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
MAX_ATTEMPTS = len(SCHEDULE)
# A receiver may ask for a pause, but not one that parks a delivery for days.
MAX_RETRY_AFTER = timedelta(hours=24)

_MESSAGE_NS = uuid.UUID("6d1f6c2e-1b0a-4f57-9a77-3f1de2d0a5b1")


def next_attempt_delay(attempts_made: int) -> timedelta | None:
    """Wait before the next attempt, with ±10% jitter; None once the schedule is spent."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    base = SCHEDULE[attempts_made]
    return timedelta(seconds=base * random.uniform(0.9, 1.1))


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """`Retry-After` as seconds or an HTTP date, capped; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        wait = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        wait = when - now
    return max(timedelta(0), min(wait, MAX_RETRY_AFTER))


@dataclass(frozen=True)
class Verdict:
    """What one attempt means: done; retry (at a time, or by the schedule); the receiver gone."""

    done: bool
    retry_after: timedelta | None = None
    gone: bool = False


def judge(status_code: int | None, retry_after: str | None, now: datetime) -> Verdict:
    """Only 2xx succeeds; 3xx is a failure (no redirects are followed); 410 means gone."""
    if status_code is not None and 200 <= status_code < 300:
        return Verdict(done=True)
    if status_code == 410:
        return Verdict(done=False, gone=True)
    if status_code in (429, 503):
        return Verdict(done=False, retry_after=parse_retry_after(retry_after, now))
    return Verdict(done=False)


def message_id(complaint_id: uuid.UUID, seq: int) -> str:
    """One id per event, the same for every receiver and every retry (receivers dedupe on it)."""
    return "msg_" + uuid.uuid5(_MESSAGE_NS, f"{complaint_id}:{seq}").hex


def event_body(
    event_type: str,
    msg_id: str,
    occurred_at: datetime,
    complaint_id: uuid.UUID,
    tracking_id: str,
    seq: int,
    status: str,
    agency_id: uuid.UUID | None,
) -> dict[str, Any]:
    """The thin body of API.md: ids and status only, never a reporter's identity or text."""
    return {
        "type": f"complaint.{event_type}",
        "id": msg_id,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "data": {
            "complaint_id": str(complaint_id),
            "tracking_id": tracking_id,
            "seq": seq,
            "status": status,
            "agency_id": str(agency_id) if agency_id else None,
        },
    }


def excerpt(raw: bytes, limit: int) -> str:
    """A bounded, printable excerpt of a receiver's answer for the delivery log."""
    return raw[:limit].decode("utf-8", errors="replace")


def case_event_body(
    event_type: str, msg_id: str, occurred_at: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    """An Ombudsman case event's body, as thin as a complaint's: ids, stage, the step's due
    date; never the citizen the Ombudsman named."""
    return {
        "type": f"ombudsman.{event_type}",
        "id": msg_id,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "data": data,
    }
