"""The learned models, pure: features, the stored arrays, calibration, training and its figures."""

import io
from pathlib import Path

import numpy as np
import pytest

from app.classification import evaluation, training
from app.classification.evaluate_csv import Row, read, split
from app.classification.fit import Corpus, fit, probabilities
from app.classification.learned import pack, terms, unpack
from app.classification.text import normalize

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def corpus_rows() -> list[Row]:
    return read(str(DATA / "complaints_ngawi.csv"))


def _examples(rows: list[Row]) -> list[training.Example]:
    return [
        training.Example(r.text, r.region_code, {"agency": r.agency, "type": r.type}, {})
        for r in rows
    ]


def test_terms_cover_words_bigrams_character_grams_and_both_region_levels() -> None:
    words, chars, region = terms("jalan rusak", "35.21.09.2006")
    assert words == ["jalan", "rusak", "jalan rusak"]
    assert " j" in chars
    assert "jalan" in chars
    assert "ak " in chars
    assert region == ["35.21.09", "35.21.09.2006"]
    assert terms("x", "35.21.09")[2] == ["35.21.09"]
    assert terms("x", None)[2] == []


def test_stored_model_predicts_what_the_fitted_matrix_predicts(corpus_rows: list[Row]) -> None:
    rows = corpus_rows[:300]
    corpus = Corpus.build([r.text for r in rows], [r.region_code for r in rows])
    labels = [r.agency for r in rows]
    train = np.arange(240)
    fitted = fit(corpus, train, labels, sorted(set(labels)))
    held = np.arange(240, 300)
    batch = probabilities(fitted, corpus, held)
    model = unpack(pack({"agency": fitted.model}))["agency"]
    for n, i in enumerate(held):
        own = model.proba(normalize(rows[i].text), rows[i].region_code)
        # float16 coefficients on disk: equal to well within a rounding of the probability.
        assert np.allclose(own, batch[n], atol=5e-3)
        assert abs(own.sum() - 1) < 1e-9


def test_loading_refuses_an_archive_with_objects_in_it(corpus_rows: list[Row]) -> None:
    rows = corpus_rows[:100]
    corpus = Corpus.build([r.text for r in rows], [r.region_code for r in rows])
    labels = [r.agency for r in rows]
    model = fit(corpus, np.arange(100), labels, sorted(set(labels))).model
    arrays = model.arrays("agency")
    arrays["agency.labels"] = np.array([{"evil": 1}], dtype=object)  # a pickle inside
    out = io.BytesIO()
    np.savez(out, **arrays)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pickle"):
        unpack(out.getvalue())


def test_cues_name_the_terms_that_pushed_towards_the_choice(corpus_rows: list[Row]) -> None:
    corpus = Corpus.build([r.text for r in corpus_rows], [r.region_code for r in corpus_rows])
    labels = [r.agency for r in corpus_rows]
    model = fit(corpus, np.arange(len(labels)), labels, sorted(set(labels))).model
    text = normalize("pju di jln raya paron mati sdh seminggu")
    [(best, p)] = model.predict(text, None, k=1)
    assert best == "DISHUB"
    assert p > 1 / 7  # above an even share of the seven agencies (uncalibrated here)
    cues = model.cues(text, None, best)
    assert cues
    assert any("lampu" in c for c in cues)


def test_evaluation_figures_on_a_hand_counted_example() -> None:
    classes = ["A", "B", "C"]
    proba = np.array(
        [[0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.4, 0.35, 0.25], [0.1, 0.7, 0.2], [0.2, 0.3, 0.5]]
    )
    truth = ["A", "B", "A", "B", "A"]
    e = evaluation.evaluate(truth, proba, classes, 0.6)
    assert e["top1"] == 0.6  # rows 0, 2, 3 right
    assert e["top3"] == 1.0
    assert e["decided"] == 3
    assert e["triage_rate"] == 0.4
    assert e["precision"] == round(2 / 3, 4)  # rows 0 and 3 right, row 1 wrong
    per = {p["label"]: p for p in e["per_label"]}
    # A is claimed for rows 0, 1, 2 (two right) and is the truth of rows 0, 2, 4.
    assert per["A"]["precision"] == per["A"]["recall"] == round(2 / 3, 4)
    assert per["C"] == {"label": "C", "support": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert e["confused"][0] == {"truth": "B", "predicted": "A", "count": 1}
    assert evaluation.effective_threshold(0.8, 0.3) == (0.8, "setting")
    assert evaluation.effective_threshold(None, 0.7) == (0.7, "model_evaluation")
    assert evaluation.effective_threshold(None, 0.3) == (0.5, "default")


def test_training_on_the_corpus_beats_the_floor_and_abstains_usefully(
    corpus_rows: list[Row],
) -> None:
    outcome = training.run(_examples(corpus_rows), None)
    assert outcome.trained
    assert outcome.kept
    agency = outcome.evaluation["agency"]["model"]
    # The corpus is the project's own text, hence optimistic: these are floors, not claims.
    assert agency["top1"] >= 0.8
    assert agency["top3"] >= 0.95
    assert agency["precision"] >= 0.85
    assert set(outcome.heads) == {"agency", "type"}  # no category labels given
    assert outcome.evaluation["type"]["model"]["top1"] >= 0.8


def test_a_version_no_better_than_the_one_in_use_is_not_kept(corpus_rows: list[Row]) -> None:
    examples = _examples(corpus_rows)
    first = training.run(examples, None)
    again = training.run(examples, first.heads)
    agency = again.evaluation["agency"]
    # The model in use saw the hold-out when it was refitted on everything: it cannot be beaten.
    assert agency["current_top1"] >= agency["model"]["top1"]
    assert again.kept is False
    assert again.heads == {}


def test_too_little_history_trains_nothing(corpus_rows: list[Row]) -> None:
    outcome = training.run(_examples(corpus_rows[: training.MIN_HISTORY - 1]), None)
    assert not outcome.trained
    assert outcome.evaluation == {"needed": training.MIN_HISTORY}


def test_time_split_holds_out_the_newest_fifth(corpus_rows: list[Row]) -> None:
    train, held, how = split(corpus_rows)
    assert how.startswith("time")
    assert len(held) == len(corpus_rows) - len(corpus_rows) * 4 // 5
    newest_trained = max(corpus_rows[i].day for i in train)  # type: ignore[type-var]
    assert all(corpus_rows[i].day >= newest_trained for i in held)  # type: ignore[operator]
