"""Senders for replies: the SMS gateway and the platforms' send APIs, each a plain HTTP call.

Each is idempotent on the outbox row id as far as the provider allows: the SMS gateway gets the
row id as `ref`; Meta and X have no idempotency key, so a reply retried after a lost answer may
arrive twice — the lesser evil than never.
"""

from typing import Any

import httpx

from app.channels.replies import unseal
from app.kernel.config import Settings
from app.outbox.engine import Message, Outcome, Sender
from app.privacy.crypto import Sealer


def _outcome(response: httpx.Response) -> Outcome:
    if response.is_success:
        return Outcome(done=True)
    error = f"HTTP {response.status_code}: {response.text[:300]}"
    # A 4xx other than 408/429 will not get better by retrying (bad number, revoked token).
    permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
    return Outcome(done=False, error=error, dead=permanent)


def sms_sender(settings: Settings, http: httpx.AsyncClient, cipher: Sealer) -> Sender:
    """POST {"to", "text", "ref"} to the configured SMS gateway."""

    async def send(row: Message) -> Outcome:
        if not settings.sms_gateway_url:
            return Outcome(done=False, dead=True, error="LAPOR_SMS_GATEWAY_URL is not set")
        secret = unseal(cipher, row.id, row.payload)
        headers = {}
        if settings.sms_gateway_token is not None:
            headers["Authorization"] = f"Bearer {settings.sms_gateway_token.get_secret_value()}"
        response = await http.post(
            settings.sms_gateway_url,
            json={"to": secret["to"], "text": secret["text"], "ref": str(row.id)},
            headers=headers,
        )
        return _outcome(response)

    return send


def social_request(settings: Settings, secret: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The send-API call (URL and JSON body) that answers a social message, by kind. Pure."""
    reply, to, text = secret["reply"], secret["to"], secret["text"]
    kind, via = reply["kind"], reply.get("via", "")
    graph, x = settings.meta_graph_url.rstrip("/"), settings.x_api_url.rstrip("/")
    if kind == "whatsapp":
        return f"{graph}/{via}/messages", {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": {"preview_url": True, "body": text},
        }
    if kind in ("messenger", "instagram"):
        return f"{graph}/{via}/messages", {
            "recipient": {"id": to},
            "messaging_type": "RESPONSE",
            "message": {"text": text},
        }
    if kind == "comment":  # a private reply to a public comment, not a public answer
        return f"{graph}/{via}/messages", {
            "recipient": {"comment_id": reply["in_reply_to"]},
            "message": {"text": text},
        }
    if kind == "x_dm":
        return f"{x}/2/dm_conversations/with/{to}/messages", {"text": text}
    if kind == "x_mention":
        return f"{x}/2/tweets", {
            "text": text,
            "reply": {"in_reply_to_tweet_id": reply["in_reply_to"]},
        }
    raise ValueError(f"unknown reply kind {kind!r}")


def social_sender(settings: Settings, http: httpx.AsyncClient, cipher: Sealer) -> Sender:
    """Send a reply through the platform's own API with the account's access token."""

    async def send(row: Message) -> Outcome:
        secret = unseal(cipher, row.id, row.payload)
        try:
            url, body = social_request(settings, secret)
        except (KeyError, ValueError) as exc:
            return Outcome(done=False, dead=True, error=str(exc))
        response = await http.post(
            url, json=body, headers={"Authorization": f"Bearer {secret['token']}"}
        )
        return _outcome(response)

    return send
