"""Fitting the linear models: one featurisation pass, then scikit-learn on sparse matrices.

The documents are featurised once (terms counted per block into one sparse matrix over every
term seen); each fit then selects its vocabulary from its own training rows only, so a
hold-out never leaks into the idf or the vocabulary it is scored with.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from app.classification.learned import (
    BLOCK_WEIGHTS,
    BLOCKS,
    MAX_FEATURES,
    MIN_DF,
    LinearModel,
    calibrate,
    normalised,
    terms,
)

# Regularisation of the linear SVM, chosen by cross-validation on the corpus's training part.
SVM_C = 0.5


@dataclass
class Corpus:
    """Every document's term counts, one column per term ever seen, with each term's block."""

    counts: sp.csr_matrix
    names: list[str]
    block: NDArray[np.uint8]

    @classmethod
    def build(cls, texts: Sequence[str], regions: Sequence[str | None]) -> "Corpus":
        ids: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        data: list[int] = []
        for text, region in zip(texts, regions, strict=True):
            for name, block_terms in zip(BLOCKS, terms(normalised(text), region), strict=True):
                for term, n in Counter(block_terms).items():
                    indices.append(ids.setdefault(f"{name}:{term}", len(ids)))
                    data.append(n)
            indptr.append(len(indices))
        names = list(ids)
        counts = sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices), np.asarray(indptr)),
            shape=(len(texts), len(names)),
        )
        block = np.asarray([BLOCKS.index(n[0]) for n in names], dtype=np.uint8)
        return cls(counts, names, block)


@dataclass
class Vocabulary:
    """The columns a fit keeps, their idf, and the matrix maker for any rows."""

    columns: NDArray[np.intp]
    idf: NDArray[np.float32]
    block: NDArray[np.uint8]

    @classmethod
    def select(cls, corpus: Corpus, rows: NDArray[np.intp]) -> "Vocabulary":
        part = corpus.counts[rows]
        df = np.asarray((part > 0).sum(axis=0)).ravel()
        chosen: list[NDArray[np.intp]] = []
        for b, name in enumerate(BLOCKS):
            candidates = np.flatnonzero((corpus.block == b) & (df >= MIN_DF))
            top = candidates[np.argsort(-df[candidates], kind="stable")[: MAX_FEATURES[name]]]
            chosen.append(np.sort(top))
        columns = np.concatenate(chosen)
        # scikit-learn's smoothed idf: ln((1 + n) / (1 + df)) + 1.
        idf = np.log((1.0 + len(rows)) / (1.0 + df[columns])) + 1.0
        return cls(columns, idf.astype(np.float32), corpus.block[columns])

    def matrix(self, corpus: Corpus, rows: NDArray[np.intp]) -> sp.csr_matrix:
        """Sublinear tf × idf, each block scaled to unit length then to its weight."""
        x = corpus.counts[rows][:, self.columns].tocsr().astype(np.float64)
        x.data = (1.0 + np.log(x.data)) * self.idf[x.indices]
        row = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
        cell = row * len(BLOCKS) + self.block[x.indices]
        norms = np.sqrt(np.bincount(cell, weights=x.data**2, minlength=x.shape[0] * len(BLOCKS)))
        weights = np.tile(np.asarray(BLOCK_WEIGHTS), x.shape[0])
        x.data *= (weights / np.where(norms > 0, norms, 1.0))[cell]
        return x


def _scores(
    x: sp.csr_matrix, y: NDArray[np.intp], n_classes: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A linear SVM's coefficients (F, C) and intercepts (C,) for every class, seen or not."""
    present = np.unique(y)
    coef = np.zeros((x.shape[1], n_classes))
    intercept = np.full(n_classes, -10.0)  # a class absent from these rows never wins
    if len(present) == 1:
        intercept[present[0]] = 10.0
        return coef, intercept
    svm = LinearSVC(C=SVM_C, class_weight="balanced", dual=True, max_iter=2000)
    svm.fit(x, y)
    w = svm.coef_.T if len(present) > 2 else np.column_stack([-svm.coef_[0], svm.coef_[0]])
    b = svm.intercept_ if len(present) > 2 else np.array([-svm.intercept_[0], svm.intercept_[0]])
    coef[:, present] = w
    intercept[present] = b
    return coef, intercept


def _platt(scores: NDArray[np.float64], y: NDArray[np.intp]) -> tuple[float, float]:
    """One sigmoid over every (score, is it the true class) pair: p = 1 / (1 + e^(a·s + b))."""
    truth = np.zeros_like(scores, dtype=np.intp)
    truth[np.arange(len(y)), y] = 1
    lr = LogisticRegression(C=1e4)
    lr.fit(scores.reshape(-1, 1), truth.ravel())
    return -float(lr.coef_[0, 0]), -float(lr.intercept_[0])


@dataclass
class Fitted:
    model: LinearModel
    vocabulary: Vocabulary
    calibration: tuple[float, float]


def fit(
    corpus: Corpus,
    rows: NDArray[np.intp],
    labels: Sequence[str],
    classes: list[str],
    calibration: tuple[float, float] | None = None,
) -> Fitted:
    """Fit one head on `rows`; calibrate on a fifth of them held out inside, unless given."""
    y_all = np.asarray([classes.index(label) for label in labels])
    if calibration is None:
        rng = np.random.default_rng(7)
        inner = rng.permutation(rows)
        cut = max(1, len(inner) // 5)
        held, kept = np.sort(inner[:cut]), np.sort(inner[cut:])
        vocab = Vocabulary.select(corpus, kept)
        coef, intercept = _scores(vocab.matrix(corpus, kept), y_all[kept], len(classes))
        raw = np.asarray(vocab.matrix(corpus, held) @ coef) + intercept
        calibration = _platt(raw, y_all[held])
    vocab = Vocabulary.select(corpus, rows)
    coef, intercept = _scores(vocab.matrix(corpus, rows), y_all[rows], len(classes))
    a, b = calibration
    model = LinearModel(
        labels=classes,
        vocabulary={corpus.names[c]: i for i, c in enumerate(vocab.columns)},
        idf=vocab.idf,
        block=vocab.block,
        coef=coef.astype(np.float32),
        intercept=intercept.astype(np.float32),
        calib_a=np.full(len(classes), a, dtype=np.float32),
        calib_b=np.full(len(classes), b, dtype=np.float32),
    )
    return Fitted(model, vocab, calibration)


def probabilities(fitted: "Fitted", corpus: Corpus, rows: NDArray[np.intp]) -> NDArray[np.float64]:
    """Calibrated probabilities for many rows at once (the evaluation's fast path)."""
    model = fitted.model
    x = fitted.vocabulary.matrix(corpus, rows)
    raw = np.asarray(x @ model.coef.astype(np.float64)) + model.intercept
    return calibrate(np.asarray(raw, dtype=np.float64), model.calib_a, model.calib_b)
