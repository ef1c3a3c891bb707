"""Two-way sync with the hub: pull its dispositions, push our changes, reconcile the drift.

Pulling goes through the ordinary intake (`take_in`, channel `lapor_hub`, channel_ref = the
hub's id, the hub's received time kept), so a complaint pulled twice is one complaint. Pushing
is an outbox sender: the fan-out subscriber writes one `hub_push` row per event, the worker
sends it with retries. Reconciling compares both sides and repairs what drifted.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.complaints import readmodel
from app.complaints.fanout import EventNotice, Subscriber
from app.complaints.intake import take_in
from app.hub.client import Hub, HubError
from app.hub.mapping import (
    HUB_IDENTITY_FIELDS,
    HubComplaint,
    Unreadable,
    complaint_to_wire,
    intake_body,
    to_hub_status,
    update_to_wire,
)
from app.hub.models import HubLink, HubReconciliation
from app.jurisdictions.service import id_by_code, load_context
from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.kernel.errors import AppError
from app.kernel.logging import get_logger
from app.kernel.pagination import newest_first
from app.kernel.security import HUB, Principal
from app.outbox.service import enqueue
from app.privacy.crypto import Sealer
from app.privacy.identity import HUB_SYNC, read_identity

log = get_logger(__name__)

PUSH_TOPIC = "hub_push"
_HUB_NS = uuid.UUID("0b7f7f7e-5a43-4a0e-9f3a-7c1c8f9d2e11")
# A local complaint younger than this may still be on its way to the hub by the normal path.
FORWARD_GRACE = timedelta(minutes=10)


def _refusal(exc: AppError | ValidationError) -> dict[str, Any]:
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        return {
            "error": "invalid",
            "fields": [".".join(map(str, e["loc"])) + f": {e['type']}" for e in errors],
        }
    return {"error": exc.code, "fields": [str(d.get("field")) for d in exc.details]}


def _unreadable(record: Unreadable, problem: str, problems: list[dict[str, Any]] | None) -> None:
    log.warning("hub record unreadable", extra={"hub_id": record.hub_id, "error": record.error})
    if problems is not None:
        problems.append({"problem": problem, "hub_id": record.hub_id, "error": record.error})


def hub_principal(jurisdiction_id: uuid.UUID) -> Principal:
    """The hub as the actor of what it brings in (a stable id per jurisdiction)."""
    pid = uuid.uuid5(_HUB_NS, str(jurisdiction_id))
    return Principal(pid, "system", HUB, jurisdiction_id, None, "SP4N-LAPOR! hub sync")


async def jurisdiction_id(session: AsyncSession, settings: Settings) -> uuid.UUID | None:
    """Our jurisdiction as the hub knows it (`hub_jurisdiction`, a Kemendagri code)."""
    return await id_by_code(session, settings.hub_jurisdiction)


async def pull(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    cipher: Sealer,
    hub: Hub,
    clock: Clock,
    problems: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Take in every complaint the hub dispositioned to us that we do not have yet.

    A disposition we cannot take in (a future received time, a field out of bounds) or cannot
    even read (no id, no text, a received time that is none) is skipped and noted in
    `problems`; it does not stop the others.
    """
    async with sessions() as session:
        jid = await jurisdiction_id(session, settings)
        if jid is None:
            log.error("hub sync: no jurisdiction %s", settings.hub_jurisdiction)
            return []
        known = set(
            (
                await session.scalars(select(HubLink.hub_id).where(HubLink.jurisdiction_id == jid))
            ).all()
        )
    pulled = []
    async for hc in hub.dispositions():
        if isinstance(hc, Unreadable):
            _unreadable(hc, "disposition_unreadable", problems)
            continue
        if hc.hub_id in known:
            continue
        try:
            async with sessions() as session, session.begin():
                ctx = await load_context(session, jid)
                result = await take_in(
                    session, ctx, cipher, hub_principal(jid), intake_body(hc), now=clock.now()
                )
                await session.execute(
                    insert(HubLink)
                    .values(
                        complaint_id=result.body.id,
                        jurisdiction_id=jid,
                        hub_id=hc.hub_id,
                        origin="hub",
                        pushed_seq=0,
                    )
                    .on_conflict_do_nothing()
                )
        except (AppError, ValidationError) as exc:
            # Codes and field names only: a validation message can quote the complaint's text
            # or the reporter's identity, which belong in no log and no report.
            error = _refusal(exc)
            log.warning("hub disposition refused", extra={"hub_id": hc.hub_id, **error})
            if problems is not None:
                problems.append({"problem": "disposition_refused", "hub_id": hc.hub_id, **error})
            continue
        pulled.append(
            {"action": "pulled", "hub_id": hc.hub_id, "complaint_id": str(result.body.id)}
        )
    return pulled


def subscriber(settings: Settings) -> Subscriber:
    """The fan-out subscriber that owes the hub each event of a complaint it knows of."""

    async def enqueue_hub_push(session: AsyncSession, notice: EventNotice, now: datetime) -> None:
        c = await readmodel.facts(session, notice.complaint_id)
        channel = c.channel if c is not None else None
        linked = await session.scalar(
            select(HubLink.hub_id).where(HubLink.complaint_id == notice.complaint_id)
        )
        forwarded = settings.hub_forward_local and channel not in (None, "lapor_hub")
        if linked is None and not forwarded:
            return
        kind = "create" if notice.type == "received" and linked is None else "update"
        await enqueue(
            session,
            notice.jurisdiction_id,
            PUSH_TOPIC,
            f"{PUSH_TOPIC}:{notice.complaint_id}:{notice.seq}",
            {"kind": kind},
            notice.complaint_id,
            notice.seq,
            available_at=now,
            # The hub learns a complaint's events in order, its creation first.
            ordering_key=f"{PUSH_TOPIC}:{notice.complaint_id}",
        )

    return enqueue_hub_push


async def create_on_hub(
    sessions: async_sessionmaker[AsyncSession], cipher: Sealer, hub: Hub, cid: uuid.UUID
) -> str | None:
    """Forward a local complaint (identity only if not anonymous) and remember its hub id."""
    # Committed: the identity's read is logged even if the hub then fails to take it.
    async with sessions() as session, session.begin():
        c = await readmodel.facts(session, cid)
        if c is None:
            return None
        body = complaint_to_wire(
            str(c.id),
            c.title,
            c.text,
            c.region_code,
            c.received_at,
            c.channel,
            c.anonymous,
            c.confidential,
            await read_identity(session, cipher, c, HUB_SYNC, HUB_IDENTITY_FIELDS),
        )
    hub_id = await hub.create(body)
    async with sessions() as session, session.begin():
        await session.execute(
            insert(HubLink)
            .values(
                complaint_id=cid,
                jurisdiction_id=c.jurisdiction_id,
                hub_id=hub_id,
                origin="local",
                pushed_seq=0,
            )
            .on_conflict_do_nothing()
        )
    return hub_id


async def push_update(
    sessions: async_sessionmaker[AsyncSession], hub: Hub, cid: uuid.UUID, seq: int, clock: Clock
) -> None:
    """Tell the hub about event `seq` of a complaint, with its status (and response text)."""
    async with sessions() as session:
        link = await session.get(HubLink, cid)
        event = await readmodel.event(session, cid, seq)
    if event is None:
        return
    message = event.data.get("message") if event.type == "responded" else None
    body = update_to_wire(seq, event.type, event.status, event.occurred_at, message)
    if link is not None:
        await hub.update(link.hub_id, body)
    else:  # forwarded by us; the link may not be written yet
        await hub.update_by_ref(str(cid), body)
    async with sessions() as session, session.begin():
        await session.execute(
            update(HubLink)
            .where(HubLink.complaint_id == cid)
            .values(pushed_seq=func.greatest(HubLink.pushed_seq, seq), synced_at=clock.now())
        )


async def reconcile(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    cipher: Sealer,
    hub: Hub,
    clock: Clock,
) -> HubReconciliation | None:
    """Compare both sides, repair what drifted, and keep a report of it."""
    started = clock.now()
    async with sessions() as session:
        jid = await jurisdiction_id(session, settings)
    if jid is None:
        return None
    repaired: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    repaired += await pull(sessions, settings, cipher, hub, clock, problems)
    reported = {p.get("hub_id") for p in problems}
    on_hub = {}
    async for hc in hub.complaints():
        if isinstance(hc, HubComplaint):
            on_hub[hc.hub_id] = hc
        elif hc.hub_id not in reported:  # a disposition the pull could not read is said once
            _unreadable(hc, "unreadable_on_hub", problems)
    async with sessions() as session:
        links = {
            link.hub_id: link
            for link in (
                await session.scalars(select(HubLink).where(HubLink.jurisdiction_id == jid))
            ).all()
        }
        ours = {c.id: c for c in await readmodel.states(session, jid)}
    # A forward that reached the hub but whose link was lost: link it again.
    for hc in on_hub.values():
        if hc.hub_id in links or hc.external_ref is None:
            continue
        try:
            cid = uuid.UUID(hc.external_ref)
        except ValueError:
            cid = None
        if cid is None or cid not in ours:
            problems.append(
                {"problem": "unknown_on_hub", "hub_id": hc.hub_id, "external_ref": hc.external_ref}
            )
            continue
        async with sessions() as session, session.begin():
            session.add(
                HubLink(
                    complaint_id=cid,
                    jurisdiction_id=jid,
                    hub_id=hc.hub_id,
                    origin="local",
                    pushed_seq=0,
                )
            )
        links[hc.hub_id] = HubLink(complaint_id=cid, hub_id=hc.hub_id)
        repaired.append({"action": "linked", "hub_id": hc.hub_id, "complaint_id": str(cid)})
    # Our side is authoritative for handling: where the hub shows another status or lags
    # behind our events, push our latest event again.
    for hub_id, link in links.items():
        c = ours.get(link.complaint_id)
        theirs = on_hub.get(hub_id)
        if c is None:
            continue
        if theirs is None:
            problems.append(
                {"problem": "missing_on_hub", "hub_id": hub_id, "complaint_id": str(c.id)}
            )
            continue
        if theirs.status != to_hub_status(c.status) or theirs.last_seq < c.last_seq:
            try:
                await push_update(sessions, hub, c.id, c.last_seq, clock)
            except HubError as exc:
                problems.append({"problem": "push_failed", "hub_id": hub_id, "error": str(exc)})
                continue
            repaired.append(
                {
                    "action": "pushed_status",
                    "hub_id": hub_id,
                    "complaint_id": str(c.id),
                    "hub_status": theirs.status,
                    "status": to_hub_status(c.status),
                }
            )
    # Local complaints the hub never got.
    linked_ids = {link.complaint_id for link in links.values()}
    if settings.hub_forward_local:
        for c in ours.values():
            if (
                c.id in linked_ids
                or c.channel == "lapor_hub"
                or c.received_at > started - FORWARD_GRACE
            ):
                continue
            try:
                new_id = await create_on_hub(sessions, cipher, hub, c.id)
                if c.last_seq > 0:
                    await push_update(sessions, hub, c.id, c.last_seq, clock)
            except HubError as exc:
                problems.append(
                    {"problem": "forward_failed", "complaint_id": str(c.id), "error": str(exc)}
                )
                continue
            repaired.append(
                {"action": "created_on_hub", "hub_id": new_id, "complaint_id": str(c.id)}
            )
    report = HubReconciliation(
        jurisdiction_id=jid,
        started_at=started,
        finished_at=clock.now(),
        checked=len(ours),
        repaired=repaired,
        problems=problems,
    )
    async with sessions() as session, session.begin():
        session.add(report)
    log.info("hub reconciled", extra={"repaired": len(repaired), "problems": len(problems)})
    return report


async def recent_reconciliations(
    session: AsyncSession, jurisdiction_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[HubReconciliation], str | None]:
    """The reconcile reports of a jurisdiction, newest first, a keyset page at a time."""
    query = select(HubReconciliation).where(HubReconciliation.jurisdiction_id == jurisdiction_id)
    return await newest_first(
        session, query, HubReconciliation.started_at, HubReconciliation.id, limit, cursor
    )
