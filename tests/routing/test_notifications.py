"""E-mail notifications end to end: events -> outbox rows -> a real local SMTP server."""

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from app.outbox.engine import Engine
from tests.engines import worker as engine_of
from tests.factories import World


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
async def worker(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    inbox: tuple[Inbox, int],
    clock: ManualClock,
) -> AsyncIterator[Engine]:
    """A worker on the app's clock, which the tests move to make timers fall due."""
    smtp = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": inbox[1], "smtp_from": "lapor@ngawi.test"}
    )
    async with engine_of(smtp, sessions.kw["bind"], clock=clock) as built:
        yield built


async def _pass(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, cid: Any, kind: str
) -> None:
    """Let time run until a minute after the complaint's pending `kind` timer fell due."""
    rows = await _sql(
        sessions,
        "SELECT max(available_at) FROM outbox_messages WHERE complaint_id = :c"
        " AND topic = 'timer' AND status = 'pending' AND payload->>'kind' = :kind",
        c=cid,
        kind=kind,
    )
    assert rows[0][0] is not None, f"no pending {kind} timer"
    clock.set(rows[0][0] + timedelta(minutes=1))


async def _drain(worker: Engine) -> None:
    for _ in range(10):
        if await worker.run_batch() == 0:
            return
    raise AssertionError("the outbox did not settle")


async def _sql(sessions: async_sessionmaker[AsyncSession], sql: str, **params: Any) -> Any:
    async with sessions() as session, session.begin():
        result = await session.execute(text(sql), params)
        return result.all() if result.returns_rows else None


async def _emails_and_liaison(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _sql(
        sessions,
        "UPDATE users SET email = display_name || '@ngawi.test' WHERE jurisdiction_id = :j",
        j=world.jurisdiction_id,
    )
    await _sql(
        sessions,
        "UPDATE agencies SET head_email = 'kepala.pupr@ngawi.test' WHERE id = :id",
        id=world.agencies["DPUPR"],
    )
    r = await client.post(
        f"/v1/agencies/{world.agencies['DPUPR']}/liaisons",
        json={
            "role": "primary",
            "name": "Rina",
            "email": "rina@ngawi.test",
            "valid_from": "2026-01-01",
        },
        headers=world.h("admin"),
    )
    assert r.status_code == 201


async def _dispatched(client: httpx.AsyncClient, world: World, agency: str) -> str:
    created = await client.post(
        "/v1/complaints",
        json={"channel": "web", "text": "Jalan berlubang di depan SDN 1", "confidential": True},
        headers=world.h("citizen_app"),
    )
    cid = str(created.json()["id"])
    r = await client.post(
        f"/v1/complaints/{cid}/verify",
        json={"type": "non_field", "agency_id": str(world.agencies[agency])},
        headers=world.h("admin"),
    )
    assert r.status_code == 200
    return cid


async def test_dispatch_mails_the_current_liaison_once(
    client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    worker: Engine,
    inbox: tuple[Inbox, int],
) -> None:
    box, _ = inbox
    await _emails_and_liaison(client, world, sessions)
    cid = await _dispatched(client, world, "DPUPR")
    await _drain(worker)
    [mail] = box.to("rina@ngawi.test")
    tracking = (await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))).json()
    assert tracking["tracking_id"] in mail["Subject"]
    assert mail["From"] == "lapor@ngawi.test"
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "chosen at verify" in body
    assert "Jalan berlubang" not in body  # confidential: the text stays out of the e-mail
    assert box.to("admin@ngawi.test") == []
    rows = await _sql(
        sessions,
        "SELECT status, attempts FROM outbox_messages WHERE topic = 'email' AND complaint_id = :c",
        c=uuid.UUID(cid),
    )
    assert [tuple(r) for r in rows] == [("done", 1)]
    # A replayed fan-out (a worker crash before commit) writes no second row.
    await _sql(
        sessions,
        "UPDATE outbox_messages SET status = 'pending' WHERE topic = 'complaint_event'"
        " AND complaint_id = :c",
        c=uuid.UUID(cid),
    )
    await _drain(worker)
    assert len(box.to("rina@ngawi.test")) == 1


async def test_agency_without_a_valid_liaison_is_flagged_to_the_admins(
    client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    worker: Engine,
    inbox: tuple[Inbox, int],
) -> None:
    box, _ = inbox
    await _emails_and_liaison(client, world, sessions)
    await _dispatched(client, world, "DLH")
    await _drain(worker)
    [mail] = box.to("admin@ngawi.test")
    assert "tidak punya pejabat penghubung" in mail["Subject"]
    assert box.to("rina@ngawi.test") == []


async def test_due_soon_goes_to_the_liaison_overdue_to_supervisors_and_the_head(
    client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    worker: Engine,
    inbox: tuple[Inbox, int],
    clock: ManualClock,
) -> None:
    box, _ = inbox
    await _emails_and_liaison(client, world, sessions)
    cid = uuid.UUID(await _dispatched(client, world, "DPUPR"))
    await _drain(worker)
    box.messages.clear()
    await _pass(sessions, clock, cid, "due_soon")
    await _drain(worker)
    [reminder] = box.messages
    assert reminder["To"] == "rina@ngawi.test"
    assert "Pengingat" in reminder["Subject"]

    await _pass(sessions, clock, cid, "overdue")
    await _drain(worker)
    escalations = box.messages[1:]
    assert sorted(m["To"] for m in escalations) == [
        "kepala.pupr@ngawi.test",
        "supervisor@ngawi.test",
    ]
    assert all("tingkat 1" in m["Subject"] for m in escalations)
    # The repeat is scheduled a configurable interval later, not sent now.
    repeat = await _sql(
        sessions,
        "SELECT available_at FROM outbox_messages WHERE complaint_id = :c AND topic = 'timer'"
        " AND status = 'pending' AND payload->>'kind' = 'overdue'",
        c=cid,
    )
    assert len(repeat) == 1
    assert repeat[0][0] > clock.now() + timedelta(hours=23)
    await _drain(worker)
    assert len(box.messages) == 3


async def test_verification_overdue_and_transfer_requests_go_to_the_admins(
    client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    worker: Engine,
    inbox: tuple[Inbox, int],
    clock: ManualClock,
) -> None:
    box, _ = inbox
    await _emails_and_liaison(client, world, sessions)
    waiting = await client.post(
        "/v1/complaints", json={"channel": "web", "text": "ktp blm jadi"}, headers=world.h("hub")
    )
    await _pass(sessions, clock, uuid.UUID(waiting.json()["id"]), "verification_overdue")
    cid = await _dispatched(client, world, "DPUPR")
    r = await client.post(
        f"/v1/complaints/{cid}/transfer",
        json={"agency_id": str(world.agencies["DLH"]), "reason": "bukan wewenang"},
        headers=world.h("liaison"),
    )
    assert r.status_code == 200
    await _drain(worker)
    subjects = sorted(m["Subject"] for m in box.to("admin@ngawi.test"))
    assert len(subjects) == 2
    assert "Permohonan pelimpahan" in subjects[0]
    assert "Verifikasi terlambat" in subjects[1]


async def test_an_unreachable_smtp_server_leaves_the_mail_pending_for_a_retry(
    client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    engine: AsyncEngine,
) -> None:
    await _emails_and_liaison(client, world, sessions)
    cid = uuid.UUID(await _dispatched(client, world, "DPUPR"))
    closed_port = _free_port()  # nothing listens there
    smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": closed_port})
    async with engine_of(smtp, engine) as down:
        await _drain(down)
    [(status, attempts, error, later)] = await _sql(
        sessions,
        "SELECT status, attempts, last_error, available_at > now() FROM outbox_messages"
        " WHERE topic = 'email' AND complaint_id = :c",
        c=cid,
    )
    assert (status, attempts, later) == ("pending", 1, True)
    assert "Connect" in error
