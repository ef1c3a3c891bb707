"""Who may take each lifecycle action: the one table the routes enforce (`allow`) and the
complaint's `allowed_actions` shows (`allowed_for`), so what a caller is offered cannot drift
from what it may do. Which complaint a caller sees is `access.visible_to`; which status an
action needs is the lifecycle table."""

from app.complaints.lifecycle import allowed_actions
from app.kernel.security import ADMIN, CHANNEL_GATEWAY, CITIZEN_APP, LIAISON, OPERATOR, Allow

# The reporter's own door: the app, the operator who took the call, the SMS gateway.
REPORTERS = frozenset({CITIZEN_APP, OPERATOR, CHANNEL_GATEWAY})
_NOBODY: frozenset[str] = frozenset()  # done by the worker's timers, never by a caller

ACTION_ROLES: dict[str, frozenset[str]] = {
    "verify": frozenset({ADMIN}),
    "request_info": frozenset({ADMIN, LIAISON}),
    "supply_info": REPORTERS,
    "archive": frozenset({ADMIN}),
    "dispatch": frozenset({ADMIN}),
    "acknowledge": frozenset({LIAISON}),
    "transfer": frozenset({ADMIN, LIAISON}),  # a liaison's is a request to the admins
    "respond": frozenset({ADMIN, LIAISON}),
    "feedback_satisfied": REPORTERS,
    "feedback_unsatisfied": REPORTERS,
    "extend": frozenset({ADMIN}),
    "expire_info": _NOBODY,
    "auto_close": _NOBODY,
}

# Actions that also need a running deadline (a complaint verified at some point).
NEEDS_DEADLINE: frozenset[str] = frozenset({"extend"})


def allow(*actions: str) -> Allow:
    """The route permission for an endpoint that takes `actions` (feedback takes two)."""
    roles = frozenset.intersection(*(ACTION_ROLES[a] for a in actions))
    return Allow(*sorted(roles))


def allowed_for(status: str, role: str, *, has_deadline: bool) -> list[str]:
    """What this caller can do next to a complaint it sees in `status`."""
    return [
        a
        for a in allowed_actions(status)
        if role in ACTION_ROLES[a] and (has_deadline or a not in NEEDS_DEADLINE)
    ]
