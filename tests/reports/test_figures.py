"""The pure figures: the regulation's shares, targets, periods, the working-day index."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.calendar.workdays import WorkCalendar, working_day_index
from app.kernel.errors import Invalid
from app.reports.figures import percent, shares, target_for
from app.reports.period import Period, parse_month, period_of

TABLE = {
    "received": 80,
    "archived": 14,
    "in_process": 2,
    "waiting_for_information": 7,
    "not_verified": 2,
    "responded": 0,
    "settled": 55,
    "not_settleable": 0,
}


def test_the_regulations_counts_give_its_two_percentages() -> None:
    by_name = {s.name: s for s in shares(TABLE)}
    assert (
        by_name["settled_of_eligible"].numerator,
        by_name["settled_of_eligible"].denominator,
    ) == (55, 59)
    assert by_name["settled_of_eligible"].percent == 93.22
    assert by_name["followed_up_of_received"].percent == 71.25
    assert by_name["settled_of_received"].percent == 68.75


def test_nothing_to_divide_by_is_no_percentage() -> None:
    assert percent(0, 0) is None
    assert {s.percent for s in shares(dict.fromkeys(TABLE, 0))} == {None}


def test_targets_are_the_jurisdictions_else_the_regulations_nearest_year() -> None:
    assert target_for(2022, {}) == (Decimal(94), "regulation")
    assert target_for(2030, {}) == (Decimal(96), "regulation")
    assert target_for(2019, {}) == (Decimal(93), "regulation")
    assert target_for(2026, {2026: Decimal("97.5")}) == (Decimal("97.5"), "jurisdiction")


def test_periods_default_to_months_and_refuse_backwards_and_too_long() -> None:
    today = date(2026, 2, 14)
    assert period_of(None, None, today) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert period_of(date(2026, 1, 10), None, today) == Period(date(2026, 1, 10), date(2026, 1, 31))
    assert period_of(None, date(2025, 12, 5), today) == Period(date(2025, 12, 1), date(2025, 12, 5))
    assert period_of(date(2024, 1, 1), date(2024, 12, 31), today).end == date(2024, 12, 31)
    with pytest.raises(Invalid):
        period_of(date(2026, 2, 2), date(2026, 2, 1), today)
    with pytest.raises(Invalid):
        period_of(date(2024, 1, 1), date(2025, 1, 1), today)
    assert parse_month("2024-02") == Period(date(2024, 2, 1), date(2024, 2, 29))
    for bad in ("2024-13", "2024-2", "24-02", "2024-02-01"):
        with pytest.raises(Invalid):
            parse_month(bad)


def test_the_index_counts_as_the_calendar_does() -> None:
    cal = WorkCalendar("Asia/Jakarta")
    index = working_day_index(cal, date(2026, 3, 1), date(2026, 4, 30))
    # Nyepi, Idul Fitri and cuti bersama fall in March 2026: the index must agree with the
    # calendar's own count for every pair of days.
    noon = datetime(2026, 3, 1, 5, tzinfo=UTC)  # 12:00 WIB on the index's first day
    for a in range(0, 60, 7):
        for b in range(a, 61, 5):
            start, end = noon + timedelta(days=a), noon + timedelta(days=b)
            assert index[b] - index[a] == cal.working_days_started_between(start, end)
