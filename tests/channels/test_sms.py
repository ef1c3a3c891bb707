"""SMS 1708 end to end: each gateway format, joining parts, keywords, redelivery, replies."""

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.channels import sms, tasks
from app.channels.signatures import twilio_signature
from app.channels.sms_parse import InboundSms
from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from app.kernel.security import Principal
from app.privacy.identity import SMS_REPLY
from tests.channels.conftest import (
    GATEWAY_SECRET,
    TWILIO_TOKEN,
    Accounts,
    Receiver,
    cipher_for,
    run_worker,
)
from tests.factories import World
from tests.privacy.support import access_rows

URL = "/v1/channels/sms/inbound"
PHONE = "+6281234567890"
TEXT = "LAPOR Jalan di Desa Beran berlubang besar, sudah dua bulan belum diperbaiki."


async def _count(sessions: async_sessionmaker[AsyncSession], sql: str) -> int:
    async with sessions() as s:
        return int((await s.execute(text(sql))).scalar() or 0)


async def test_json_gateway_creates_one_complaint_and_redelivery_returns_it(
    channel_client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    body = {"message_id": "gw-1", "from": "081234567890", "to": "1708", "text": TEXT, "whole": True}
    first = await channel_client.post(URL, json=body, headers=world.h("gateway"))
    assert first.status_code == 201, first.text
    assert first.json()["outcome"] == "created"
    again = await channel_client.post(URL, json=body, headers=world.h("gateway"))
    assert again.status_code == 200
    assert again.json()["outcome"] == "existing"
    assert again.json()["complaint_id"] == first.json()["complaint_id"]
    got = await channel_client.get(
        f"/v1/complaints/{first.json()['complaint_id']}", headers=world.h("admin")
    )
    assert got.json()["channel"] == "sms_1708"
    assert got.json()["text"].startswith("Jalan di Desa Beran")  # keyword stripped
    assert await _count(sessions, "SELECT count(*) FROM complaints") == 1


async def test_kannel_get_url_with_gateway_secret(
    channel_client: httpx.AsyncClient, channel_accounts: Accounts
) -> None:
    query = urlencode(
        {"key": GATEWAY_SECRET, "from": PHONE, "to": "1708", "text": TEXT, "udh": "", "id": "k-1"}
    )
    response = await channel_client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.text
    assert response.text == ""  # Kannel would send a body back to the citizen as an SMS


async def test_kannel_form_post_parts_joined_by_udh_in_any_order(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    parts = ["Jalan di Desa Beran berlubang ", "besar, sudah dua bulan ", "belum diperbaiki."]
    headers = {"x-channel-secret": GATEWAY_SECRET}
    for n in (3, 1):
        form = {"from": PHONE, "text": parts[n - 1], "udh": f"0500035A03{n:02X}"}
        r = await channel_client.post(URL, data=form, headers=headers)
        assert r.status_code == 200, r.text
    assert await _count(sessions, "SELECT count(*) FROM complaints") == 0
    r = await channel_client.post(
        URL, data={"from": PHONE, "text": parts[1], "udh": "0500035A0302"}, headers=headers
    )
    assert r.status_code == 200
    async with sessions() as s:
        joined = (await s.execute(text("SELECT text FROM complaints"))).scalars().all()
    assert joined == ["".join(parts)]


async def test_parts_without_header_join_by_sender_when_the_window_closes(
    channel_client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    channel_settings: Settings,
) -> None:
    for i, part in enumerate(["Lampu jalan di Jl. Merdeka mati.", "Sudah seminggu gelap."]):
        r = await channel_client.post(
            URL,
            json={"message_id": f"w-{i}", "from": PHONE, "text": part},
            headers=world.h("gateway"),
        )
        assert r.status_code == 202, r.text
        assert r.json()["outcome"] == "part_stored"
    assert await _count(sessions, "SELECT count(*) FROM complaints") == 0
    # A redelivered part is not a third part.
    r = await channel_client.post(
        URL,
        json={"message_id": "w-1", "from": PHONE, "text": "Sudah seminggu gelap."},
        headers=world.h("gateway"),
    )
    assert r.json()["outcome"] == "part_stored"
    config = tasks.sms_config(channel_settings)
    cipher = cipher_for(channel_settings)
    async with sessions() as s, s.begin():
        group = (
            await s.execute(text("SELECT DISTINCT group_key, jurisdiction_id FROM sms_parts"))
        ).one()
        too_early = await sms.close_group(s, cipher, config, group[1], group[0], datetime.now(UTC))
        assert too_early is None
        closed = await sms.close_group(
            s, cipher, config, group[1], group[0], datetime.now(UTC) + timedelta(seconds=21)
        )
    assert closed is not None
    assert closed.outcome == "created"
    async with sessions() as s:
        texts = (await s.execute(text("SELECT text FROM complaints"))).scalars().all()
    assert texts == ["Lampu jalan di Jl. Merdeka mati. Sudah seminggu gelap."]
    # The redelivery of a part after assembly points at the complaint.
    r = await channel_client.post(
        URL, json={"message_id": "w-0", "from": PHONE, "text": "x"}, headers=world.h("gateway")
    )
    assert (r.json()["outcome"], r.json()["complaint_id"]) == ("existing", str(closed.complaint_id))


async def test_twilio_signed_post_creates_and_reporter_gets_the_tracking_sms(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    channel_settings: Settings,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    form = {
        "MessageSid": "SM1234567890abcdef",
        "AccountSid": "AC123",
        "From": PHONE,
        "To": "+621708",
        "Body": "Sampah menumpuk di pasar Ngawi sejak Senin.",
        "NumSegments": "1",
    }
    signature = twilio_signature(
        TWILIO_TOKEN, "https://lapor.example.go.id/v1/channels/sms/inbound", form.items()
    )
    r = await channel_client.post(URL, data=form, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 200, r.text
    assert r.text == "<Response/>"
    async with sessions() as s:
        tracking = (await s.execute(text("SELECT tracking_id FROM complaints"))).scalar_one()
    await run_worker(sessions, channel_settings)
    sent = [q for q in receiver.requests if q.path == "/sms/send"]
    assert len(sent) == 1
    assert sent[0].body["to"] == PHONE
    assert tracking in sent[0].body["text"]
    [read] = await access_rows(sessions)  # the reply read the phone, and only the phone
    assert (read["actor_name"], read["action"], read["fields"]) == ("sms_reply", "reply", ["phone"])
    assert read["purpose"] == SMS_REPLY.purpose
    tampered = {**form, "Body": "Sampah menumpuk di pasar Ngawi sejak Selasa."}
    r = await channel_client.post(URL, data=tampered, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_signature"
    assert await _count(sessions, "SELECT count(*) FROM complaints") == 1


async def test_cek_answers_status_by_sms_without_a_complaint(
    channel_client: httpx.AsyncClient,
    world: World,
    channel_settings: Settings,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    created = await channel_client.post(
        URL,
        json={"message_id": "c-1", "from": PHONE, "text": TEXT, "whole": True},
        headers=world.h("gateway"),
    )
    tracking = created.json()["tracking_id"]
    cid = created.json()["complaint_id"]
    await channel_client.post(
        f"/v1/complaints/{cid}/verify", json={"type": "non_field"}, headers=world.h("admin")
    )
    r = await channel_client.post(
        URL,
        json={"message_id": "c-2", "from": PHONE, "text": f"CEK {tracking.lower()}"},
        headers=world.h("gateway"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "status_query"
    assert await _count(sessions, "SELECT count(*) FROM complaints") == 1
    await run_worker(sessions, channel_settings)
    texts = [q.body["text"] for q in receiver.requests if q.path == "/sms/send"]
    assert f"Status pengaduan {tracking}: telah diverifikasi." in texts
    assert any("diterima" in t for t in texts)
    assert any("telah diverifikasi." in t for t in texts)


async def test_bad_sms_deliveries_get_4xx_and_create_nothing(
    channel_client: httpx.AsyncClient,
    world: World,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    gw = world.h("gateway")
    rejected: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = rejected.append  # type: ignore[method-assign]
    logging.getLogger("app.channels.router").addHandler(handler)
    cases = [
        (await channel_client.post(URL, json={"from": PHONE, "text": TEXT}), 401),
        (
            await channel_client.post(
                URL, json={"from": PHONE, "text": TEXT}, headers=world.h("citizen_app")
            ),
            403,
        ),
        (
            await channel_client.post(
                URL, data={"key": "wrong-secret-0123456789abcdef", "from": PHONE, "text": TEXT}
            ),
            401,
        ),
        (
            await channel_client.post(
                URL, content=b"{not json", headers={**gw, "content-type": "application/json"}
            ),
            400,
        ),
        (await channel_client.post(URL, json={"from": PHONE, "text": "   "}, headers=gw), 422),
        (
            await channel_client.post(
                URL, json={"from": PHONE, "text": "LAPOR", "whole": True}, headers=gw
            ),
            422,
        ),
        (await channel_client.post(URL, json={"from": "TELKOMSEL", "text": TEXT}, headers=gw), 422),
        (
            await channel_client.post(
                URL, json={"from": PHONE, "text": TEXT, "extra": 1}, headers=gw
            ),
            422,
        ),
        (
            await channel_client.post(URL, json={"from": PHONE, "text": "x" * 2_000}, headers=gw),
            422,
        ),
        (await channel_client.post(URL, content=b"x" * 1_100_000, headers=gw), 413),
        (
            await channel_client.post(
                URL,
                data={"from": PHONE, "text": "a", "udh": "0700"},
                headers={"x-channel-secret": GATEWAY_SECRET},
            ),
            422,
        ),
        (
            await channel_client.post(
                URL, data={"From": PHONE, "Body": TEXT}, headers={"X-Twilio-Signature": "bm9wZQ=="}
            ),
            401,
        ),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert set(response.json()["error"]) == {"code", "message", "details"}
    assert await _count(sessions, "SELECT count(*) FROM complaints") == 0
    assert await _count(sessions, "SELECT count(*) FROM sms_parts") == 0
    logging.getLogger("app.channels.router").removeHandler(handler)
    # Every refusal our code makes is logged with its code (the 413 is the middleware's).
    codes = [
        getattr(r, "code", None) for r in rejected if r.getMessage() == "channel request rejected"
    ]
    assert len(codes) == len(cases) - 1
    assert "invalid_signature" in codes
    assert "invalid_gateway_secret" in codes


async def test_window_timer_in_the_worker_takes_the_joined_message_in_and_answers(
    channel_client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    channel_settings: Settings,
    receiver: Receiver,
    clock: ManualClock,
) -> None:
    settings = channel_settings
    config = tasks.sms_config(settings)
    cipher = cipher_for(settings)

    gateway = Principal(
        id=world.ids["gateway"],
        kind="client",
        role="channel_gateway",
        jurisdiction_id=world.jurisdiction_id,
        agency_id=None,
        name="gateway",
    )
    for i, part in enumerate(["Banjir di Desa Kedunggalar.", "Mohon bantuan perahu."]):
        async with sessions() as s, s.begin():
            result = await sms.receive(
                s, cipher, config, gateway, InboundSms(PHONE, part, f"t-{i}", None), clock.now()
            )
        assert result.outcome == "part_stored"
    clock.advance(config.window)  # the window passes; the worker's timer rows fall due
    await run_worker(sessions, settings, clock)
    async with sessions() as s:
        rows = (await s.execute(text("SELECT text, tracking_id FROM complaints"))).all()
    assert [r[0] for r in rows] == ["Banjir di Desa Kedunggalar. Mohon bantuan perahu."]
    sent = [q.body for q in receiver.requests if q.path == "/sms/send"]
    assert len(sent) == 1
    assert rows[0][1] in sent[0]["text"]


async def test_reply_retried_on_gateway_outage_and_dead_on_refusal(
    channel_client: httpx.AsyncClient,
    world: World,
    channel_settings: Settings,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    receiver.status = 503
    await channel_client.post(
        URL,
        json={"message_id": "r-1", "from": PHONE, "text": TEXT, "whole": True},
        headers=world.h("gateway"),
    )
    await run_worker(sessions, channel_settings, clock)
    sql = (
        "SELECT status, attempts, last_error, payload::text FROM outbox_messages"
        " WHERE topic = 'sms_reply'"
    )
    async with sessions() as s:
        status, attempts, error, payload = (await s.execute(text(sql))).one()
    assert (status, attempts) == ("pending", 1)
    assert error.startswith("HTTP 503")
    assert PHONE not in payload  # the number travels sealed
    receiver.status = 400
    clock.advance(timedelta(hours=2))  # past the longest backoff (an hour, jitter included)
    await run_worker(sessions, channel_settings, clock)
    async with sessions() as s:
        status, attempts, error, _ = (await s.execute(text(sql))).one()
    assert (status, attempts) == ("dead", 2)
    assert len([q for q in receiver.requests if q.path == "/sms/send"]) == 2
