"""Social media messages into complaints: one per provider message id, the account recorded."""

import uuid
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.channels.accounts import Account
from app.channels.social_parse import Parsed, SocialMessage
from app.complaints import intake
from app.complaints.duplicates import DuplicateRule
from app.complaints.schemas import ComplaintCreate, ReporterIn
from app.jurisdictions.service import load_context
from app.logging import get_logger
from app.privacy.crypto import Sealer

log = get_logger(__name__)


@dataclass(frozen=True)
class Taken:
    message_id: str
    complaint_id: uuid.UUID
    tracking_id: str
    existing: bool


def _create_body(m: SocialMessage) -> ComplaintCreate:
    return ComplaintCreate(
        channel="social_media",
        platform=m.platform,
        text=m.text[:10_000],
        reporter=ReporterIn(
            name=m.sender_name[:200] if m.sender_name else None,
            phone=m.phone,
            social_id=f"{m.platform}:{m.sender_id}"[:200],
        ),
        channel_ref=m.message_id[:200],
    )


async def take_in_messages(
    session: AsyncSession,
    cipher: Sealer,
    account: Account,
    parsed: Parsed,
    duplicates: DuplicateRule,
) -> list[Taken]:
    """Each message a complaint (a redelivered one: the first complaint); the rest logged."""
    if parsed.ignored:
        log.info(
            "channel events not taken in",
            extra={
                "provider": account.provider,
                "account": str(account.id),
                "ignored": parsed.ignored,
            },
        )
    if not parsed.messages:
        return []
    ctx = await load_context(session, account.jurisdiction_id)
    taken: list[Taken] = []
    for message in parsed.messages:
        try:
            body = _create_body(message)
        except ValidationError as exc:  # e.g. a sender id that is no phone number: set aside
            log.warning(
                "channel message not taken in",
                extra={
                    "provider": account.provider,
                    "message": message.message_id,
                    "error": str(exc),
                },
            )
            continue
        result = await intake.take_in(
            session,
            ctx,
            cipher,
            account.principal,
            body,
            extra_detail={"account_id": str(account.id), "reply": message.reply},
            duplicates=duplicates,
        )
        taken.append(
            Taken(message.message_id, result.body.id, result.body.tracking_id, not result.created)
        )
    return taken
