"""The provider doors. Each authenticates its provider its own way before reading the body:
a signature over the raw bytes (Twilio, Meta, X), a per-gateway secret, or our API key.
These routes are `Public()` to our bearer scheme because providers cannot send it; the
signature check inside each handler is their authentication."""

import json
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field, ValidationError

from app.channels import accounts, signatures, sms, social, tasks
from app.channels.accounts import Account
from app.channels.bodies import field_details
from app.channels.sms_parse import JsonSmsIn, from_json, from_kannel, from_twilio
from app.channels.social_parse import parse_meta, parse_whatsapp, parse_x
from app.complaints.duplicates import DuplicateRule
from app.kernel.config import Settings
from app.kernel.deps import DB, Now
from app.kernel.errors import (
    AppError,
    BadRequest,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    responses,
)
from app.kernel.logging import get_logger
from app.kernel.security import CHANNEL_GATEWAY, Principal, Public, authenticate
from app.privacy.deps import Cipher

log = get_logger(__name__)

router = APIRouter(prefix="/v1/channels", tags=["channels"], dependencies=[Depends(Public())])

AccountHint = Annotated[
    uuid.UUID | None,
    Query(description="the channel account, when several of one provider share this URL"),
]


class SmsInboundOut(BaseModel):
    outcome: Literal["created", "existing", "part_stored", "status_query"]
    complaint_id: uuid.UUID | None = None
    tracking_id: str | None = None


class TakenOut(BaseModel):
    message_id: str
    complaint_id: uuid.UUID
    tracking_id: str
    existing: bool = Field(description="a redelivery: the complaint the message made before")


class SetAsideOut(BaseModel):
    message_id: str
    code: str = Field(description="why, e.g. text_too_long")
    fields: list[str] = Field(description="the fields that could not be taken as sent")


class WebhookOut(BaseModel):
    received: int = Field(description="messages that became (or already were) complaints")
    ignored: int = Field(description="receipts, echoes and other events set aside, logged")
    rejected: int = Field(
        0, description="messages that cannot become complaints (listed in `set_aside`), logged"
    )
    complaints: list[TakenOut]
    set_aside: list[SetAsideOut] = []


class CrcOut(BaseModel):
    response_token: str


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _rejected(provider: str, request: Request, exc: AppError) -> AppError:
    # Bad deliveries are logged (never their body: it may hold personal data) and answered 4xx.
    log.warning(
        "channel request rejected",
        extra={"provider": provider, "path": request.url.path, "code": exc.code},
    )
    return exc


def _bad_signature() -> Unauthorized:
    return Unauthorized("The request's signature does not verify.", code="invalid_signature")


async def _gateway(request: Request, db: DB, cipher: Cipher, query_secret: str | None) -> Principal:
    """A generic or Kannel gateway: its own secret (header or URL), or our API key."""
    secret = request.headers.get("x-channel-secret") or query_secret
    if secret:
        account = await accounts.by_shared_secret(db, cipher, "sms_gateway", secret)
        if account is None:
            raise Unauthorized("Unknown gateway secret.", code="invalid_gateway_secret")
        return account.principal
    principal = await authenticate(request)
    if principal.role != CHANNEL_GATEWAY:
        raise Forbidden("Only channel gateways deliver SMS.", code="role_forbidden")
    return principal


def _sms_answer(fmt: str, result: sms.SmsResult) -> Response:
    status = {"created": 201, "part_stored": 202}.get(result.outcome, 200)
    if fmt == "twilio":  # an empty TwiML answer: our reply goes by the outbox, not inline
        return Response("<Response/>", status_code=200, media_type="text/xml")
    if fmt == "kannel":  # Kannel sends a non-empty body back as an SMS; say nothing
        return PlainTextResponse("", status_code=200)
    out = SmsInboundOut(
        outcome=result.outcome,
        complaint_id=result.complaint_id,
        tracking_id=result.tracking_id,
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=status)


SMS_ERRORS = responses(BadRequest, Unauthorized, Forbidden, Invalid)


SMS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "status query answered, or a redelivery"},
    202: {"description": "a part stored until its message is complete"},
    **SMS_ERRORS,
}


@router.post("/sms/inbound", response_model=SmsInboundOut, status_code=201, responses=SMS_RESPONSES)
async def sms_inbound(
    request: Request, db: DB, cipher: Cipher, now: Now, account: AccountHint = None
) -> Response:
    """An SMS to 1708 from a JSON gateway, Kannel (form or query) or Twilio (signed form)."""
    settings = _settings(request)
    try:
        raw = await request.body()
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        twilio_sig = request.headers.get("x-twilio-signature")
        if twilio_sig is not None:
            fmt = "twilio"
            signed = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
            query = f"?{request.url.query}" if request.url.query else ""
            url = settings.public_base_url.rstrip("/") + request.url.path + query
            found = accounts.by_signature(
                await accounts.accounts_of(db, cipher, "twilio", account),
                lambda s: signatures.twilio_signature_valid(s, url, signed, twilio_sig),
            )
            if found is None:
                raise _bad_signature()
            principal, message = found.principal, from_twilio(dict(signed))
        elif ctype == "application/json":
            fmt = "json"
            principal = await _gateway(request, db, cipher, None)
            try:
                body = JsonSmsIn.model_validate_json(raw)
            except ValidationError as exc:
                if any(e["type"] == "json_invalid" for e in exc.errors()):
                    raise BadRequest("The body is not valid JSON.", code="malformed_json") from exc
                raise Invalid("Some fields are invalid.", details=field_details(exc)) from exc
            message = from_json(body)
        else:
            fmt = "kannel"
            params: dict[str, str] = dict(request.query_params)
            if ctype == "application/x-www-form-urlencoded":
                params |= dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
            principal = await _gateway(request, db, cipher, params.pop("key", None))
            message = from_kannel(params)
        result = await sms.receive(db, cipher, tasks.sms_config(settings), principal, message, now)
    except AppError as exc:
        raise _rejected("sms", request, exc) from None
    return _sms_answer(fmt, result)


@router.get("/sms/inbound", response_model=SmsInboundOut, status_code=201, responses=SMS_RESPONSES)
async def sms_inbound_query(
    request: Request, db: DB, cipher: Cipher, now: Now, account: AccountHint = None
) -> Response:
    """Kannel's get-url: the same as the POST, with the parameters in the query string."""
    return await sms_inbound(request, db, cipher, now, account)


async def _meta_verify(
    db: DB,
    provider: str,
    mode: str | None,
    token: str | None,
    challenge: str | None,
    account: uuid.UUID | None,
) -> PlainTextResponse:
    if mode != "subscribe" or not token or not challenge:
        raise Forbidden("Not a subscription handshake.", code="verification_failed")
    if not await accounts.by_verify_token(db, provider, token, account):
        raise Forbidden("The verify token does not match.", code="verification_failed")
    return PlainTextResponse(challenge)


async def _signed(
    request: Request,
    db: DB,
    cipher: Cipher,
    provider: str,
    header: str,
    account: uuid.UUID | None,
    verify: Any,
) -> tuple[Account, Any]:
    """The account whose secret signed the raw body, and the parsed JSON."""
    raw = await request.body()
    signature = request.headers.get(header)
    if not signature:
        raise Unauthorized(f"The {header} header is missing.", code="missing_signature")
    found = accounts.by_signature(
        await accounts.accounts_of(db, cipher, provider, account),
        lambda secret: verify(secret, raw, signature),
    )
    if found is None:
        raise _bad_signature()
    if not raw.strip():
        raise BadRequest("The body is empty.", code="empty_body")
    try:
        return found, json.loads(raw)
    except ValueError as exc:
        raise BadRequest("The body is not valid JSON.", code="malformed_json") from exc


async def _webhook(
    request: Request,
    db: DB,
    cipher: Cipher,
    now: datetime,
    provider: str,
    header: str,
    account: uuid.UUID | None,
    verify: Any,
    parse: Any,
) -> WebhookOut:
    try:
        found, body = await _signed(request, db, cipher, provider, header, account, verify)
        parsed = parse(body)
        result = await social.take_in_messages(
            db, cipher, found, parsed, DuplicateRule.from_settings(_settings(request)), now
        )
    except AppError as exc:
        raise _rejected(provider, request, exc) from None
    # 200 even when some messages were set aside: the providers redeliver anything else.
    return WebhookOut(
        received=len(result.taken),
        ignored=len(parsed.ignored),
        rejected=len(result.set_aside),
        complaints=[TakenOut(**t.__dict__) for t in result.taken],
        set_aside=[SetAsideOut(**a.__dict__) for a in result.set_aside],
    )


HANDSHAKE = responses(Forbidden, Invalid)
WEBHOOK = responses(BadRequest, Unauthorized, Invalid)
Mode = Annotated[str | None, Query(alias="hub.mode", max_length=20)]
Token = Annotated[str | None, Query(alias="hub.verify_token", max_length=200)]
Challenge = Annotated[str | None, Query(alias="hub.challenge", max_length=200)]


@router.get("/whatsapp/webhook", response_class=PlainTextResponse, responses=HANDSHAKE)
async def whatsapp_verify(
    db: DB,
    mode: Mode = None,
    token: Token = None,
    challenge: Challenge = None,
    account: AccountHint = None,
) -> PlainTextResponse:
    """Meta's subscription handshake: echo `hub.challenge` when the verify token is ours."""
    return await _meta_verify(db, "whatsapp", mode, token, challenge, account)


@router.post("/whatsapp/webhook", response_model=WebhookOut, responses=WEBHOOK)
async def whatsapp_webhook(
    request: Request, db: DB, cipher: Cipher, now: Now, account: AccountHint = None
) -> WebhookOut:
    """WhatsApp Cloud API events, verified by `X-Hub-Signature-256` over the raw body."""
    return await _webhook(
        request,
        db,
        cipher,
        now,
        "whatsapp",
        "x-hub-signature-256",
        account,
        signatures.meta_signature_valid,
        parse_whatsapp,
    )


@router.get("/meta/webhook", response_class=PlainTextResponse, responses=HANDSHAKE)
async def meta_verify(
    db: DB,
    mode: Mode = None,
    token: Token = None,
    challenge: Challenge = None,
    account: AccountHint = None,
) -> PlainTextResponse:
    """Meta's subscription handshake for Messenger and Instagram."""
    return await _meta_verify(db, "meta", mode, token, challenge, account)


@router.post("/meta/webhook", response_model=WebhookOut, responses=WEBHOOK)
async def meta_webhook(
    request: Request, db: DB, cipher: Cipher, now: Now, account: AccountHint = None
) -> WebhookOut:
    """Messenger and Instagram messages and comments, verified by `X-Hub-Signature-256`."""
    return await _webhook(
        request,
        db,
        cipher,
        now,
        "meta",
        "x-hub-signature-256",
        account,
        signatures.meta_signature_valid,
        parse_meta,
    )


@router.get("/x/webhook", response_model=CrcOut, responses=responses(Invalid, NotFound))
async def x_crc(
    db: DB,
    cipher: Cipher,
    crc_token: Annotated[str, Query(min_length=1, max_length=200)],
    account: AccountHint = None,
) -> CrcOut:
    """X's challenge-response check: the HMAC of `crc_token` with the consumer secret."""
    found = accounts.single(await accounts.accounts_of(db, cipher, "x", account))
    if not found.signing_secret:
        raise NotFound("The X account has no consumer secret.", code="channel_account_not_found")
    return CrcOut(response_token=signatures.x_signature(found.signing_secret, crc_token.encode()))


@router.post("/x/webhook", response_model=WebhookOut, responses=WEBHOOK)
async def x_webhook(
    request: Request, db: DB, cipher: Cipher, now: Now, account: AccountHint = None
) -> WebhookOut:
    """X mentions and direct messages, verified by `x-twitter-webhooks-signature`."""
    return await _webhook(
        request,
        db,
        cipher,
        now,
        "x",
        "x-twitter-webhooks-signature",
        account,
        signatures.x_signature_valid,
        parse_x,
    )
