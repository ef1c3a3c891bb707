"""Where the time comes from: one clock, given by the caller, never read from the system inline.

The web app keeps one on `app.state.clock` and hands each request a single instant (`Now` in
`deps.py`); the worker reads its own. Services take `now: datetime` from their caller, so a test
moves a `ManualClock` instead of rewriting timestamps in the database.
"""

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock: the only `datetime.now` the services depend on."""

    def now(self) -> datetime:
        return datetime.now(UTC)


# For timestamps another party checks against its own clock (a JWT's `exp`, which PyJWT checks
# against the machine's time; an HTTP-date in Retry-After): the real time, even in an app that
# runs on a ManualClock.
WALL_CLOCK: Clock = SystemClock()


class ManualClock:
    """A clock that stands still until it is set or advanced (tests, simulations)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _aware(start) if start is not None else datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> datetime:
        """Jump to `instant`; returns it, in UTC."""
        self._now = _aware(instant)
        return self._now

    def advance(self, by: timedelta) -> datetime:
        """Move forward (or back, with a negative delta); returns the new instant."""
        self._now += by
        return self._now


def _aware(instant: datetime) -> datetime:
    # A naive datetime would compare unequal to every timestamptz read back: refuse it early.
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a clock's time must be timezone-aware")
    return instant.astimezone(UTC)
