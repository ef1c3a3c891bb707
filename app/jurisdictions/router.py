"""HTTP edge of the SLA policy versions (API.md: `/v1/policies`)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse

from app.jurisdictions import policies
from app.jurisdictions.schemas import PolicyIn, PolicyList, PolicyOut
from app.kernel.deps import DB, Now
from app.kernel.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, responses
from app.kernel.idempotency import create_once
from app.kernel.security import ADMIN, STAFF, Allow, Principal

router = APIRouter(prefix="/v1/policies", tags=["policies"])

# Staff read: the deadline endpoint already gives them each policy's days, and a liaison or an
# operator explaining a deadline needs the version behind it. Machines do not.
Staff = Annotated[Principal, Depends(Allow(*STAFF))]
Admin = Annotated[Principal, Depends(Allow(ADMIN))]
AUTH = (Unauthorized, Forbidden)


@router.get("", response_model=PolicyList, responses=responses(*AUTH))
async def list_policies(principal: Staff, db: DB, now: Now) -> PolicyList:
    """Every version of the jurisdiction's SLA policy; `in_force` marks today's."""
    return await policies.list_policies(db, principal.jurisdiction_id, now)


@router.get("/{policy_id}", response_model=PolicyOut, responses=responses(*AUTH, NotFound))
async def get_policy(policy_id: uuid.UUID, principal: Staff, db: DB, now: Now) -> PolicyOut:
    """One version (complaints name theirs in `policy.id`)."""
    return await policies.get_policy(db, principal.jurisdiction_id, policy_id, now)


@router.post(
    "",
    status_code=201,
    response_model=PolicyOut,
    responses=responses(*AUTH, Conflict, Invalid),
)
async def create_policy(
    body: PolicyIn,
    principal: Admin,
    db: DB,
    now: Now,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    """A new version from `effective_from` (local date, not in the past; one per date).

    Complaints verified from that date get it; every complaint verified before keeps its own
    version and deadline. Recorded as a `policy_created` jurisdiction event.
    """
    return await create_once(
        db,
        principal.id,
        idempotency_key,
        "policies",
        body,
        lambda: policies.create_policy(db, principal.jurisdiction_id, principal.actor, body, now),
    )
