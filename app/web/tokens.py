"""Signed form tokens: proof that a form was served by us, when, and (optionally) to whom.

One token does two jobs for a form without a session: it is the CSRF token (a cross-site page
cannot read it, so it cannot post it) and the fill-time clock (a bot that posts the moment it
loads the form is refused). `bind` ties a token to a session for forms that have one.
"""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta


class FormSigner:
    def __init__(self, secret: str) -> None:
        # A key of its own, derived: a form token can never pass as a JWT or anything else.
        self._key = hmac.new(secret.encode(), b"lapor-web-forms", hashlib.sha256).digest()

    def _mac(self, purpose: str, issued: int, bind: str) -> str:
        msg = f"{purpose}|{issued}|{bind}".encode()
        digest = hmac.new(self._key, msg, hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode()

    def issue(self, purpose: str, now: datetime, bind: str = "") -> str:
        """A token for `purpose` (e.g. "lapor"), stamped with `now`."""
        issued = int(now.timestamp())
        return f"{issued}.{self._mac(purpose, issued, bind)}"

    def problem(
        self,
        token: str,
        purpose: str,
        now: datetime,
        *,
        bind: str = "",
        min_age: timedelta = timedelta(0),
        max_age: timedelta = timedelta(hours=12),
    ) -> str | None:
        """None for a good token, else why not: "forged", "too_fast" or "expired"."""
        stamp, _, mac = token.partition(".")
        if not stamp.isdigit() or len(stamp) > 12:
            return "forged"
        issued = int(stamp)
        if not hmac.compare_digest(mac, self._mac(purpose, issued, bind)):
            return "forged"
        age = now.timestamp() - issued
        if age < min_age.total_seconds():
            return "too_fast"
        if age > max_age.total_seconds():
            return "expired"
        return None
