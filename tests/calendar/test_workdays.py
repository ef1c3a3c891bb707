"""Working-day arithmetic against the official Indonesian 2025-2027 calendars (no database)."""

import functools
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calendar.workdays import CalendarOverride, Holiday, WorkCalendar, national_holidays

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

NGAWI_ANNIVERSARY = CalendarOverride(date(2025, 7, 7), "holiday", "Hari Jadi Kabupaten Ngawi")


def wib(y: int, m: int, d: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=WIB)


def utc(
    y: int, m: int, d: int, hour: int = 0, minute: int = 0, sec: int = 0, us: int = 0
) -> datetime:
    return datetime(y, m, d, hour, minute, sec, us, tzinfo=UTC)


def end_wib(y: int, m: int, d: int) -> datetime:
    """23:59:59.999999 WIB on that day, written as the UTC instant it is."""
    return utc(y, m, d, 16, 59, 59, 999_999)


@pytest.fixture
def jakarta() -> WorkCalendar:
    return WorkCalendar("Asia/Jakarta")


# --- the package data the rest relies on (SKB 2025 + its amendment, SKB 2026) ---


@pytest.mark.parametrize(
    ("day", "source"),
    [
        (date(2025, 3, 28), "cuti_bersama"),  # Nyepi
        (date(2025, 3, 29), "national"),  # Nyepi (Saturday)
        (date(2025, 3, 31), "national"),  # Idul Fitri 1446 H
        (date(2025, 4, 1), "national"),
        (date(2025, 4, 2), "cuti_bersama"),
        (date(2025, 4, 3), "cuti_bersama"),
        (date(2025, 4, 4), "cuti_bersama"),
        (date(2025, 4, 7), "cuti_bersama"),
        (date(2025, 8, 17), "national"),
        (date(2025, 8, 18), "cuti_bersama"),  # added by the amending decree
        (date(2025, 12, 25), "national"),
        (date(2025, 12, 26), "cuti_bersama"),
        (date(2026, 1, 16), "national"),  # Isra Mi'raj
        (date(2026, 2, 16), "cuti_bersama"),  # Imlek
        (date(2026, 2, 17), "national"),
        (date(2026, 3, 18), "cuti_bersama"),  # Nyepi
        (date(2026, 3, 19), "national"),
        (date(2026, 3, 20), "cuti_bersama"),  # Idul Fitri 1447 H
        (date(2026, 3, 21), "national"),
        (date(2026, 3, 22), "national"),
        (date(2026, 3, 23), "cuti_bersama"),
        (date(2026, 3, 24), "cuti_bersama"),
        (date(2026, 4, 3), "national"),  # Wafat Yesus Kristus
        (date(2026, 12, 24), "cuti_bersama"),
        (date(2026, 12, 25), "national"),
        (date(2027, 1, 1), "national"),
        (date(2027, 1, 5), "national"),  # Isra Mi'raj 1448 H (SKB 2027, as packaged)
    ],
)
def test_official_days_off(jakarta: WorkCalendar, day: date, source: str) -> None:
    found = {h.day: h for h in jakarta.holidays_in_year(day.year)}
    assert found[day].source == source
    assert not jakarta.is_working_day(day)


def test_cuti_bersama_names_come_from_the_government_category() -> None:
    joint = [h for h in national_holidays(2025) if h.source == "cuti_bersama"]
    assert [h.day for h in joint] == [
        date(2025, 1, 28),
        date(2025, 3, 28),
        date(2025, 4, 2),
        date(2025, 4, 3),
        date(2025, 4, 4),
        date(2025, 4, 7),
        date(2025, 5, 13),
        date(2025, 5, 30),
        date(2025, 6, 9),
        date(2025, 8, 18),
        date(2025, 12, 26),
    ]
    assert all("Joint Holiday" in h.name for h in joint)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_split_categories_cover_exactly_the_combined_call(year: int) -> None:
    combined = holidays.country_holidays("ID", years=year, categories=("public", "government"))
    assert {h.day for h in national_holidays(year)} == set(combined)


def test_holidays_in_year_is_sorted_and_merges_overrides() -> None:
    cal = WorkCalendar(
        "Asia/Jakarta",
        [NGAWI_ANNIVERSARY, CalendarOverride(date(2025, 8, 18), "working_day", "Masuk kerja")],
    )
    items = cal.holidays_in_year(2025)
    assert [h.day for h in items] == sorted(h.day for h in items)
    assert (
        Holiday(
            date(2025, 7, 7), "Hari Jadi Kabupaten Ngawi", "regional", "Hari Jadi Kabupaten Ngawi"
        )
        in items
    )
    assert date(2025, 8, 18) not in {h.day for h in items}
    assert cal.holidays_in_year(2026) == WorkCalendar("Asia/Jakarta").holidays_in_year(2026)


def test_weekends_and_ordinary_weekdays(jakarta: WorkCalendar) -> None:
    assert jakarta.is_working_day(date(2025, 8, 15))  # Friday
    assert not jakarta.is_working_day(date(2025, 8, 16))  # Saturday
    assert not jakarta.is_working_day(date(2025, 8, 17))  # Sunday and Independence Day
    assert jakarta.is_working_day(date(2025, 8, 19))


# --- add_days ---


def test_idul_fitri_2025(jakarta: WorkCalendar) -> None:
    # Off: 28 Mar (cb Nyepi), 29 Mar (Nyepi), 31 Mar + 1 Apr (Idul Fitri), 2-4 + 7 Apr (cb).
    # Day 1 = Tue 8 Apr, ..., day 5 = Mon 14 Apr.
    verified = wib(2025, 3, 27, 10)
    assert jakarta.add_days(verified, 1) == end_wib(2025, 4, 8)
    assert jakarta.add_days(verified, 5) == utc(2025, 4, 14, 16, 59, 59, 999_999)


def test_18_august_2025_cuti_bersama(jakarta: WorkCalendar) -> None:
    # Sat 16, Sun 17, Mon 18 (cb) are off: days 1-5 = 19, 20, 21, 22, 25 Aug.
    assert jakarta.add_days(wib(2025, 8, 15, 9), 5) == end_wib(2025, 8, 25)


def test_utc_date_before_the_local_date(jakarta: WorkCalendar) -> None:
    # 20:00Z on 14 Aug is 03:00 WIB on Fri 15 Aug: counting from the 14th would give 22 Aug.
    assert jakarta.add_days(utc(2025, 8, 14, 20), 5) == end_wib(2025, 8, 25)


def test_nyepi_and_idul_fitri_2026(jakarta: WorkCalendar) -> None:
    # Off: 18 (cb), 19 (Nyepi), 20 (cb), 21-22 (Idul Fitri, weekend), 23-24 (cb) Mar; 3 Apr.
    verified = wib(2026, 3, 17, 14, 30)
    assert jakarta.add_days(verified, 1) == end_wib(2026, 3, 25)
    assert jakarta.add_days(verified, 5) == end_wib(2026, 3, 31)
    assert jakarta.add_days(verified, 14) == end_wib(2026, 4, 14)


def test_christmas_2026_into_2027(jakarta: WorkCalendar) -> None:
    # Off: 24 (cb), 25 Dec 2026, 1 Jan 2027 (Fri), 5 Jan 2027 (Isra Mi'raj).
    verified = wib(2026, 12, 23, 9)
    assert jakarta.add_days(verified, 1) == end_wib(2026, 12, 28)
    assert jakarta.add_days(verified, 5) == end_wib(2027, 1, 4)
    assert jakarta.add_days(verified, 14) == end_wib(2027, 1, 18)


@pytest.mark.parametrize(
    ("verified", "n", "due"),
    [
        # 25 Dec, 26 Dec (cb), 1 Jan: 14th working day is Wed 7 Jan 2026.
        (wib(2025, 12, 15, 9), 14, end_wib(2026, 1, 7)),
        (wib(2025, 12, 22, 9), 14, end_wib(2026, 1, 14)),
        # also 16 Jan, 16 Feb (cb), 17 Feb (Imlek).
        (wib(2025, 12, 1, 9), 60, end_wib(2026, 3, 3)),
        # also 18-24 Mar 2026 (Nyepi, Idul Fitri).
        (wib(2025, 12, 22, 9), 60, end_wib(2026, 3, 31)),
        # 24 + 25 Dec 2026, 1 + 5 Jan 2027.
        (wib(2026, 11, 2, 9), 60, end_wib(2027, 1, 29)),
    ],
)
def test_14_and_60_days_across_year_end(
    jakarta: WorkCalendar, verified: datetime, n: int, due: datetime
) -> None:
    assert jakarta.add_days(verified, n) == due


def test_same_local_rule_different_utc_instants() -> None:
    wita = WorkCalendar("Asia/Makassar")
    wit = WorkCalendar("Asia/Jayapura")
    assert WorkCalendar("Asia/Jakarta").add_days(wib(2025, 8, 15, 9), 5) == utc(
        2025, 8, 25, 16, 59, 59, 999_999
    )
    assert wita.add_days(datetime(2025, 8, 15, 9, tzinfo=WITA), 5) == utc(
        2025, 8, 25, 15, 59, 59, 999_999
    )
    assert wit.add_days(datetime(2025, 8, 15, 9, tzinfo=WIT), 5) == utc(
        2025, 8, 25, 14, 59, 59, 999_999
    )


def test_one_instant_two_local_dates() -> None:
    # 16:30Z on 14 Aug is 23:30 WIB on the 14th but 00:30 WITA on the 15th.
    instant = utc(2025, 8, 14, 16, 30)
    assert WorkCalendar("Asia/Jakarta").add_days(instant, 5) == end_wib(2025, 8, 22)
    assert WorkCalendar("Asia/Makassar").add_days(instant, 5) == utc(
        2025, 8, 25, 15, 59, 59, 999_999
    )


def test_result_is_utc_and_the_last_microsecond_of_the_local_day(jakarta: WorkCalendar) -> None:
    due = jakarta.add_days(wib(2025, 8, 15, 9), 5)
    assert due.utcoffset() == timedelta(0)
    assert jakarta.local_date(due) == date(2025, 8, 25)
    assert jakarta.local_date(due + timedelta(microseconds=1)) == date(2025, 8, 26)


def test_regional_holiday_pushes_the_deadline() -> None:
    # Mon 7 Jul 2025 is Hari Jadi Kabupaten Ngawi.
    ngawi = WorkCalendar("Asia/Jakarta", [NGAWI_ANNIVERSARY])
    assert WorkCalendar("Asia/Jakarta").add_days(wib(2025, 7, 2, 9), 5) == end_wib(2025, 7, 9)
    assert ngawi.add_days(wib(2025, 7, 2, 9), 5) == end_wib(2025, 7, 10)


def test_working_day_override_pulls_the_deadline_back() -> None:
    works_18_aug = WorkCalendar(
        "Asia/Jakarta", [CalendarOverride(date(2025, 8, 18), "working_day", "Tetap masuk")]
    )
    assert works_18_aug.is_working_day(date(2025, 8, 18))
    assert works_18_aug.add_days(wib(2025, 8, 15, 9), 5) == end_wib(2025, 8, 22)


def test_working_day_override_keeps_weekends_off() -> None:
    cal = WorkCalendar("Asia/Jakarta", [CalendarOverride(date(2025, 8, 17), "working_day", "x")])
    assert not cal.is_working_day(date(2025, 8, 17))


def test_calendar_days_ignore_weekends_and_holidays(jakarta: WorkCalendar) -> None:
    verified = wib(2025, 3, 27, 10)
    assert jakarta.add_days(verified, 1, "calendar_days") == end_wib(2025, 3, 28)
    assert jakarta.add_days(verified, 5, "calendar_days") == end_wib(2025, 4, 1)
    assert jakarta.add_days(verified, 14, "calendar_days") == end_wib(2025, 4, 10)


def test_zero_days_is_the_end_of_the_same_local_day(jakarta: WorkCalendar) -> None:
    assert jakarta.add_days(utc(2025, 8, 14, 20), 0) == end_wib(2025, 8, 15)
    assert jakarta.add_days(wib(2025, 8, 16, 9), 0) == end_wib(2025, 8, 16)  # even a Saturday


def test_a_deadline_is_counted_from_a_day_off_too(jakarta: WorkCalendar) -> None:
    # Verified on Saturday 16 Aug 2025: Monday 18 is cb, so day 1 is Tuesday.
    assert jakarta.add_days(wib(2025, 8, 16, 9), 1) == end_wib(2025, 8, 19)


def test_ten_thousand_days_stay_in_bounds(jakarta: WorkCalendar) -> None:
    due = jakarta.add_days(wib(2025, 1, 1), 10_000)
    assert jakarta.is_working_day(jakarta.local_date(due))
    assert jakarta.working_days_started_between(wib(2025, 1, 1), due) == 10_000


def test_bad_arguments(jakarta: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        jakarta.add_days(datetime(2025, 8, 15, 9), 5)
    with pytest.raises(ValueError, match="timezone-aware"):
        jakarta.local_date(datetime(2025, 8, 15, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        jakarta.working_days_started_between(datetime(2025, 8, 15), wib(2025, 8, 19))
    with pytest.raises(ValueError, match="negative"):
        jakarta.add_days(wib(2025, 8, 15, 9), -1)
    with pytest.raises(ValueError, match="unit"):
        jakarta.add_days(wib(2025, 8, 15, 9), 1, "hours")  # type: ignore[arg-type]


def test_overrides_must_be_unambiguous() -> None:
    with pytest.raises(ValueError, match="more than one"):
        WorkCalendar(
            "Asia/Jakarta",
            [NGAWI_ANNIVERSARY, CalendarOverride(date(2025, 7, 7), "working_day", "x")],
        )
    with pytest.raises(ValueError, match="kind"):
        WorkCalendar("Asia/Jakarta", [CalendarOverride(date(2025, 7, 7), "bogus", "x")])  # type: ignore[arg-type]


# --- local days ---


def test_local_day_bounds() -> None:
    wita = WorkCalendar("Asia/Makassar")
    assert wita.start_of_local_day(date(2025, 8, 15)) == utc(2025, 8, 14, 16)
    assert wita.end_of_local_day(date(2025, 8, 15)) == utc(2025, 8, 15, 15, 59, 59, 999_999)
    assert wita.local_date(utc(2025, 8, 14, 16)) == date(2025, 8, 15)
    assert wita.local_date(utc(2025, 8, 14, 15, 59, 59, 999_999)) == date(2025, 8, 14)


# --- pauses ---


def test_pause_over_a_weekend_counts_monday_and_tuesday(jakarta: WorkCalendar) -> None:
    assert jakarta.working_days_started_between(wib(2025, 8, 22, 17), wib(2025, 8, 26, 9)) == 2


def test_pause_over_a_holiday_monday(jakarta: WorkCalendar) -> None:
    # Mon 18 Aug 2025 is cuti bersama: only Tuesday began during the pause.
    assert jakarta.working_days_started_between(wib(2025, 8, 15, 17), wib(2025, 8, 19, 9)) == 1


def test_pause_within_one_day_or_backwards(jakarta: WorkCalendar) -> None:
    assert jakarta.working_days_started_between(wib(2025, 8, 19, 9), wib(2025, 8, 19, 23)) == 0
    assert jakarta.working_days_started_between(wib(2025, 8, 26, 9), wib(2025, 8, 22, 17)) == 0
    assert jakarta.working_days_started_between(wib(2025, 8, 26, 9), wib(2025, 8, 26, 9)) == 0


def test_pause_boundaries_at_local_midnight(jakarta: WorkCalendar) -> None:
    # A day starting exactly at `start` is not counted; one starting exactly at `end` is.
    assert jakarta.working_days_started_between(wib(2025, 8, 25), wib(2025, 8, 26)) == 1
    assert jakarta.working_days_started_between(utc(2025, 8, 24, 17), utc(2025, 8, 25, 17)) == 1


def test_pause_in_calendar_days(jakarta: WorkCalendar) -> None:
    start, end = wib(2025, 8, 15, 17), wib(2025, 8, 19, 9)
    assert jakarta.working_days_started_between(start, end, "calendar_days") == 4


def test_pause_added_back_to_a_deadline(jakarta: WorkCalendar) -> None:
    # Due Mon 25 Aug; paused Fri 15 Aug 17:00 to Tue 19 Aug 09:00 loses one working day.
    due = jakarta.add_days(wib(2025, 8, 15, 9), 5)
    lost = jakarta.working_days_started_between(wib(2025, 8, 15, 17), wib(2025, 8, 19, 9))
    assert jakarta.add_days(due, lost) == end_wib(2025, 8, 26)


# --- reminders ---


@pytest.mark.parametrize(
    ("day", "before"),
    [
        (date(2025, 8, 26), date(2025, 8, 25)),
        (date(2025, 8, 25), date(2025, 8, 22)),  # over a weekend
        (date(2025, 8, 19), date(2025, 8, 15)),  # over 17 + 18 Aug
        (date(2025, 4, 8), date(2025, 3, 27)),  # over Nyepi and Idul Fitri 2025
        (date(2026, 3, 25), date(2026, 3, 17)),  # over Nyepi and Idul Fitri 2026
        (date(2027, 1, 4), date(2026, 12, 31)),  # over New Year 2027
    ],
)
def test_last_working_day_before(jakarta: WorkCalendar, day: date, before: date) -> None:
    assert jakarta.last_working_day_before(day) == before


# --- property: add_days against an independent count ---

_OVERRIDES = (
    NGAWI_ANNIVERSARY,
    CalendarOverride(date(2026, 7, 7), "holiday", "Hari Jadi Kabupaten Ngawi"),
    CalendarOverride(date(2025, 4, 7), "working_day", "Masuk kerja"),
    CalendarOverride(date(2026, 12, 24), "working_day", "Masuk kerja"),
)
_CALENDARS = {
    "wib": WorkCalendar("Asia/Jakarta"),
    "wita": WorkCalendar("Asia/Makassar"),
    "wit": WorkCalendar("Asia/Jayapura"),
    "ngawi": WorkCalendar("Asia/Jakarta", _OVERRIDES),
}


@functools.cache
def _package_days_off(year: int) -> frozenset[date]:
    return frozenset(
        holidays.country_holidays("ID", years=year, categories=("public", "government"))
    )


def _reference_is_working(key: str, d: date) -> bool:
    overrides = {o.day: o.kind for o in _OVERRIDES} if key == "ngawi" else {}
    if d.weekday() >= 5:
        return False
    if d in overrides:
        return overrides[d] == "working_day"
    return d not in _package_days_off(d.year)


@settings(deadline=None, max_examples=200)
@given(
    key=st.sampled_from(sorted(_CALENDARS)),
    instant=st.datetimes(
        min_value=datetime(2004, 1, 1),
        max_value=datetime(2040, 12, 31),
        timezones=st.sampled_from(
            [UTC, WIB, WITA, WIT, timezone(timedelta(hours=-10)), timezone(timedelta(hours=14))]
        ),
    ),
    n=st.integers(min_value=1, max_value=100),
)
def test_add_days_lands_on_the_nth_working_day(key: str, instant: datetime, n: int) -> None:
    cal = _CALENDARS[key]
    due = cal.add_days(instant, n)
    start_day, due_day = cal.local_date(instant), cal.local_date(due)
    assert due == cal.end_of_local_day(due_day)
    assert due.utcoffset() == timedelta(0)
    assert due_day > start_day
    assert _reference_is_working(key, due_day)
    between = [start_day + timedelta(days=i) for i in range(1, (due_day - start_day).days + 1)]
    assert sum(_reference_is_working(key, d) for d in between) == n
    assert cal.working_days_started_between(instant, due) == n


def test_holiday_names_do_not_follow_the_server_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    # Unpinned, the holidays package translates by LANGUAGE/LANG: another server, another name.
    monkeypatch.setenv("LANGUAGE", "id")
    national_holidays.cache_clear()
    try:
        by_day = {h.day: h for h in national_holidays(2026)}
    finally:
        national_holidays.cache_clear()
    independence = by_day[date(2026, 8, 17)]
    assert independence.name == "Independence Day"
    assert independence.name_id == "Hari Kemerdekaan Republik Indonesia"
