"""Linear text models learned from a jurisdiction's own history, stored as plain arrays.

Features, in three blocks each scaled to unit length: word unigrams and bigrams and character
n-grams (2–5, inside word boundaries, so "jln"/"jalan" and misspellings share most of their
grams) over the shared normalised text, and the complaint's region (kecamatan and desa codes: where
helps tell alike complaints apart; area offices are chosen by region outright, see
`app.routing.areas`). scikit-learn fits a linear model with
class weights; probabilities are calibrated by a sigmoid per class fitted on cross-validated
scores. What is stored is the vocabulary, the idf and the coefficients as numpy arrays
(`np.savez`, read back with `allow_pickle=False`: loading a model cannot run code), and
prediction is a sparse dot product over those arrays, without scikit-learn.
"""

import io
import itertools
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Weight of each block after its own unit scaling: text carries most; the region decides
# between otherwise alike complaints (which kecamatan office, which puskesmas).
BLOCKS = ("w", "c", "r")
BLOCK_WEIGHTS = (1.0, 1.0, 0.6)
CHAR_NGRAMS = (2, 5)
# Vocabulary kept per block (most frequent first): bounds the stored size and prediction cost.
MAX_FEATURES = {"w": 40_000, "c": 80_000, "r": 2_000}
MIN_DF = 2


def _region_terms(region_code: str | None) -> list[str]:
    if not region_code:
        return []
    parts = region_code.split(".")
    # 35.21.05.2001: the kecamatan (35.21.05) and the desa itself.
    return [".".join(parts[:n]) for n in range(3, len(parts) + 1)]


def char_grams(word: str) -> list[str]:
    """The character n-grams of one word, padded with a space each side."""
    padded = f" {word} "
    size = len(padded)
    lo, hi = CHAR_NGRAMS
    return [padded[i : i + n] for n in range(lo, min(hi, size) + 1) for i in range(size - n + 1)]


def text_words(word_terms: list[str]) -> list[str]:
    """The single words among a block of word terms (bigrams hold a space)."""
    return [t for t in word_terms if " " not in t]


def terms(
    text: str, region_code: str | None, chars: bool = True
) -> tuple[list[str], list[str], list[str]]:
    """The raw terms of each block for one complaint (text already normalised)."""
    words = text.split()
    word_terms = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    grams = [g for word in words for g in char_grams(word)] if chars else []
    return word_terms, grams, _region_terms(region_code)


@dataclass(frozen=True)
class LinearModel:
    """One classifier head: labels, vocabulary, idf, coefficients and calibration."""

    labels: list[str]
    vocabulary: dict[str, int]  # "<block>:<term>" -> feature index
    idf: NDArray[np.float32]  # (F,)
    block: NDArray[np.uint8]  # (F,) the block of each feature
    coef: NDArray[np.float32]  # (F, C): one row per feature, so a complaint reads few rows
    intercept: NDArray[np.float32]  # (C,)
    calib_a: NDArray[np.float32]  # (C,) sigmoid slope per class
    calib_b: NDArray[np.float32]  # (C,)

    def features(
        self, text: str, region_code: str | None
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Feature indices and their tf-idf values, each block scaled to its weight."""
        idx: list[int] = []
        counts: list[int] = []
        for name, block_terms in zip(BLOCKS, terms(text, region_code), strict=True):
            for term, n in Counter(block_terms).items():
                i = self.vocabulary.get(f"{name}:{term}")
                if i is not None:
                    idx.append(i)
                    counts.append(n)
        index = np.asarray(idx, dtype=np.intp)
        values = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * self.idf[index]
        block = self.block[index]
        norms = np.sqrt(np.bincount(block, weights=values * values, minlength=len(BLOCKS)))
        scale = np.asarray(BLOCK_WEIGHTS) / np.where(norms > 0, norms, 1.0)
        return index, values * scale[block]

    def proba(self, text: str, region_code: str | None) -> NDArray[np.float64]:
        index, values = self.features(text, region_code)
        raw = values @ self.coef[index] + self.intercept
        return calibrate(np.asarray(raw, dtype=np.float64), self.calib_a, self.calib_b)

    def predict(self, text: str, region_code: str | None, k: int = 3) -> list[tuple[str, float]]:
        """The `k` likeliest labels with their probabilities, likeliest first."""
        return self.explain(text, region_code, k, cues=0)[0]

    def explain(
        self, text: str, region_code: str | None, k: int = 3, cues: int = 5
    ) -> tuple[list[tuple[str, float]], list[str]]:
        """The `k` likeliest labels, and the terms that pushed most towards the first.

        A term's push is its value times its weight for that label; one pass over the
        features serves both, so an explained prediction costs what a bare one does.
        """
        index, values = self.features(text, region_code)
        rows = self.coef[index]
        raw = values @ rows + self.intercept
        p = calibrate(np.asarray(raw, dtype=np.float64), self.calib_a, self.calib_b)
        order = np.argsort(-p)[:k]
        ranked = [(self.labels[i], float(p[i])) for i in order]
        if not cues or not len(index):
            return ranked, []
        push = values * rows[:, order[0]]
        strongest = np.argsort(-push)[:cues]
        return ranked, [_readable(self._names[index[i]]) for i in strongest if push[i] > 0]

    def cues(self, text: str, region_code: str | None, label: str, k: int = 5) -> list[str]:
        """The terms that pushed most towards `label` (value × weight), strongest first."""
        index, values = self.features(text, region_code)
        push = values * self.coef[index, self.labels.index(label)]
        strongest = np.argsort(-push)[:k]
        return [_readable(self._names[index[i]]) for i in strongest if push[i] > 0]

    @cached_property
    def _names(self) -> list[str]:
        names = [""] * len(self.vocabulary)
        for term, i in self.vocabulary.items():
            names[i] = term
        return names

    def arrays(self, prefix: str) -> dict[str, NDArray[Any]]:
        """Plain numeric arrays only (texts as UTF-8 bytes joined by newlines)."""
        return {
            f"{prefix}.labels": _text_array(self.labels),
            f"{prefix}.vocabulary": _text_array(self._names),
            f"{prefix}.idf": self.idf.astype(np.float32),
            f"{prefix}.block": self.block,
            # float16 on disk, float32 in memory: half the stored size, no loss that matters.
            f"{prefix}.coef": self.coef.astype(np.float16),
            f"{prefix}.intercept": self.intercept,
            f"{prefix}.calib_a": self.calib_a,
            f"{prefix}.calib_b": self.calib_b,
        }

    @classmethod
    def from_arrays(cls, data: Any, prefix: str) -> "LinearModel":
        names = _texts(data[f"{prefix}.vocabulary"])
        return cls(
            labels=_texts(data[f"{prefix}.labels"]),
            vocabulary={name: i for i, name in enumerate(names)},
            idf=data[f"{prefix}.idf"],
            block=data[f"{prefix}.block"],
            coef=data[f"{prefix}.coef"].astype(np.float32),
            intercept=data[f"{prefix}.intercept"],
            calib_a=data[f"{prefix}.calib_a"],
            calib_b=data[f"{prefix}.calib_b"],
        )


def pack(heads: dict[str, LinearModel]) -> bytes:
    """Several heads (agency, category, type) in one compressed `np.savez` archive."""
    out = io.BytesIO()
    arrays: dict[str, NDArray[Any]] = {}
    for name, model in heads.items():
        arrays |= model.arrays(name)
    np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
    return out.getvalue()


def unpack(blob: bytes) -> dict[str, LinearModel]:
    """The heads of an archive; `allow_pickle=False`: an object array is refused, not run."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as data:
        names = {key.split(".")[0] for key in data.files}
        return {name: LinearModel.from_arrays(data, name) for name in names}


def _text_array(items: list[str]) -> NDArray[np.uint8]:
    return np.frombuffer("\n".join(items).encode(), dtype=np.uint8)


def _texts(array: NDArray[np.uint8]) -> list[str]:
    return array.tobytes().decode().split("\n")


def _readable(feature: str) -> str:
    block, _, term = feature.partition(":")
    return {"w": term, "c": f"~{term.strip()}", "r": f"region {term}"}[block]


def calibrate(
    scores: NDArray[np.float64], a: NDArray[np.float32], b: NDArray[np.float32]
) -> NDArray[np.float64]:
    """One sigmoid per class over its score, then normalised to sum to one."""
    with np.errstate(over="ignore"):
        p = 1.0 / (1.0 + np.exp(a * scores + b))
    total = p.sum(axis=-1, keepdims=True)
    out: NDArray[np.float64] = np.where(
        total > 0, p / np.where(total > 0, total, 1), 1 / p.shape[-1]
    )
    return out
