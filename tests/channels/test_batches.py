"""One bad message among good ones: the good are stored, the bad set aside (counted, logged
without its text), and the provider is answered so it stops redelivering. Text is never cut."""

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.channels.signatures import twilio_signature, x_signature
from app.kernel.config import Settings
from app.kernel.logging import JsonFormatter
from tests.channels.conftest import (
    GATEWAY_SECRET,
    META_SECRET,
    TWILIO_TOKEN,
    WHATSAPP_SECRET,
    X_SECRET,
    Accounts,
    Receiver,
    run_worker,
)
from tests.factories import World

SECRET = "RAHASIA-warga-7731"  # appears only inside the bad message's text
TOO_LONG = f"Jalan rusak {SECRET} " + "x" * 10_000
GOOD = "Jalan di Desa Beran berlubang besar, mohon segera diperbaiki."
SMS = "/v1/channels/sms/inbound"


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every line the app logs meanwhile, formatted as in production."""
    lines: list[str] = []
    formatter = JsonFormatter()
    handler = logging.Handler(level=logging.DEBUG)
    handler.emit = lambda record: lines.append(formatter.format(record))  # type: ignore[method-assign]
    app_logger = logging.getLogger("app")
    app_logger.addHandler(handler)
    yield lines
    app_logger.removeHandler(handler)


async def _stored(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str]]:
    async with sessions() as s:
        rows = await s.execute(text("SELECT channel_ref, text FROM complaints ORDER BY 1"))
        return [(r[0], r[1]) for r in rows]


def _meta_headers(raw: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


def _assert_one_set_aside(answer: httpx.Response, bad_id: str, good: int) -> None:
    assert answer.status_code == 200, answer.text  # anything else and the provider redelivers
    body: dict[str, Any] = answer.json()
    assert (body["received"], body["rejected"]) == (good, 1)
    assert body["set_aside"] == [
        {"message_id": bad_id, "code": "text_too_long", "fields": ["text"]}
    ]
    assert SECRET not in answer.text


def _assert_logged_without_text(lines: list[str], bad_id: str) -> None:
    aside = [json.loads(line) for line in lines if "channel message set aside" in line]
    assert [(a["message_id"], a["code"]) for a in aside] == [(bad_id, "text_too_long")]
    assert not [line for line in lines if SECRET in line]


def _wa_message(mid: str, body: str) -> dict[str, Any]:
    return {
        "from": "6281234567890",
        "id": mid,
        "timestamp": "1",
        "type": "text",
        "text": {"body": body},
    }


async def test_whatsapp_batch_keeps_the_good_messages_and_sets_the_long_one_aside(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
    log_lines: list[str],
) -> None:
    def change(*messages: dict[str, Any]) -> dict[str, Any]:
        value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "PN1"}}
        return {"field": "messages", "value": {**value, "messages": list(messages)}}

    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "WABA1", "changes": [change(_wa_message("wamid.1", GOOD))]},
            {
                "id": "WABA1",
                "changes": [
                    change(_wa_message("wamid.2", TOO_LONG), _wa_message("wamid.3", GOOD + " 3"))
                ],
            },
        ],
    }
    raw = json.dumps(body).encode()
    headers = _meta_headers(raw, WHATSAPP_SECRET)
    answer = await channel_client.post(
        "/v1/channels/whatsapp/webhook", content=raw, headers=headers
    )
    _assert_one_set_aside(answer, "wamid.2", good=2)
    assert await _stored(sessions) == [("wamid.1", GOOD), ("wamid.3", GOOD + " 3")]
    _assert_logged_without_text(log_lines, "wamid.2")
    # The provider's redelivery of the same batch changes nothing and is still answered 200.
    again = await channel_client.post("/v1/channels/whatsapp/webhook", content=raw, headers=headers)
    _assert_one_set_aside(again, "wamid.2", good=2)
    assert [c["existing"] for c in again.json()["complaints"]] == [True, True]
    assert len(await _stored(sessions)) == 2


async def test_messenger_batch_keeps_the_good_messages(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
    log_lines: list[str],
) -> None:
    def event(mid: str, body: str) -> dict[str, Any]:
        return {
            "sender": {"id": "PSID7"},
            "recipient": {"id": "PAGE1"},
            "timestamp": 1,
            "message": {"mid": mid, "text": body},
        }

    body = {
        "object": "page",
        "entry": [
            {
                "id": "PAGE1",
                "time": 1,
                "messaging": [
                    event("mid.1", GOOD),
                    event("mid.2", TOO_LONG),
                    event("mid.3", GOOD + " 3"),
                ],
            }
        ],
    }
    raw = json.dumps(body).encode()
    answer = await channel_client.post(
        "/v1/channels/meta/webhook", content=raw, headers=_meta_headers(raw, META_SECRET)
    )
    _assert_one_set_aside(answer, "mid.2", good=2)
    assert await _stored(sessions) == [("mid.1", GOOD), ("mid.3", GOOD + " 3")]
    _assert_logged_without_text(log_lines, "mid.2")


async def test_x_batch_of_mentions_and_dms_keeps_the_good_ones(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
    log_lines: list[str],
) -> None:
    def tweet(tid: str, body: str) -> dict[str, Any]:
        return {"id_str": tid, "text": body, "user": {"id_str": "777", "screen_name": "warga"}}

    body = {
        "for_user_id": "2244994945",
        "tweet_create_events": [tweet("t1", GOOD), tweet("t2", TOO_LONG)],
        "direct_message_events": [
            {
                "type": "message_create",
                "id": "dm3",
                "message_create": {"sender_id": "777", "message_data": {"text": GOOD + " 3"}},
            }
        ],
    }
    raw = json.dumps(body).encode()
    answer = await channel_client.post(
        "/v1/channels/x/webhook",
        content=raw,
        headers={"x-twitter-webhooks-signature": x_signature(X_SECRET, raw)},
    )
    _assert_one_set_aside(answer, "t2", good=2)
    assert await _stored(sessions) == [("dm3", GOOD + " 3"), ("t1", GOOD)]
    _assert_logged_without_text(log_lines, "t2")


async def test_sms_doors_store_the_good_and_refuse_the_bad_with_a_clear_4xx(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    log_lines: list[str],
) -> None:
    gateway = world.h("gateway")
    url = f"https://lapor.example.go.id{SMS}"

    async def twilio(sid: str, body: str) -> httpx.Response:
        form = {"MessageSid": sid, "From": "+6281234567890", "To": "+621708", "Body": body}
        signature = twilio_signature(TWILIO_TOKEN, url, form.items())
        return await channel_client.post(SMS, data=form, headers={"X-Twilio-Signature": signature})

    async def kannel(ref: str, body: str) -> httpx.Response:
        form = {"from": "+6281234567890", "text": body, "id": ref}
        return await channel_client.post(
            SMS, data=form, headers={"x-channel-secret": GATEWAY_SECRET}
        )

    async def generic(ref: str, body: str) -> httpx.Response:
        payload = {"message_id": ref, "from": "081234567890", "text": body, "whole": True}
        return await channel_client.post(SMS, json=payload, headers=gateway)

    # Kannel delivers parts (at most 1,600 characters); Twilio and a gateway saying "whole"
    # deliver joined messages (at most what a complaint holds). Past that: refused, not cut.
    too_long = {"kannel": f"LAPOR {SECRET} " + "y" * 1_600, "twilio": TOO_LONG, "generic": TOO_LONG}
    for door in (twilio, kannel, generic):
        name = door.__name__
        assert (await door(f"{name}-1", f"{GOOD} {name}")).status_code in (200, 201)
        refused = await door(f"{name}-2", too_long[name])
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"][0]["field"] == "text"
        assert SECRET not in refused.text
        assert (await door(f"{name}-3", f"{GOOD} {name} 3")).status_code in (200, 201)
    refs = [ref for ref, _ in await _stored(sessions)]
    assert sorted(refs) == ["generic-1", "generic-3", "twilio-1", "twilio-3"]
    async with sessions() as s:  # Kannel parts wait for the join window: stored, not lost
        parts = (await s.execute(text("SELECT message_ref FROM sms_parts ORDER BY 1"))).scalars()
        assert list(parts) == ["kannel-1", "kannel-3"]
    assert not [line for line in log_lines if SECRET in line]


async def test_a_message_the_gateway_joined_is_stored_whole(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    joined = "LAPOR " + " ".join(["Jembatan di Dusun Kedung retak dan miring."] * 70)
    assert 2_500 < len(joined) < 10_000  # longer than any SMS part
    payload = {"message_id": "gammu-7", "from": "081234567890", "text": joined, "whole": True}
    r = await channel_client.post(SMS, json=payload, headers=world.h("gateway"))
    assert r.status_code == 201, r.text
    assert await _stored(sessions) == [("gammu-7", joined.removeprefix("LAPOR "))]


async def test_long_sms_joined_past_the_complaint_limit_is_refused_and_the_sender_told(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    channel_settings: Settings,
    world: World,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    total = 7  # 7 parts of 1,600 characters: 11,200, over the 10,000 a complaint holds
    for part in range(1, total + 1):
        payload = {
            "message_id": f"long-{part}",
            "from": "081234567890",
            "text": ("LAPOR " if part == 1 else "") + "z" * 1_590,
            "concat": {"ref": "42", "total": total, "part": part},
        }
        r = await channel_client.post(SMS, json=payload, headers=world.h("gateway"))
        assert r.status_code == 202, r.text
    assert await _stored(sessions) == []  # not stored cut short
    await run_worker(sessions, channel_settings)
    texts = [q.body["text"] for q in receiver.requests if q.path == "/sms/send"]
    assert len(texts) == 1
    assert "terlalu panjang" in texts[0]


async def test_whatsapp_message_from_an_impossible_number_is_set_aside_naming_the_field(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    odd = {**_wa_message("wamid.9", GOOD), "from": "٦٢٨١٢٣٤٥٦٧"}  # digits, but not 0-9
    value = {
        "metadata": {"phone_number_id": "PN1"},
        "messages": [_wa_message("wamid.8", GOOD), odd],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "W", "changes": [{"field": "messages", "value": value}]}],
    }
    raw = json.dumps(body).encode()
    answer = await channel_client.post(
        "/v1/channels/whatsapp/webhook", content=raw, headers=_meta_headers(raw, WHATSAPP_SECRET)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["set_aside"] == [
        {"message_id": "wamid.9", "code": "invalid_message", "fields": ["reporter.phone"]}
    ]
    assert await _stored(sessions) == [("wamid.8", GOOD)]
