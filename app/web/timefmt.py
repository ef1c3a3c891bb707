"""Dates and times as an Indonesian reader writes them: "3 Desember 2026, 14.05 WIB". Pure."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# Indonesia's three zones by name; a zone elsewhere is told by its offset.
_ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
_OFFSET_NAMES = {7: "WIB", 8: "WITA", 9: "WIT"}


def zone_name(moment: datetime, tz: str) -> str:
    """WIB, WITA or WIT for Indonesia's zones; "UTC+5.30" style for any other."""
    if tz in _ZONE_NAMES:
        return _ZONE_NAMES[tz]
    offset = moment.astimezone(ZoneInfo(tz)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    if minutes % 60 == 0 and minutes // 60 in _OFFSET_NAMES and tz.startswith("Asia/"):
        return _OFFSET_NAMES[minutes // 60]
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f".{rest:02d}" if rest else "")


def tanggal(value: date | datetime, tz: str) -> str:
    """ "3 Desember 2026": a date, or the local date of a moment in `tz`."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz)).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def waktu(moment: datetime, tz: str) -> str:
    """ "3 Desember 2026, 14.05 WIB": a moment in local time (Indonesian writes 14.05)."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{tanggal(local.date(), tz)}, {local:%H.%M} {zone_name(moment, tz)}"
