"""Migration 0014 gives every existing event the status it left its complaint in, by replay."""

import asyncio
import uuid
from typing import Any

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app import migrate
from app.jurisdictions.service import create_jurisdiction
from app.kernel.db import make_engine

_COMPLAINT = text(
    """
    INSERT INTO complaints (id, jurisdiction_id, tracking_id, channel, channel_detail, text,
        received_at, status, anonymous, confidential, attachments, policy_id,
        verification_due_at, last_seq)
    VALUES (:id, :j, :tracking, 'web', '{}', 'Jalan rusak.', now(), 'received', false, false,
        '[]', (SELECT id FROM sla_policies WHERE jurisdiction_id = :j), now(), :last_seq)
    """
)
_EVENT = text(
    """
    INSERT INTO complaint_events (complaint_id, seq, type, occurred_at, actor, data)
    VALUES (:id, :seq, :type, now(), '{}', '{}')
    """
)
WAITED = ["received", "verified", "dispatched", "needs_info", "info_supplied"]
# Each history, and the status after each of its events.
HISTORIES: list[tuple[list[str], list[str]]] = [
    (["received"], ["received"]),
    (["received", "verified", "dispatched"], ["received", "verified", "dispatched"]),
    (
        [*WAITED, "acknowledged", "responded", "reopened"],
        [
            "received",
            "verified",
            "dispatched",
            "needs_info",
            "dispatched",
            "in_progress",
            "responded",
            "in_progress",
        ],
    ),
    # Events that move nothing leave the status where it was, a wait from received resumes there.
    (
        ["received", "escalated", "needs_info", "info_supplied", "verified", "due_soon"],
        ["received", "received", "needs_info", "received", "verified", "verified"],
    ),
    (
        ["received", "verified", "dispatched", "responded", "feedback_received", "closed"],
        ["received", "verified", "dispatched", "responded", "responded", "closed"],
    ),
]


async def _before(url: str, ids: list[uuid.UUID]) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        session = AsyncSession(bind=conn)
        jurisdiction = await create_jurisdiction(session, "35.21", "Ngawi", "Asia/Jakarta")
        await session.flush()
        for n, (cid, (types, _)) in enumerate(zip(ids, HISTORIES, strict=True)):
            row = {"id": cid, "j": jurisdiction.id, "tracking": f"LPR-OLD{n}"}
            await conn.execute(_COMPLAINT, row | {"last_seq": len(types)})
            for seq, kind in enumerate(types, start=1):
                await conn.execute(_EVENT, {"id": cid, "seq": seq, "type": kind})
    await engine.dispose()


async def _statuses(url: str, cid: uuid.UUID) -> list[Any]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT status FROM complaint_events WHERE complaint_id = :c ORDER BY seq"),
            {"c": cid},
        )
        found = list(rows.scalars())
    await engine.dispose()
    return found


async def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'complaint_events'"
            )
        )
        found = set(rows.scalars())
    await engine.dispose()
    return found


def test_0014_backfills_each_events_status_and_goes_back(scratch_url: str) -> None:
    migrate.upgrade(scratch_url, "0012")
    ids = [uuid.uuid4() for _ in HISTORIES]
    asyncio.run(_before(scratch_url, ids))
    migrate.upgrade(scratch_url, "0014")
    for cid, (_, expected) in zip(ids, HISTORIES, strict=True):
        assert asyncio.run(_statuses(scratch_url, cid)) == expected
    command.downgrade(migrate.alembic_config(scratch_url), "-1")
    columns = asyncio.run(_columns(scratch_url))
    assert "status" not in columns
    assert "type" in columns  # the events themselves are kept
