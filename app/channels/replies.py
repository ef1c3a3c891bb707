"""Answering the reporter through their door: what to say on each event, and the outbox rows.

A subscriber turns a complaint event into one outbox row per reply; a sender (app/channels/
clients.py) delivers it. The reporter's phone or platform id is read through app/privacy (one
logged read per reply); it and any access token then travel sealed (kind outbox_message, bound
to the row id), so the outbox never holds a phone number or a token in clear.
"""

import base64
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from app.channels import accounts
from app.complaints import readmodel
from app.complaints.fanout import EventNotice, Subscriber
from app.complaints.vocabulary import EventType, Status
from app.kernel.config import Settings
from app.outbox import service as outbox
from app.privacy.crypto import Sealed, Sealer
from app.privacy.identity import META_REPLY, SMS_REPLY, X_REPLY, read_identity

SMS_TOPIC = "sms_reply"
SOCIAL_TOPIC = "social_reply"
ASSEMBLE_TOPIC = "sms_assemble"

STATUS_WORDS: dict[Status, str] = {
    "received": "diterima",
    "needs_info": "menunggu kelengkapan informasi",
    "verified": "telah diverifikasi",
    "dispatched": "telah diteruskan ke instansi terkait",
    "in_progress": "sedang ditindaklanjuti",
    "responded": "telah ditanggapi",
    "closed": "selesai",
    "archived": "diarsipkan",
}


MAX_REPLY_CHARS = 600  # four SMS segments; a longer officer's message is read on the web


def _fit(text: str, link: str) -> str:
    """The text whole when it fits; else cut with a visible marker and where to read the rest."""
    if len(text) <= MAX_REPLY_CHARS:
        return text
    tail = f"… Selengkapnya: {link}"
    return text[: MAX_REPLY_CHARS - len(tail)].rstrip() + tail


def event_message(event: str, data: dict[str, Any], tracking_id: str, link: str) -> str | None:
    """The reporter's notice for an event, in Indonesian; None for events they need not hear."""
    if event == "received":
        return f"Pengaduan Anda diterima dengan nomor {tracking_id}. Pantau di {link}"
    if event == "needs_info":
        return _fit(
            f"Pengaduan {tracking_id} perlu informasi tambahan: {data.get('message', '')}", link
        )
    if event in ("dispatched", "transferred") and data.get("agency_name"):
        return f"Pengaduan {tracking_id} diteruskan ke {data['agency_name']}."
    if event == "responded":
        return _fit(f"Pengaduan {tracking_id} telah ditanggapi: {data.get('message', '')}", link)
    simple: dict[EventType, str] = {
        "verified": "telah diverifikasi",
        "acknowledged": "sedang ditindaklanjuti",
        "closed": "selesai. Terima kasih",
        "archived": "diarsipkan",
        "reopened": "dibuka kembali",
    }
    if event in simple:
        return f"Pengaduan {tracking_id} {simple[event]}. {link}"
    return None


TOO_LONG_MESSAGE = (
    "Pesan Anda terlalu panjang untuk satu pengaduan (maks. 10.000 karakter) dan belum "
    "diterima. Kirim ringkasannya: LAPOR <isi pengaduan>"
)


def status_message(tracking_id: str | None, status: str | None) -> str:
    """The answer to `CEK <tracking id>`."""
    if tracking_id is None or status is None:
        return "Nomor pengaduan tidak dikenal. Kirim: CEK LPR-XXXXX-XXXXX"
    return f"Status pengaduan {tracking_id}: {STATUS_WORDS.get(cast(Status, status), status)}."


def seal(cipher: Sealer, row_id: uuid.UUID, secret: dict[str, Any]) -> dict[str, str]:
    """Encrypt what an outbox row must not hold in clear, bound to that row."""
    kid, blob = cipher.seal(Sealed.OUTBOX, secret, row_id)
    return {"kid": kid, "sealed": base64.b64encode(blob).decode()}


def unseal(cipher: Sealer, row_id: uuid.UUID, payload: dict[str, Any]) -> dict[str, Any]:
    """The sealed part of a row's payload, for its sender."""
    blob = base64.b64decode(payload["sealed"])
    return cipher.open(Sealed.OUTBOX, payload["kid"], blob, row_id)


async def enqueue(
    session: AsyncSession,
    cipher: Sealer,
    topic: str,
    jurisdiction_id: uuid.UUID,
    complaint_id: uuid.UUID | None,
    dedupe_key: str,
    public: dict[str, Any],
    secret: dict[str, Any],
    now: datetime,
) -> None:
    """One reply row; the same dedupe key twice is one reply."""
    row_id = uuid.uuid4()
    await outbox.enqueue(
        session,
        jurisdiction_id,
        topic,
        dedupe_key,
        {**public, **seal(cipher, row_id, secret)},
        complaint_id=complaint_id,
        available_at=now,
        row_id=row_id,
    )


async def enqueue_sms(
    session: AsyncSession,
    cipher: Sealer,
    jurisdiction_id: uuid.UUID,
    complaint_id: uuid.UUID | None,
    phone: str,
    text: str,
    dedupe_key: str,
    now: datetime,
) -> None:
    """An SMS to one number (a tracking id, a status, an answer to CEK)."""
    await enqueue(
        session,
        cipher,
        SMS_TOPIC,
        jurisdiction_id,
        complaint_id,
        dedupe_key,
        {},
        {"to": phone, "text": text},
        now,
    )


def reply_subscriber(settings: Settings, cipher: Sealer) -> Subscriber:
    """Answer SMS and social media reporters on every status change, through their door.

    The reporter's phone or account is read (and the read logged) only once a reply is certain
    to go out, and only that one field.
    """
    base = settings.public_base_url.rstrip("/")

    async def on_event(session: AsyncSession, notice: EventNotice, now: datetime) -> None:
        c = await readmodel.facts(session, notice.complaint_id)
        if c is None or c.channel not in ("sms_1708", "social_media"):
            return
        detail = dict(c.channel_detail or {})
        if detail.get("contact_consent") is False:
            return
        link = f"{base}/lacak/{c.tracking_id}"  # the tracking page (app/pages)
        text = event_message(notice.type, notice.data, c.tracking_id, link)
        if text is None:
            return
        key = f"reply:{notice.complaint_id}:{notice.seq}"
        if c.channel == "sms_1708":
            contact = await read_identity(session, cipher, c, SMS_REPLY, ("phone",)) or {}
            if contact.get("phone"):
                phone = contact["phone"]
                await enqueue_sms(session, cipher, c.jurisdiction_id, c.id, phone, text, key, now)
            return
        reply, account_id = detail.get("reply"), detail.get("account_id")
        if not reply or not account_id:
            return
        account = await accounts.get_account(session, cipher, uuid.UUID(account_id))
        if account is None or not account.access_token:
            return
        actor = X_REPLY if detail.get("platform") == "x" else META_REPLY
        contact = await read_identity(session, cipher, c, actor, ("social_id",)) or {}
        social_id = str(contact.get("social_id", ""))
        if ":" not in social_id:
            return
        await enqueue(
            session,
            cipher,
            SOCIAL_TOPIC,
            c.jurisdiction_id,
            c.id,
            key,
            {"platform": detail.get("platform"), "kind": reply.get("kind")},
            {
                "reply": reply,
                "to": social_id.split(":", 1)[1],
                "token": account.access_token,
                "text": text,
            },
            now,
        )

    return on_event
