"""Social media messages into complaints: one per provider message id, the account recorded.

One delivery may hold many messages (WhatsApp and Meta batch them, X lists them). Each is taken
in on its own savepoint: a message that cannot become a complaint is set aside (logged without
its text, counted in the answer) and the others are still stored, so the provider, which is
answered 200, never redelivers the batch forever for the sake of one bad message.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.channels.accounts import Account
from app.channels.bodies import complaint_body
from app.channels.social_parse import Parsed, SocialMessage
from app.complaints import intake
from app.complaints.duplicates import DuplicateRule
from app.complaints.schemas import ComplaintCreate
from app.jurisdictions.service import load_context
from app.kernel.errors import AppError
from app.kernel.logging import get_logger
from app.privacy.crypto import Sealer

log = get_logger(__name__)


@dataclass(frozen=True)
class Taken:
    message_id: str
    complaint_id: uuid.UUID
    tracking_id: str
    existing: bool


@dataclass(frozen=True)
class SetAside:
    message_id: str
    code: str
    fields: list[str]


@dataclass(frozen=True)
class TakenIn:
    taken: list[Taken]
    set_aside: list[SetAside]


def _create_body(m: SocialMessage) -> ComplaintCreate:
    return complaint_body(
        channel="social_media",
        platform=m.platform,
        text=m.text,
        reporter={
            # A display name is no part of the complaint, and providers cap theirs far below
            # 200 characters: a longer one is cut rather than costing the citizen the complaint.
            "name": m.sender_name[:200] if m.sender_name else None,
            "phone": m.phone,
            "social_id": f"{m.platform}:{m.sender_id}",
        },
        channel_ref=m.message_id,
    )


def _set_aside(
    out: TakenIn,
    account: Account,
    message: SocialMessage,
    code: str,
    fields: list[str],
) -> None:
    aside = SetAside(message.message_id, code, fields)
    out.set_aside.append(aside)
    # Never the text, nor the error's own message: pydantic's would quote the input.
    log.warning(
        "channel message set aside",
        extra={
            "provider": account.provider,
            "account": str(account.id),
            "message_id": aside.message_id,
            "code": code,
            "fields": fields,
        },
    )


async def take_in_messages(
    session: AsyncSession,
    cipher: Sealer,
    account: Account,
    parsed: Parsed,
    duplicates: DuplicateRule,
    now: datetime,
) -> TakenIn:
    """Each message a complaint (a redelivered one: the first complaint); the rest set aside."""
    if parsed.ignored:
        log.info(
            "channel events not taken in",
            extra={
                "provider": account.provider,
                "account": str(account.id),
                "ignored": parsed.ignored,
            },
        )
    out = TakenIn([], [])
    if not parsed.messages:
        return out
    ctx = await load_context(session, account.jurisdiction_id)
    for message in parsed.messages:
        try:
            # A savepoint: a message refused halfway leaves nothing of itself behind.
            async with session.begin_nested():
                result = await intake.take_in(
                    session,
                    ctx,
                    cipher,
                    account.principal,
                    _create_body(message),
                    extra_detail={"account_id": str(account.id), "reply": message.reply},
                    duplicates=duplicates,
                    now=now,
                )
        except AppError as exc:  # e.g. text over the limit, a NUL character: set aside
            _set_aside(out, account, message, exc.code, [str(d.get("field")) for d in exc.details])
            continue
        out.taken.append(
            Taken(message.message_id, result.body.id, result.body.tracking_id, not result.created)
        )
    return out
