"""The worker side of hub sync: the `hub_push` sender, and pull and reconcile under one lock."""

from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.hub.client import Hub, HubError
from app.hub.sync import create_on_hub, push_update
from app.kernel.clock import Clock
from app.outbox.engine import Message, Outcome, Sender
from app.privacy.crypto import Sealer

# One pull or reconcile at a time across every worker process: they are two periodic topics,
# and a reconcile that runs long must not meet a pull halfway.
_SYNC_LOCK = 0x4C41504F52  # "LAPOR"


def push_sender(
    sessions: async_sessionmaker[AsyncSession], cipher: Sealer, hub: Hub, clock: Clock
) -> Sender:
    """Send one `hub_push` row: forward a new local complaint, or report one event."""

    async def send(row: Message) -> Outcome:
        assert row.complaint_id is not None
        assert row.seq is not None
        try:
            if row.payload.get("kind") == "create":
                await create_on_hub(sessions, cipher, hub, row.complaint_id)
            await push_update(sessions, hub, row.complaint_id, row.seq, clock)
        except HubError as exc:
            retry_at = None
            if exc.retry_after_seconds is not None:
                retry_at = clock.now() + timedelta(seconds=exc.retry_after_seconds)
            return Outcome(done=False, retry_at=retry_at, error=str(exc), dead=not exc.retry)
        return Outcome(done=True)

    return send


def under_sync_lock(engine: AsyncEngine, job: Callable[[], Awaitable[object]]) -> Sender:
    """A periodic sender that runs `job` only while holding the sync lock (busy: skip this slot).

    A session-level lock on a connection of its own, outside any transaction, so nothing sits
    "idle in transaction" while the hub is being called.
    """

    async def send(_: Message) -> Outcome:
        async with engine.connect() as conn:
            lock_conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            if not await lock_conn.scalar(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": _SYNC_LOCK}
            ):
                return Outcome(done=True)
            try:
                await job()
            finally:
                await lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _SYNC_LOCK})
        return Outcome(done=True)

    return send
