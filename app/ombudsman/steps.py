"""The pure core of an Ombudsman case: which stage follows, when a step is due, when it reminds
and escalates, and who may do what. No database, no clock of its own."""

from datetime import date, datetime
from typing import Literal

from app.calendar.workdays import WorkCalendar
from app.complaints.clock import due_soon_at
from app.kernel.errors import Conflict
from app.ombudsman.policy import OmbudsmanPolicy, StepClock

Stage = Literal["examination", "corrective_action", "recommendation", "closed"]
Conclusion = Literal[
    "maladministration_found", "maladministration_not_found", "examination_stopped"
]
MeetingKind = Literal["clarification", "conciliation", "mediation"]
TimerKind = Literal["reminder", "escalation"]

# Who is told when a step's deadline passes (Klaten Pasal 8: the agency head; the Inspektorat
# and the Sekda oversee the Pemda's follow-up of the Ombudsman's findings).
ESCALATE_TO = ("agency_head", "inspektorat", "sekda")


class StageConflict(Conflict):
    code = "illegal_stage"


# The steps each stage takes in; a closed case takes none.
_OPENS: dict[str, frozenset[str]] = {
    "examination": frozenset({"clarification", "meeting", "lahp"}),
    "corrective_action": frozenset({"corrective_action", "recommendation", "meeting"}),
    "recommendation": frozenset({"recommendation_report", "meeting"}),
    "closed": frozenset(),
}


def require(stage: str, action: str) -> None:
    """409 when `action` is not open in `stage`."""
    if action not in _OPENS[stage]:
        raise StageConflict(f"A case in stage '{stage}' does not take '{action}'.")


def stage_after_lahp(conclusion: str, actions: int) -> Stage:
    """Maladministration found with corrective actions: carry them out; else the case ends."""
    if conclusion == "maladministration_found" and actions:
        return "corrective_action"
    return "closed"


def stage_after_step(stage: str, open_actions: int, open_recommendations: int) -> Stage:
    """Once the last corrective action and the last recommendation are done, the case closes."""
    if stage == "closed":
        return "closed"
    if open_recommendations:
        return "recommendation"
    if open_actions:
        return "corrective_action"
    return "closed"


def due_at(
    cal: WorkCalendar,
    policy: OmbudsmanPolicy,
    step: StepClock,
    received_at: datetime,
    due_date: date | None,
) -> datetime:
    """The end of the letter's own due date, or of the policy's days after receipt, local."""
    if due_date is not None:
        return cal.end_of_local_day(due_date)
    days, unit = policy.clock(step)
    return cal.add_days(received_at, days, unit)


def timers(cal: WorkCalendar, due: datetime) -> list[tuple[TimerKind, datetime]]:
    """The reminder (08:00 on the last working day before, as complaints) and the escalation
    (the deadline itself); each fires once."""
    return [("reminder", due_soon_at(due, cal)), ("escalation", due)]


def could_fire(
    kind: str, due: datetime, step_kind: str, state: str, current_due: datetime | None, stage: str
) -> bool:
    """A timer acts only while its step is open with the deadline it was computed for, and its
    case still waits on it (a clarification ends with the examination, at the LAHP)."""
    if kind not in ("reminder", "escalation") or state != "open" or current_due != due:
        return False
    if step_kind == "clarification":
        return stage == "examination"
    return stage != "closed"


def on_time(done_at: datetime | None, due: datetime | None) -> bool | None:
    """Whether a step ended by its deadline; None while it is open or has none."""
    if done_at is None or due is None:
        return None
    return done_at <= due
