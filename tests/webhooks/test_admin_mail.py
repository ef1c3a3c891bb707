"""An endpoint disabled by the dispatcher ends as an e-mail in the admins' real inbox."""

from collections.abc import Iterator

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kernel.config import Settings
from app.outbox.engine import Engine
from tests.engines import worker as engine_of
from tests.factories import World
from tests.routing.test_notifications import Inbox, _free_port
from tests.webhooks.conftest import new_complaint, register
from tests.webhooks.receiver import Answer, Receiver


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


async def test_endpoint_disabled_by_410_is_mailed_to_the_admins_once(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    hook_settings: Settings,
    smtp_inbox: tuple[Inbox, int],
) -> None:
    box, port = smtp_inbox
    async with sessions() as session, session.begin():
        await session.execute(
            text("UPDATE users SET email = display_name || '@ngawi.test' WHERE role = 'admin'")
        )
    receiver.plan("/hook", Answer(410))
    ep = await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    assert await dispatcher.run_batch() == 1

    smtp = hook_settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "lapor@ngawi.test"}
    )
    async with engine_of(smtp, engine) as worker:
        for _ in range(5):  # notice -> e-mail row -> SMTP, then nothing is left to do
            if await worker.run_batch() == 0:
                break
        [mail] = box.to("admin@ngawi.test")
        assert "Webhook dinonaktifkan" in mail["Subject"]
        body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
        assert ep["id"] in body
        assert "410" in body
        # A notice handled again (a crash before its commit) mails nobody a second time.
        async with sessions() as session, session.begin():
            await session.execute(
                text("UPDATE outbox_messages SET status = 'pending' WHERE topic = 'admin_notice'")
            )
        while await worker.run_batch():
            pass
    assert len(box.to("admin@ngawi.test")) == 1
