"""Reporter identities: shown, revealed, exported, corrected and erased, every read logged.

Each read goes through app/privacy/identity.py, which writes its access-log row in the caller's
transaction and names the fields the answer shows (IDENTITY_FIELDS), no more.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints import readmodel
from app.complaints.actions import load_for_update
from app.complaints.events import append_event
from app.complaints.queries import get_visible
from app.kernel.errors import Conflict, NotFound
from app.kernel.pagination import newest_first
from app.kernel.security import Principal
from app.privacy import schemas
from app.privacy.crypto import Sealed, Sealer
from app.privacy.identity import Subject, held, open_unlogged, read, record_access
from app.privacy.models import IdentityAccessLog, Reporter
from app.privacy.rules import ComplaintFacts, detail_purpose

IDENTITY_FIELDS = ("name", "nik", "phone", "email", "address")
EXPORT_LIMIT = 200


class ReporterNotHeld(NotFound):
    code = "reporter_not_held"


class ReporterErased(Conflict):
    code = "reporter_erased"


class Shown(Subject, Protocol):
    """A complaint as its detail view holds it: who may see its reporter depends on these."""

    @property
    def agency_id(self) -> uuid.UUID | None: ...
    @property
    def submitted_by(self) -> uuid.UUID | None: ...


def _facts(c: Shown) -> ComplaintFacts:
    return ComplaintFacts(anonymous=c.anonymous, agency_id=c.agency_id, submitted_by=c.submitted_by)


def _out(identity: dict[str, Any]) -> schemas.ReporterOut:
    return schemas.ReporterOut(**{k: identity.get(k) for k in IDENTITY_FIELDS})


async def identity_for_detail(
    session: AsyncSession, cipher: Sealer, principal: Principal, complaint: Shown
) -> schemas.ReporterOut | None:
    """The identity for a complaint's detail view when the rules allow it; logged."""
    purpose = detail_purpose(principal, _facts(complaint))
    if purpose is None:
        return None
    row = await held(session, complaint.id)
    if row is None or row.erased_at is not None:
        return None
    identity = await read(
        session, cipher, principal, complaint, row, "detail", purpose, IDENTITY_FIELDS
    )
    return _out(identity)


async def reveal(
    session: AsyncSession,
    cipher: Sealer,
    principal: Principal,
    complaint_id: uuid.UUID,
    reason: str,
) -> schemas.RevealOut:
    """An admin's explicit, reasoned read of the identity, anonymous or not."""
    complaint = await get_visible(session, principal, complaint_id)
    row = await held(session, complaint.id)
    if row is None:
        raise ReporterNotHeld("No reporter identity was given with this complaint.")
    if row.erased_at is not None:
        raise ReporterErased("The reporter's identity was erased under the retention policy.")
    identity = await read(
        session, cipher, principal, complaint, row, "reveal", reason, IDENTITY_FIELDS
    )
    return schemas.RevealOut(
        complaint_id=complaint.id, anonymous=complaint.anonymous, reporter=_out(identity)
    )


async def correct(
    session: AsyncSession,
    cipher: Sealer,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.ReporterCorrection,
    now: datetime,
) -> schemas.ReporterOut:
    """Change identity fields: re-encrypt, new blind indexes, an event without the values."""
    complaint = await load_for_update(session, principal, complaint_id)
    row = await held(session, complaint.id)
    if row is not None and row.erased_at is not None:
        raise ReporterErased("The reporter's identity was erased under the retention policy.")
    identity = open_unlogged(cipher, row) if row is not None else {}
    changes = body.changes()
    for field, value in changes.items():
        if value is None:
            identity.pop(field, None)
        else:
            identity[field] = value
    key_id, blob = cipher.seal(Sealed.IDENTITY, identity, complaint.id)
    hashes = {
        f"{k}_hash": cipher.blind_index(k, identity.get(k)) for k in ("nik", "phone", "email")
    }
    if row is None:
        row = Reporter(
            complaint_id=complaint.id,
            jurisdiction_id=complaint.jurisdiction_id,
            key_id=key_id,
            ciphertext=blob,
            **hashes,
        )
        session.add(row)
    else:
        row.key_id, row.ciphertext = key_id, blob
        for column, value in hashes.items():
            setattr(row, column, value)
    fields = sorted(changes)
    await append_event(
        session,
        complaint,
        "reporter_corrected",
        principal.actor,
        now,
        {"fields": fields, "reason": body.reason},
    )
    await record_access(session, principal, complaint, "correct", body.reason, fields)
    return _out(identity)


async def export_subject(
    session: AsyncSession,
    cipher: Sealer,
    principal: Principal,
    body: schemas.SubjectSearch,
) -> schemas.SubjectExport:
    """Everything held about one reporter in this jurisdiction, found by a blind index."""
    kind, value = body.identifier()
    digest = cipher.blind_index(kind, value)
    column = getattr(Reporter, f"{kind}_hash")
    rows = {
        r.complaint_id: r
        for r in await session.scalars(
            select(Reporter).where(column == digest, Reporter.erased_at.is_(None))
        )
    }
    complaints = await readmodel.of_jurisdiction(
        session, principal.jurisdiction_id, rows, EXPORT_LIMIT
    )
    events = await readmodel.events_of(session, [c.id for c in complaints])
    out = []
    for complaint in complaints:
        identity = await read(
            session,
            cipher,
            principal,
            complaint,
            rows[complaint.id],
            "export",
            body.reason,
            IDENTITY_FIELDS,
        )
        out.append(
            schemas.ExportedComplaint(
                id=complaint.id,
                tracking_id=complaint.tracking_id,
                status=complaint.status,
                channel=complaint.channel,
                title=complaint.title,
                text=complaint.text,
                anonymous=complaint.anonymous,
                confidential=complaint.confidential,
                received_at=complaint.received_at,
                closed_at=complaint.closed_at,
                reporter=_out(identity),
                events=[
                    schemas.ExportedEvent(
                        seq=e.seq,
                        type=e.type,
                        occurred_at=e.occurred_at,
                        actor=e.actor,
                        data=e.data,
                    )
                    for e in events.get(complaint.id, [])
                ],
            )
        )
    return schemas.SubjectExport(matched_by=kind, complaints=out)


async def access_log(
    session: AsyncSession,
    principal: Principal,
    complaint_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> schemas.AccessLogPage:
    """The jurisdiction's identity access log, newest first, keyset-paginated."""
    log = IdentityAccessLog
    stmt = select(log).where(log.jurisdiction_id == principal.jurisdiction_id)
    if complaint_id is not None:
        stmt = stmt.where(log.complaint_id == complaint_id)
    rows, next_cursor = await newest_first(session, stmt, log.occurred_at, log.id, limit, cursor)
    items = [schemas.AccessLogEntry.model_validate(r, from_attributes=True) for r in rows]
    return schemas.AccessLogPage(items=items, next_cursor=next_cursor)


async def erase_expired(session: AsyncSession, retention_days: int, now: datetime) -> int:
    """Wipe identities `retention_days` after their complaint closed or was archived.

    The complaint, its events and every statistic stay; only the reporters row is emptied.
    """
    finished = readmodel.finished_before(now - timedelta(days=retention_days))
    result = await session.execute(
        update(Reporter)
        .where(Reporter.complaint_id.in_(finished), Reporter.erased_at.is_(None))
        .values(
            ciphertext=b"",
            key_id="",
            nik_hash=None,
            phone_hash=None,
            email_hash=None,
            social_hash=None,  # a social account's hash names the reporter as much as a phone's
            erased_at=now,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
