"""Who sees which Ombudsman case: the one rule, for this package's routes and for others
(attachments). Managers and supervisors see the jurisdiction's cases; a liaison those of their
own agency (reported, or owning one of its steps); nobody else any."""

import uuid

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.kernel.security import ADMIN, LIAISON, OMBUDSMAN_LIAISON, SUPERVISOR, Principal
from app.ombudsman.models import OmbudsmanCase, OmbudsmanStep

MANAGERS = (ADMIN, OMBUDSMAN_LIAISON)
READERS = (*MANAGERS, SUPERVISOR, LIAISON)
# Who answers a step: the managers, and the liaison of the agency that owns it.
ANSWERERS = (*MANAGERS, LIAISON)


def visible(principal: Principal) -> ColumnElement[bool]:
    """The cases `principal` may see, as a WHERE clause on ombudsman_cases."""
    if principal.role not in READERS:
        return false()
    own = OmbudsmanCase.jurisdiction_id == principal.jurisdiction_id
    if principal.role != LIAISON:
        return own
    # Aliased: a query that already selects steps (a report) must not correlate this one away.
    owned = aliased(OmbudsmanStep)
    owns_step = exists().where(
        owned.case_id == OmbudsmanCase.id, owned.owner_agency_id == principal.agency_id
    )
    return and_(own, or_(OmbudsmanCase.agency_id == principal.agency_id, owns_step))


async def is_visible(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> bool:
    """Whether `principal` may see the case."""
    found = await session.scalar(
        select(OmbudsmanCase.id).where(OmbudsmanCase.id == case_id, visible(principal))
    )
    return found is not None
