"""The Ombudsman deadlines as plain values, the built-in default, and its legal sources.

A jurisdiction adds versions (`/v1/ombudsman-policies`) the way it adds SLA versions; a case
keeps the version in force on the day its letter was received. With no version of its own a
jurisdiction runs on DEFAULT (version 0).
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.calendar.workdays import DeadlineUnit

StepClock = Literal["clarification", "corrective_action", "recommendation"]


@dataclass(frozen=True)
class OmbudsmanPolicy:
    id: uuid.UUID | None  # None: the built-in default
    version: int
    effective_from: date
    clarification_days: int
    clarification_unit: DeadlineUnit
    corrective_action_days: int
    corrective_action_unit: DeadlineUnit
    recommendation_days: int
    recommendation_unit: DeadlineUnit

    def clock(self, step: StepClock) -> tuple[int, DeadlineUnit]:
        """(days, unit) of a step's deadline."""
        days: int = getattr(self, f"{step}_days")
        unit: DeadlineUnit = getattr(self, f"{step}_unit")
        return days, unit


DEFAULT_LEGAL_BASIS = (
    "Recommendation: UU 37/2008 Pasal 38, 60 hari. Clarification and corrective action: "
    "defaults of this service, not verified against Peraturan Ombudsman No. 58/2023"
)

DEFAULT = OmbudsmanPolicy(
    id=None,
    version=0,
    effective_from=date(2000, 1, 1),
    # A clarification or data request: 14 days is the figure Ombudsman letters commonly give.
    # NOT VERIFIED against Peraturan Ombudsman No. 58/2023 (which replaced No. 26/2017); the
    # letter's own deadline (`due_date`) always wins over this default.
    clarification_days=14,
    clarification_unit="working_days",
    # A corrective action of the LAHP: 30 days. NOT VERIFIED either; the LAHP usually states
    # each action's own time limit, which `due_date` records.
    corrective_action_days=30,
    corrective_action_unit="calendar_days",
    # UU 37/2008 Pasal 38: the report on carrying out a recommendation is due within 60 days
    # ("hari", so calendar days) of receiving it.
    recommendation_days=60,
    recommendation_unit="calendar_days",
)
DAY_FIELDS = tuple(
    f"{s}_{p}"
    for s in ("clarification", "corrective_action", "recommendation")
    for p in ("days", "unit")
)
