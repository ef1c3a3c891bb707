"""AES-GCM for reporter identities, with key ids so keys can be rotated.

Keys come from settings as "kid:base64,kid:base64"; the first encrypts, every one decrypts. The
complaint id is bound as associated data, so a ciphertext moved to another complaint fails.
Blind indexes (HMAC-SHA256 of a normalised NIK, phone or e-mail) find a reporter's complaints
without decrypting every row.
"""

import base64
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


@dataclass(frozen=True)
class IdentityCipher:
    keys: dict[str, bytes]
    current: str
    index_key: bytes

    @classmethod
    def from_setting(cls, spec: str, index_key: str) -> "IdentityCipher":
        keys: dict[str, bytes] = {}
        current = ""
        for item in spec.split(","):
            kid, _, b64 = item.strip().partition(":")
            key = base64.b64decode(b64)
            if not kid or len(key) != 32:
                raise ValueError("identity keys must be 'kid:base64(32 bytes)', comma-separated")
            keys[kid] = key
            current = current or kid
        return cls(keys, current, index_key.encode())

    def encrypt(self, identity: dict[str, Any], complaint_id: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(identity, separators=(",", ":")).encode()
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plain, complaint_id)
        return self.current, nonce + sealed

    def decrypt(self, key_id: str, blob: bytes, complaint_id: bytes) -> dict[str, Any]:
        nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
        plain = AESGCM(self.keys[key_id]).decrypt(nonce, sealed, complaint_id)
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
