"""The period a report covers: local dates of the jurisdiction, checked, turned into instants."""

import calendar as month_calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.calendar.workdays import WorkCalendar
from app.kernel.errors import Invalid
from app.kernel.validation import EARLIEST, LATEST, RANGE_MESSAGE

# A year and a leap day: a yearly report fits, an unbounded scan does not.
MAX_DAYS = 366
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both local dates included."""

    start: date
    end: date

    def instants(self, cal: WorkCalendar) -> tuple[datetime, datetime]:
        """[start of the first day, start of the day after the last) in UTC."""
        return cal.start_of_local_day(self.start), cal.start_of_local_day(self.end + timedelta(1))


def month_of(day: date) -> Period:
    last = month_calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def period_of(start: date | None, end: date | None, today: date) -> Period:
    """A missing `from` is the first of `to`'s month, a missing `to` the last of `from`'s;
    without either, the current month. 422 when backwards or longer than MAX_DAYS."""
    if start is None and end is None:
        return month_of(today)
    start = start or month_of(end or today).start
    end = end or month_of(start).end
    if start > end:
        raise Invalid.field("from", "from must not be after to.", code="invalid_period")
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid.field(
            "to", f"A report covers at most {MAX_DAYS} days.", code="period_too_long"
        )
    return Period(start, end)


def parse_month(value: str) -> Period:
    """`YYYY-MM` as the period of that month; 422 otherwise."""
    found = _MONTH.match(value)
    if found is None:
        raise Invalid.field("month", "month is YYYY-MM, e.g. 2026-11.", code="invalid_month")
    year, month = int(found[1]), int(found[2])
    if not EARLIEST.year <= year <= LATEST.year:
        raise Invalid.field("month", RANGE_MESSAGE, code="invalid_month")
    return month_of(date(year, month, 1))
