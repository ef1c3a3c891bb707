"""The type classifier's cold start: how people describe field problems, documents, questions."""

import csv
from pathlib import Path

import pytest

from app.classification.rules import classify

DATA = Path(__file__).parent / "data"
REGIONS = Path(__file__).parents[2] / "app" / "routing" / "data" / "kepmendagri_2025.csv.gz"
TYPES = {"information", "non_field", "field_inspection"}
COLUMNS = ["text", "agency_code", "region_code", "type", "category_code", "date"]


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _accuracy(rows: list[dict[str, str]], part: str, label: str) -> float:
    labelled = [r for r in rows if r[label]]
    right: int = sum(getattr(classify(r["text"]), part).value == r[label] for r in labelled)
    return right / len(labelled)


@pytest.mark.parametrize(
    "text",
    [
        "jalan rusak di desa Kawu",
        "lampu mati di gang rt 3",
        "sampah menumpuk depan pasar",
        "banjir tiap hujan",
        "pohon tumbang nutup jalan",
        "jembatan retak, mohon dicek",
        "got mampet, air nggenang",
        "ada org buang sampah di sungai tiap pagi",
        "dalane ajur pak",
        "ada ODGJ terlantar di perempatan",
        "byk warga kena dbd, tlg fogging",
    ],
)
def test_common_field_phrasings_need_someone_to_go_and_look(text: str) -> None:
    kind = classify(text).type
    assert kind.value == "field_inspection", kind
    assert kind.cues  # explainable: the words that made it field work


@pytest.mark.parametrize(
    ("text", "kind", "document"),
    [
        ("surat keterangan tidak mampu sy ditolak rs", "non_field", "surat keterangan tidak mampu"),
        ("sktm ngurusnya di desa atau dinsos?", "information", None),
        ("izin mendirikan bangunan sy blm terbit 4 bln", "non_field", "izin mendirikan bangunan"),
        ("brp biaya izin mendirikan bangunan?", "information", None),
        ("ktp sy rusak mau ganti disuruh nunggu", "non_field", "ktp"),
        ("kk hilang kena banjir, ngurusnya gmn?", "information", None),
    ],
)
def test_a_word_inside_a_documents_name_is_not_field_work(
    text: str, kind: str, document: str | None
) -> None:
    got = classify(text).type
    assert got.value == kind, got
    if document:
        assert document in got.cues  # the document is named, not its words
    assert not {"tidak", "rusak", "hilang", "banjir"} & set(got.cues)


@pytest.mark.parametrize(
    ("text", "kind", "marker"),
    [
        ("kapan jalan ini diperbaiki??", "field_inspection", "kapan jalan ini diperbaiki"),
        ("knp jln desa sy ga diaspal2? lubang dmn2", "field_inspection", "kenapa"),
        ("kok lampu jalan mati terus?", "field_inspection", "kok"),
        ("kapan ktp sy jadi? udh 3 bln", "non_field", "sudah 3 bulan"),
        ("bansos sy kok blm cair?", "non_field", "kok"),
    ],
)
def test_a_rhetorical_question_is_a_complaint(text: str, kind: str, marker: str) -> None:
    got = classify(text).type
    assert got.value == kind, got
    assert marker in got.cues  # says why the question mark did not make it a request


@pytest.mark.parametrize(
    "text",
    [
        "bagaimana cara mengurus KK?",
        "syarat bikin akta kelahiran apa aja?",
        "kapan jadwal posyandu bulan ini?",
        "jam buka dukcapil hari sabtu?",
        "mau tanya, izin keramaian ke mana ya",
        "kapan pendaftaran PKH dibuka?",
    ],
)
def test_a_real_question_is_a_request_for_information(text: str) -> None:
    got = classify(text).type
    assert got.value == "information", got


def test_rule_accuracy_on_the_corpora() -> None:
    # Measured (README): type 601/623 = 96.5% and category 557/589 = 94.6% on the main corpus
    # (cues tuned on it); type 147/151 = 97.4% and category 139/145 = 95.9% on the SMS hold-out,
    # never tuned on. Both written by this project, so both are optimistic.
    main, sms = _rows("complaints_ngawi.csv"), _rows("sms_holdout.csv")
    assert _accuracy(main, "type", "type") >= 0.93
    assert _accuracy(sms, "type", "type") >= 0.85
    assert _accuracy(main, "category", "category_code") >= 0.9
    assert _accuracy(sms, "category", "category_code") >= 0.85
    # A city's register (kelurahan, PDAM, PKL, parkir liar, banjir rob): 58/60 when written,
    # 60/60 since the public-order cues its two misses asked for.
    assert _accuracy(_rows("city_style.csv"), "type", "type") >= 0.9
