"""The report's figures from counts: pure, so each formula has one definition and its own test.

The regulation's table (Lampiran, Tabel 2: 80 received, 14 archived, 2 in process, 7 waiting
for information, 2 not yet verified, 55 settled, 0 not settleable) states 93.2% and 71.25%:
- 93.2% = 55 / 59: settled of those eligible for follow-up, where eligible is everything
  received less what was archived and what still waits for the reporter's information;
- 71.25% = 57 / 80: complaints taken into follow-up (in process, answered, settled or not
  settleable) of all received. It is not "settled of received" (55 / 80 = 68.75%).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

# Ngawi's Renstra targets (Lampiran, Tabel 6): the share of complaints settled, per year.
REGULATION_TARGETS: dict[int, Decimal] = {
    2021: Decimal(93),
    2022: Decimal(94),
    2023: Decimal(95),
    2024: Decimal(96),
}

FORMULAS: dict[str, str] = {
    "settled_of_eligible": "settled / (received - archived - waiting_for_information)",
    "followed_up_of_received": ("(in_process + responded + settled + not_settleable) / received"),
    "settled_of_received": "settled / received",
    "not_settleable_of_eligible": (
        "not_settleable / (received - archived - waiting_for_information)"
    ),
    "on_time": "on_time / (on_time + late); on_time: answered (responded or closed) by due_at; "
    "late: answered after due_at, or overdue now without an answer",
    "satisfied": "satisfied / feedback (the latest feedback of each complaint)",
    "mean_rating": "mean of the latest rating (1-5) of each complaint with feedback",
    "working_days": "working days that began after the start's local date up to the end's "
    "local date, in the jurisdiction's calendar: verify from received_at to verified_at, "
    "acknowledge from verified_at to the first acknowledged_at, respond from verified_at to "
    "responded_at (the latest answer)",
}


def percent(numerator: int, denominator: int) -> float | None:
    """numerator / denominator in percent, two decimals; None when nothing to divide by."""
    if denominator <= 0:
        return None
    return round(100 * numerator / denominator, 2)


@dataclass(frozen=True)
class Share:
    name: str
    percent: float | None
    numerator: int
    denominator: int
    formula: str


def shares(c: Mapping[str, int]) -> list[Share]:
    """The regulation's shares of a summary's counts."""
    eligible = c["received"] - c["archived"] - c["waiting_for_information"]
    followed_up = c["in_process"] + c["responded"] + c["settled"] + c["not_settleable"]
    parts = {
        "settled_of_eligible": (c["settled"], eligible),
        "followed_up_of_received": (followed_up, c["received"]),
        "settled_of_received": (c["settled"], c["received"]),
        "not_settleable_of_eligible": (c["not_settleable"], eligible),
    }
    return [Share(k, percent(n, d), n, d, FORMULAS[k]) for k, (n, d) in parts.items()]


def target_for(year: int, stored: Mapping[int, Decimal]) -> tuple[Decimal, str]:
    """The jurisdiction's own target for `year`, else the regulation's (its last year onwards,
    its first year before), and where it came from."""
    if year in stored:
        return stored[year], "jurisdiction"
    years = sorted(REGULATION_TARGETS)
    nearest = min(max(year, years[0]), years[-1])
    return REGULATION_TARGETS[nearest], "regulation"


def percentile(histogram: Mapping[int, int], q: float) -> float | None:
    """PostgreSQL's percentile_cont(q) of the values a histogram counts ({value: how many}),
    exactly: the same two rows of the sorted values and the same interpolation between them."""
    rows = sum(histogram.values())
    if rows == 0:
        return None
    position = q * (rows - 1)
    first_row, second_row = math.floor(position), math.ceil(position)
    ranked: list[tuple[int, int]] = []  # (the last row holding a value, the value), in order
    seen = -1
    for value in sorted(histogram):
        seen += histogram[value]
        ranked.append((seen, value))
    first = next(v for last, v in ranked if last >= first_row)
    if second_row == first_row:
        return float(first)
    second = next(v for last, v in ranked if last >= second_row)
    return first + (position - first_row) * (second - first)
