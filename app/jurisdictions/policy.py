"""SLA policy versions as plain values, and the default of DOMAIN.md."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from app.calendar.workdays import DeadlineUnit


@dataclass(frozen=True)
class Policy:
    id: uuid.UUID
    version: int
    effective_from: date
    unit: DeadlineUnit
    information_days: int
    non_field_days: int
    field_inspection_days: int
    verification_days: int
    needs_info_days: int
    auto_close_days: int

    def days_for(self, complaint_type: str) -> int:
        """The response deadline, in `unit`, for a complaint type (Pasal 6 ayat 3)."""
        return {
            "information": self.information_days,
            "non_field": self.non_field_days,
            "field_inspection": self.field_inspection_days,
        }[complaint_type]


# Working days, 5/14/60, verification within 3, 10 to supply missing information, auto-close
# 10 after the answer: the published regional service standards (see DOMAIN.md).
DEFAULT_POLICY_VALUES: dict[str, int | str] = {
    "unit": "working_days",
    "information_days": 5,
    "non_field_days": 14,
    "field_inspection_days": 60,
    "verification_days": 3,
    "needs_info_days": 10,
    "auto_close_days": 10,
}


class Versioned(Protocol):
    @property
    def effective_from(self) -> date: ...
    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=Versioned)


def policy_in_force(policies: list[V], on: date) -> V:
    """The newest version effective on `on` (the earliest one if `on` predates them all).

    Any versioned policy (the complaint SLA, the Ombudsman deadlines) is chosen by this rule."""
    candidates = [p for p in policies if p.effective_from <= on]
    if not candidates:
        return min(policies, key=lambda p: (p.effective_from, p.version))
    return max(candidates, key=lambda p: (p.effective_from, p.version))
