"""The worker side of hub sync: the `hub_push` sender, and the periodic pull and reconcile."""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.hub.client import Hub, HubError
from app.hub.sync import create_on_hub, pull, push_update, reconcile
from app.kernel.clock import SystemClock
from app.kernel.config import Settings
from app.kernel.logging import get_logger
from app.outbox.models import OutboxMessage
from app.outbox.worker import Outcome, Sender
from app.privacy.crypto import Sealer

log = get_logger(__name__)

# One pull/reconcile at a time across every worker process.
_SYNC_LOCK = 0x4C41504F52  # "LAPOR"


def push_sender(sessions: async_sessionmaker[AsyncSession], cipher: Sealer, hub: Hub) -> Sender:
    """Send one `hub_push` row: forward a new local complaint, or report one event."""

    async def send(row: OutboxMessage) -> Outcome:
        assert row.complaint_id is not None
        assert row.seq is not None
        try:
            if row.payload.get("kind") == "create":
                await create_on_hub(sessions, cipher, hub, row.complaint_id)
            await push_update(sessions, hub, row.complaint_id, row.seq, SystemClock())
        except HubError as exc:
            retry_at = None
            if exc.retry_after_seconds is not None:
                retry_at = datetime.now(UTC) + timedelta(seconds=exc.retry_after_seconds)
            return Outcome(done=False, retry_at=retry_at, error=str(exc), dead=not exc.retry)
        return Outcome(done=True)

    return send


async def sync_forever(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    cipher: Sealer,
    hub: Hub,
    stop: asyncio.Event,
) -> None:
    """Pull every `hub_sync_seconds` and reconcile every `hub_reconcile_seconds`, until stop."""
    last_reconcile = 0.0
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        try:
            # A session-level lock on a connection of its own, outside any transaction, so
            # nothing sits "idle in transaction" while the hub is being called.
            async with engine.connect() as conn:
                lock_conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                got = await lock_conn.scalar(
                    text("SELECT pg_try_advisory_lock(:k)"), {"k": _SYNC_LOCK}
                )
                if got:
                    try:
                        if loop.time() - last_reconcile >= settings.hub_reconcile_seconds:
                            await reconcile(sessions, settings, cipher, hub, SystemClock())
                            last_reconcile = loop.time()
                        else:
                            await pull(sessions, settings, cipher, hub, SystemClock())
                    finally:
                        await lock_conn.execute(
                            text("SELECT pg_advisory_unlock(:k)"), {"k": _SYNC_LOCK}
                        )
        except Exception:  # the hub or the database may be down: try again next round
            log.exception("hub sync failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.hub_sync_seconds)
