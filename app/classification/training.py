"""One training run, pure CPU: hold out, fit, score against what is in use, refit on everything.

Each head (agency, category, type) is scored on a stratified fifth of its history that the fit
never saw, next to the baseline (the rules and category defaults: what routes without a model)
and to the model in use on the very same complaints. The new version is kept only if its agency
head beats both; it is then refitted on all of the history, reusing the calibration found on
the training part. Area offices are fitted as one label and scored as themselves
(`app.routing.areas`).
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.model_selection import train_test_split

from app.classification import evaluation
from app.classification.fit import Corpus, fit, probabilities
from app.classification.learned import LinearModel
from app.classification.text import normalize
from app.routing.areas import AREA_LABEL, spread

# Below this many complaints with a known final agency, routing stays with the cold start.
MIN_HISTORY = 200
# A label seen fewer times cannot be both learned and held out.
MIN_PER_LABEL = 3
HEADS = ("agency", "category", "type")


@dataclass(frozen=True)
class Example:
    """One verified complaint as history: what it said, where, and what it turned out to be."""

    text: str
    region_code: str | None
    labels: dict[str, str | None]  # head -> the admins' final answer (None: unknown)
    baseline: dict[str, str | None] = field(default_factory=dict)  # head -> the cold start's


@dataclass
class Outcome:
    trained: bool
    kept: bool
    samples: int
    evaluation: dict[str, Any]
    heads: dict[str, LinearModel]


@dataclass(frozen=True)
class Refit:
    """What refitting a head on all of its history needs."""

    rows: NDArray[np.intp]
    labels: list[str]
    classes: list[str]
    calibration: tuple[float, float]


def _by_appearance(labels: list[str]) -> list[int]:
    first: dict[str, int] = {}
    return [first.setdefault(label, len(first)) for label in labels]


def _stratified(
    rows: NDArray[np.intp], labels: list[str]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    # Strata and classes numbered by first appearance, not by the labels' own order (agency
    # ids are random): the same history gives the same split and model wherever it is loaded.
    train, held = train_test_split(
        rows, test_size=0.2, stratify=_by_appearance(labels), random_state=0
    )
    return np.sort(train), np.sort(held)


def _current_proba(
    model: LinearModel,
    examples: Sequence[Example],
    rows: NDArray[np.intp],
    classes: list[str],
    areas: Mapping[str, str],
) -> NDArray[np.float64]:
    """The model in use, scored on the hold-out in the candidate's label order (an office
    that has since been given an area counts towards the area label, as it now would)."""
    out = np.zeros((len(rows), len(classes)))
    for n, r in enumerate(rows):
        p = model.proba(normalize(examples[r].text), examples[r].region_code)
        for label, value in zip(model.labels, p, strict=True):
            label = AREA_LABEL if label in areas else label
            if label in classes:
                out[n, classes.index(label)] += value
    return out


def _head(
    head: str,
    corpus: Corpus,
    examples: Sequence[Example],
    current: LinearModel | None,
    threshold: float | None,
    areas: Mapping[str, str],
) -> tuple[Refit | None, dict[str, Any]]:
    """Fit and score one head. Offices in `areas` are fitted as one label; they are scored as
    themselves, that label's probability going to the office of each complaint's region."""
    truth_of = [examples[i].labels.get(head) or "" for i in range(len(examples))]
    labels = [AREA_LABEL if label in areas else label for label in truth_of]
    labelled = [i for i, label in enumerate(labels) if label]
    counts = Counter(labels[i] for i in labelled)
    rows = np.asarray([i for i in labelled if counts[labels[i]] >= MIN_PER_LABEL])
    classes = list(dict.fromkeys(labels[i] for i in rows))
    info: dict[str, Any] = {"samples": len(rows), "labels": len(classes)}
    if len(classes) < 2 or len(rows) < MIN_HISTORY // 4:
        return None, info | {"trained": False}
    train, held = _stratified(rows, [labels[i] for i in rows])
    candidate = fit(corpus, train, labels, classes, calibrate_on=held)
    regions = [examples[i].region_code for i in held]
    proba, scored_classes = spread(probabilities(candidate, corpus, held), classes, regions, areas)
    truth = [truth_of[i] for i in held]
    scored = evaluation.evaluate(
        truth, proba, scored_classes, threshold or evaluation.DEFAULT_THRESHOLD
    )
    in_force, _ = evaluation.effective_threshold(threshold, scored["recommended_threshold"])
    if in_force != scored["threshold"]:
        scored = evaluation.evaluate(truth, proba, scored_classes, in_force)
    info |= {"trained": True, "model": scored}
    if AREA_LABEL in classes:
        info["area_offices"] = sorted(areas)
    info["baseline_top1"] = evaluation.accuracy(
        truth, [examples[i].baseline.get(head) for i in held]
    )
    if current is not None:
        in_use = _current_proba(current, examples, held, classes, areas)
        in_use, _ = spread(in_use, classes, regions, areas)
        info["current_top1"] = evaluation.evaluate(truth, in_use, scored_classes, 0.5)["top1"]
    info["beats_baseline"] = scored["top1"] > info["baseline_top1"]
    return Refit(rows, labels, classes, candidate.calibration), info


def run(
    examples: Sequence[Example],
    current: dict[str, LinearModel] | None,
    threshold: float | None = None,
    areas: Mapping[str, str] | None = None,
) -> Outcome:
    """Train every head that has enough history: hold out, score, compare, refit if kept.

    `areas` maps each area office's label (agency id) to the region it serves.
    """
    with_agency = sum(1 for e in examples if e.labels.get("agency"))
    if with_agency < MIN_HISTORY:
        return Outcome(False, False, with_agency, {"needed": MIN_HISTORY}, {})
    corpus = Corpus.build([e.text for e in examples], [e.region_code for e in examples])
    refits: dict[str, Refit] = {}
    report: dict[str, Any] = {}
    for head in HEADS:
        offices = (areas or {}) if head == "agency" else {}
        refit, info = _head(head, corpus, examples, (current or {}).get(head), threshold, offices)
        report[head] = info
        if refit is not None:
            refits[head] = refit
    agency = report["agency"]
    kept = (
        "agency" in refits
        and agency["beats_baseline"]
        and ("current_top1" not in agency or agency["model"]["top1"] > agency["current_top1"])
    )
    # Only a version that will serve is refitted on everything: a rejected one costs no more.
    heads = {
        head: fit(corpus, r.rows, r.labels, r.classes, calibration=r.calibration).model
        for head, r in refits.items()
        if kept
    }
    return Outcome(True, kept, with_agency, report, heads)
