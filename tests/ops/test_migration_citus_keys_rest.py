"""Migration 0024 keys the remaining tenant tables with their jurisdiction, on a database with
rows: the tracking numbers move to `tracking_ids`, the Ombudsman's rows get the case's
jurisdiction, every key pairs it, and the downgrade keeps every row."""

import asyncio
import uuid
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app import migrate
from app.jurisdictions.service import create_jurisdiction
from app.kernel.db import make_engine

BEFORE = "0023"
_ROWS = [
    """INSERT INTO complaints (id, jurisdiction_id, tracking_id, channel, channel_detail, text,
        received_at, status, anonymous, confidential, attachments, policy_id,
        verification_due_at, last_seq, possible_duplicate_of)
    VALUES (:c, :j, :tracking, 'web', '{}', 'Jalan rusak.', now(), 'received', false, false,
        '[]', (SELECT id FROM sla_policies WHERE jurisdiction_id = :j), now(), 1, :earlier)""",
    """INSERT INTO sms_parts (id, jurisdiction_id, account_id, account_name, group_key, part_no,
        sender_hash, key_id, sender_ciphertext, text, received_at, complaint_id)
    VALUES (gen_random_uuid(), :j, gen_random_uuid(), 'gateway', :tracking, 1, 'h', 'k1', 'x',
        'Jalan rusak.', now(), :c)""",
    """INSERT INTO agencies (id, jurisdiction_id, code, name, kind)
    VALUES (:agency, :j, 'DPU', 'Dinas PU', 'dinas')""",
    """INSERT INTO ombudsman_cases (id, jurisdiction_id, letter_number, letter_date, perwakilan,
        subject, agency_id, stage, policy_version, citizen_confidential, received_at, last_seq,
        created_by, created_at, updated_at)
    VALUES (:case, :j, :tracking, now(), 'Jawa Timur', 'Jalan', :agency, 'examination', 1,
        false, now(), 1, gen_random_uuid(), now(), now())""",
    """INSERT INTO ombudsman_case_complaints (case_id, complaint_id) VALUES (:case, :c)""",
    """INSERT INTO ombudsman_steps (id, case_id, number, kind, description, owner_agency_id,
        state, received_at, notes, attachments, created_at)
    VALUES (gen_random_uuid(), :case, 1, 'clarification', 'Mohon penjelasan.', :agency, 'open',
        now(), '[]', '[]', now())""",
    """INSERT INTO ombudsman_case_events (case_id, seq, type, stage, occurred_at, actor, data)
    VALUES (:case, 1, 'case_received', 'examination', now(), '{}', '{}')""",
    """INSERT INTO attachments (id, jurisdiction_id, uploaded_by, ombudsman_case_id,
        content_type, size_bytes, sha256, storage_key)
    VALUES (gen_random_uuid(), :j, gen_random_uuid(), :case, 'text/plain', 1, 'x', :tracking)""",
    """INSERT INTO outbox_messages (id, jurisdiction_id, topic, complaint_id, payload)
    VALUES (gen_random_uuid(), :j, 'complaint_event', :c, '{}')""",
]
CASE_CHILDREN = ("ombudsman_case_complaints", "ombudsman_steps", "ombudsman_case_events")
_KEYS = """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
    WHERE contype IN ('p', 'u', 'f') AND connamespace = 'public'::regnamespace ORDER BY 1, 2"""


async def _run(url: str, work: Any) -> Any:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            return await work(conn)
    finally:
        await engine.dispose()


def _in(url: str, statement: str, **params: Any) -> list[Any]:
    async def work(conn: AsyncConnection) -> list[Any]:
        result = await conn.execute(text(statement), params)
        return list(result.all()) if result.returns_rows else []

    return asyncio.run(_run(url, work))


async def _before(conn: AsyncConnection) -> dict[str, dict[str, uuid.UUID]]:
    """Two jurisdictions, each with two complaints (the second linked to the first as a likely
    duplicate), an SMS part, an Ombudsman case with its step, event, link and attachment."""
    session = AsyncSession(bind=conn)
    made: dict[str, dict[str, uuid.UUID]] = {}
    for code in ("35.21", "35.20"):
        jurisdiction = await create_jurisdiction(session, code, code, "Asia/Jakarta")
        await session.flush()
        j = jurisdiction.id
        first, second, case = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        digits = code.replace(".", "")
        await conn.execute(
            text(_ROWS[0]), {"c": first, "j": j, "tracking": f"LPR-A{digits}", "earlier": None}
        )
        ids = {"c": second, "j": j, "tracking": f"LPR-B{digits}", "case": case}
        await conn.execute(text(_ROWS[0]), {**ids, "earlier": first})
        ids["agency"] = uuid.uuid4()
        for statement in _ROWS[1:]:
            await conn.execute(
                text(statement), {k: v for k, v in ids.items() if f":{k}" in statement}
            )
        made[code] = {"jurisdiction": j, "first": first, "second": second, "case": case}
    return made


def test_0024_keys_every_tenant_row_with_its_jurisdiction_and_downgrades(
    scratch_url: str,
) -> None:
    migrate.upgrade(scratch_url, BEFORE)
    made = asyncio.run(_run(scratch_url, _before))
    keys_before = _in(scratch_url, _KEYS)
    migrate.upgrade(scratch_url, "0024")

    tracked = _in(
        scratch_url, "SELECT tracking_id, jurisdiction_id, complaint_id FROM tracking_ids"
    )
    owned = _in(scratch_url, "SELECT tracking_id, jurisdiction_id, id FROM complaints")
    assert sorted(tracked) == sorted(owned)
    assert len(tracked) == 4
    for table in CASE_CHILDREN:
        rows = _in(scratch_url, f"SELECT case_id, jurisdiction_id FROM {table}")  # noqa: S608
        assert sorted(rows) == sorted((m["case"], m["jurisdiction"]) for m in made.values())

    one, other = made["35.21"], made["35.20"]
    # A step of one jurisdiction's case cannot be written under another jurisdiction.
    with pytest.raises(IntegrityError, match="fk_ombudsman_steps_case_id_ombudsman_cases"):
        _in(
            scratch_url,
            "INSERT INTO ombudsman_steps (id, jurisdiction_id, case_id, number, kind,"
            " description, owner_agency_id, state, received_at, notes, attachments, created_at)"
            " SELECT gen_random_uuid(), :j, case_id, 2, kind, description, owner_agency_id,"
            " state, received_at, notes, attachments, created_at FROM ombudsman_steps"
            " WHERE case_id = :case",
            j=other["jurisdiction"],
            case=one["case"],
        )
    # Nor a duplicate link to another jurisdiction's complaint.
    with pytest.raises(IntegrityError, match="fk_complaints_duplicate_of_complaints"):
        _in(
            scratch_url,
            "UPDATE complaints SET duplicate_of = :other WHERE id = :c",
            other=other["first"],
            c=one["second"],
        )
    # The complaint going unlinks its SMS part and keeps the part's jurisdiction
    # (ON DELETE SET NULL (complaint_id)); the outbox row, no longer keyed to it, stays.
    _in(
        scratch_url,
        "DELETE FROM ombudsman_case_complaints WHERE complaint_id = :c",
        c=one["second"],
    )
    _in(scratch_url, "DELETE FROM complaints WHERE id = :c", c=one["second"])
    parts = _in(
        scratch_url,
        "SELECT complaint_id, jurisdiction_id FROM sms_parts WHERE group_key = 'LPR-B3521'",
    )
    assert parts == [(None, one["jurisdiction"])]
    kept = _in(
        scratch_url, "SELECT 1 FROM outbox_messages WHERE complaint_id = :c", c=one["second"]
    )
    assert kept == [(1,)]
    _in(scratch_url, "DELETE FROM outbox_messages WHERE complaint_id = :c", c=one["second"])

    command.downgrade(migrate.alembic_config(scratch_url), BEFORE)
    assert _in(scratch_url, _KEYS) == keys_before  # every key as it was
    left = _in(scratch_url, "SELECT tracking_id FROM complaints ORDER BY tracking_id")
    assert [t for (t,) in left] == ["LPR-A3520", "LPR-A3521", "LPR-B3520"]
    counts = {t: len(_in(scratch_url, f"SELECT 1 FROM {t}")) for t in CASE_CHILDREN}  # noqa: S608
    # One link went with its complaint above; the rest are all there.
    assert counts == dict(zip(CASE_CHILDREN, (1, 2, 2), strict=True))
    # The nationwide unique number is the complaints' own again.
    with pytest.raises(IntegrityError, match="uq_complaints_tracking_id"):
        _in(
            scratch_url,
            "UPDATE complaints SET tracking_id = 'LPR-A3521' WHERE tracking_id = 'LPR-A3520'",
        )
