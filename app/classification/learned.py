"""A small multinomial naive Bayes, learned from a jurisdiction's own verified complaints.

Pure Python on purpose: a few thousand short texts train in well under a second, the model is a
JSON dict that fits in a table row, and scikit-learn (with numpy and scipy) would triple the
image for a model this size. Features are the rule set's normalised words plus word bigrams.
"""

import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from app.classification.rules import Guess
from app.classification.text import tokens

MIN_HISTORY = 200


def features(text: str) -> list[str]:
    words = tokens(text)
    return words + [f"{a}_{b}" for a, b in itertools.pairwise(words)]


def train(samples: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Fit on (text, label) pairs; the answer is JSON-serialisable."""
    doc_counts: Counter[str] = Counter()
    word_counts: dict[str, Counter[str]] = {}
    vocabulary: set[str] = set()
    for text, label in samples:
        doc_counts[label] += 1
        feats = features(text)
        word_counts.setdefault(label, Counter()).update(feats)
        vocabulary.update(feats)
    total_docs = sum(doc_counts.values())
    size = len(vocabulary) + 1
    classes: dict[str, Any] = {}
    for label, counts in word_counts.items():
        denominator = sum(counts.values()) + size
        classes[label] = {
            "prior": math.log(doc_counts[label] / total_docs),
            "unseen": math.log(1 / denominator),
            "words": {w: math.log((n + 1) / denominator) for w, n in counts.items()},
        }
    return {"classes": classes}


def predict(model: dict[str, Any], text: str) -> Guess:
    """The most probable label, its posterior probability, and the words that weighed most."""
    classes: dict[str, Any] = model["classes"]
    if not classes:
        return Guess(None, 0.0, [])
    feats = features(text)
    scores: dict[str, float] = {}
    for label, params in classes.items():
        words, unseen = params["words"], params["unseen"]
        scores[label] = params["prior"] + sum(words.get(f, unseen) for f in feats)
    best = max(scores, key=lambda k: scores[k])
    peak = scores[best]
    norm = sum(math.exp(s - peak) for s in scores.values())
    best_words = classes[best]["words"]
    # The cues: words seen for this label, most characteristic first.
    cues = sorted({f for f in feats if f in best_words}, key=lambda f: -best_words[f])[:5]
    return Guess(best, 1.0 / norm, cues)


def accuracy(
    predict_label: Callable[[str], str | None], samples: Sequence[tuple[str, str]]
) -> float:
    """Share of `samples` whose label `predict_label(text)` gets right."""
    if not samples:
        return 0.0
    right = sum(1 for text, label in samples if predict_label(text) == label)
    return right / len(samples)


def split(samples: Sequence[Any], every: int = 5) -> tuple[list[Any], list[Any]]:
    """Deterministic hold-out: every `every`-th sample is held out for scoring."""
    train_part = [s for i, s in enumerate(samples) if i % every]
    held_out = [s for i, s in enumerate(samples) if not i % every]
    return train_part, held_out
