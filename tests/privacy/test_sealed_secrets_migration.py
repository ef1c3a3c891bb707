"""Migration 0008 re-seals secrets stored before kinds were bound, and its downgrade undoes it."""

import asyncio
import base64
import json
import os
import uuid
from typing import Any

import pytest
from alembic import command
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text

from app import migrate
from app.kernel.config import Settings
from app.kernel.db import make_engine
from app.privacy.crypto import Sealed, Sealer

SECRETS = {"access_token": "EAAG-token", "signing_secret": "s3cret"}
REPLY = {"to": "6281234567890", "text": "Pengaduan diterima"}


def _legacy_seal(sealer: Sealer, value: dict[str, Any], row_id: uuid.UUID) -> bytes:
    """How every secret was sealed before 0008: bound to the bare row id."""
    nonce = os.urandom(12)
    plain = json.dumps(value).encode()
    return nonce + AESGCM(sealer.keys[sealer.current]).encrypt(nonce, plain, row_id.bytes)


async def _sql(url: str, sql: str, **params: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


def test_existing_secrets_stay_readable_and_bound_to_their_kind(scratch_url: str) -> None:
    sealer = Sealer.from_settings(Settings())
    jid, account_id, row_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    migrate.upgrade(scratch_url, "0005")
    url = scratch_url
    payload = {
        "kid": sealer.current,
        "sealed": base64.b64encode(_legacy_seal(sealer, REPLY, row_id)).decode(),
    }

    async def before() -> None:
        await _sql(
            url,
            "INSERT INTO jurisdictions (id, code, name, timezone) VALUES (:j, '99.01', 'X', 'UTC')",
            j=jid,
        )
        await _sql(
            url,
            "INSERT INTO channel_accounts (id, jurisdiction_id, provider, name, key_id,"
            " secrets_ciphertext) VALUES (:id, :j, 'whatsapp', 'wa', :kid, :blob)",
            id=account_id, j=jid, kid=sealer.current,
            blob=_legacy_seal(sealer, SECRETS, account_id),
        )  # fmt: skip
        await _sql(
            url,
            "INSERT INTO outbox_messages (id, jurisdiction_id, topic, payload)"
            " VALUES (:id, :j, 'sms_reply', CAST(:payload AS jsonb))",
            id=row_id, j=jid, payload=json.dumps(payload),
        )  # fmt: skip

    async def stored() -> tuple[str, bytes, dict[str, Any]]:
        [account] = await _sql(url, "SELECT key_id, secrets_ciphertext FROM channel_accounts")
        [outbox] = await _sql(url, "SELECT payload FROM outbox_messages")
        return account[0], bytes(account[1]), dict(outbox[0])

    asyncio.run(before())
    migrate.upgrade(scratch_url, "head")
    kid, blob, sealed_payload = asyncio.run(stored())
    assert sealer.open(Sealed.CHANNEL_SECRETS, kid, blob, account_id) == SECRETS
    reply_blob = base64.b64decode(sealed_payload["sealed"])
    assert sealer.open(Sealed.OUTBOX, sealed_payload["kid"], reply_blob, row_id) == REPLY
    with pytest.raises(InvalidTag):  # the same bytes offered as another kind do not open
        sealer.open(Sealed.WEBHOOK_SECRETS, kid, blob, account_id)

    command.downgrade(migrate.alembic_config(scratch_url), "0005")
    kid, blob, _ = asyncio.run(stored())
    key = sealer.keys[kid]
    assert json.loads(AESGCM(key).decrypt(blob[:12], blob[12:], account_id.bytes)) == SECRETS
