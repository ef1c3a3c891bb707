"""Who is told what, by e-mail: an event subscriber that writes one outbox row per recipient.

Runs inside the worker's fan-out transaction. Each row's dedupe key is the complaint, the
event's seq and the address, so a fan-out replayed after a crash writes nothing twice; the
`email` sender then delivers each row on its own, with retries.
"""

from datetime import datetime
from email.message import EmailMessage
from typing import Any

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.complaints import readmodel
from app.complaints.fanout import EventNotice
from app.complaints.vocabulary import EventType
from app.jurisdictions.service import load_context
from app.kernel.config import Settings
from app.outbox.engine import Message, Outcome, Sender
from app.outbox.service import NewMessage, enqueue_many
from app.routing.models import Agency
from app.routing.service import current_liaisons

EMAIL_TOPIC = "email"
# The events someone must hear about by e-mail.
_MAILED: frozenset[EventType] = frozenset(
    {"dispatched", "transferred", "due_soon", "escalated", "transfer_requested"}
)


async def _enqueue(
    session: AsyncSession, notice: EventNotice, to: list[str], subject: str, body: str
) -> None:
    await enqueue_many(
        session,
        [
            NewMessage(
                EMAIL_TOPIC,
                f"email:{notice.complaint_id}:{notice.seq}:{address}"[:200],
                {"to": address, "subject": subject, "body": body},
                notice.jurisdiction_id,
                notice.complaint_id,
                notice.seq,
                available_at=notice.occurred_at,
            )
            for address in dict.fromkeys(to)  # one row per distinct address, in order
        ],
    )


def _summary(c: readmodel.ComplaintFacts) -> str:
    # The agency needs what to act on, never the reporter's identity (kept apart, encrypted).
    lines = [f"Nomor: {c.tracking_id}", f"Status: {c.status}"]
    if c.due_at is not None:
        lines.append(f"Batas waktu: {c.due_at.isoformat()}")
    if c.address:
        lines.append(f"Lokasi: {c.address} ({c.region_code or '-'})")
    if not c.confidential:
        lines += ["", c.text[:2000]]
    return "\n".join(lines)


async def notify(session: AsyncSession, notice: EventNotice, now: datetime) -> None:
    """Turn the events people must hear about into e-mails."""
    kind, data = notice.type, notice.data
    if kind not in _MAILED:
        return
    c = await readmodel.facts(session, notice.complaint_id)
    if c is None:
        return
    summary = _summary(c)
    admins = (
        await accounts.emails_of(session, notice.jurisdiction_id, "admin")
        if kind == "transfer_requested"
        or data.get("no_valid_liaison")
        or data.get("reason") == "verification_overdue"
        else []
    )
    if kind in {"dispatched", "transferred"}:
        liaison: dict[str, Any] | None = data.get("liaison")
        if liaison and liaison.get("email"):
            await _enqueue(
                session,
                notice,
                [liaison["email"]],
                f"[LAPOR] Pengaduan {c.tracking_id} untuk {data.get('agency_name')}",
                f"Yth. {liaison['name']},\n\nPengaduan berikut diteruskan ke instansi Anda.\n"
                f"Alasan: {data.get('reason')}\n\n{summary}",
            )
        if data.get("no_valid_liaison"):
            await _enqueue(
                session,
                notice,
                admins,
                f"[LAPOR] {data.get('agency_name')} tidak punya pejabat penghubung yang berlaku",
                f"Pengaduan {c.tracking_id} diteruskan ke {data.get('agency_name')}, tetapi "
                f"tidak ada pejabat penghubung yang berlaku pada {data.get('liaison_date')}."
                f"\n\n{summary}",
            )
    elif kind == "due_soon" and c.agency_id is not None:
        ctx = await load_context(session, notice.jurisdiction_id)
        day = ctx.calendar.local_date(notice.occurred_at)
        current = (await current_liaisons(session, [c.agency_id], day)).get(c.agency_id)
        if current is not None and current.email:
            await _enqueue(
                session,
                notice,
                [current.email],
                f"[LAPOR] Pengingat: {c.tracking_id} jatuh tempo {data.get('due_at')}",
                f"Yth. {current.name},\n\nBatas waktu tindak lanjut sudah dekat.\n\n{summary}",
            )
    elif kind == "escalated" and data.get("reason") == "verification_overdue":
        await _enqueue(
            session,
            notice,
            admins,
            f"[LAPOR] Verifikasi terlambat: {c.tracking_id}",
            f"Pengaduan belum diverifikasi sampai {data.get('due_at')}.\n\n{summary}",
        )
    elif kind == "escalated":
        to = await accounts.emails_of(session, notice.jurisdiction_id, "supervisor")
        agency = await session.get(Agency, c.agency_id) if c.agency_id else None
        if agency is not None and agency.head_email:
            to.append(agency.head_email)
        await _enqueue(
            session,
            notice,
            to,
            f"[LAPOR] Eskalasi (tingkat {data.get('level')}): {c.tracking_id} melewati batas waktu",
            f"Instansi: {agency.name if agency else '-'}\n"
            f"Batas waktu: {data.get('due_at')}\n\n{summary}",
        )
    elif kind == "transfer_requested":
        await _enqueue(
            session,
            notice,
            admins,
            f"[LAPOR] Permohonan pelimpahan {c.tracking_id} (bukan wewenang)",
            f"Pejabat penghubung meminta pelimpahan ke {data.get('agency_name')}.\n"
            f"Alasan: {data.get('reason')}\n\n{summary}",
        )


_ADMIN_SUBJECTS = {
    "webhook_endpoint_disabled": "[LAPOR] Webhook dinonaktifkan: {url}",
}


async def admin_notice(session: AsyncSession, row: Message) -> None:
    """The `admin_notice` topic's handler: one e-mail row per admin of the jurisdiction."""
    payload: dict[str, Any] = row.payload
    kind = str(payload.get("kind", "notice"))
    subject = _ADMIN_SUBJECTS.get(kind, "[LAPOR] Pemberitahuan: {kind}").format_map(
        {"kind": kind, **{k: str(v) for k, v in payload.items()}}
    )
    body = "\n".join(f"{k}: {v}" for k, v in payload.items())
    assert row.jurisdiction_id is not None  # a notice is always some jurisdiction's
    admins = await accounts.emails_of(session, row.jurisdiction_id, "admin")
    # Keyed by the notice row: a handler replayed after a crash writes nothing twice.
    await enqueue_many(
        session,
        [
            NewMessage(
                EMAIL_TOPIC,
                f"email:admin_notice:{row.id}:{address}"[:200],
                {"to": address, "subject": subject[:300], "body": body},
                row.jurisdiction_id,
                available_at=row.now,
            )
            for address in dict.fromkeys(admins)
        ],
    )


def email_sender(settings: Settings) -> Sender:
    """The `email` topic's sender: one SMTP submission per outbox row."""

    async def send(row: Message) -> Outcome:
        payload = row.payload
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = payload["to"]
        message["Subject"] = payload["subject"]
        # Derived from the row id: a resend after a lost lease carries the same Message-ID,
        # so a receiving server or client can drop the copy.
        message["Message-ID"] = f"<{row.id}@lapor-desk>"
        message.set_content(payload["body"])
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value()
                if settings.smtp_password
                else None,
                start_tls=settings.smtp_starttls,
                timeout=settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Outcome(done=False, dead=True, error=f"recipient refused: {exc}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Outcome(done=False, error=f"{type(exc).__name__}: {exc}")
        return Outcome(done=True)

    return send
