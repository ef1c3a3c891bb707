"""Console sessions: a browser's cookie becomes the same Principal an access token would.

The cookie holds 32 random bytes; the table keeps only their SHA-256, the user, and the times
that bound the session (idle timeout, absolute lifetime). Every request reads the user row
again, so a deactivated account or a changed role or agency takes effect on the next click,
where an access token would live on until it expires.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.keys import hash_secret
from app.accounts.models import ConsoleSession, User
from app.accounts.service import login
from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.kernel.errors import Unauthorized
from app.kernel.security import Principal

# last_seen_at is written at most this often per session (one UPDATE a minute, not per click).
TOUCH_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class NewSession:
    cookie: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class ActiveSession:
    principal: Principal
    csrf_token: str


async def start(session: AsyncSession, settings: Settings, user: User, now: datetime) -> NewSession:
    """A new console session for a user who has just given the right password."""
    # The user's ended sessions go now (found by the user_id index), so rows do not pile up.
    idle = now - timedelta(minutes=settings.console_idle_minutes)
    await session.execute(
        delete(ConsoleSession).where(
            ConsoleSession.user_id == user.id,
            (ConsoleSession.expires_at <= now) | (ConsoleSession.last_seen_at <= idle),
        )
    )
    cookie = secrets.token_urlsafe(32)
    row = ConsoleSession(
        token_hash=hash_secret(cookie),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.console_lifetime_hours),
    )
    session.add(row)
    await session.flush()
    return NewSession(cookie=cookie, csrf_token=row.csrf_token, expires_at=row.expires_at)


async def log_in(
    session: AsyncSession, settings: Settings, username: str, password: str, now: datetime
) -> NewSession | None:
    """The API's password check (`service.login`: lockout, uniform failures), then a session."""
    user = await login(session, username, password, now)
    return None if user is None else await start(session, settings, user, now)


async def end(session: AsyncSession, cookie: str) -> None:
    """Log out: the row goes, so the cookie is worthless even if a copy survives."""
    await session.execute(
        delete(ConsoleSession).where(ConsoleSession.token_hash == hash_secret(cookie))
    )


class ConsoleSessions:
    """Resolves a session cookie to its Principal (app.state.console_sessions, read by
    app/kernel/security.py's `authenticate`, the one place every caller is identified)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._idle = timedelta(minutes=settings.console_idle_minutes)

    async def authenticate(self, cookie: str) -> ActiveSession:
        """The session's principal and CSRF token; Unauthorized when it is unknown or ended."""
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            row = (
                await session.execute(
                    select(ConsoleSession, User)
                    .join(User, User.id == ConsoleSession.user_id)
                    .where(ConsoleSession.token_hash == hash_secret(cookie))
                )
            ).first()
            if row is None:
                raise _expired()
            console, user = row
            ended = (
                not user.active
                or console.expires_at <= now
                or console.last_seen_at <= now - self._idle
            )
            if ended:
                await session.execute(delete(ConsoleSession).where(ConsoleSession.id == console.id))
            elif now - console.last_seen_at >= TOUCH_RESOLUTION:
                await session.execute(
                    update(ConsoleSession)
                    .where(ConsoleSession.id == console.id)
                    .values(last_seen_at=now)
                )
        if ended:
            raise _expired()
        return ActiveSession(principal=principal_of(user), csrf_token=console.csrf_token)


def principal_of(user: User) -> Principal:
    """The Principal of a person, as their access token would carry it."""
    return Principal(
        id=user.id,
        kind="user",
        role=user.role,
        jurisdiction_id=user.jurisdiction_id,
        agency_id=user.agency_id,
        name=user.display_name or user.username,
    )


def _expired() -> Unauthorized:
    return Unauthorized("The console session has ended; log in again.", code="session_expired")
