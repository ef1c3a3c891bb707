"""Provider doors: a message id is the channel account's, so two accounts never share one."""

import hashlib
import hmac
import json
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.channels.accounts import create_account
from app.kernel.config import Settings
from tests.channels.conftest import GATEWAY_SECRET, META_SECRET, Accounts, cipher_for
from tests.factories import World

OTHER_META_SECRET = "second-page-app-secret-for-tests"
OTHER_GATEWAY_SECRET = "kannel-indosat-secret-9876543210"
SMS = "/v1/channels/sms/inbound"


def _messenger(text: str, sender: str) -> bytes:
    message = {"mid": "mid.same", "text": text}
    entry = {"sender": {"id": sender}, "recipient": {"id": "PAGE"}, "message": message}
    body = {"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": [entry]}]}
    return json.dumps(body).encode()


def _signed(raw: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


async def _second_accounts(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, world: World
) -> dict[str, str]:
    cipher = cipher_for(settings)
    async with sessions() as session, session.begin():
        meta = await create_account(
            session,
            cipher,
            world.jurisdiction_id,
            "meta",
            "Page Dinas",
            signing_secret=OTHER_META_SECRET,
        )
        gateway = await create_account(
            session,
            cipher,
            world.jurisdiction_id,
            "sms_gateway",
            "Kannel Indosat",
            shared_secret=OTHER_GATEWAY_SECRET,
        )
    return {"meta": str(meta), "sms_gateway": str(gateway)}


async def _rows(sessions: async_sessionmaker[AsyncSession]) -> list[dict[str, Any]]:
    async with sessions() as s:
        rows = await s.execute(
            text(
                "SELECT id, text, CAST(submitted_by AS text) AS sender, channel_detail"
                " FROM complaints ORDER BY received_at"
            )
        )
        return [dict(r) for r in rows.mappings()]


async def test_two_meta_pages_with_one_message_id_each_get_their_own_complaint(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    second = await _second_accounts(sessions, settings, world)
    first_raw = _messenger("Saluran air di Jl. Sudirman tersumbat.", "PSID1")
    second_raw = _messenger("Pohon tumbang menutup jalan desa Kedunggalar.", "PSID2")
    url = "/v1/channels/meta/webhook"
    a = await channel_client.post(url, content=first_raw, headers=_signed(first_raw, META_SECRET))
    b = await channel_client.post(
        url, content=second_raw, headers=_signed(second_raw, OTHER_META_SECRET)
    )
    again = await channel_client.post(
        url, content=first_raw, headers=_signed(first_raw, META_SECRET)
    )
    assert [r.json()["complaints"][0]["existing"] for r in (a, b, again)] == [False, False, True]
    assert (
        again.json()["complaints"][0]["complaint_id"] == a.json()["complaints"][0]["complaint_id"]
    )
    rows = await _rows(sessions)
    assert [(r["sender"], r["channel_detail"]["account_id"]) for r in rows] == [
        (channel_accounts.ids["meta"], channel_accounts.ids["meta"]),
        (second["meta"], second["meta"]),
    ]
    assert rows[1]["text"].startswith("Pohon tumbang")


async def test_two_sms_gateways_with_one_message_id_each_get_their_own_complaint(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    second = await _second_accounts(sessions, settings, world)
    texts = {
        GATEWAY_SECRET: "LAPOR Jalan di Desa Beran berlubang besar sejak dua bulan.",
        OTHER_GATEWAY_SECRET: "LAPOR Air PDAM di Kelurahan Margomulyo keruh seminggu.",
    }
    answers = []
    for secret, body_text in [*texts.items(), (GATEWAY_SECRET, texts[GATEWAY_SECRET])]:
        sms = {"message_id": "42", "from": "081234567890", "text": body_text, "whole": True}
        answers.append(
            await channel_client.post(SMS, json=sms, headers={"x-channel-secret": secret})
        )
    # The same id from a gateway that signs in with an API key is that client's own message.
    sms = {"message_id": "42", "from": "081299990000", "text": "LAPOR Lampu mati.", "whole": True}
    answers.append(await channel_client.post(SMS, json=sms, headers=world.h("gateway")))
    assert [a.json()["outcome"] for a in answers] == ["created", "created", "existing", "created"]
    assert answers[2].json()["complaint_id"] == answers[0].json()["complaint_id"]
    senders = [r["sender"] for r in await _rows(sessions)]
    assert senders == [
        channel_accounts.ids["sms_gateway"],
        second["sms_gateway"],
        str(world.ids["gateway"]),
    ]
    # A status query is answered once per sender's message, not once per district.
    for secret in texts:
        query = {"message_id": "43", "from": "081234567890", "text": "CEK LPR-X", "whole": True}
        await channel_client.post(SMS, json=query, headers={"x-channel-secret": secret})
    async with sessions() as s:
        answered = await s.scalar(
            text("SELECT count(*) FROM outbox_messages WHERE dedupe_key LIKE 'sms-status:%'")
        )
    assert answered == 2


async def test_two_gateways_relaying_one_phones_long_sms_join_only_their_own_parts(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await _second_accounts(sessions, settings, world)
    parts = {
        GATEWAY_SECRET: ["LAPOR Jembatan di Desa Beran ", "retak dan miring sejak hujan deras."],
        OTHER_GATEWAY_SECRET: ["LAPOR Sampah di pasar Ngawi ", "belum diangkut sepekan, bau."],
    }
    outcomes = []
    for n in (1, 2):  # interleaved: each gateway's part n, with the same phone and reference
        for secret, texts in parts.items():
            sms = {
                "message_id": f"{secret[:6]}-{n}",
                "from": "081234567890",
                "text": texts[n - 1],
                "concat": {"ref": "7", "total": 2, "part": n},
            }
            r = await channel_client.post(SMS, json=sms, headers={"x-channel-secret": secret})
            assert r.status_code in (201, 202), r.text
            outcomes.append(r.json()["outcome"])
    assert outcomes == ["part_stored", "part_stored", "created", "created"]
    assert sorted(r["text"] for r in await _rows(sessions)) == sorted(
        "".join(texts).removeprefix("LAPOR ") for texts in parts.values()
    )
