"""Provider signature schemes, pure: each takes the secret and the exact bytes that were signed."""

import base64
import hashlib
import hmac
from collections.abc import Iterable


def meta_signature_valid(app_secret: str, raw_body: bytes, header: str | None) -> bool:
    """Meta (WhatsApp, Messenger, Instagram): `sha256=` + hex HMAC-SHA256 of the raw body."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :].strip().lower())


def x_signature(consumer_secret: str, message: bytes) -> str:
    """X: `sha256=` + base64 HMAC-SHA256; the CRC response token and the POST header alike."""
    mac = hmac.new(consumer_secret.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(mac).decode()


def x_signature_valid(consumer_secret: str, raw_body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return hmac.compare_digest(x_signature(consumer_secret, raw_body), header.strip())


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio: base64 HMAC-SHA1 of the full URL followed by every POST key+value, sorted."""
    payload = url + "".join(k + v for k, v in sorted(params))
    mac = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def twilio_signature_valid(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], header: str | None
) -> bool:
    if not header:
        return False
    return hmac.compare_digest(twilio_signature(auth_token, url, list(params)), header.strip())
