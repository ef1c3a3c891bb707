"""API keys for machines: random secrets, stored as SHA-256, found by a short prefix.

A key looks like `lpk_<prefix>_<secret>`: the prefix (public) finds the row through a unique
index, the secret (32 random bytes) is compared by hash in constant time. SHA-256 is right here
because the secret has 256 bits of entropy: a slow password hash would only slow every request.
"""

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.cache import TTLCache
from app.kernel.clock import Clock
from app.kernel.errors import Unauthorized
from app.kernel.security import API_KEY_PREFIX, Principal

_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
# Revocation reaches every process within this many seconds; it saves a query per request.
CACHE_SECONDS = 10.0
LAST_USED_RESOLUTION_SECONDS = 60.0


@dataclass(frozen=True)
class NewKey:
    id: uuid.UUID
    prefix: str
    token: str  # shown once, never stored


def generate_key() -> tuple[str, str, str]:
    """A fresh (prefix, secret, full token)."""
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(12))
    secret = secrets.token_urlsafe(32)
    return prefix, secret, f"{API_KEY_PREFIX}{prefix}_{secret}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    body = token[len(API_KEY_PREFIX) :]
    prefix, sep, secret = body.partition("_")
    if not sep or len(prefix) != 12 or len(secret) < 40:
        return None
    return prefix, secret


_LOOKUP = text(
    """
    SELECT k.id AS key_id, k.secret_hash, c.id AS client_id, c.role, c.jurisdiction_id,
           c.agency_id, c.name, k.last_used_at, k.expires_at
    FROM api_keys k JOIN clients c ON c.id = k.client_id
    WHERE k.prefix = :prefix AND k.revoked_at IS NULL AND c.active
      AND (k.expires_at IS NULL OR k.expires_at > :now)
    """
)


class ApiKeyAuthenticator:
    """Turns a presented key into a Principal, with a short in-process cache."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        # token hash -> (principal, key id, the key's expiry). Single-flight: when the entry of a
        # busy key expires, hundreds of requests in flight would otherwise each take a pooled
        # connection for the same SELECT (and the same UPDATE of last_used_at).
        self._cache: TTLCache[str, tuple[Principal, uuid.UUID, datetime | None]] = TTLCache(
            CACHE_SECONDS
        )
        self._touched: dict[uuid.UUID, float] = {}

    async def authenticate(self, token: str) -> Principal:
        cache_key = hash_secret(token)  # the raw key is never kept, not even in memory
        principal, _, expires_at = await self._cache.get(cache_key, lambda _: self._lookup(token))
        # Not served from the cache past the key's expiry, on the app's clock like the lookup.
        if expires_at is not None and self._clock.now() >= expires_at:
            self._cache.invalidate(cache_key)
            principal, _, _ = await self._cache.get(cache_key, lambda _: self._lookup(token))
        return principal

    async def _lookup(self, token: str) -> tuple[Principal, uuid.UUID, datetime | None]:
        now, instant = time.monotonic(), self._clock.now()
        parts = split_token(token)
        if parts is None:
            raise _invalid()
        prefix, secret = parts
        async with self._sessions() as session:
            row = (
                (await session.execute(_LOOKUP, {"prefix": prefix, "now": instant}))
                .mappings()
                .first()
            )
            if row is None or not hmac.compare_digest(row["secret_hash"], hash_secret(secret)):
                raise _invalid()
            if now - self._touched.get(row["key_id"], 0.0) > LAST_USED_RESOLUTION_SECONDS:
                await session.execute(
                    text("UPDATE api_keys SET last_used_at = :now WHERE id = :id"),
                    {"now": instant, "id": row["key_id"]},
                )
                await session.commit()
                self._touched[row["key_id"]] = now
        principal = Principal(
            id=row["client_id"],
            kind="client",
            role=row["role"],
            jurisdiction_id=row["jurisdiction_id"],
            agency_id=row["agency_id"],
            name=row["name"],
        )
        return principal, row["key_id"], row["expires_at"]

    def forget(self) -> None:
        """Drop cached keys (after a local revocation)."""
        self._cache.clear()


def _invalid() -> Unauthorized:
    return Unauthorized(
        "The API key is invalid, revoked or expired.",
        code="invalid_api_key",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )
