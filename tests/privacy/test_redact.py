"""Contact data a reporter typed into the text is masked in what the public reads."""

import time

import pytest

from app.privacy.redact import EMAIL_MASK, NIK_MASK, PHONE_MASK, public_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Hubungi saya di 0812-3456-7890 ya", f"Hubungi saya di {PHONE_MASK} ya"),
        ("wa +62 812 3456 7890.", f"wa {PHONE_MASK}."),
        ("nomor 628123456789", f"nomor {PHONE_MASK}"),
        ("telp (0351) 749123", f"telp {PHONE_MASK}"),
        ("hp: 0812.3456.789", f"hp: {PHONE_MASK}"),
        ("NIK saya 3521095304900001", f"NIK saya {NIK_MASK}"),
        ("KK 3521 0912 0300 0002 a.n. ibu", f"KK {NIK_MASK} a.n. ibu"),
        ("(NIK: 3521095304900001) warga", f"(NIK: {NIK_MASK}) warga"),
        ("nomor saya (0812 3456 7890)", f"nomor saya ({PHONE_MASK})"),
        ("email budi.s+lapor@gmail.co.id, terima kasih", f"email {EMAIL_MASK}, terima kasih"),
    ],
)
def test_contact_data_is_masked(text: str, masked: str) -> None:
    assert public_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Dana desa Rp 150.000.000 tidak jelas",
        "tanggal 12-03-2026 jam 10.30",
        "RT 03/RW 05 no 12, kode pos 63211",
        "no rekening 1234567890123",  # not an identity number, not a telephone number
        "tahun 2019 2020 2021 2022",  # 16 digits, but no NIK's shape
        "jalan km 12.5 arah Solo",
        "",
    ],
)
def test_what_is_not_contact_data_stays(text: str) -> None:
    assert public_text(text) == text


def _cost(text: str) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        public_text(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("unit", ["1", "1.", "(1) ", "0812 ", "a", "a."])
def test_masking_cost_grows_linearly_with_the_text(unit: str) -> None:
    # Anyone can file a 10,000-character text and then ask for its public page: the e-mail
    # pattern once backtracked on it (2.3 s for 10,000 digits). Linear: 10x the text costs about
    # 10x; quadratic costs 100x. The bound compares two sizes measured together, not a speed.
    small, large = unit * (1_000 // len(unit)) + "@a", unit * (10_000 // len(unit)) + "@a"
    assert _cost(large) < 40 * _cost(small)
