"""The complaint lifecycle as one pure table: which action is legal from which status.

Nothing here touches the database; the service asks `next_status` and appends the events named
here. Keeping it pure lets a Hypothesis state machine check it exhaustively.
"""

from dataclasses import dataclass
from typing import Literal

from app.complaints.vocabulary import EventType, Status

Action = Literal[
    "verify",
    "request_info",
    "supply_info",
    "archive",
    "dispatch",
    "acknowledge",
    "transfer",
    "respond",
    "feedback_satisfied",
    "feedback_unsatisfied",
    "extend",
    "expire_info",
    "auto_close",
]

# The statuses from which the agency's clock is running (verified and not yet answered).
CLOCK_RUNNING: frozenset[Status] = frozenset({"verified", "dispatched", "in_progress"})
FINAL: frozenset[Status] = frozenset({"closed", "archived"})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: stays where it is; "resume": back to the status before needs_info
    event: EventType


TRANSITIONS: dict[str, Transition] = {
    "verify": Transition(frozenset({"received"}), "verified", "verified"),
    "request_info": Transition(
        frozenset({"received", "verified", "dispatched", "in_progress"}), "needs_info", "needs_info"
    ),
    "supply_info": Transition(frozenset({"needs_info"}), "resume", "info_supplied"),
    "archive": Transition(
        frozenset({"received", "needs_info", "verified"}), "archived", "archived"
    ),
    "dispatch": Transition(frozenset({"verified", "dispatched"}), "dispatched", "dispatched"),
    "acknowledge": Transition(frozenset({"dispatched"}), "in_progress", "acknowledged"),
    "transfer": Transition(frozenset({"dispatched", "in_progress"}), "dispatched", "transferred"),
    "respond": Transition(frozenset({"dispatched", "in_progress"}), "responded", "responded"),
    "feedback_satisfied": Transition(frozenset({"responded"}), "closed", "closed"),
    "feedback_unsatisfied": Transition(frozenset({"responded"}), "in_progress", "reopened"),
    "extend": Transition(
        frozenset({"verified", "dispatched", "in_progress", "needs_info"}),
        None,
        "deadline_extended",
    ),
    "expire_info": Transition(frozenset({"needs_info"}), "archived", "archived"),
    "auto_close": Transition(frozenset({"responded"}), "closed", "closed"),
}


class IllegalTransition(Exception):
    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} a complaint that is {status}")
        self.action = action
        self.status = status


def next_status(action: str, status: str, resume_status: str | None = None) -> str:
    """The status after `action`, or IllegalTransition when the table forbids it."""
    rule = TRANSITIONS[action]
    if status not in rule.sources:
        raise IllegalTransition(action, status)
    if rule.target is None:
        return status
    if rule.target == "resume":
        if resume_status is None:
            raise IllegalTransition(action, status)
        return resume_status
    return rule.target


def allowed_actions(status: str) -> list[str]:
    """What can be done next; shown to clients so they need not copy this table."""
    return [name for name, rule in TRANSITIONS.items() if status in rule.sources]
