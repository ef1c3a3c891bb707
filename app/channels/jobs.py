"""The channels' share of the worker: the SMS window timer, the reply subscriber and senders."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.channels import clients, replies, sms
from app.complaints.duplicates import DuplicateRule
from app.complaints.fanout import Subscriber
from app.kernel.config import Settings
from app.outbox.models import OutboxMessage
from app.outbox.worker import Sender
from app.privacy.crypto import Sealer


def sms_config(settings: Settings) -> sms.SmsConfig:
    """The SMS join window and duplicate rule from settings."""
    return sms.SmsConfig(
        timedelta(seconds=settings.sms_join_window_seconds), DuplicateRule.from_settings(settings)
    )


def assemble_handler(
    settings: Settings, sealer: Sealer
) -> Callable[[AsyncSession, OutboxMessage, datetime], Awaitable[None]]:
    """Close an SMS group whose window has passed (database only, exactly once)."""
    config = sms_config(settings)

    async def handle(session: AsyncSession, row: OutboxMessage, now: datetime) -> None:
        await sms.close_group(
            session,
            sealer,
            config,
            row.jurisdiction_id,
            row.payload["group_key"],
            now,
        )

    return handle


def subscribers(settings: Settings, sealer: Sealer) -> list[Subscriber]:
    """Event consumers of the channels: the reply to the reporter."""
    return [replies.reply_subscriber(settings, sealer)]


def senders(settings: Settings, http: httpx.AsyncClient, sealer: Sealer) -> dict[str, Sender]:
    """Outbox topic -> sender for the replies."""
    return {
        replies.SMS_TOPIC: clients.sms_sender(settings, http, sealer),
        replies.SOCIAL_TOPIC: clients.social_sender(settings, http, sealer),
    }
