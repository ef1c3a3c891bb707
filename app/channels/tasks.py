"""The channels' topics: SMS part assembly, the replies to reporters, and their subscriber."""

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.channels import clients, replies, sms
from app.complaints.duplicates import DuplicateRule
from app.complaints.fanout import Subscriber
from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.outbox.engine import Message, Policy, Topic, each
from app.privacy.crypto import Sealer


def sms_config(settings: Settings) -> sms.SmsConfig:
    """The SMS join window and duplicate rule from settings."""
    return sms.SmsConfig(
        timedelta(seconds=settings.sms_join_window_seconds), DuplicateRule.from_settings(settings)
    )


def subscribers(settings: Settings, sealer: Sealer) -> list[Subscriber]:
    """Event consumers of the channels: the reply to the reporter."""
    return [replies.reply_subscriber(settings, sealer)]


def topics(
    settings: Settings, http: httpx.AsyncClient, sealer: Sealer, policy: Policy, clock: Clock
) -> list[Topic]:
    """SMS assembly (database only, exactly once) and the two reply senders."""
    config = sms_config(settings)

    async def assemble(session: AsyncSession, row: Message) -> None:
        # Close an SMS group whose window has passed.
        assert row.jurisdiction_id is not None
        await sms.close_group(
            session, sealer, config, row.jurisdiction_id, row.payload["group_key"], clock.now()
        )

    return [
        Topic(replies.ASSEMBLE_TOPIC, policy, handle=assemble),
        Topic(replies.SMS_TOPIC, policy, send=each(clients.sms_sender(settings, http, sealer))),
        Topic(
            replies.SOCIAL_TOPIC, policy, send=each(clients.social_sender(settings, http, sealer))
        ),
    ]
