"""Who may see a reporter's identity on a complaint's detail, and why: pure, no I/O.

The rule (DOMAIN.md, "shown only to those who need it"):
- an anonymous reporter's identity is never part of any read; only an admin's explicit reveal,
  with a reason, shows it;
- otherwise the admins see it (they verify and may need to call back), the liaison of the agency
  the complaint is with (they follow it up and may need to contact the reporter), and the person
  or app that took the complaint in (they already hold it);
- supervisors (oversight needs numbers and handling, not people), agency systems, the hub and
  gateways that did not take the complaint in never see it.
"""

import uuid
from dataclasses import dataclass

from app.kernel.security import ADMIN, CHANNEL_GATEWAY, CITIZEN_APP, LIAISON, OPERATOR, Principal

SUBMITTER_ROLES = frozenset({OPERATOR, CITIZEN_APP, CHANNEL_GATEWAY})


@dataclass(frozen=True)
class ComplaintFacts:
    anonymous: bool
    agency_id: uuid.UUID | None
    submitted_by: uuid.UUID | None


def detail_purpose(principal: Principal, facts: ComplaintFacts) -> str | None:
    """The logged purpose when `principal` may see the identity on the detail, else None."""
    if facts.anonymous:
        return None
    if principal.role == ADMIN:
        return "complaint administration"
    if (
        principal.role == LIAISON
        and principal.agency_id is not None
        and principal.agency_id == facts.agency_id
    ):
        return "follow-up by the responsible agency"
    if principal.role in SUBMITTER_ROLES and facts.submitted_by == principal.id:
        return "submitter of the complaint"
    return None
