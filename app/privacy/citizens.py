"""The citizen an Ombudsman case names: sealed like a reporter, every read in the access log.

The case row holds the ciphertext (bound to the case id, kind ombudsman_citizen); only this
module opens it, and each opening writes its identity_access_log row (with `ombudsman_case_id`)
in the caller's transaction, so no read goes unrecorded.
"""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.privacy.crypto import Sealed, Sealer
from app.privacy.identity import Reader, append_access


def seal(sealer: Sealer, citizen: dict[str, Any], case_id: uuid.UUID) -> tuple[str, bytes]:
    """(key id, ciphertext) of the citizen's identity, bound to the case."""
    return sealer.seal(Sealed.OMBUDSMAN_CITIZEN, citizen, case_id)


async def read(
    session: AsyncSession,
    sealer: Sealer,
    reader: Reader,
    jurisdiction_id: uuid.UUID,
    case_id: uuid.UUID,
    sealed: tuple[str, bytes],
    action: str,
    purpose: str,
) -> dict[str, Any]:
    """Open the identity and log the read of the fields it held."""
    key_id, blob = sealed
    identity = sealer._open(Sealed.OMBUDSMAN_CITIZEN, key_id, blob, case_id)
    await record(session, reader, jurisdiction_id, case_id, action, purpose, sorted(identity))
    return identity


async def record(
    session: AsyncSession,
    reader: Reader,
    jurisdiction_id: uuid.UUID,
    case_id: uuid.UUID,
    action: str,
    purpose: str,
    fields: list[str],
) -> None:
    """One access-log row about a case's citizen; `fields` empty when none was disclosed (an
    export that withheld the identity is on record too)."""
    await append_access(
        session, reader, jurisdiction_id, action, purpose, fields, ombudsman_case_id=case_id
    )
