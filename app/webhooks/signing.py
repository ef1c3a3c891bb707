"""Standard Webhooks signing with the reference library; secrets in the `whsec_` form."""

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from datetime import datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format marker, not a secret


def new_secret() -> str:
    """A fresh 32-byte signing secret, shown to its owner once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def callback_secret(keys: str, client_id: uuid.UUID) -> list[str]:
    """The secrets that sign a client's complaint callbacks, derived from the server keys.

    `keys` is "kid:secret,kid:secret"; each yields one secret, so during a key rotation a
    receiver holding either the old or the new secret verifies.
    """
    out = []
    for item in keys.split(","):
        _, _, key = item.strip().partition(":")
        if not key:
            continue
        mac = hmac.new(key.encode(), b"callback:" + client_id.bytes, hashlib.sha256).digest()
        out.append(SECRET_PREFIX + base64.b64encode(mac).decode())
    return out


def serialize(body: dict[str, Any]) -> str:
    """The exact bytes that are signed and sent."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def sign(msg_id: str, timestamp: datetime, body: str, secrets_: list[str]) -> dict[str, str]:
    """Standard Webhooks headers; several secrets give several space-separated signatures."""
    signature = " ".join(Webhook(s).sign(msg_id, timestamp, body) for s in secrets_)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }
