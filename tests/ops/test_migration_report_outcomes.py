"""Migration 0015 gives old complaints their outcome columns from the events that hold them,
and the way back keeps every complaint."""

import asyncio
import uuid
from datetime import datetime
from typing import Any

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app import migrate
from app.jurisdictions.service import create_jurisdiction
from app.kernel.db import make_engine
from tests.conftest import _admin, _with_database

_OLD_ROW = text(
    """
    INSERT INTO complaints (id, jurisdiction_id, tracking_id, channel, channel_detail, text,
        received_at, status, anonymous, confidential, attachments, policy_id,
        verification_due_at, last_seq)
    VALUES (:id, :j, :tracking, 'web', '{}', 'Jalan rusak.', now(), :status, false, false, '[]',
        (SELECT id FROM sla_policies WHERE jurisdiction_id = :j), now(), 1)
    """
)
_EVENT = text(
    """
    INSERT INTO complaint_events (complaint_id, seq, type, occurred_at, actor, data)
    VALUES (:id, :seq, :type, :at, '{}', CAST(:data AS jsonb))
    """
)


async def _before(url: str, closed: uuid.UUID, fresh: uuid.UUID) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        session = AsyncSession(bind=conn)
        jurisdiction = await create_jurisdiction(session, "35.21", "Ngawi", "Asia/Jakarta")
        await session.flush()
        j = jurisdiction.id
        await conn.execute(
            _OLD_ROW,
            {"id": closed, "j": j, "tracking": "LPR-OLD1", "status": "closed"},
        )
        await conn.execute(
            text("UPDATE complaints SET responded_at = now() WHERE id = :id"), {"id": closed}
        )
        await conn.execute(
            _OLD_ROW,
            {"id": fresh, "j": j, "tracking": "LPR-OLD2", "status": "received"},
        )
        events: list[tuple[int, str, str, str]] = [
            (1, "received", "2026-11-02T01:00:00Z", "{}"),
            (2, "acknowledged", "2026-11-03T01:00:00Z", "{}"),
            (3, "acknowledged", "2026-11-05T01:00:00Z", "{}"),
            (4, "feedback_received", "2026-11-06T01:00:00Z", '{"rating": 2, "satisfied": false}'),
            (5, "reopened", "2026-11-06T01:00:00Z", "{}"),
            (6, "feedback_received", "2026-11-09T01:00:00Z", '{"rating": 4, "satisfied": true}'),
        ]
        for seq, kind, at, data in events:
            await conn.execute(
                _EVENT,
                {
                    "id": closed,
                    "seq": seq,
                    "type": kind,
                    "at": datetime.fromisoformat(at),
                    "data": data,
                },
            )
    await engine.dispose()


async def _rows(url: str) -> list[Any]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT tracking_id, resolution, acknowledged_at, rating, satisfied,"
                    " reopen_count FROM complaints ORDER BY tracking_id"
                )
            )
        ).all()
    await engine.dispose()
    return list(rows)


def test_0015_backfills_outcomes_from_events_and_downgrades(server_url: str) -> None:
    name = f"lapor_mig_{uuid.uuid4().hex[:10]}"
    url = _with_database(server_url, name)
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        migrate.upgrade(url, "0012")
        closed, fresh = uuid.uuid4(), uuid.uuid4()
        asyncio.run(_before(url, closed, fresh))
        migrate.upgrade(url, "0015")
        old, new = asyncio.run(_rows(url))
        assert old.tracking_id == "LPR-OLD1"
        assert old.resolution == "resolved"
        assert old.acknowledged_at.isoformat() == "2026-11-03T01:00:00+00:00"  # the first
        assert (old.rating, old.satisfied, old.reopen_count) == (4, True, 1)  # the latest
        assert tuple(new)[1:] == (None, None, None, None, 0)
        command.downgrade(migrate.alembic_config(url), "0012")
        assert asyncio.run(_count(url)) == 2
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _count(url: str) -> int:
    engine = make_engine(url)
    async with engine.connect() as conn:
        n = int((await conn.execute(text("SELECT count(*) FROM complaints"))).scalar_one())
    await engine.dispose()
    return n
