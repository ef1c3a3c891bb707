"""Migration 0017 gives a complaint's events and reporter its jurisdiction, keys them with it,
and keeps a complaint's rows in its own jurisdiction."""

import asyncio
import uuid

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
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
        '[]', (SELECT id FROM sla_policies WHERE jurisdiction_id = :j), now(), 1)
    """
)
_CHILDREN = [
    text(
        "INSERT INTO complaint_events (complaint_id, seq, type, status, occurred_at, actor, data)"
        " VALUES (:id, 1, 'received', 'received', now(), '{}', '{}')"
    ),
    text("INSERT INTO reporters (complaint_id, key_id, ciphertext) VALUES (:id, 'k1', 'x')"),
]


async def _before(url: str) -> dict[uuid.UUID, uuid.UUID]:
    """Two jurisdictions, a complaint in each with its first event and reporter."""
    engine = make_engine(url)
    owners: dict[uuid.UUID, uuid.UUID] = {}
    async with engine.begin() as conn:
        session = AsyncSession(bind=conn)
        for code in ("35.21", "35.20"):
            jurisdiction = await create_jurisdiction(session, code, code, "Asia/Jakarta")
            await session.flush()
            cid = uuid.uuid4()
            tracking = f"LPR-{code.replace('.', '')}"
            await conn.execute(_COMPLAINT, {"id": cid, "j": jurisdiction.id, "tracking": tracking})
            for statement in _CHILDREN:
                await conn.execute(statement, {"id": cid})
            owners[cid] = jurisdiction.id
    await engine.dispose()
    return owners


async def _rows(url: str, table: str) -> dict[uuid.UUID, uuid.UUID]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        query = f"SELECT complaint_id, jurisdiction_id FROM {table}"  # noqa: S608 - a constant
        rows = await conn.execute(text(query))
        found = {row.complaint_id: row.jurisdiction_id for row in rows}
    await engine.dispose()
    return found


async def _event_in_another_jurisdiction(url: str, owners: dict[uuid.UUID, uuid.UUID]) -> None:
    (one, _), (_, other_j) = owners.items()
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO complaint_events (complaint_id, jurisdiction_id, seq, type,"
                    " status, occurred_at, actor, data)"
                    " VALUES (:c, :j, 2, 'verified', 'verified', now(), '{}', '{}')"
                ),
                {"c": one, "j": other_j},
            )
    finally:
        await engine.dispose()


def test_0017_backfills_the_jurisdiction_and_keeps_rows_with_their_complaint(
    scratch_url: str,
) -> None:
    migrate.upgrade(scratch_url, "0015")
    owners = asyncio.run(_before(scratch_url))
    migrate.upgrade(scratch_url, "0017")
    assert asyncio.run(_rows(scratch_url, "complaint_events")) == owners
    assert asyncio.run(_rows(scratch_url, "reporters")) == owners
    # The composite foreign key: an event cannot name its complaint under another jurisdiction.
    with pytest.raises(IntegrityError, match="fk_complaint_events_complaint_id_complaints"):
        asyncio.run(_event_in_another_jurisdiction(scratch_url, owners))
    command.downgrade(migrate.alembic_config(scratch_url), "0015")
    engine_rows = asyncio.run(_rows_without_jurisdiction(scratch_url))
    assert engine_rows == set(owners)  # the events themselves are kept


async def _rows_without_jurisdiction(url: str) -> set[uuid.UUID]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT complaint_id FROM complaint_events"))
        found = set(rows.scalars())
    await engine.dispose()
    return found
