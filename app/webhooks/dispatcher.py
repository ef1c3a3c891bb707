"""Sends owed deliveries: claimed with SKIP LOCKED and a lease, in seq order, concurrently.

A delivery is claimed only if nothing earlier of the same complaint is still owed to the same
receiver (including an event not yet fanned out), so each receiver sees a complaint's events in
seq order; a dead-lettered earlier event no longer holds the later ones back. The claim sets a
lease (`locked_until`) and commits; the HTTP call runs outside any transaction; the result is
recorded only while the lease is still ours. A worker killed mid-send loses nothing: the lease
expires and another worker sends again, with the same `webhook-id` (at-least-once).
"""

import asyncio
import contextlib
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography.exceptions import InvalidTag
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.config import Settings
from app.kernel.db_faults import LoopBackoff
from app.kernel.logging import get_logger
from app.outbox.service import EVENT_TOPIC, notify_admins
from app.privacy.crypto import Sealer
from app.webhooks.models import WebhookEndpoint
from app.webhooks.rules import Verdict, excerpt, judge, next_attempt_delay
from app.webhooks.service import signing_secrets
from app.webhooks.signing import callback_secret, serialize, sign
from app.webhooks.url_guard import BlockedAddress

log = get_logger(__name__)

_CLAIM = text(
    """
    UPDATE webhook_deliveries SET locked_until = :lease_end, attempts = attempts + 1
    WHERE id IN (
        SELECT d.id FROM webhook_deliveries d
        LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.status = 'pending' AND d.available_at <= :now
          AND (d.locked_until IS NULL OR d.locked_until < :now)
          AND (d.endpoint_id IS NULL OR e.active)
          AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
              WHERE p.complaint_id = d.complaint_id AND p.seq < d.seq AND p.status = 'pending'
                AND p.endpoint_id IS NOT DISTINCT FROM d.endpoint_id)
          AND NOT EXISTS (
              SELECT 1 FROM outbox_messages o
              WHERE o.complaint_id = d.complaint_id AND o.topic = :event_topic
                AND o.seq < d.seq AND o.status = 'pending')
        ORDER BY d.available_at
        LIMIT :limit
        FOR UPDATE OF d SKIP LOCKED)
    RETURNING id, endpoint_id, jurisdiction_id, message_id, payload, attempts, callback_url,
              signing_client_id
    """
)
# One round trip records the attempt, settles the delivery if the lease is still ours, and
# (after a success) marks the endpoint healthy, at most once a minute: rewriting a busy
# endpoint's row on every success would serialize all settles behind its lock.
_SETTLE = text(
    """
    WITH attempt AS (
        INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, duration_ms,
                                      response_excerpt, error, worker)
        VALUES (:attempt_id, :id, CAST(:now AS timestamptz), :status_code, :duration_ms,
                :excerpt, :error, :worker)
    ), healthy AS (
        UPDATE webhook_endpoints SET last_success_at = :now, failing_since = NULL
        WHERE CAST(:healthy AS boolean) AND id = :endpoint_id
          AND (failing_since IS NOT NULL OR last_success_at IS NULL
               OR last_success_at < CAST(:now AS timestamptz) - interval '60 seconds')
    ), settled AS (
        UPDATE webhook_deliveries
        SET status = CAST(:status AS varchar), available_at = :available_at, last_error = :error,
            last_status_code = :status_code, locked_until = NULL,
            done_at = CASE WHEN CAST(:status AS varchar) = 'done'
                           THEN CAST(:now AS timestamptz) END
        WHERE id = :id AND locked_until = :lease_end
        RETURNING 1
    )
    SELECT count(*) FROM settled
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
class Claimed:
    id: uuid.UUID
    endpoint_id: uuid.UUID | None
    jurisdiction_id: uuid.UUID
    message_id: str
    payload: dict[str, Any]
    attempts: int
    url: str
    secrets: list[str]
    lease_end: datetime


@dataclass
class Result:
    status_code: int | None = None
    retry_after: str | None = None
    body: bytes = b""
    error: str | None = None
    duration_ms: int = 0


@dataclass
class Dispatcher:
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    http: httpx.AsyncClient
    cipher: Sealer
    name: str = f"{socket.gethostname()}:{os.getpid()}"
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def claim(self, limit: int) -> list[Claimed]:
        """Lease up to `limit` deliveries that are due and next in line for their receiver."""
        now = datetime.now(UTC)
        lease_end = now + timedelta(seconds=self.settings.webhook_lease_seconds)
        async with self.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    _CLAIM,
                    {
                        "lease_end": lease_end,
                        "now": now,
                        "limit": limit,
                        "event_topic": EVENT_TOPIC,
                    },
                )
            ).all()
            endpoint_ids = [r.endpoint_id for r in rows if r.endpoint_id]
            found = await session.scalars(
                select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids))
            )
            endpoints = {e.id: e for e in found}
        keys = self.settings.webhook_callback_keys.get_secret_value()
        claimed = []
        for r in rows:
            if r.endpoint_id is not None:
                e = endpoints[r.endpoint_id]
                url = e.url
                try:
                    secrets = signing_secrets(self.cipher, e, now)
                except (KeyError, ValueError, InvalidTag):  # its key is gone: fail the attempt
                    log.error("cannot unseal endpoint secret", extra={"endpoint": str(e.id)})
                    secrets = []
            else:
                # Callbacks of a complaint no client submitted sign with the jurisdiction's.
                url = r.callback_url
                secrets = callback_secret(keys, r.signing_client_id or r.jurisdiction_id)
            claimed.append(
                Claimed(
                    r.id,
                    r.endpoint_id,
                    r.jurisdiction_id,
                    r.message_id,
                    r.payload,
                    r.attempts,
                    url,
                    secrets,
                    lease_end,
                )
            )
        return claimed

    async def post(self, d: Claimed) -> Result:
        """One signed POST, bounded in time and in how much of the answer is read."""
        body = serialize(d.payload)
        headers = sign(d.message_id, datetime.now(UTC), body, d.secrets)
        limit = self.settings.webhook_excerpt_bytes
        result = Result()
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                async with self.http.stream(
                    "POST", d.url, content=body.encode(), headers=headers
                ) as resp:
                    result.status_code = resp.status_code
                    result.retry_after = resp.headers.get("retry-after")
                    raw = bytearray()
                    async for chunk in resp.aiter_bytes():
                        raw += chunk
                        if len(raw) >= limit:
                            break
                    result.body = bytes(raw)
        except TimeoutError:
            # An answer that began but never finished is a failure too: sending again is safe.
            result.error = f"timeout after {self.settings.webhook_timeout_seconds:g}s"
            result.status_code = None
        except BlockedAddress as exc:
            result.error = f"blocked: {exc}"
        except httpx.HTTPError as exc:
            result.error = f"{type(exc).__name__}: {exc}"[:500]
            result.status_code = None
        result.duration_ms = int((time.monotonic() - started) * 1000)
        return result

    async def deliver(self, d: Claimed) -> None:
        """Send one delivery and record the attempt and its outcome."""
        try:
            if not d.secrets:
                result = Result(error="no signing secret available (identity key retired?)")
            else:
                result = await self.post(d)
        except Exception as exc:  # a bug in one send must not take the loop down
            log.exception("delivery failed", extra={"delivery": str(d.id)})
            result = Result(error=f"{type(exc).__name__}: {exc}"[:500])
        try:
            await self.settle(d, result)
        except Exception:  # unsettled, the lease runs out and the delivery is tried again
            log.exception("settling a delivery failed", extra={"delivery": str(d.id)})

    async def settle(self, d: Claimed, result: Result) -> None:
        now = datetime.now(UTC)
        verdict = (
            judge(result.status_code, result.retry_after, now)
            if result.status_code is not None
            else Verdict(done=False)
        )
        error = result.error
        if error is None and not verdict.done:
            error = f"HTTP {result.status_code}"
        if verdict.done:
            status, available_at = "done", now
        else:
            delay = next_attempt_delay(d.attempts)
            if delay is not None and verdict.retry_after is not None:
                delay = verdict.retry_after
            status = "dead" if delay is None else "pending"
            available_at = now + (delay or timedelta(0))
        async with self.sessions() as session, session.begin():
            settled = await session.scalar(
                _SETTLE,
                {
                    "attempt_id": uuid.uuid4(),
                    "id": d.id,
                    "now": now,
                    "status_code": result.status_code,
                    "duration_ms": result.duration_ms,
                    "excerpt": excerpt(result.body, self.settings.webhook_excerpt_bytes)
                    if result.body
                    else None,
                    "error": error,
                    "worker": self.name,
                    "healthy": verdict.done,
                    "endpoint_id": d.endpoint_id,
                    "status": status,
                    "available_at": available_at,
                    "lease_end": d.lease_end,
                },
            )
            if not settled:
                log.warning("lease lost before settling", extra={"delivery": str(d.id)})
            if d.endpoint_id is not None and not verdict.done:
                await self._endpoint_failing(session, d, verdict, now)

    async def _endpoint_failing(
        self, session: AsyncSession, d: Claimed, verdict: Verdict, now: datetime
    ) -> None:
        """Start the no-success clock; disable on 410 or when it has run too long."""
        row = (await session.execute(_FAILING, {"id": d.endpoint_id, "now": now})).one_or_none()
        if row is None or not row.active:
            return
        days = self.settings.webhook_disable_after_days
        reason = None
        if verdict.gone:
            reason = "the receiver answered 410 Gone"
        elif now - row.failing_since >= timedelta(days=days):
            reason = f"no successful delivery for {days} days"
        if reason is None:
            return
        disabled = await session.execute(
            _DISABLE, {"id": d.endpoint_id, "now": now, "reason": reason}
        )
        if disabled.rowcount:  # type: ignore[attr-defined]
            await notify_admins(
                session,
                row.jurisdiction_id,
                "webhook_endpoint_disabled",
                {"endpoint_id": str(d.endpoint_id), "url": row.url, "reason": reason},
                dedupe_key=f"webhook_endpoint_disabled:{d.endpoint_id}:{now.isoformat()}",
            )
            log.warning(
                "webhook endpoint disabled", extra={"endpoint": str(d.endpoint_id), "why": reason}
            )

    async def run_once(self) -> int:
        """Claim what is due now and send it all; returns how many were sent (tests, bench)."""
        rows = await self.claim(self.settings.webhook_max_concurrency)
        await asyncio.gather(*(self.deliver(d) for d in rows))
        return len(rows)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Keep up to `webhook_max_concurrency` sends in flight until `stop`; then finish them."""
        backoff = LoopBackoff(self.settings.worker_poll_seconds)
        while not stop.is_set():
            free = self.settings.webhook_max_concurrency - len(self._tasks)
            claimed: list[Claimed] = []
            if free > 0:
                try:
                    claimed = await self.claim(free)
                    backoff.succeeded()
                except Exception as exc:  # the database may be restarting: wait longer, retry
                    backoff.failed("webhook claim failed", exc)
            for d in claimed:
                task = asyncio.create_task(self.deliver(d))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            if claimed and len(claimed) == free:
                await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
            elif not claimed:
                waiters: list[Any] = [asyncio.ensure_future(stop.wait()), *self._tasks]
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait(
                        waiters, timeout=backoff.wait, return_when=asyncio.FIRST_COMPLETED
                    )
                waiters[0].cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
