"""The one text normaliser: what citizens write and what every consumer of the text reads."""

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.classification.text import content_words, normalize, tokens
from app.complaints.duplicates import similarity
from app.routing.decide import RuleSpec, Sample, evaluate


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # abbreviations of places and roads
        ("jln rusak", "jalan rusak"),
        ("Jl. Ahmad Yani", "jalan ahmad yani"),
        ("jl raya", "jalan raya"),
        ("ds. Beran kec. Ngawi kel. Pelem", "desa beran kecamatan ngawi kelurahan pelem"),
        ("dsn krajan", "dusun krajan"),
        # negation and SMS shorthand
        ("tdk nyala", "tidak nyala"),
        ("gak ada", "tidak ada"),
        ("nggak jelas", "tidak jelas"),
        ("ga bs", "tidak bisa"),
        ("gaada respon", "tidak ada respon"),
        ("sdh lapor blm ditanggapi", "sudah lapor belum ditanggapi"),
        ("gmn cr ngurus", "bagaimana cara mengurus"),
        # documents and programmes, however they are spelled
        ("akte kelahiran", "akta kelahiran"),
        ("akte lair", "akta kelahiran"),
        ("KTP-el", "ktp"),
        ("e-KTP", "ktp"),
        ("ektp", "ktp"),
        ("ktp el", "ktp"),
        ("kk", "kartu keluarga"),
        ("BPJS PBI", "bpjs pbi"),
        ("sktm", "surat keterangan tidak mampu"),
        ("IMB", "izin mendirikan bangunan"),
        # lighting and traffic
        ("PJU mati", "lampu jalan mati"),
        ("penerangan jalan umum", "lampu jalan"),
        ("traffic light", "lampu merah"),
        ("lampu lalu lintas", "lampu merah"),
        # numbers with units, reduplication, stretched letters, punctuation, accents
        ("5rb", "5 ribu"),
        ("2jt", "2 juta"),
        ("3x", "3 kali"),
        ("6 bln", "6 bulan"),
        ("jalan2", "jalan"),
        ("gorong2", "gorong"),
        ("gorong-gorong", "gorong"),
        ("ktp blm jd2", "ktp belum jadi"),
        ("rusaaak bgt!!!", "rusak banget"),
        ("Café…", "cafe"),
        ("didepan SD", "di depan sd"),
        ("dimana kantornya?", "di mana kantornya"),
        ("lubang dmn2", "lubang dimanamana"),
        ("sampah di mana-mana", "sampah dimanamana"),
        # Javanese words where they mean one thing
        ("dalane ajur", "jalan hancur"),
        ("kalen buntu", "selokan tersumbat"),
        ("uwuh ra diangkut", "sampah tidak diangkut"),
        ("lampu dalan peteng", "lampu jalan gelap"),
        ("wes 2 sasi", "sudah 2 bulan"),
        ("carane piye", "cara bagaimana"),
    ],
)
def test_normalize(written: str, read: str) -> None:
    assert normalize(written) == read


def test_tokens_are_the_normalised_words_in_order() -> None:
    assert tokens("Jln rusaaak, sdh lama blm diperbaiki gmn nih") == [
        "jalan", "rusak", "sudah", "lama", "belum", "diperbaiki", "bagaimana", "nih",
    ]  # fmt: skip
    assert tokens("") == []
    assert tokens("?!…") == []


def test_words_that_could_mean_two_things_stay_as_written() -> None:
    # "kali" is a river and "times"; "oleh" is "by" and Javanese "get".
    assert normalize("kali meluap") == "kali meluap"
    assert normalize("diperbaiki oleh desa") == "diperbaiki oleh desa"


def test_normalising_twice_changes_nothing() -> None:
    for text in ("jln ds beran rusaaak, tdk ada pju, udh 3x lapor", "KTP-el blm jd2, akte jg"):
        once = normalize(text)
        assert normalize(once) == once


# Text built from the shorthand the normaliser knows, glued by punctuation and digits.
_SHORTHAND = st.sampled_from(
    ["jln", "tdk", "ktp-el", "e-ktp", "kk", "jalan2", "gorong-gorong", "5rb", "3x", "rusaaak",
     "pju", "traffic", "light", "lampu", "lalu", "lintas", "dmn2", "didepan", "akte", "lair",
     "ds.", "ra", "ktp", "el", "??", "…", "é", " ", "2", "-"]
)  # fmt: skip


@given(st.lists(_SHORTHAND | st.text(max_size=8), max_size=30).map(" ".join))
def test_normalising_any_text_is_stable_and_yields_plain_words(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert all(re.fullmatch(r"[a-z0-9]+", w) for w in tokens(text))


def test_content_words_drop_stopwords_and_bare_numbers() -> None:
    assert content_words("tolong jln di RT 03 rusak yg parah") == ["jalan", "rt", "rusak", "parah"]


def test_duplicate_detection_reads_shorthand_as_the_full_words() -> None:
    full = "Jalan di desa Beran rusak, lampu jalan tidak menyala sudah tiga bulan"
    short = "jln ds beran rusak, pju tdk menyala udh tiga bln"
    assert similarity(full, short) == 1.0
    assert similarity("KTP-el saya belum jadi", "e-KTP sy blm jd2") == 1.0
    assert similarity(full, "Obat di puskesmas kosong") == 0.0


def test_routing_phrases_match_through_the_same_normaliser() -> None:
    rule = RuleSpec(uuid.uuid4(), 10, "Lampu jalan", uuid.uuid4(), keywords=("lampu jalan",))
    winner, _ = evaluate([rule], Sample(text="PJU depan pasar mati"))
    assert winner is not None
    assert winner.conditions[0]["hit"] == "lampu jalan"
    document_rule = RuleSpec(uuid.uuid4(), 20, "KTP", uuid.uuid4(), keywords=("ktp-el",))
    winner, _ = evaluate([document_rule], Sample(text="e-KTP saya hilang"))
    assert winner is not None
