"""Which complaints a caller may see, as a SQL condition: enforced in the query, not after."""

from sqlalchemy import ColumnElement, and_, false

from app.complaints.models import Complaint
from app.security import ADMIN, AGENCY_SYSTEM, LIAISON, SUPERVISOR, Principal

JURISDICTION_WIDE = frozenset({ADMIN, SUPERVISOR})
AGENCY_BOUND = frozenset({LIAISON, AGENCY_SYSTEM})


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """Admins and supervisors: the jurisdiction; liaisons: their agency; others: their own."""
    same_jurisdiction = Complaint.jurisdiction_id == principal.jurisdiction_id
    if principal.role in JURISDICTION_WIDE:
        return same_jurisdiction
    if principal.role in AGENCY_BOUND:
        if principal.agency_id is None:
            return and_(same_jurisdiction, false())
        return and_(same_jurisdiction, Complaint.agency_id == principal.agency_id)
    return and_(same_jurisdiction, Complaint.submitted_by == principal.id)
