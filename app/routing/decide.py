"""Pure routing decisions: which rule claims a complaint, and who the current liaison is."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.classification.text import tokens
from app.routing.areas import contains


@dataclass(frozen=True)
class RuleSpec:
    id: uuid.UUID
    position: int
    name: str
    agency_id: uuid.UUID
    category_id: uuid.UUID | None = None
    region_prefix: str | None = None
    keywords: tuple[str, ...] = ()
    channel: str | None = None


@dataclass(frozen=True)
class Sample:
    text: str
    title: str | None = None
    category_id: uuid.UUID | None = None
    region_code: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class RuleCheck:
    rule: RuleSpec
    matched: bool
    conditions: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "rule_id": str(self.rule.id),
            "name": self.rule.name,
            "position": self.rule.position,
            "agency_id": str(self.rule.agency_id),
            "matched": self.matched,
            "conditions": self.conditions,
        }


def _keyword_hit(keywords: tuple[str, ...], words: list[str]) -> str | None:
    text = f" {' '.join(words)} "
    for keyword in keywords:
        phrase = " ".join(tokens(keyword))
        if phrase and f" {phrase} " in text:
            return keyword
    return None


def check(rule: RuleSpec, sample: Sample, words: list[str]) -> RuleCheck:
    """Every condition the rule sets, each with its outcome; all must hold to match."""
    conditions: list[dict[str, Any]] = []
    if rule.category_id is not None:
        ok = sample.category_id == rule.category_id
        conditions.append({"kind": "category", "expected": str(rule.category_id), "matched": ok})
    if rule.region_prefix is not None:
        ok = contains(rule.region_prefix, sample.region_code)
        conditions.append(
            {
                "kind": "region",
                "expected": rule.region_prefix,
                "actual": sample.region_code,
                "matched": ok,
            }
        )
    if rule.keywords:
        hit = _keyword_hit(rule.keywords, words)
        conditions.append(
            {"kind": "keywords", "expected": list(rule.keywords), "hit": hit, "matched": bool(hit)}
        )
    if rule.channel is not None:
        ok = sample.channel == rule.channel
        conditions.append(
            {"kind": "channel", "expected": rule.channel, "actual": sample.channel, "matched": ok}
        )
    matched = bool(conditions) and all(c["matched"] for c in conditions)
    return RuleCheck(rule, matched, conditions)


def evaluate(rules: list[RuleSpec], sample: Sample) -> tuple[RuleCheck | None, list[RuleCheck]]:
    """Check every rule in order; the first that matches wins (all are reported for `test`)."""
    words = tokens(f"{sample.title or ''} {sample.text}")
    checks = [check(rule, sample, words) for rule in sorted(rules, key=lambda r: r.position)]
    winner = next((c for c in checks if c.matched), None)
    return winner, checks


@dataclass(frozen=True)
class Appointment:
    id: uuid.UUID
    role: str  # "primary" or "deputy"
    valid_from: date
    valid_to: date | None


def is_valid(a: Appointment, day: date) -> bool:
    """Valid on `day`, both bounds inclusive; no end date means until revoked."""
    return a.valid_from <= day and (a.valid_to is None or day <= a.valid_to)


def current_liaison(appointments: list[Appointment], day: date) -> Appointment | None:
    """The primary valid on `day`, else the longest-serving valid deputy, else nobody."""
    valid = [a for a in appointments if is_valid(a, day)]
    primaries = [a for a in valid if a.role == "primary"]
    deputies = sorted((a for a in valid if a.role == "deputy"), key=lambda a: a.valid_from)
    if primaries:
        return max(primaries, key=lambda a: a.valid_from)
    return deputies[0] if deputies else None
