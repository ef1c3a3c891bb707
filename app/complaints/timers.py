"""Timers on a complaint: scheduled as outbox rows, fired once by the worker.

Each timer carries the instant it was computed for. When it fires, it acts only if the
complaint still has that instant and the status it was meant for; a deadline moved by a pause
or an extension leaves the old row harmless and schedules a new one under a new dedupe key.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints.clock import due_soon_at
from app.complaints.events import append_event, closed_data
from app.complaints.lifecycle import CLOCK_RUNNING, next_status
from app.complaints.models import Complaint
from app.jurisdictions.service import JurisdictionContext
from app.kernel.security import SYSTEM_ACTOR
from app.outbox.service import newer_timer_exists, schedule_timer

CLOCK_TIMERS = frozenset({"due_soon", "overdue"})


async def _schedule(
    session: AsyncSession,
    c: Complaint,
    kind: str,
    at: datetime,
    due: datetime,
    level: int = 0,
    generation: int = 0,
) -> None:
    """A `kind` timer firing `at`, about `due`; one per complaint, kind, due, level, generation."""
    stamp = due.isoformat()
    await schedule_timer(
        session,
        c.jurisdiction_id,
        c.id,
        kind,
        at,
        dedupe_key=f"{kind}:{c.id}:{stamp}:{level}:{generation}",
        payload={"due": stamp, "level": level, "generation": generation},
    )


async def schedule_verification(session: AsyncSession, c: Complaint) -> None:
    await _schedule(
        session, c, "verification_overdue", c.verification_due_at, c.verification_due_at
    )


async def schedule_clock(session: AsyncSession, c: Complaint, ctx: JurisdictionContext) -> None:
    """Due-soon reminder and overdue escalation for the complaint's current deadline."""
    if c.due_at is None or c.paused_at is not None:
        return
    # Each (re)start of the clock is a new generation, numbered by the event that started it: a
    # timer that fired while the clock stood still (answered, paused) finds the same deadline
    # again after a reopening, and the newest generation silences the older ones.
    generation = c.last_seq
    await _schedule(
        session,
        c,
        "due_soon",
        due_soon_at(c.due_at, ctx.calendar),
        c.due_at,
        generation=generation,
    )
    await _schedule(session, c, "overdue", c.due_at, c.due_at, level=1, generation=generation)


async def schedule_info_expiry(session: AsyncSession, c: Complaint) -> None:
    if c.info_due_at is not None:
        await _schedule(session, c, "info_expired", c.info_due_at, c.info_due_at)


async def schedule_auto_close(session: AsyncSession, c: Complaint) -> None:
    if c.auto_close_at is not None:
        await _schedule(session, c, "auto_close", c.auto_close_at, c.auto_close_at)


def _still(c: Any, attr: str, due: datetime) -> bool:
    value: datetime | None = getattr(c, attr)
    return value is not None and value == due


# Which column each kind of timer was computed from, and the status it is meant for (None:
# while the SLA clock runs).
_MEANT_FOR: dict[str, tuple[str, str | None]] = {
    "verification_overdue": ("verification_due_at", "received"),
    "due_soon": ("due_at", None),
    "overdue": ("due_at", None),
    "info_expired": ("info_due_at", "needs_info"),
    "auto_close": ("auto_close_at", "responded"),
}

# What `could_fire` reads of a complaint: the batch of timers is checked in one read of these.
TIMER_COLUMNS = ("id", "status", "paused_at", *sorted({a for a, _ in _MEANT_FOR.values()}))


def could_fire(kind: str, due: datetime, c: Any) -> bool:
    """Whether the complaint still has the instant this timer was computed for, in its status.

    Pure, over anything with the `TIMER_COLUMNS` as attributes; most timers that come due are
    stale (answered in time, deadline moved) and end here, without a lock or a write.
    """
    if kind not in _MEANT_FOR:
        return False
    attr, status = _MEANT_FOR[kind]
    if status is None:
        in_status = c.status in CLOCK_RUNNING and c.paused_at is None
    else:
        in_status = c.status == status
    return in_status and _still(c, attr, due)


async def fire(
    session: AsyncSession,
    complaint_id: Any,
    payload: dict[str, Any],
    repeat: timedelta,
    now: datetime,
) -> str | None:
    """Apply one timer in the worker's transaction; returns the event raised, if any."""
    c = await session.scalar(
        select(Complaint).where(Complaint.id == complaint_id).with_for_update()
    )
    if c is None:
        return None
    kind = payload["kind"]
    due = datetime.fromisoformat(payload["due"])
    generation = int(payload.get("generation", 0))
    if not could_fire(kind, due, c):
        return None
    if kind in CLOCK_TIMERS and await newer_timer_exists(session, c.id, kind, generation):
        return None

    if kind == "verification_overdue":
        await append_event(
            session,
            c,
            "escalated",
            SYSTEM_ACTOR,
            now,
            {"reason": "verification_overdue", "to": ["admins"], "due_at": payload["due"]},
        )
        return "escalated"
    if kind == "due_soon" and now <= due:
        await append_event(session, c, "due_soon", SYSTEM_ACTOR, now, {"due_at": payload["due"]})
        return "due_soon"
    if kind == "overdue":
        level = int(payload["level"])
        if level == 1:
            await append_event(session, c, "overdue", SYSTEM_ACTOR, now, {"due_at": payload["due"]})
        await append_event(
            session,
            c,
            "escalated",
            SYSTEM_ACTOR,
            now,
            {
                "reason": "overdue",
                "level": level,
                "to": ["supervisors", "agency_head"],
                "due_at": payload["due"],
            },
        )
        # Repeats while it stays overdue; the next row checks the same conditions.
        await _schedule(
            session, c, "overdue", now + repeat, due, level=level + 1, generation=generation
        )
        return "overdue" if level == 1 else "escalated"
    if kind == "info_expired":
        c.status = next_status("expire_info", c.status)
        c.archived_reason = "incomplete"
        c.paused_at = c.info_due_at = c.resume_status = None
        await append_event(
            session, c, "archived", SYSTEM_ACTOR, now, {"reason": "incomplete", "automatic": True}
        )
        return "archived"
    if kind == "auto_close":
        c.status = next_status("auto_close", c.status)
        c.closed_at = now
        c.auto_close_at = None
        await append_event(session, c, "closed", SYSTEM_ACTOR, now, closed_data(c, "no_reply"))
        return "closed"
    return None
