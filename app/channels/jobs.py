"""The channels' share of the worker: the SMS window timer, the reply subscriber and senders."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.channels import clients, replies, sms
from app.complaints.duplicates import DuplicateRule
from app.complaints.fanout import Subscriber
from app.config import Settings
from app.outbox.models import OutboxMessage
from app.outbox.worker import Sender
from app.privacy.crypto import IdentityCipher


def cipher_of(settings: Settings) -> IdentityCipher:
    """The identity cipher, for processes without the app (worker, CLI)."""
    return IdentityCipher.from_setting(
        settings.identity_keys.get_secret_value(), settings.identity_index_key.get_secret_value()
    )


def sms_config(settings: Settings) -> sms.SmsConfig:
    """The SMS join window and duplicate rule from settings."""
    return sms.SmsConfig(
        timedelta(seconds=settings.sms_join_window_seconds), DuplicateRule.from_settings(settings)
    )


def assemble_handler(
    settings: Settings,
) -> Callable[[AsyncSession, OutboxMessage], Awaitable[None]]:
    """Close an SMS group whose window has passed (database only, exactly once)."""
    cipher, config = cipher_of(settings), sms_config(settings)

    async def handle(session: AsyncSession, row: OutboxMessage) -> None:
        await sms.close_group(
            session,
            cipher,
            config,
            row.jurisdiction_id,
            row.payload["group_key"],
            datetime.now(UTC),
        )

    return handle


def subscribers(settings: Settings) -> list[Subscriber]:
    """Event consumers of the channels: the reply to the reporter."""
    return [replies.reply_subscriber(settings, cipher_of(settings))]


def senders(settings: Settings, http: httpx.AsyncClient) -> dict[str, Sender]:
    """Outbox topic -> sender for the replies."""
    cipher = cipher_of(settings)
    return {
        replies.SMS_TOPIC: clients.sms_sender(settings, http, cipher),
        replies.SOCIAL_TOPIC: clients.social_sender(settings, http, cipher),
    }
