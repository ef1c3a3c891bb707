"""Channel accounts: which jurisdiction an unsigned-by-us provider request belongs to.

A webhook is matched to an account by what only the account's secret can produce: a valid
signature over the raw request, or a per-gateway shared secret. The body is never trusted to say
who it is for. With one account per jurisdiction and provider, trying each is a handful of HMACs.
"""

import hashlib
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.channels.models import PROVIDERS, ChannelAccount
from app.kernel.errors import Invalid, NotFound
from app.kernel.security import CHANNEL_GATEWAY, Principal
from app.privacy.crypto import Sealed, Sealer


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    jurisdiction_id: uuid.UUID
    provider: str
    name: str
    signing_secret: str | None
    access_token: str | None

    @property
    def principal(self) -> Principal:
        """The account as the caller of record: complaints it brings are 'submitted by' it."""
        return Principal(
            id=self.id,
            kind="channel",
            role=CHANNEL_GATEWAY,
            jurisdiction_id=self.jurisdiction_id,
            agency_id=None,
            name=self.name,
        )


def sha256_hex(value: str) -> str:
    """How gateway secrets and verify tokens are kept: only ever compared, never used."""
    return hashlib.sha256(value.encode()).hexdigest()


async def create_account(
    session: AsyncSession,
    cipher: Sealer,
    jurisdiction_id: uuid.UUID,
    provider: str,
    name: str,
    *,
    shared_secret: str | None = None,
    signing_secret: str | None = None,
    verify_token: str | None = None,
    access_token: str | None = None,
) -> uuid.UUID:
    """Register a provider account of a jurisdiction; secrets are hashed or encrypted here."""
    if provider not in PROVIDERS:
        raise Invalid.field("provider", f"provider must be one of {', '.join(PROVIDERS)}")
    if shared_secret is not None and len(shared_secret) < 24:
        raise Invalid.field("shared_secret", "A gateway secret needs at least 24 characters.")
    account = ChannelAccount(
        id=uuid.uuid4(),
        jurisdiction_id=jurisdiction_id,
        provider=provider,
        name=name,
        secret_hash=sha256_hex(shared_secret) if shared_secret else None,
        verify_token_hash=sha256_hex(verify_token) if verify_token else None,
    )
    secrets = {"signing_secret": signing_secret, "access_token": access_token}
    if any(secrets.values()):
        account.key_id, account.secrets_ciphertext = cipher.seal(
            Sealed.CHANNEL_SECRETS, secrets, account.id
        )
    session.add(account)
    await session.flush()
    return account.id


def _with_secrets(cipher: Sealer, row: ChannelAccount) -> Account:
    secrets: dict[str, Any] = {}
    if row.key_id and row.secrets_ciphertext:
        secrets = cipher.open(Sealed.CHANNEL_SECRETS, row.key_id, row.secrets_ciphertext, row.id)
    return Account(
        id=row.id,
        jurisdiction_id=row.jurisdiction_id,
        provider=row.provider,
        name=row.name,
        signing_secret=secrets.get("signing_secret"),
        access_token=secrets.get("access_token"),
    )


async def accounts_of(
    session: AsyncSession, cipher: Sealer, provider: str, account_id: uuid.UUID | None
) -> list[Account]:
    """Active accounts of a provider (just one when the webhook URL names it)."""
    query = select(ChannelAccount).where(ChannelAccount.provider == provider, ChannelAccount.active)
    if account_id is not None:
        query = query.where(ChannelAccount.id == account_id)
    return [_with_secrets(cipher, row) for row in (await session.scalars(query)).all()]


async def get_account(
    session: AsyncSession, cipher: Sealer, account_id: uuid.UUID
) -> Account | None:
    """One account with its secrets decrypted (the reply subscriber needs its access token)."""
    row = await session.get(ChannelAccount, account_id)
    return _with_secrets(cipher, row) if row is not None else None


def by_signature(accounts: list[Account], valid: Callable[[str], bool]) -> Account | None:
    """The account whose signing secret verifies the request, if any."""
    for account in accounts:
        if account.signing_secret and valid(account.signing_secret):
            return account
    return None


async def by_shared_secret(
    session: AsyncSession, cipher: Sealer, provider: str, secret: str
) -> Account | None:
    """The gateway account holding this secret (stored as SHA-256, found by its index)."""
    row = await session.scalar(
        select(ChannelAccount).where(
            ChannelAccount.secret_hash == sha256_hex(secret),
            ChannelAccount.provider == provider,
            ChannelAccount.active,
        )
    )
    return _with_secrets(cipher, row) if row is not None else None


async def by_verify_token(
    session: AsyncSession, provider: str, token: str, account_id: uuid.UUID | None
) -> bool:
    """Whether a Meta subscription handshake's verify token belongs to one of our accounts."""
    hashes = (
        await session.scalars(
            select(ChannelAccount.verify_token_hash).where(
                ChannelAccount.provider == provider,
                ChannelAccount.active,
                ChannelAccount.verify_token_hash.is_not(None),
                *([ChannelAccount.id == account_id] if account_id else []),
            )
        )
    ).all()
    wanted = sha256_hex(token)
    return any(hmac.compare_digest(wanted, h) for h in hashes if h)


def single(accounts: list[Account]) -> Account:
    """The one account a request without a signature (X's CRC) can be for."""
    if not accounts:
        raise NotFound("No such channel account.", code="channel_account_not_found")
    if len(accounts) > 1:
        raise Invalid.field(
            "account", "Several accounts use this provider: add ?account=<id> to the URL."
        )
    return accounts[0]
