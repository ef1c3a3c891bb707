"""Which complaints a caller may see (a SQL condition, enforced in the query, not after), and
which links between complaints it may see."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, false

from app.complaints.models import Complaint
from app.kernel.security import ADMIN, AGENCY_SYSTEM, LIAISON, SUPERVISOR, Principal

JURISDICTION_WIDE = frozenset({ADMIN, SUPERVISOR})
AGENCY_BOUND = frozenset({LIAISON, AGENCY_SYSTEM})


def visibility(principal: Principal) -> tuple[str, dict[str, Any]]:
    """Admins and supervisors: the jurisdiction; liaisons: their agency; others: their own.

    The rule as the name of its condition in `CONDITIONS` and the values of its parameters."""
    params: dict[str, Any] = {"visible_jurisdiction": principal.jurisdiction_id}
    if principal.role in JURISDICTION_WIDE:
        return "jurisdiction", params
    if principal.role in AGENCY_BOUND:
        if principal.agency_id is None:
            return "nothing", params
        return "agency", params | {"visible_agency": principal.agency_id}
    return "own", params | {"visible_principal": principal.id}


def _condition(kind: str, value: Callable[[str], Any]) -> ColumnElement[bool]:
    """The condition named by `visibility`, its values given by `value` (a parameter's name)."""
    same_jurisdiction: ColumnElement[bool] = Complaint.jurisdiction_id == value(
        "visible_jurisdiction"
    )
    if kind == "jurisdiction":
        return same_jurisdiction
    if kind == "nothing":
        return and_(same_jurisdiction, false())
    if kind == "agency":
        return and_(same_jurisdiction, Complaint.agency_id == value("visible_agency"))
    return and_(same_jurisdiction, Complaint.submitted_by == value("visible_principal"))


# Built once with bound parameters, so a hot read can keep its whole statement built
# (`queries.get_visible`) and pass `visibility`'s values when it runs.
CONDITIONS = {
    kind: _condition(kind, bindparam) for kind in ("jurisdiction", "nothing", "agency", "own")
}


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """The rule of `visibility` as a SQL condition with its values in it."""
    kind, params = visibility(principal)
    return _condition(kind, params.__getitem__)


# Links between complaints: `possible_duplicate_of` (found at intake by the reporter's NIK, phone,
# e-mail or social account hash) and `duplicate_of` (an admin's archive decision). Either says
# "the same reporter as that complaint", so it is identity: a liaison who sees the named reporter
# of one would learn who the anonymous reporter of the other is, and an app would get an id it
# may not open. Only admins see them (they see the whole jurisdiction, so both ends, and they are
# the ones who archive duplicates); every read of a complaint or its events goes through here.
LINK_FIELDS = frozenset({"possible_duplicate_of", "duplicate_of"})


def sees_links(principal: Principal) -> bool:
    return principal.role == ADMIN


def event_data_for(principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """An event's data as `principal` may read it: without links to other complaints."""
    if sees_links(principal):
        return data
    return {k: v for k, v in data.items() if k not in LINK_FIELDS}
