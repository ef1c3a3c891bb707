"""The one routing decision: intake's suggestion, verify without an agency and the rule test.

In order: the admins' rules (the first that matches wins, explained condition by condition);
else the jurisdiction's learned model, if it is sure enough (its probability at or above the
jurisdiction's threshold); else, when the model is unsure, triage with its top candidates; and
with no model yet (too little history) the cold start: the category's default agency, else
triage.
"""

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.classification import service as classification
from app.classification import store
from app.classification.evaluation import effective_threshold
from app.classification.rules import Suggestion
from app.classification.text import normalize
from app.jurisdictions.service import JurisdictionContext
from app.routing import reference, regions_service
from app.routing.areas import AREA_LABEL, office_for
from app.routing.decide import Sample, evaluate

CANDIDATES = 3


@dataclass(frozen=True)
class Decision:
    outcome: str  # "rule", "model", "category_default" or "triage"
    agency: reference.AgencyRef | None
    reason: str
    region: dict[str, Any] | None
    rules: list[dict[str, Any]]
    rule_id: uuid.UUID | None = None
    probability: float | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    model_version: int | None = None
    threshold: float | None = None

    def summary(self) -> dict[str, Any]:
        """What the complaint keeps (its `routing`) and the suggestion shows."""
        return {
            "outcome": self.outcome,
            "agency_id": str(self.agency.id) if self.agency else None,
            "agency_code": self.agency.code if self.agency else None,
            "reason": self.reason,
            "rule_id": str(self.rule_id) if self.rule_id else None,
            "probability": self.probability,
            "threshold": self.threshold,
            "candidates": self.candidates,
            "cues": self.cues,
            "model_version": self.model_version,
            "region": self.region,
        }

    def as_event_data(self) -> dict[str, Any]:
        data = self.summary()
        data["routed_by"] = data.pop("outcome")
        del data["agency_id"], data["agency_code"]
        return data | {"rules_checked": self.rules}


def threshold_of(setting: float | None, loaded: store.Loaded | None) -> tuple[float, str]:
    """The probability below which the model abstains, and where it comes from."""
    recommended = None
    if loaded is not None:
        agency = loaded.evaluation.get("agency")
        if isinstance(agency, dict):
            recommended = agency.get("model", {}).get("recommended_threshold")
    return effective_threshold(setting, recommended)


async def _region(
    session: AsyncSession, ctx: JurisdictionContext, sample: Sample, address: str | None
) -> tuple[Sample, dict[str, Any] | None]:
    if sample.region_code is not None:
        return sample, {"code": sample.region_code, "from": "given"}
    if not address:
        return sample, None
    match = await regions_service.resolve_address(session, ctx.code, address)
    if match is None:
        return sample, None
    region = {
        "code": match.place.code,
        "name": match.place.name,
        "score": round(match.score, 1),
        "from": "address",
    }
    found = Sample(sample.text, sample.title, sample.category_id, match.place.code, sample.channel)
    return found, region


def _by_model(sample: Sample, ref: reference.Reference, loaded: store.Loaded) -> Decision | None:
    model = loaded.heads.get("agency")
    if model is None:
        return None
    words = normalize(f"{sample.title or ''} {sample.text}")
    ranked, cues = model.explain(words, sample.region_code, k=CANDIDATES + 2)
    first = ranked[0][0]
    office = office_for(ref.areas, sample.region_code)
    # The area label is the area office of the complaint's region (merged with that office's
    # own label, should the model still have one); with no such office it is nobody's.
    by_agency: dict[str, tuple[float, str]] = {}
    for label, p in ranked:
        agency = office if label == AREA_LABEL else label
        if agency is not None:
            prior, learned = by_agency.get(agency, (0.0, label))
            by_agency[agency] = (prior + p, learned if prior >= p else label)
    agencies = {str(a.id): a for a in ref.agencies.values()}
    # A retired agency is skipped: its share of the probability is not given to anyone.
    kept = sorted(
        ((a, p, label) for a, (p, label) in by_agency.items() if a in agencies),
        key=lambda item: -item[1],
    )[:CANDIDATES]
    if first == AREA_LABEL and office not in agencies:
        return _no_area_office(sample, ref, loaded, ranked[0][1], kept, agencies, cues)
    if not kept:
        return None
    threshold, source = threshold_of(ref.threshold_setting, loaded)
    candidates = [_candidate(agencies[a], p) for a, p, _ in kept]
    best, p, learned = kept[0]
    sure = p >= threshold
    by_area = (
        f"; an area office's matter, and region {sample.region_code} is in the area "
        f"{agencies[best].region_code} of {agencies[best].code}"
        if learned == AREA_LABEL
        else ""
    )
    reason = (
        f"no rule matched; model v{loaded.version}: p={p:.2f} ≥ {threshold:.2f} ({source})"
        if sure
        else f"no rule matched; model v{loaded.version} unsure: p={p:.2f} < {threshold:.2f} "
        f"({source}); top candidates for the admins"
    ) + by_area
    why = cues if learned == first else model.cues(words, sample.region_code, learned)
    return Decision(
        "model" if sure else "triage",
        agencies[best] if sure else None,
        reason,
        None,
        [],
        probability=round(p, 4),
        candidates=candidates,
        cues=([f"area {agencies[best].region_code}"] if by_area else []) + why,
        model_version=loaded.version,
        threshold=threshold,
    )


def _candidate(agency: reference.AgencyRef, p: float) -> dict[str, Any]:
    return {
        "agency_id": str(agency.id),
        "code": agency.code,
        "name": agency.name,
        "probability": round(p, 4),
    }


def _no_area_office(
    sample: Sample,
    ref: reference.Reference,
    loaded: store.Loaded,
    p: float,
    others: list[tuple[str, float, str]],
    agencies: dict[str, reference.AgencyRef],
    cues: list[str],
) -> Decision:
    """The model says "the local office's matter", but no office serves the complaint's region
    (or it has none): the admins choose, and no region is guessed for them."""
    threshold, source = threshold_of(ref.threshold_setting, loaded)
    where = (
        f"no active area office serves region {sample.region_code}"
        if sample.region_code
        else "the complaint has no region"
    )
    return Decision(
        "triage",
        None,
        f"no rule matched; model v{loaded.version}: p={p:.2f} ({source} threshold "
        f"{threshold:.2f}) that an area office (kecamatan, kelurahan) should handle it, but "
        f"{where}; the admins choose the office",
        None,
        [],
        probability=round(p, 4),
        # The other likeliest agencies, with the model's own probabilities for them.
        candidates=[_candidate(agencies[a], q) for a, q, _ in others],
        cues=cues,
        model_version=loaded.version,
        threshold=threshold,
    )


async def decide(
    session: AsyncSession, ctx: JurisdictionContext, sample: Sample, address: str | None
) -> Decision:
    """Rules, then the learned model (or triage when unsure), then the cold start, then triage."""
    sample, region = await _region(session, ctx, sample, address)
    ref = await reference.load(session, ctx.id)
    winner, checks = evaluate(ref.rules, sample)
    explained = [c.as_json() for c in checks]
    if winner is not None:
        hits = ", ".join(
            f"{c['kind']}={c.get('hit') or c.get('actual') or c['expected']}"
            for c in winner.conditions
        )
        return Decision(
            "rule",
            ref.agencies[winner.rule.agency_id],
            f"rule #{winner.rule.position} '{winner.rule.name}' matched ({hits})",
            region,
            explained,
            winner.rule.id,
        )
    loaded = await store.current(session, ctx.id)
    if loaded is not None:
        by_model = _by_model(sample, ref, loaded)
        if by_model is not None:
            return replace(by_model, region=region, rules=explained)
    default = category_default(ref, sample.category_id)
    if default is not None:
        agency, code = default
        return Decision(
            "category_default",
            agency,
            f"no rule matched, no model yet; default agency of category '{code}'",
            region,
            explained,
        )
    return Decision(
        "triage",
        None,
        "no rule matched and no model or category default: left for the admins' triage",
        region,
        explained,
    )


def category_default(
    ref: reference.Reference, category_id: uuid.UUID | None
) -> tuple[reference.AgencyRef, str] | None:
    """The active category's default agency while that is active (the cold start)."""
    category = ref.categories.get(category_id) if category_id else None
    if category is None or category.default_agency_id not in ref.agencies:
        return None
    return ref.agencies[category.default_agency_id], category.code


@dataclass(frozen=True)
class Routed:
    suggestion: Suggestion
    suggested_category_id: uuid.UUID | None
    category: dict[str, Any] | None  # the category routing used, and whence
    decision: Decision


async def suggest_and_route(
    session: AsyncSession,
    ctx: JurisdictionContext,
    sample: Sample,
    address: str | None,
) -> Routed:
    """Intake's and the rule test's path: suggest type and category, then `decide` with them."""
    suggestion, suggested_id = await classification.suggest(
        session, ctx.id, sample.text, sample.title, sample.region_code
    )
    if suggested_id is None and suggestion.category.value is not None:
        suggested_id = (await reference.load(session, ctx.id)).category_id(
            suggestion.category.value
        )
    category: dict[str, Any] | None = None
    if sample.category_id is not None:
        category = {"id": str(sample.category_id), "from": "given"}
    elif suggested_id is not None:
        category = {
            "id": str(suggested_id),
            "code": suggestion.category.value,
            "from": "suggestion",
        }
        sample = replace(sample, category_id=suggested_id)
    decision = await decide(session, ctx, sample, address)
    return Routed(suggestion, suggested_id, category, decision)
