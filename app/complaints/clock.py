"""The agency's clock on a complaint: pure functions over a WorkCalendar."""

from datetime import datetime, timedelta

from app.calendar.workdays import DeadlineUnit, WorkCalendar

# Reminders go out at the start of the office day, not at midnight.
REMINDER_HOUR = 8


def resumed_due_at(
    due_at: datetime, paused_at: datetime, now: datetime, cal: WorkCalendar, unit: DeadlineUnit
) -> datetime:
    """After a pause, the days that began during it are added back (DOMAIN.md)."""
    lost = cal.working_days_started_between(paused_at, now, unit)
    return cal.add_days(due_at, lost, unit) if lost else due_at


def due_soon_at(due_at: datetime, cal: WorkCalendar) -> datetime:
    """08:00 local on the last working day before the due day."""
    day = cal.last_working_day_before(cal.local_date(due_at))
    return cal.start_of_local_day(day) + timedelta(hours=REMINDER_HOUR)


def is_overdue(status: str, due_at: datetime | None, paused: bool, now: datetime) -> bool:
    return (
        due_at is not None
        and not paused
        and status in {"verified", "dispatched", "in_progress"}
        and now > due_at
    )


def on_time(
    status: str, due_at: datetime | None, responded_at: datetime | None, paused: bool, now: datetime
) -> bool | None:
    """Whether the agency keeps (or kept) its deadline; None while there is none yet."""
    if due_at is None:
        return None
    if responded_at is not None:
        return responded_at <= due_at
    return not is_overdue(status, due_at, paused, now)
