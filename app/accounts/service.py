"""Creating people and machines, logging people in, issuing and rotating API keys."""

import uuid
from datetime import datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.keys import NewKey, generate_key, hash_secret
from app.accounts.models import MACHINE_ROLES, PERSON_ROLES, ApiKey, Client, User
from app.kernel.clock import WALL_CLOCK
from app.kernel.config import Settings
from app.kernel.errors import Conflict, Invalid, NotFound

# argon2id with pwdlib's recommended parameters.
_passwords = PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """What an unknown username is checked against, so it costs the same time as a wrong
    password. Made at the first login, not at import: every CLI command and worker imports
    this module, and an argon2 hash is a second of CPU on a busy machine."""
    return _passwords.hash("timing-equaliser")


LOCK_AFTER_FAILURES = 5
# A wrong password costs the caller this much more time, on top of argon2's own cost (the API's
# token endpoint and the console's login form alike).
FAILURE_DELAY_SECONDS = 0.5
LOCK_MINUTES = 15


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise Invalid.field("password", "Passwords need at least 12 characters.")
    return _passwords.hash(password)


def _check_person(role: str, agency_id: uuid.UUID | None) -> None:
    if role not in PERSON_ROLES:
        raise Invalid.field("role", f"role must be one of {', '.join(PERSON_ROLES)}")
    if (role == "liaison") != (agency_id is not None):
        raise Invalid.field("agency", "A liaison, and only a liaison, belongs to an agency.")


async def create_user(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    username: str,
    password: str,
    role: str,
    agency_id: uuid.UUID | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    _check_person(role, agency_id)
    if await session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"User {username} exists already.", code="user_exists")
    user = User(
        jurisdiction_id=jurisdiction_id,
        username=username,
        password_hash=hash_password(password),
        role=role,
        agency_id=agency_id,
        display_name=display_name or username,
        email=email,
    )
    session.add(user)
    await session.flush()
    return user


async def person_by_username(session: AsyncSession, username: str) -> User | None:
    """The person with this username, in whichever jurisdiction (usernames are global)."""
    return await session.scalar(select(User).where(User.username == username))


async def people(session: AsyncSession, jurisdiction_id: uuid.UUID) -> list[User]:
    """The jurisdiction's people by username."""
    rows = await session.scalars(
        select(User).where(User.jurisdiction_id == jurisdiction_id).order_by(User.username)
    )
    return list(rows)


async def update_person(
    session: AsyncSession,
    user: User,
    role: str,
    agency_id: uuid.UUID | None,
    display_name: str,
    email: str | None,
) -> None:
    """Change a person's role, agency, name or e-mail (never the password or the username)."""
    _check_person(role, agency_id)
    user.role, user.agency_id, user.display_name, user.email = role, agency_id, display_name, email
    await session.flush()


async def create_client(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    name: str,
    role: str,
    agency_id: uuid.UUID | None = None,
) -> tuple[Client, NewKey]:
    """A machine caller and its first key."""
    if role not in MACHINE_ROLES:
        raise Invalid.field("role", f"role must be one of {', '.join(MACHINE_ROLES)}")
    client = Client(jurisdiction_id=jurisdiction_id, name=name, role=role, agency_id=agency_id)
    session.add(client)
    await session.flush()
    return client, await issue_key(session, client.id)


async def issue_key(
    session: AsyncSession, client_id: uuid.UUID, expires_at: datetime | None = None
) -> NewKey:
    prefix, secret, token = generate_key()
    key = ApiKey(
        client_id=client_id, prefix=prefix, secret_hash=hash_secret(secret), expires_at=expires_at
    )
    session.add(key)
    await session.flush()
    return NewKey(id=key.id, prefix=prefix, token=token)


async def revoke_key(session: AsyncSession, prefix: str, now: datetime) -> None:
    result = await session.execute(
        update(ApiKey)
        .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("No live key with that prefix.", code="api_key_not_found")


def issue_token(settings: Settings, user: User) -> tuple[str, int]:
    now = WALL_CLOCK.now()  # the token's exp is checked against the real time (see WALL_CLOCK)
    claims = {
        "sub": str(user.id),
        "jur": str(user.jurisdiction_id),
        "role": user.role,
        "agency": str(user.agency_id) if user.agency_id else None,
        "name": user.display_name or user.username,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(seconds=settings.jwt_ttl_seconds),
    }
    token = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
    return token, settings.jwt_ttl_seconds


async def login(session: AsyncSession, username: str, password: str, now: datetime) -> User | None:
    """The user if the password is right and the account open; None otherwise.

    Unknown, inactive, wrong password and locked out all return None after the same argon2
    work, so the caller answers them alike and a lockout does not tell a stranger that the
    username exists. It does not raise so the caller can commit the failure count first; five
    failures in a row lock the account for LOCK_MINUTES, the right password included.
    """
    user = await session.scalar(select(User).where(User.username == username).with_for_update())
    if user is None or not user.active:
        _passwords.verify(password, _dummy_hash())
        return None
    valid, new_hash = _passwords.verify_and_update(password, user.password_hash)
    if user.locked_until is not None and user.locked_until > now:
        return None  # failures while locked do not extend the lock: it ends on time
    if not valid:
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        return None
    if new_hash is not None:
        user.password_hash = new_hash
    user.failed_logins = 0
    user.locked_until = None
    return user


async def emails_of(session: AsyncSession, jurisdiction_id: uuid.UUID, role: str) -> list[str]:
    """E-mail addresses of the active people holding `role` (for notifications)."""
    rows = await session.scalars(
        select(User.email).where(
            User.jurisdiction_id == jurisdiction_id,
            User.role == role,
            User.active,
            User.email.is_not(None),
        )
    )
    return [e for e in rows if e]


async def is_liaison_of(
    session: AsyncSession, user_id: uuid.UUID, jurisdiction_id: uuid.UUID, agency_id: uuid.UUID
) -> bool:
    """Whether the user is a liaison account of that agency."""
    found = await session.scalar(
        select(User.id).where(
            User.id == user_id,
            User.jurisdiction_id == jurisdiction_id,
            User.role == "liaison",
            User.agency_id == agency_id,
        )
    )
    return found is not None
