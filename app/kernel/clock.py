"""Where time comes from: services and the background engine are given a clock, never read one.

Tests move a clock of their own instead of rewriting timestamps in the database.
"""

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
