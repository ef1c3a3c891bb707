"""A NUL in what a provider door parses by hand is a 422 naming it, not a driver error (500).

The doors read their bodies themselves (to verify signatures over the raw bytes), so no request
model sees them: app/kernel/input_guard.py does, for every door alike. Each delivery below is
signed or keyed as the door wants, so nothing but the NUL is wrong with it.
"""

import hashlib
import hmac
import json
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.channels.conftest import FIXTURES, GATEWAY_SECRET, Accounts
from tests.channels.conftest import WHATSAPP_SECRET as WA_SECRET
from tests.complaints.support import assert_error, fields_named
from tests.factories import World

SMS = "/v1/channels/sms/inbound"
WHATSAPP = "/v1/channels/whatsapp/webhook"
PHONE = "+6281234567890"


async def _nothing_written(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s:
        for table in ("complaints", "sms_parts", "outbox_messages"):
            count = (await s.execute(text(f"SELECT count(*) FROM {table}"))).scalar()  # noqa: S608
            assert count == 0, table


def _meta_signed(body: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


async def test_json_sms_gateway_with_a_nul_gets_422_naming_the_text(
    channel_client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    body = {"message_id": "gw-nul", "from": PHONE, "text": "LAPOR jalan\x00rusak", "whole": True}
    response = await channel_client.post(SMS, json=body, headers=world.h("gateway"))
    assert fields_named(assert_error(response, 422, "invalid")) == {"text"}
    await _nothing_written(sessions)


@pytest.mark.parametrize("how", ["get", "form"])
async def test_kannel_delivery_with_a_nul_gets_422_naming_the_parameter(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
    how: str,
) -> None:
    params = {"key": GATEWAY_SECRET, "from": PHONE, "to": "1708", "text": "LAPOR a\x00b"}
    if how == "get":
        response = await channel_client.get(f"{SMS}?{urlencode(params)}")
    else:
        response = await channel_client.post(SMS, data=params)
    assert fields_named(assert_error(response, 422, "invalid")) == {"text"}
    await _nothing_written(sessions)


async def test_twilio_form_with_a_nul_gets_422_naming_the_field(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    form = {"From": PHONE, "To": "1708", "Body": "LAPOR a\x00b", "MessageSid": "SM1"}
    response = await channel_client.post(SMS, data=form, headers={"X-Twilio-Signature": "x"})
    assert fields_named(assert_error(response, 422, "invalid")) == {"Body"}
    await _nothing_written(sessions)


async def test_signed_whatsapp_delivery_with_a_nul_gets_422_naming_the_json_path(
    channel_client: httpx.AsyncClient,
    channel_accounts: Accounts,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    body = json.loads((FIXTURES / "meta_doc_whatsapp_text_message.json").read_text())
    body["entry"][0]["changes"][0]["value"]["messages"][0]["text"] = {"body": "jalan\x00rusak"}
    raw = json.dumps(body).encode()
    headers = _meta_signed(raw, WA_SECRET)
    response = await channel_client.post(WHATSAPP, content=raw, headers=headers)
    error = assert_error(response, 422, "invalid")
    assert fields_named(error) == {"entry.0.changes.0.value.messages.0.text.body"}
    await _nothing_written(sessions)
