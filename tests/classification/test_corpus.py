"""The routing corpora are well formed: columns, labels, places, agencies, and no near-copies.

A malformed row would make `evaluate-routing` measure the corpus instead of the router, and a
near-copy on both sides of a split would flatter it.
"""

import csv
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from app.complaints.duplicates import tokens as normalised_tokens
from app.routing.regions_service import read_rows
from app.seed import AGENCIES, NGAWI

DATA = Path(__file__).parent / "data"
DEMO_FILES = ("complaints_ngawi.csv", "sms_holdout.csv")
WIDE = "complaints_wide.csv"
COLUMNS = ["text", "agency_code", "region_code", "type", "category_code", "date"]
TYPES = {"information", "non_field", "field_inspection"}
FIRST_DAY, LAST_DAY = date(2025, 1, 2), date(2026, 11, 27)
NEAR_COPY = 0.6  # token-set Jaccard at or above this is one text written twice
KECAMATAN_NGAWI = "35.21.09"

PLACES = {place.code: place for place in read_rows(NGAWI[0])}
KECAMATAN_BY_OFFICE = {
    "KEC-" + place.name.upper().replace(" ", ""): place.code
    for place in PLACES.values()
    if place.level == "kecamatan"
}


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS, name
        return list(reader)


def _documented_wide_agencies() -> Counter[str]:
    """The agency table of the README's section on the wide file: code -> rows."""
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"## `{WIDE}`", 1)[1]
    table = re.findall(r"^\| `([A-Z0-9-]+)` \| [^|]+ \| (\d+) \|$", section, re.MULTILINE)
    return Counter({code: int(rows) for code, rows in table})


@pytest.mark.parametrize("name", [*DEMO_FILES, WIDE])
def test_every_row_is_well_formed(name: str) -> None:
    rows = _rows(name)
    assert rows
    for row in rows:
        assert row["text"].strip() == row["text"] != "", row
        assert row["type"] in TYPES, row
        assert row["agency_code"], row
        code = row["region_code"]
        assert code == "" or code in PLACES, row  # the shipped list holds only Ngawi's places
        assert FIRST_DAY <= date.fromisoformat(row["date"]) <= LAST_DAY, row


@pytest.mark.parametrize("name", DEMO_FILES)
def test_demo_corpora_use_the_demo_agencies(name: str) -> None:
    demo = {code for code, _name, _kind in AGENCIES}
    assert {row["agency_code"] for row in _rows(name)} <= demo


def test_wide_corpus_agencies_and_counts_are_the_documented_ones() -> None:
    counts = Counter(row["agency_code"] for row in _rows(WIDE))
    assert counts == _documented_wide_agencies()
    assert len(counts) >= 30


@pytest.mark.parametrize("name", [*DEMO_FILES, WIDE])
def test_kecamatan_offices_are_chosen_by_where(name: str) -> None:
    for row in _rows(name):
        office = row["agency_code"]
        if office.startswith("KEC-"):
            kecamatan = KECAMATAN_BY_OFFICE[office]
            region = row["region_code"]
            assert region == kecamatan or region.startswith(kecamatan + "."), row
        if office == "DLH" and "sampah" in row["text"].lower():
            # Neighbourhood rubbish inside Kecamatan Ngawi is the kecamatan office's.
            assert not row["region_code"].startswith(KECAMATAN_NGAWI), row


def test_wide_corpus_sends_village_matters_to_dpmd_only_without_an_office() -> None:
    rows = _rows(WIDE)
    offices = {row["agency_code"] for row in rows if row["agency_code"].startswith("KEC-")}
    covered = tuple(KECAMATAN_BY_OFFICE[office] + "." for office in offices)
    for row in rows:
        if row["agency_code"] == "DPMD":
            assert not row["region_code"].startswith(covered), row


def _near_copies(
    texts: list[tuple[str, str]], split: Callable[[str], frozenset[str]], involving: str | None
) -> list[tuple[str, str]]:
    """Pairs of texts at or above NEAR_COPY; with `involving`, only pairs touching that file.

    Prefix filtering keeps it fast: two sets this similar share a token among the rarest
    `len - floor(NEAR_COPY * len) + 1` of each, so only texts meeting there are compared.
    """
    sets = [(split(text), name, text) for name, text in texts]
    frequency = Counter(token for words, _name, _text in sets for token in words)
    index: defaultdict[str, list[int]] = defaultdict(list)
    found: list[tuple[str, str]] = []
    for i, (words, name, text) in enumerate(sets):
        rarest = sorted(words, key=lambda token: (frequency[token], token))
        prefix = rarest[: len(words) - math.floor(NEAR_COPY * len(words)) + 1]
        for j in sorted({j for token in prefix for j in index[token]}):
            other, other_name, other_text = sets[j]
            if involving is not None and involving not in (name, other_name):
                continue
            if len(words & other) >= NEAR_COPY * len(words | other):
                found.append((other_text, text))
        for token in prefix:
            index[token].append(i)
    return found


def _plain_words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def test_no_two_texts_are_near_copies() -> None:
    texts = [(name, row["text"]) for name in (*DEMO_FILES, WIDE) for row in _rows(name)]
    assert _near_copies(texts, _plain_words, None) == []
    # The wide file also holds against shorthand spellings of the same sentence.
    assert _near_copies(texts, normalised_tokens, WIDE) == []
