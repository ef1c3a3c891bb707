"""Scoring a model on held-out complaints: the figures that decide whether to trust it.

Pure: probabilities in, figures out. The same function reports a training run, the
`evaluate-routing` command and the benchmark, so they cannot disagree on what "90%" means.
"""

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

# The precision the default threshold is chosen for: nine in ten automatic dispatches right.
TARGET_PRECISION = 0.90
# The floor of the default threshold: on the project's corpus (cross-validated on its training
# part) 0.5 kept nine in ten automatic dispatches right. A model whose own hold-out needs more
# for 90% precision gets its own, higher threshold; an admin's setting overrides both.
DEFAULT_THRESHOLD = 0.5
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _at(correct: NDArray[np.bool_], top: NDArray[np.float64], threshold: float) -> dict[str, Any]:
    decided = top >= threshold
    n = len(top)
    right = int((correct & decided).sum())
    return {
        "threshold": threshold,
        "decided": int(decided.sum()),
        "triage_rate": round(1 - decided.mean(), 4) if n else None,
        "precision": round(right / decided.sum(), 4) if decided.any() else None,
    }


def recommended_threshold(
    correct: NDArray[np.bool_], top: NDArray[np.float64], target: float = TARGET_PRECISION
) -> float | None:
    """The lowest probability above which the decided complaints are right `target` of the time.

    Counted pessimistically (one more decision than made, and it wrong), so a small hold-out
    does not talk itself into a low threshold.
    """
    for t in np.round(np.arange(0.2, 0.99, 0.01), 2):
        decided = top >= t
        if decided.sum() >= 5 and (correct & decided).sum() / (decided.sum() + 1) >= target:
            return float(t)
    return None


def effective_threshold(setting: float | None, recommended: float | None) -> tuple[float, str]:
    """The threshold in force and whence: the admins' setting, the model's own, the default."""
    if setting is not None:
        return setting, "setting"
    if recommended is not None and recommended > DEFAULT_THRESHOLD:
        return recommended, "model_evaluation"
    return DEFAULT_THRESHOLD, "default"


def evaluate(
    truth: Sequence[str], proba: NDArray[np.float64], classes: Sequence[str], threshold: float
) -> dict[str, Any]:
    """Top-1/top-3, triage and precision at `threshold`, per-label figures, the worst confusions."""
    n = len(truth)
    if n == 0:
        return {"held_out": 0}
    order = np.argsort(-proba, axis=1)
    predicted = [classes[i] for i in order[:, 0]]
    top = proba[np.arange(n), order[:, 0]]
    truth_arr = np.asarray(truth)
    correct = np.asarray(predicted) == truth_arr
    top3 = np.asarray(
        [t in {classes[i] for i in row[:3]} for t, row in zip(truth, order, strict=True)]
    )
    per_label = []
    for label in sorted(set(truth) | set(predicted)):
        tp = int(((truth_arr == label) & correct).sum())
        support = int((truth_arr == label).sum())
        claimed = predicted.count(label)
        p = tp / claimed if claimed else 0.0
        r = tp / support if support else 0.0
        per_label.append(
            {
                "label": label,
                "support": support,
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            }
        )
    confused = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    chosen = recommended_threshold(correct, top)
    return {
        "held_out": n,
        "top1": round(float(correct.mean()), 4),
        "top3": round(float(top3.mean()), 4),
        "threshold": threshold,
        **{k: v for k, v in _at(correct, top, threshold).items() if k != "threshold"},
        "recommended_threshold": chosen,
        "thresholds": [_at(correct, top, t) for t in THRESHOLDS],
        "per_label": per_label,
        "confused": [
            {"truth": t, "predicted": p, "count": c} for (t, p), c in confused.most_common(5)
        ],
    }


def accuracy(truth: Sequence[str], predicted: Sequence[str | None]) -> float:
    """Share right: how a baseline (the rules, the category defaults) is scored."""
    if not truth:
        return 0.0
    return round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth), 4)
