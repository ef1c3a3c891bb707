"""WhatsApp, Messenger, Instagram and X webhooks with the providers' vectors and shapes."""

import hashlib
import hmac
import json

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.channels.signatures import x_signature
from app.kernel.config import Settings
from app.privacy.identity import META_REPLY, X_REPLY
from tests.channels.conftest import (
    FIXTURES,
    META_SECRET,
    VERIFY_TOKEN,
    WHATSAPP_SIGNATURE,
    X_SECRET,
    Accounts,
    Receiver,
    run_worker,
)
from tests.channels.conftest import WHATSAPP_SECRET as WA_SECRET
from tests.factories import World
from tests.privacy.support import access_rows

RAW = (FIXTURES / "whatsapp_signed_body.raw.json").read_bytes()
WA = "/v1/channels/whatsapp/webhook"
META = "/v1/channels/meta/webhook"
X = "/v1/channels/x/webhook"


def _meta_sign(body: bytes, secret: str = META_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


def _x_sign(body: bytes) -> dict[str, str]:
    return {"x-twitter-webhooks-signature": x_signature(X_SECRET, body)}


async def _complaints(sessions: async_sessionmaker[AsyncSession]) -> list[dict[str, object]]:
    async with sessions() as s:
        rows = await s.execute(
            text("SELECT channel, channel_detail, channel_ref, text, id FROM complaints ORDER BY 1")
        )
        return [dict(r) for r in rows.mappings()]


async def test_whatsapp_handshake(
    channel_client: httpx.AsyncClient, channel_accounts: Accounts
) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    ok = await channel_client.get(WA, params=params)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    bad = await channel_client.get(WA, params={**params, "hub.verify_token": "guess"})
    assert bad.status_code == 403
    assert bad.json()["error"]["code"] == "verification_failed"


async def test_real_whatsapp_body_becomes_one_complaint_and_is_answered(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    channel_settings: Settings,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    headers = {"X-Hub-Signature-256": WHATSAPP_SIGNATURE, "content-type": "application/json"}
    first = await channel_client.post(WA, content=RAW, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["received"] == 1
    again = await channel_client.post(WA, content=RAW, headers=headers)
    assert again.json()["complaints"][0]["existing"] is True
    rows = await _complaints(sessions)
    assert len(rows) == 1
    assert rows[0]["channel"] == "social_media"
    assert rows[0]["channel_detail"]["platform"] == "whatsapp"
    assert rows[0]["channel_ref"].startswith("wamid.HBgMOTcyNTQ0NDAxMjQz")
    assert rows[0]["text"] == "Hey there! I am using PyWa."
    await run_worker(sessions, channel_settings)
    [sent] = [r for r in receiver.requests if r.path.startswith("/graph/")]
    assert sent.path == "/graph/277321005464405/messages"
    assert sent.headers["Authorization"] == "Bearer wa-access-token"
    assert sent.body["to"] == "972544401243"
    assert "https://lapor.example.go.id/lacak/LPR-" in sent.body["text"]["body"]
    [read] = await access_rows(sessions, rows[0]["id"])
    assert (read["actor_name"], read["action"], read["fields"]) == (
        "meta_reply",
        "reply",
        ["social_id"],
    )
    assert read["purpose"] == META_REPLY.purpose


async def test_whatsapp_tampered_unsigned_and_empty_are_refused(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    headers = {"X-Hub-Signature-256": WHATSAPP_SIGNATURE, "content-type": "application/json"}
    tampered = RAW.replace(b"PyWa.", b"PyWa!")
    assert len(tampered) == len(RAW)
    r = await channel_client.post(WA, content=tampered, headers=headers)
    assert (r.status_code, r.json()["error"]["code"]) == (401, "invalid_signature")
    r = await channel_client.post(WA, content=RAW, headers={"content-type": "application/json"})
    assert (r.status_code, r.json()["error"]["code"]) == (401, "missing_signature")
    r = await channel_client.post(META, content=RAW, headers=headers)  # WhatsApp secret ≠ page's
    assert r.status_code == 401
    garbage = b"{not json"
    r = await channel_client.post(WA, content=garbage, headers=_meta_sign(garbage, WA_SECRET))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "malformed_json")
    wrong = json.dumps({"object": "something_else", "entry": []}).encode()
    r = await channel_client.post(WA, content=wrong, headers=_meta_sign(wrong, WA_SECRET))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "malformed_payload")
    huge = b'{"object":"whatsapp_business_account","entry":[' + b" " * 1_100_000 + b"]}"
    r = await channel_client.post(WA, content=huge, headers=_meta_sign(huge, WA_SECRET))
    assert r.status_code == 413
    assert await _complaints(sessions) == []


async def test_whatsapp_status_receipts_and_unknown_types_are_200_without_complaints(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    body = json.loads((FIXTURES / "meta_doc_whatsapp_text_message.json").read_text())
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"] = [
        {
            "from": "16505551234",
            "id": "wamid.X",
            "timestamp": "1",
            "type": "sticker",
            "sticker": {"id": "1"},
        }
    ]
    value["statuses"] = [{"id": "wamid.Y", "status": "delivered", "recipient_id": "16505551234"}]
    raw = json.dumps(body).encode()
    r = await channel_client.post(WA, content=raw, headers=_meta_sign(raw, WA_SECRET))
    assert r.status_code == 200, r.text
    assert (r.json()["received"], r.json()["ignored"]) == (0, 2)
    assert await _complaints(sessions) == []


async def test_messenger_message_and_instagram_comment_become_complaints(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    channel_settings: Settings,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    messenger = {
        "object": "page",
        "entry": [
            {
                "id": "PAGE1",
                "time": 1570053170926,
                "messaging": [
                    {
                        "sender": {"id": "PSID7"},
                        "recipient": {"id": "PAGE1"},
                        "timestamp": 1457764197627,
                        "message": {
                            "mid": "mid.abc",
                            "text": "Saluran air di Jl. Sudirman tersumbat.",
                        },
                    },
                    {
                        "sender": {"id": "PAGE1"},
                        "recipient": {"id": "PSID7"},
                        "timestamp": 1457764197628,
                        "message": {"mid": "mid.echo", "text": "Terima kasih", "is_echo": True},
                    },
                    {
                        "sender": {"id": "PSID7"},
                        "recipient": {"id": "PAGE1"},
                        "delivery": {"mids": ["mid.x"]},
                    },
                ],
            }
        ],
    }
    instagram = {
        "object": "instagram",
        "entry": [
            {
                "id": "IG1",
                "time": 1,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "id": "C99",
                            "from": {"id": "IGSID5", "username": "warga_ngawi"},
                            "text": "Kapan jembatan Kali Madiun diperbaiki?",
                            "media": {"id": "M1"},
                        },
                    }
                ],
            }
        ],
    }
    for body in (messenger, instagram):
        raw = json.dumps(body).encode()
        r = await channel_client.post(META, content=raw, headers=_meta_sign(raw))
        assert r.status_code == 200, r.text
        assert r.json()["received"] == 1
    rows = await _complaints(sessions)
    assert sorted(r["channel_detail"]["platform"] for r in rows) == ["facebook", "instagram"]
    assert sorted(r["channel_ref"] for r in rows) == ["C99", "mid.abc"]
    await run_worker(sessions, channel_settings)
    sent = {r.path: r.body for r in receiver.requests}
    assert sent["/graph/PAGE1/messages"]["recipient"] == {"id": "PSID7"}
    assert sent["/graph/IG1/messages"]["recipient"] == {"comment_id": "C99"}


async def test_x_crc_and_signed_dm_and_mention(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    channel_settings: Settings,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    vector = json.loads((FIXTURES / "crc_challenge_vector.json").read_text())
    crc = await channel_client.get(X, params={"crc_token": "9b4507b3-9040-4669-9ca3-6b94edb50553"})
    assert crc.json() == vector["expected_response_json"]
    body = {
        "for_user_id": "2244994945",
        "direct_message_events": [
            {
                "type": "message_create",
                "id": "1234858592",
                "created_timestamp": "1392078023603",
                "message_create": {
                    "target": {"recipient_id": "2244994945"},
                    "sender_id": "3805104374",
                    "message_data": {"text": "Pungutan liar di kantor desa Beran", "entities": {}},
                },
            }
        ],
        "tweet_create_events": [
            {
                "id_str": "1500",
                "text": "@NgawiLapor lampu lalu lintas alun-alun mati",
                "user": {"id_str": "42", "screen_name": "warga"},
            }
        ],
        "favorite_events": [{"id": "f1"}],
    }
    raw = json.dumps(body).encode()
    r = await channel_client.post(X, content=raw, headers=_x_sign(raw))
    assert r.status_code == 200, r.text
    assert (r.json()["received"], r.json()["ignored"]) == (2, 1)
    r = await channel_client.post(X, content=raw + b" ", headers=_x_sign(raw))
    assert r.status_code == 401
    rows = await _complaints(sessions)
    assert sorted(r["channel_ref"] for r in rows) == ["1234858592", "1500"]
    await run_worker(sessions, channel_settings)
    paths = sorted(r.path for r in receiver.requests)
    assert paths == ["/x/2/dm_conversations/with/3805104374/messages", "/x/2/tweets"]
    tweet = next(r.body for r in receiver.requests if r.path == "/x/2/tweets")
    assert tweet["reply"] == {"in_reply_to_tweet_id": "1500"}
    reads = await access_rows(sessions)  # one read per reply, each of its own complaint
    assert sorted(str(r["complaint_id"]) for r in reads) == sorted(str(r["id"]) for r in rows)
    assert {(r["actor_name"], r["purpose"]) for r in reads} == {("x_reply", X_REPLY.purpose)}


async def test_whatsapp_after_sms_from_the_same_number_is_linked_as_possible_duplicate(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    sms = await channel_client.post(
        "/v1/channels/sms/inbound",
        json={
            "message_id": "s-1",
            "from": "081234567890",
            "text": "Jembatan Kali Madiun retak, berbahaya untuk anak sekolah",
            "whole": True,
        },
        headers=world.h("gateway"),
    )
    body = json.loads((FIXTURES / "meta_doc_whatsapp_text_message.json").read_text())
    value = body["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = "6281234567890"
    value["messages"][0] |= {
        "from": "6281234567890",
        "text": {"body": "Jembatan Kali Madiun sudah retak, berbahaya bagi anak sekolah!"},
    }
    raw = json.dumps(body).encode()
    r = await channel_client.post(WA, content=raw, headers=_meta_sign(raw, WA_SECRET))
    assert r.status_code == 200, r.text
    wa_id = r.json()["complaints"][0]["complaint_id"]
    got = await channel_client.get(f"/v1/complaints/{wa_id}", headers=world.h("admin"))
    assert got.json()["possible_duplicate_of"] == sms.json()["complaint_id"]
    assert got.json()["status"] == "received"  # linked, never dropped
