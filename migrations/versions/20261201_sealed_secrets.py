"""Sealed secrets name their kind: re-seal channel, webhook, SMS-part and outbox secrets.

Until now every secret was bound to its row id alone, so a ciphertext of one kind could be
offered as another wherever two ids coincided. From here the associated data is
"<kind>:" + row id for every kind but reporter identities, which keep the bare complaint id
(app/privacy/crypto.py, `associated_data`), so the reporters table is left as it is.

The keys come from LAPOR_IDENTITY_KEYS, as for the service: run `lapor migrate` with the
service's environment. The kinds and their rule are written out here, frozen, so that later
changes to the code cannot change what this migration did.

Revision ID: 0008
Revises: 0006
"""

import base64
import json
import os
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.kernel.config import Settings

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NONCE_BYTES = 12
# table, kind, key-id column, ciphertext column
COLUMNS = (
    ("channel_accounts", "channel_account", "key_id", "secrets_ciphertext"),
    ("webhook_endpoints", "webhook_endpoint", "secrets_key_id", "secrets_ciphertext"),
    ("sms_parts", "sms_part", "key_id", "sender_ciphertext"),
)
OUTBOX_KIND = "outbox_message"

Aad = Callable[[str, uuid.UUID], bytes]


def _bare(kind: str, row_id: uuid.UUID) -> bytes:
    return row_id.bytes


def _named(kind: str, row_id: uuid.UUID) -> bytes:
    return kind.encode() + b":" + row_id.bytes


class _Keys:
    """The service's keys, parsed only when a row needs them (an empty database needs none)."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] | None = None
        self.current = ""

    def get(self, kid: str) -> bytes:
        if self._keys is None:
            self._keys = {}
            for item in Settings().identity_keys.get_secret_value().split(","):
                name, _, b64 = item.strip().partition(":")
                self._keys[name] = base64.b64decode(b64)
                self.current = self.current or name
        return self._keys[kid]


def _reseal(
    keys: _Keys, kind: str, kid: str, blob: bytes, row_id: uuid.UUID, old: Aad, new: Aad
) -> tuple[str, bytes]:
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    plain = AESGCM(keys.get(kid)).decrypt(nonce, sealed, old(kind, row_id))
    fresh = os.urandom(NONCE_BYTES)
    resealed = AESGCM(keys.get(keys.current)).encrypt(fresh, plain, new(kind, row_id))
    return keys.current, fresh + resealed


def _migrate(old: Aad, new: Aad) -> None:
    conn = op.get_bind()
    keys = _Keys()
    for table, kind, kid_col, blob_col in COLUMNS:
        rows = conn.execute(
            sa.text(
                f"SELECT id, {kid_col}, {blob_col} FROM {table} "  # noqa: S608 - our constants
                f"WHERE {blob_col} IS NOT NULL AND length({blob_col}) > 0 FOR UPDATE"
            )
        ).all()
        for row_id, kid, blob in rows:
            new_kid, new_blob = _reseal(keys, kind, kid, bytes(blob), row_id, old, new)
            conn.execute(
                sa.text(f"UPDATE {table} SET {kid_col} = :kid, {blob_col} = :blob WHERE id = :id"),  # noqa: S608
                {"kid": new_kid, "blob": new_blob, "id": row_id},
            )
    outbox = conn.execute(
        sa.text("SELECT id, payload FROM outbox_messages WHERE payload ? 'sealed' FOR UPDATE")
    ).all()
    for row_id, payload in outbox:
        data: dict[str, Any] = dict(payload)
        blob = base64.b64decode(data["sealed"])
        new_kid, new_blob = _reseal(keys, OUTBOX_KIND, data["kid"], blob, row_id, old, new)
        data |= {"kid": new_kid, "sealed": base64.b64encode(new_blob).decode()}
        conn.execute(
            sa.text("UPDATE outbox_messages SET payload = CAST(:payload AS jsonb) WHERE id = :id"),
            {"payload": json.dumps(data), "id": row_id},
        )


def upgrade() -> None:
    _migrate(_bare, _named)


def downgrade() -> None:
    _migrate(_named, _bare)
