"""SMS 1708: one complaint per message, however many parts and deliveries it arrived in.

Every part is stored first (`sms_parts`), so nothing is lost between requests or processes. A
message with a concatenation header is assembled the moment its last part arrives; parts without
one are joined by sender within a short window. Either way a timer row closes the group when the
window passes, so a message whose last part never comes is still taken in (with a gap marker).
A per-sender advisory lock serialises a sender's parts across processes.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.channels import replies
from app.channels.bodies import complaint_body
from app.channels.models import SmsPart
from app.channels.sms_parse import InboundSms, parse_keyword
from app.complaints import intake, queries, readmodel
from app.complaints.duplicates import DuplicateRule
from app.jurisdictions.service import load_context
from app.kernel.errors import Invalid
from app.kernel.logging import get_logger
from app.kernel.security import CHANNEL_GATEWAY, Principal
from app.outbox.service import enqueue
from app.privacy.crypto import Sealed, Sealer

log = get_logger(__name__)

GAP = " […] "


@dataclass(frozen=True)
class SmsResult:
    outcome: str  # created, existing, part_stored, status_query
    complaint_id: uuid.UUID | None = None
    tracking_id: str | None = None


@dataclass(frozen=True)
class SmsConfig:
    window: timedelta
    duplicates: DuplicateRule


async def _lock_sender(session: AsyncSession, jurisdiction_id: uuid.UUID, sender_hash: str) -> None:
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"sms:{jurisdiction_id}:{sender_hash}"},
    )


def _status_key(principal: Principal, message_ref: str | None) -> str:
    """One answer per status query: a message ref is the sending account's, not the district's."""
    return f"sms-status:{principal.id}:{message_ref or uuid.uuid4()}"


async def answer_status(
    session: AsyncSession,
    cipher: Sealer,
    jurisdiction_id: uuid.UUID,
    phone: str,
    tracking_id: str | None,
    dedupe_key: str,
    now: datetime,
) -> SmsResult:
    """`CEK <tracking id>`: the status goes back by SMS; no complaint is made."""
    found = await queries.track(session, tracking_id, now) if tracking_id else None
    message = replies.status_message(
        found.tracking_id if found else None, found.status if found else None
    )
    await replies.enqueue_sms(
        session, cipher, jurisdiction_id, None, phone, message, dedupe_key, now
    )
    return SmsResult("status_query", tracking_id=found.tracking_id if found else None)


async def _create(
    session: AsyncSession,
    cipher: Sealer,
    config: SmsConfig,
    principal: Principal,
    phone: str,
    body_text: str,
    channel_ref: str | None,
    now: datetime,
) -> SmsResult:
    keyword = parse_keyword(body_text)
    if keyword.kind == "status":
        key = _status_key(principal, channel_ref)
        return await answer_status(
            session, cipher, principal.jurisdiction_id, phone, keyword.tracking_id, key, now
        )
    if not keyword.text:
        raise Invalid.field("text", "Only a keyword, no complaint text.", code="empty_message")
    ctx = await load_context(session, principal.jurisdiction_id)
    body = complaint_body(
        channel="sms_1708", text=keyword.text, reporter={"phone": phone}, channel_ref=channel_ref
    )
    result = await intake.take_in(
        session, ctx, cipher, principal, body, duplicates=config.duplicates, now=now
    )
    return SmsResult(
        "created" if result.created else "existing", result.body.id, result.body.tracking_id
    )


async def receive(
    session: AsyncSession,
    cipher: Sealer,
    config: SmsConfig,
    principal: Principal,
    sms: InboundSms,
    now: datetime,
) -> SmsResult:
    """Take one delivered SMS (or part): a complaint, a status answer, or a stored part."""
    if sms.whole or (sms.concat is None and config.window <= timedelta(0)):
        return await _create(
            session, cipher, config, principal, sms.sender, sms.text, sms.message_ref, now
        )
    if sms.concat is None and parse_keyword(sms.text).kind == "status":
        key = _status_key(principal, sms.message_ref)
        phone = sms.sender
        return await answer_status(
            session,
            cipher,
            principal.jurisdiction_id,
            phone,
            parse_keyword(sms.text).tracking_id,
            key,
            now,
        )
    sender_hash = cipher.blind_index("phone", sms.sender) or ""
    await _lock_sender(session, principal.jurisdiction_id, sender_hash)
    if sms.message_ref is not None:
        seen = await session.scalar(
            select(SmsPart).where(
                SmsPart.jurisdiction_id == principal.jurisdiction_id,
                SmsPart.account_id == principal.id,
                SmsPart.message_ref == sms.message_ref,
            )
        )
        if seen is not None:  # a redelivered part
            return await _result_of(session, seen)
    if sms.concat is not None:
        # Parts join only within the account that delivered them: two gateways relaying the
        # same phone's messages may reuse a concatenation reference.
        group_key = f"udh:{principal.id.hex}:{sender_hash[:32]}:{sms.concat.ref}:{sms.concat.total}"
        part_no, part_count = sms.concat.part, sms.concat.total
    else:
        open_group = await session.scalar(
            select(SmsPart.group_key)
            .where(
                SmsPart.jurisdiction_id == principal.jurisdiction_id,
                SmsPart.account_id == principal.id,
                SmsPart.sender_hash == sender_hash,
                SmsPart.assembled_at.is_(None),
                SmsPart.group_key.startswith("win:"),
                SmsPart.received_at >= now - config.window,
            )
            .limit(1)
        )
        group_key = open_group or f"win:{principal.id.hex}:{sender_hash[:32]}:{uuid.uuid4().hex}"
        part_no = 1 + (
            await session.scalar(
                select(func.count()).where(
                    SmsPart.jurisdiction_id == principal.jurisdiction_id,
                    SmsPart.group_key == group_key,
                )
            )
            or 0
        )
        part_count = None
    part_id = uuid.uuid4()
    key_id, sealed = cipher.seal(Sealed.SMS_SENDER, {"phone": sms.sender}, part_id)
    inserted = await session.scalar(
        pg_insert(SmsPart)
        .values(
            id=part_id,
            jurisdiction_id=principal.jurisdiction_id,
            account_id=principal.id,
            account_name=principal.name,
            group_key=group_key,
            part_no=part_no,
            part_count=part_count,
            message_ref=sms.message_ref,
            sender_hash=sender_hash,
            key_id=key_id,
            sender_ciphertext=sealed,
            text=sms.text,
            received_at=now,
        )
        .on_conflict_do_nothing()
        .returning(SmsPart.id)
    )
    if inserted is None:  # the same UDH part again, without a message id
        return SmsResult("part_stored")
    parts = await _open_parts(session, principal.jurisdiction_id, group_key)
    if part_count is not None and len(parts) >= part_count:
        return await _assemble(session, cipher, config, parts, now)
    # One timer per part; each closes the group only if no later part has come since.
    await enqueue(
        session,
        principal.jurisdiction_id,
        replies.ASSEMBLE_TOPIC,
        f"sms_assemble:{part_id}",
        {"group_key": group_key},
        available_at=now + config.window,
    )
    return SmsResult("part_stored")


async def _result_of(session: AsyncSession, part: SmsPart) -> SmsResult:
    if part.complaint_id is None:
        return SmsResult("part_stored")
    c = await readmodel.facts(session, part.complaint_id)
    return SmsResult("existing", part.complaint_id, c.tracking_id if c else None)


async def _open_parts(
    session: AsyncSession, jurisdiction_id: uuid.UUID, group_key: str
) -> list[SmsPart]:
    return list(
        (
            await session.scalars(
                select(SmsPart)
                .where(
                    SmsPart.jurisdiction_id == jurisdiction_id,
                    SmsPart.group_key == group_key,
                    SmsPart.assembled_at.is_(None),
                )
                .order_by(SmsPart.part_no)
            )
        ).all()
    )


def join_parts(parts: list[tuple[int, str]], total: int | None) -> str:
    """UDH parts are cut mid-word and join as they are, with a marker where one is missing;
    parts joined by window were sent as separate SMS and join with a space."""
    if total is None:
        return " ".join(t.strip() for _, t in parts)
    by_no = dict(parts)
    out: list[str] = []
    for n in range(1, total + 1):
        if n in by_no:
            out.append(by_no[n])
        elif not out or out[-1] != GAP:
            out.append(GAP)
    return "".join(out).strip()


async def _assemble(
    session: AsyncSession, cipher: Sealer, config: SmsConfig, parts: list[SmsPart], now: datetime
) -> SmsResult:
    first = parts[0]
    phone = cipher.open(Sealed.SMS_SENDER, first.key_id, first.sender_ciphertext, first.id)["phone"]
    principal = Principal(
        id=first.account_id,
        kind="channel",
        role=CHANNEL_GATEWAY,
        jurisdiction_id=first.jurisdiction_id,
        agency_id=None,
        name=first.account_name,
    )
    joined = join_parts([(p.part_no, p.text) for p in parts], first.part_count)
    channel_ref = first.message_ref or f"sms-group:{first.group_key}"[:200]
    try:
        result = await _create(session, cipher, config, principal, phone, joined, channel_ref, now)
    except Invalid as exc:  # e.g. "LAPOR" and nothing after it within the window
        log.warning("sms group discarded", extra={"code": exc.code, "parts": len(parts)})
        result = SmsResult("part_stored")
        if exc.code == "text_too_long":  # never cut: the sender hears why it was refused
            await replies.enqueue_sms(
                session,
                cipher,
                first.jurisdiction_id,
                None,
                phone,
                replies.TOO_LONG_MESSAGE,
                f"sms-too-long:{first.id}",
                now,
            )
    done_key = f"{first.group_key[:150]}:done:{uuid.uuid4().hex}"
    # The group key is released so a reused UDH reference starts a new message; the text now
    # lives in the complaint, so the part keeps only what recognises a redelivery.
    await session.execute(
        update(SmsPart)
        .where(SmsPart.id.in_([p.id for p in parts]))
        .values(
            assembled_at=now,
            complaint_id=result.complaint_id,
            group_key=done_key,
            text="",
        )
    )
    return result


async def close_group(
    session: AsyncSession,
    cipher: Sealer,
    config: SmsConfig,
    jurisdiction_id: uuid.UUID,
    group_key: str,
    now: datetime,
) -> SmsResult | None:
    """The window timer: take in whatever parts a group has once its last part is old enough."""
    parts = await _open_parts(session, jurisdiction_id, group_key)
    if not parts:
        return None  # assembled already
    await _lock_sender(session, jurisdiction_id, parts[0].sender_hash)
    parts = await _open_parts(session, jurisdiction_id, group_key)
    if not parts or now - max(p.received_at for p in parts) < config.window:
        return None  # a later part arrived; its own timer will close the group
    return await _assemble(session, cipher, config, parts, now)
