"""Sending deliveries, as the engine's `webhook` topic: sign, POST, log the attempt, judge.

The engine claims `webhook` rows (leased, in order per receiver and complaint through their
ordering key) and calls `send` with a batch; `send` reads the batch's deliveries and endpoints in
one query, posts them concurrently through one SSRF-guarded client, and returns an outcome per
row. `settled` runs in the engine's settle transaction: it copies each row's state to its
delivery, writes every attempt in one statement, marks endpoints healthy, and disables one that
answered 410 or has failed for too long (its waiting deliveries are held until it is enabled).
"""

import asyncio
import functools
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from cryptography.exceptions import InvalidTag
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.kernel.logging import get_logger
from app.outbox.engine import Message, Outcome, Settled
from app.outbox.service import hold, notify_admins
from app.privacy.crypto import Sealer
from app.webhooks.models import WebhookEndpoint
from app.webhooks.rules import excerpt, judge
from app.webhooks.service import signing_secrets
from app.webhooks.signing import callback_secret, serialize, sign
from app.webhooks.subscriber import receiver_key
from app.webhooks.url_guard import BlockedAddress

log = get_logger(__name__)

_USER_AGENT = f"python-httpx/{httpx.__version__}"  # what the httpx client used to announce


@functools.lru_cache(maxsize=4096)
def _url(url: str) -> httpx.URL:
    """An endpoint's URL parsed once, not once per delivery (a bad one raises every time)."""
    return httpx.URL(url)


_DELIVERIES = text(
    """
    SELECT id, endpoint_id, jurisdiction_id, message_id, payload, callback_url, signing_client_id
    FROM webhook_deliveries WHERE id = ANY(CAST(:ids AS uuid[]))
    """
)
# The delivery mirrors its engine row; every attempt is logged; in one round trip each.
_MIRROR = text(
    """
    UPDATE webhook_deliveries d
    SET status = s.status, attempts = s.attempts, available_at = s.available_at,
        last_error = s.error, last_status_code = s.code,
        done_at = CASE WHEN s.status = 'done' THEN CAST(:now AS timestamptz) END
    FROM unnest(CAST(:ids AS uuid[]), CAST(:statuses AS varchar[]), CAST(:attempts AS integer[]),
                CAST(:available AS timestamptz[]), CAST(:errors AS text[]),
                CAST(:codes AS integer[])) AS s(id, status, attempts, available_at, error, code)
    WHERE d.id = s.id
    """
)
_ATTEMPTS = text(
    """
    INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, duration_ms,
                                  response_excerpt, error, worker)
    SELECT gen_random_uuid(), a.delivery_id, a.attempted_at, a.code, a.duration_ms, a.excerpt,
           a.error, CAST(:worker AS varchar)
    FROM unnest(CAST(:ids AS uuid[]), CAST(:at AS timestamptz[]), CAST(:codes AS integer[]),
                CAST(:durations AS integer[]), CAST(:excerpts AS text[]),
                CAST(:errors AS text[])) AS a(delivery_id, attempted_at, code, duration_ms, excerpt,
                                              error)
    JOIN webhook_deliveries d ON d.id = a.delivery_id
    """
)
# At most once a minute: rewriting a busy endpoint's row on every success would serialize all
# settles behind its lock.
_HEALTHY = text(
    """
    UPDATE webhook_endpoints SET last_success_at = :now, failing_since = NULL
    WHERE id = ANY(CAST(:ids AS uuid[]))
      AND (failing_since IS NOT NULL OR last_success_at IS NULL
           OR last_success_at < CAST(:now AS timestamptz) - interval '60 seconds')
    """
)
_FAILING = text(
    """
    UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, :now)
    WHERE id = :id
    RETURNING failing_since, active, jurisdiction_id, url
    """
)
_DISABLE = text(
    """
    UPDATE webhook_endpoints
    SET active = false, disabled_at = :now, disabled_reason = :reason, updated_at = :now
    WHERE id = :id AND active
    """
)


@dataclass
class Attempt:
    """What one POST brought back: the outcome's `detail`, logged by `settled`."""

    delivery_id: uuid.UUID | None  # None: the delivery is gone (its endpoint was deleted)
    endpoint_id: uuid.UUID | None = None
    attempted_at: datetime | None = None
    status_code: int | None = None
    retry_after: str | None = None
    body: bytes = b""
    error: str | None = None
    duration_ms: int = 0
    gone: bool = False


@dataclass
class Delivery:
    id: uuid.UUID
    endpoint_id: uuid.UUID | None
    message_id: str
    payload: dict[str, Any]
    url: str
    secrets: list[str]


@dataclass
class WebhookTopic:
    """The `webhook` topic's sender and settle hook, over one HTTP transport."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    transport: httpx.AsyncBaseTransport  # the SSRF-guarded one (app/webhooks/url_guard.py)
    cipher: Sealer
    clock: Clock
    name: str = "worker"
    _keys: str = field(init=False)

    def __post_init__(self) -> None:
        self._keys = self.settings.webhook_callback_keys.get_secret_value()

    async def send(self, messages: Sequence[Message]) -> Sequence[Outcome]:
        found = await self._load([m.payload["delivery_id"] for m in messages])
        return await asyncio.gather(
            *(self._deliver(found.get(m.payload["delivery_id"])) for m in messages)
        )

    async def _load(self, ids: list[str]) -> dict[str, Delivery]:
        """The batch's deliveries and their endpoints' secrets, in one read."""
        now = self.clock.now()
        async with self.sessions() as session:
            rows = (await session.execute(_DELIVERIES, {"ids": ids})).all()
            endpoint_ids = {r.endpoint_id for r in rows if r.endpoint_id}
            endpoints = {
                e.id: e
                for e in await session.scalars(
                    select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids))
                )
            }
        secrets: dict[uuid.UUID, list[str]] = {}
        for eid, e in endpoints.items():
            try:
                secrets[eid] = signing_secrets(self.cipher, e, now)
            except (KeyError, ValueError, InvalidTag):  # its key is gone: fail the attempt
                log.error("cannot unseal endpoint secret", extra={"endpoint": str(eid)})
                secrets[eid] = []
        found = {}
        for r in rows:
            if r.endpoint_id is not None:
                url, signing = endpoints[r.endpoint_id].url, secrets[r.endpoint_id]
            else:
                # Callbacks of a complaint no client submitted sign with the jurisdiction's.
                url = r.callback_url
                signing = callback_secret(self._keys, r.signing_client_id or r.jurisdiction_id)
            found[str(r.id)] = Delivery(r.id, r.endpoint_id, r.message_id, r.payload, url, signing)
        return found

    async def _deliver(self, d: Delivery | None) -> Outcome:
        if d is None:  # deleted with its endpoint: nothing is owed any more
            return Outcome(done=True, detail=Attempt(None))
        attempt = Attempt(d.id, d.endpoint_id, self.clock.now())
        try:
            if not d.secrets:
                attempt.error = "no signing secret available (identity key retired?)"
            else:
                await self._post(d, attempt)
        except Exception as exc:  # a bug in one send must not take the batch down
            log.exception("delivery failed", extra={"delivery": str(d.id)})
            attempt.error = f"{type(exc).__name__}: {exc}"[:500]
        return self._judge(attempt)

    async def _post(self, d: Delivery, attempt: Attempt) -> None:
        """One signed POST, bounded in time and in how much of the answer is read.

        Straight to the guarded transport: a client would only add what callbacks must not
        have (redirects, cookies, auth, proxies from the environment) and its cost per request.
        """
        body = serialize(d.payload)
        headers = sign(d.message_id, self.clock.now(), body, d.secrets)
        headers["user-agent"] = _USER_AGENT
        limit = self.settings.webhook_excerpt_bytes
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                request = httpx.Request("POST", _url(d.url), content=body.encode(), headers=headers)
                resp = await self.transport.handle_async_request(request)
                try:
                    attempt.status_code = resp.status_code
                    attempt.retry_after = resp.headers.get("retry-after")
                    # Raw bytes: no Accept-Encoding is sent, so nothing comes compressed.
                    raw = bytearray()
                    assert isinstance(resp.stream, httpx.AsyncByteStream)
                    async for chunk in resp.stream:
                        raw += chunk
                        if len(raw) >= limit:
                            break
                    attempt.body = bytes(raw[:limit])
                finally:
                    await resp.aclose()
        except TimeoutError:
            # An answer that began but never finished is a failure too: sending again is safe.
            attempt.error = f"timeout after {self.settings.webhook_timeout_seconds:g}s"
            attempt.status_code = None
        except BlockedAddress as exc:
            attempt.error = f"blocked: {exc}"
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"[:500]
            attempt.status_code = None
        attempt.duration_ms = int((time.monotonic() - started) * 1000)

    def _judge(self, attempt: Attempt) -> Outcome:
        if attempt.status_code is None:
            return Outcome(done=False, error=attempt.error, detail=attempt)
        now = self.clock.now()
        verdict = judge(attempt.status_code, attempt.retry_after, now)
        attempt.gone = verdict.gone
        error = attempt.error or (None if verdict.done else f"HTTP {attempt.status_code}")
        retry_at = now + verdict.retry_after if verdict.retry_after is not None else None
        return Outcome(done=verdict.done, retry_at=retry_at, error=error, detail=attempt)

    async def settled(self, session: AsyncSession, batch: Sequence[Settled]) -> None:
        """Mirror, log, and keep each endpoint's health: in the engine's settle transaction."""
        now = self.clock.now()
        tried = [(s, s.outcome.detail) for s in batch if s.outcome.detail.delivery_id]
        if not tried:
            return
        ids = [a.delivery_id for _, a in tried]
        errors = [s.outcome.error for s, _ in tried]
        codes = [a.status_code for _, a in tried]
        await session.execute(
            _MIRROR,
            {
                "now": now,
                "ids": ids,
                "statuses": [s.status for s, _ in tried],
                "attempts": [s.message.attempts for s, _ in tried],
                "available": [s.available_at for s, _ in tried],
                "errors": errors,
                "codes": codes,
            },
        )
        limit = self.settings.webhook_excerpt_bytes
        await session.execute(
            _ATTEMPTS,
            {
                "worker": self.name,
                "ids": ids,
                "at": [a.attempted_at for _, a in tried],
                "codes": codes,
                "durations": [a.duration_ms for _, a in tried],
                "excerpts": [excerpt(a.body, limit) if a.body else None for _, a in tried],
                "errors": errors,
            },
        )
        healthy = {a.endpoint_id for s, a in tried if s.outcome.done and a.endpoint_id}
        if healthy:
            await session.execute(_HEALTHY, {"now": now, "ids": list(healthy)})
        failing: dict[uuid.UUID, bool] = {}
        for s, a in tried:
            if not s.outcome.done and a.endpoint_id is not None:
                failing[a.endpoint_id] = failing.get(a.endpoint_id, False) or a.gone
        for endpoint_id, gone in failing.items():
            await self._endpoint_failing(session, endpoint_id, gone, now)

    async def _endpoint_failing(
        self, session: AsyncSession, endpoint_id: uuid.UUID, gone: bool, now: datetime
    ) -> None:
        """Start the no-success clock; disable on 410 or when it has run too long."""
        row = (await session.execute(_FAILING, {"id": endpoint_id, "now": now})).one_or_none()
        if row is None or not row.active:
            return
        days = self.settings.webhook_disable_after_days
        reason = None
        if gone:
            reason = "the receiver answered 410 Gone"
        elif now - row.failing_since >= timedelta(days=days):
            reason = f"no successful delivery for {days} days"
        if reason is None:
            return
        disabled = await session.execute(
            _DISABLE, {"id": endpoint_id, "now": now, "reason": reason}
        )
        if disabled.rowcount:  # type: ignore[attr-defined]
            await hold(session, receiver_key(endpoint_id))
            await notify_admins(
                session,
                row.jurisdiction_id,
                "webhook_endpoint_disabled",
                {"endpoint_id": str(endpoint_id), "url": row.url, "reason": reason},
                dedupe_key=f"webhook_endpoint_disabled:{endpoint_id}:{now.isoformat()}",
            )
            log.warning(
                "webhook endpoint disabled", extra={"endpoint": str(endpoint_id), "why": reason}
            )
