"""Fitting the linear models: one featurisation pass, then scikit-learn on sparse matrices.

The documents are featurised once (terms counted per block into one sparse matrix over every
term seen); each fit then selects its vocabulary from its own training rows only, so a
hold-out never leaks into the idf or the vocabulary it is scored with.
"""

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
    char_grams,
    terms,
    text_words,
)
from app.classification.text import normalize

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
        """Words, bigrams and regions counted per document; character n-grams per distinct
        word once, then spread to the documents by one sparse product (documents × words)."""
        ids: dict[str, int] = {}  # "w:<word or bigram>" and "r:<code>" terms
        word_ids: dict[str, int] = {}  # distinct words, for the character n-grams
        rows: list[int] = []
        cols: list[int] = []
        word_rows: list[int] = []
        word_cols: list[int] = []
        for n, (text, region) in enumerate(zip(texts, regions, strict=True)):
            words, _, places = terms(normalize(text), region, chars=False)
            for term in words:
                rows.append(n)
                cols.append(ids.setdefault(f"w:{term}", len(ids)))
            for term in places:
                rows.append(n)
                cols.append(ids.setdefault(f"r:{term}", len(ids)))
            for word in text_words(words):
                word_rows.append(n)
                word_cols.append(word_ids.setdefault(word, len(word_ids)))
        n_docs = len(texts)
        direct = _counts(rows, cols, (n_docs, len(ids)))
        gram_ids: dict[str, int] = {}
        g_rows: list[int] = []
        g_cols: list[int] = []
        for w, word in enumerate(word_ids):
            for gram in char_grams(word):
                g_rows.append(w)
                g_cols.append(gram_ids.setdefault(gram, len(gram_ids)))
        per_word = _counts(g_rows, g_cols, (len(word_ids), len(gram_ids)))
        chars = _counts(word_rows, word_cols, (n_docs, len(word_ids))) @ per_word
        names = list(ids) + [f"c:{g}" for g in gram_ids]
        counts = sp.hstack([direct, chars], format="csr", dtype=np.float32)
        block = np.asarray([BLOCKS.index(n[0]) for n in names], dtype=np.uint8)
        return cls(counts, names, block)


def _counts(rows: list[int], cols: list[int], shape: tuple[int, int]) -> sp.csr_matrix:
    """A count matrix from (row, column) pairs; repeated pairs add up."""
    ones = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((ones, (np.asarray(rows), np.asarray(cols))), shape=shape)


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
    svm = LinearSVC(
        C=SVM_C, class_weight="balanced", dual=True, tol=1e-3, max_iter=2000, random_state=0
    )
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
    *,
    calibrate_on: NDArray[np.intp] | None = None,
    calibration: tuple[float, float] = (-1.0, 0.0),
) -> Fitted:
    """Fit one head on `rows`; its sigmoid is fitted on `calibrate_on`'s scores, else given.

    Calibrating on the evaluation's hold-out costs no extra fit. It cannot flatter top-1 or
    top-3 (one increasing function for every class keeps the order), and the threshold is
    chosen on that hold-out anyway; two parameters on hundreds of scores barely overfit.
    """
    index = {label: i for i, label in enumerate(classes)}
    # Labels outside `classes` (too rare to learn, or none) belong to rows never fitted or scored.
    y_all = np.asarray([index.get(label, -1) for label in labels])
    vocab = Vocabulary.select(corpus, rows)
    coef, intercept = _scores(vocab.matrix(corpus, rows), y_all[rows], len(classes))
    if calibrate_on is not None and len(calibrate_on):
        raw = np.asarray(vocab.matrix(corpus, calibrate_on) @ coef) + intercept
        calibration = _platt(raw, y_all[calibrate_on])
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
