"""Every read of a reporter's identity, by a person or by the system, with its access-log row.

This module is the only one that opens a sealed identity (Sealed.IDENTITY). Each read appends
its identity_access_log row in the caller's transaction, so a read that is not on record cannot
happen: if the log insert fails, the read fails with it. People read as their Principal; the
system reads as one of the named actors below, each with the one purpose it exists for.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kernel.logging import request_id_var
from app.privacy.crypto import Sealed, Sealer
from app.privacy.models import IdentityAccessLog, Reporter

_SYSTEM_NS = uuid.UUID("5a7e0c1d-8f0b-4c57-9d2e-3b1f6a0e9c44")


class Subject(Protocol):
    """The complaint whose reporter is read: the ORM row or the complaints read model."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def jurisdiction_id(self) -> uuid.UUID: ...
    @property
    def anonymous(self) -> bool: ...


class Reader(Protocol):
    """Who reads: a Principal (a person or an API client) or a SystemActor."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def kind(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class SystemActor:
    """A part of the system that needs an identity for one fixed reason."""

    name: str
    action: str  # the access-log action
    purpose: str
    # Whether it may read an anonymous reporter's identity at all.
    reads_anonymous: bool
    kind: str = field(default="system", init=False)
    role: str = field(default="system", init=False)

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(_SYSTEM_NS, self.name)  # stable, so the log can be filtered by actor


# Anonymous identities never leave for the hub; a reply goes back through the door the reporter
# used themselves, so it may read the one field it needs even when they asked to stay anonymous.
HUB_SYNC = SystemActor("hub_sync", "forward", "forward to the SP4N-LAPOR! hub", False)
SMS_REPLY = SystemActor("sms_reply", "reply", "answer the reporter by SMS 1708", True)
META_REPLY = SystemActor("meta_reply", "reply", "answer the reporter on WhatsApp/Meta", True)
X_REPLY = SystemActor("x_reply", "reply", "answer the reporter on X", True)


async def record_access(
    session: AsyncSession,
    reader: Reader,
    complaint: Subject,
    action: str,
    purpose: str,
    fields: list[str],
) -> None:
    """Append one access-log row about a complaint's reporter."""
    await append_access(
        session,
        reader,
        complaint.jurisdiction_id,
        action,
        purpose,
        fields,
        complaint_id=complaint.id,
    )


async def append_access(
    session: AsyncSession,
    reader: Reader,
    jurisdiction_id: uuid.UUID,
    action: str,
    purpose: str,
    fields: list[str],
    *,
    complaint_id: uuid.UUID | None = None,
    ombudsman_case_id: uuid.UUID | None = None,
) -> None:
    """Append one access-log row about a complaint's reporter or a case's citizen (one of the
    two; the table checks it, and refuses UPDATE and DELETE)."""
    await session.execute(
        insert(IdentityAccessLog).values(
            id=uuid.uuid4(),
            # The database's clock, read at each row: the audit trail of identity reads keeps
            # the real time of every read, which no caller's clock may move.
            occurred_at=func.clock_timestamp(),
            jurisdiction_id=jurisdiction_id,
            complaint_id=complaint_id,
            ombudsman_case_id=ombudsman_case_id,
            actor_kind=reader.kind,
            actor_id=reader.id,
            actor_role=reader.role,
            actor_name=reader.name[:200],
            action=action,
            purpose=purpose,
            fields=fields,
            request_id=request_id_var.get(),
        )
    )


async def held(session: AsyncSession, complaint_id: uuid.UUID) -> Reporter | None:
    """The complaint's reporters row (still sealed), if any."""
    return await session.scalar(select(Reporter).where(Reporter.complaint_id == complaint_id))


def open_unlogged(sealer: Sealer, row: Reporter) -> dict[str, Any]:
    """The whole identity, for a change that logs itself (a correction): no read of its own."""
    return sealer._open(Sealed.IDENTITY, row.key_id, row.ciphertext, row.complaint_id)


async def read(
    session: AsyncSession,
    sealer: Sealer,
    reader: Reader,
    complaint: Subject,
    row: Reporter,
    action: str,
    purpose: str,
    fields: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Open the identity (only `fields` of it, when given) and log the read of what it held."""
    identity = open_unlogged(sealer, row)
    if fields is not None:
        identity = {k: v for k, v in identity.items() if k in fields}
    await record_access(session, reader, complaint, action, purpose, sorted(identity))
    return identity


async def read_identity(
    session: AsyncSession,
    sealer: Sealer,
    complaint: Subject,
    actor: SystemActor,
    fields: tuple[str, ...] | None = None,
) -> dict[str, Any] | None:
    """What a system actor may read of a complaint's reporter, logged; None when nothing is.

    Nothing is opened (and nothing logged) for an erased identity, a complaint without one, or
    an anonymous reporter when the actor may not read those.
    """
    if complaint.anonymous and not actor.reads_anonymous:
        return None
    row = await held(session, complaint.id)
    if row is None or row.erased_at is not None or not row.ciphertext:
        return None
    return await read(session, sealer, actor, complaint, row, actor.action, actor.purpose, fields)
