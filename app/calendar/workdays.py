"""Working-day arithmetic of one jurisdiction: pure, no database, no I/O beyond `holidays`."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import holidays

DeadlineUnit = Literal["working_days", "calendar_days"]
OverrideKind = Literal["holiday", "working_day"]
HolidaySource = Literal["national", "cuti_bersama", "regional"]

_UNITS: frozenset[str] = frozenset(get_args(DeadlineUnit))
_KINDS: frozenset[str] = frozenset(get_args(OverrideKind))
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class CalendarOverride:
    """A jurisdiction's own change to the national calendar on one day."""

    day: date
    # "holiday" adds a regional day off; "working_day" cancels a national holiday or cuti bersama
    # there (it never turns a Saturday or Sunday into a working day).
    kind: OverrideKind
    name: str


@dataclass(frozen=True)
class Holiday:
    """A day off in a jurisdiction's calendar and where it comes from."""

    day: date
    name: str  # English for national days (as the API has always said); a regional day's own name
    source: HolidaySource
    name_id: str  # Indonesian, as the joint decree (SKB) names it; a regional day's own name


def _upstream(year: int, category: str, language: str) -> dict[date, str]:
    names = holidays.country_holidays("ID", years=year, categories=(category,), language=language)
    return dict(names.items())


@functools.lru_cache(maxsize=512)
def national_holidays(year: int) -> tuple[Holiday, ...]:
    """Indonesian public holidays and cuti bersama of `year`, sorted by day, named in both
    Indonesian and English."""
    # One call per category: the merged mapping no longer tells a public holiday (law) from a
    # cuti bersama day (joint decree, "government" category), and the API shows the difference.
    # Languages are explicit: without one the package follows the server's locale (LANG), so
    # the same API would answer in another language on another machine.
    found: dict[date, Holiday] = {}
    # Should a decree ever put cuti bersama on a public holiday, the statutory holiday names it.
    sources: tuple[tuple[str, HolidaySource], ...] = (
        ("government", "cuti_bersama"),
        ("public", "national"),
    )
    for category, source in sources:
        indonesian = _upstream(year, category, "id")
        for day, name in _upstream(year, category, "en_US").items():
            found[day] = Holiday(day, name, source, indonesian.get(day, name))
    return tuple(sorted((h for h in found.values() if h.day.year == year), key=lambda h: h.day))


def _require_aware(instant: datetime, what: str = "instant") -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {instant.isoformat()}")


def _require_unit(unit: str) -> None:
    # Units arrive from the database and query strings, so the Literal alone does not hold them.
    if unit not in _UNITS:
        raise ValueError(f"unknown deadline unit {unit!r}")


class WorkCalendar:
    """Weekends, national holidays, cuti bersama and regional overrides, in one time zone."""

    tz: ZoneInfo

    def __init__(self, timezone: str, overrides: Iterable[CalendarOverride] = ()) -> None:
        self.tz = ZoneInfo(timezone)
        self._overrides: dict[date, CalendarOverride] = {}
        for override in overrides:
            if override.kind not in _KINDS:
                raise ValueError(f"unknown override kind {override.kind!r} on {override.day}")
            if override.day in self._overrides:
                raise ValueError(f"more than one calendar override on {override.day}")
            self._overrides[override.day] = override
        # Per-year sets of days off, filled on first use; a calendar lives as long as its overrides.
        self._days_off: dict[int, frozenset[date]] = {}

    def holidays_in_year(self, year: int) -> list[Holiday]:
        """National holidays, cuti bersama and regional days off of `year`, sorted by day."""
        merged = {h.day: h for h in national_holidays(year)}
        for day, override in self._overrides.items():
            if day.year != year:
                continue
            if override.kind == "working_day":
                merged.pop(day, None)
            elif day not in merged:
                merged[day] = Holiday(day, override.name, "regional", override.name)
        return sorted(merged.values(), key=lambda h: h.day)

    def _off(self, year: int) -> frozenset[date]:
        days = self._days_off.get(year)
        if days is None:
            days = frozenset(h.day for h in self.holidays_in_year(year))
            self._days_off[year] = days
        return days

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday and not a day off in this jurisdiction."""
        return d.weekday() < 5 and d not in self._off(d.year)

    def local_date(self, instant: datetime) -> date:
        """The calendar date of `instant` in this jurisdiction's time zone."""
        _require_aware(instant)
        return instant.astimezone(self.tz).date()

    def start_of_local_day(self, d: date) -> datetime:
        """00:00 local on `d`, in UTC."""
        return datetime.combine(d, time.min, tzinfo=self.tz).astimezone(UTC)

    def end_of_local_day(self, d: date) -> datetime:
        """23:59:59.999999 local on `d`, in UTC."""
        return datetime.combine(d, time.max, tzinfo=self.tz).astimezone(UTC)

    def add_days(self, instant: datetime, n: int, unit: DeadlineUnit = "working_days") -> datetime:
        """End of the n-th (working) day after the local date of `instant`, in UTC."""
        _require_unit(unit)
        if n < 0:
            raise ValueError(f"day count must not be negative, got {n}")
        day = self.local_date(instant)
        if unit == "calendar_days":
            return self.end_of_local_day(day + timedelta(days=n))
        remaining = n
        # Terminates: overrides are finite, so every stretch past them has Mondays to Fridays.
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return self.end_of_local_day(day)

    def working_days_started_between(
        self, start: datetime, end: datetime, unit: DeadlineUnit = "working_days"
    ) -> int:
        """How many (working) days began at local midnight within (start, end]."""
        _require_unit(unit)
        first = self.local_date(start)
        last = self.local_date(end)
        if end <= start:
            return 0
        if unit == "calendar_days":
            return (last - first).days
        count = 0
        day = first + _ONE_DAY
        while day <= last:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def last_working_day_before(self, d: date) -> date:
        """The working day strictly before `d`."""
        day = d - _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day


def working_day_index(cal: WorkCalendar, first: date, last: date) -> list[int]:
    """index[i] = working days in (first, first + i]: the days between two local dates are
    index[b - first] - index[a - first], as `WorkCalendar.working_days_started_between`."""
    index, count, day = [0], 0, first
    while day < last:
        day += timedelta(days=1)
        count += cal.is_working_day(day)
        index.append(count)
    return index
