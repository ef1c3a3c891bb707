"""The one sealer: AES-GCM for every secret at rest, with key ids so keys can be rotated.

Keys come from settings as "kid:base64,kid:base64"; the first seals, every one opens. Each sealed
value names its kind (a reporter identity, a channel account's secrets, a webhook endpoint's
secrets, an SMS part's sender, an outbox reply) and the row it belongs to; both are bound as
associated data, so a ciphertext moved to another row, or offered as another kind, fails.
Blind indexes (HMAC-SHA256 of a normalised NIK, phone or e-mail) find a reporter's complaints
without decrypting every row.

A reporter identity is opened only by app/privacy/identity.py, which logs every read:
`Sealer.open` refuses that kind, and tests/privacy/test_identity_reads.py scans the rest of
the app for any other way in.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.kernel.config import Settings

NONCE_BYTES = 12


class Sealed(StrEnum):
    """What a sealed value is, and so what its row id is the id of."""

    IDENTITY = "identity"  # reporters.ciphertext, bound to the complaint
    CHANNEL_SECRETS = "channel_account"  # channel_accounts.secrets_ciphertext
    WEBHOOK_SECRETS = "webhook_endpoint"  # webhook_endpoints.secrets_ciphertext
    SMS_SENDER = "sms_part"  # sms_parts.sender_ciphertext, until the parts are joined
    OUTBOX = "outbox_message"  # the destination and token of a reply row
    # ombudsman_cases.citizen_ciphertext: a citizen the Ombudsman named, bound to the case
    OMBUDSMAN_CITIZEN = "ombudsman_citizen"


def associated_data(kind: Sealed, bound_to: uuid.UUID) -> bytes:
    """What a ciphertext is bound to besides its key.

    Identities keep the bare 16-byte id they were sealed with before kinds existed (no
    re-encryption of every reporter); every other kind is prefixed with its name, so no other
    kind's associated data can ever equal an identity's.
    """
    if kind is Sealed.IDENTITY:
        return bound_to.bytes
    return kind.value.encode() + b":" + bound_to.bytes


def parse_keys(spec: str) -> tuple[dict[str, bytes], str]:
    """'kid:base64,kid:base64' -> ({kid: key}, the first kid)."""
    keys: dict[str, bytes] = {}
    current = ""
    for item in spec.split(","):
        kid, _, b64 = item.strip().partition(":")
        key = base64.b64decode(b64)
        if not kid or len(key) != 32:
            raise ValueError("identity keys must be 'kid:base64(32 bytes)', comma-separated")
        keys[kid] = key
        current = current or kid
    return keys, current


@dataclass(frozen=True)
class Sealer:
    keys: dict[str, bytes]
    current: str
    index_key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> "Sealer":
        """Built once per process (the app, the worker, a command) and handed to every user."""
        keys, current = parse_keys(settings.identity_keys.get_secret_value())
        return cls(keys, current, settings.identity_index_key.get_secret_value().encode())

    def seal(self, kind: Sealed, value: dict[str, Any], bound_to: uuid.UUID) -> tuple[str, bytes]:
        """(key id, nonce + ciphertext) of `value`, bound to its kind and row."""
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(value, separators=(",", ":")).encode()
        sealed = AESGCM(self.keys[self.current]).encrypt(
            nonce, plain, associated_data(kind, bound_to)
        )
        return self.current, nonce + sealed

    def open(self, kind: Sealed, key_id: str, blob: bytes, bound_to: uuid.UUID) -> dict[str, Any]:
        """A sealed secret back; never a reporter identity (see app/privacy/identity.py)."""
        if kind in (Sealed.IDENTITY, Sealed.OMBUDSMAN_CITIZEN):
            raise PermissionError("identities are read through app.privacy, which logs each read")
        return self._open(kind, key_id, blob, bound_to)

    def _open(self, kind: Sealed, key_id: str, blob: bytes, bound_to: uuid.UUID) -> dict[str, Any]:
        nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
        plain = AESGCM(self.keys[key_id]).decrypt(nonce, sealed, associated_data(kind, bound_to))
        result: dict[str, Any] = json.loads(plain)
        return result

    def blind_index(self, kind: str, value: str | None) -> str | None:
        normalized = normalize_identifier(kind, value)
        if normalized is None:
            return None
        # A key of its own: rotating the encryption keys must not change the indexes.
        mac = hmac.new(self.index_key, f"{kind}:{normalized}".encode(), hashlib.sha256)
        return mac.hexdigest()


def normalize_identifier(kind: str, value: str | None) -> str | None:
    """Canonical form so '0812-3456 7890' and '+6281234567890' match."""
    if not value:
        return None
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        return digits or None
    if kind == "email":
        return value.strip().lower() or None
    if kind == "social":  # "platform:account id", already canonical
        return value.strip() or None
    return re.sub(r"\D", "", value) or None
