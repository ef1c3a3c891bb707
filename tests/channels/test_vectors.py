"""Signature schemes against the providers' own vectors, and the pure SMS helpers. No database."""

import json

import pytest

from app.channels.signatures import (
    meta_signature_valid,
    twilio_signature,
    twilio_signature_valid,
    x_signature,
    x_signature_valid,
)
from app.channels.sms import join_parts
from app.channels.sms_parse import Concat, parse_keyword, parse_udh, sender_phone
from app.complaints.duplicates import best_match, similarity
from app.kernel.errors import Invalid
from tests.channels.conftest import FIXTURES, WHATSAPP_SECRET, WHATSAPP_SIGNATURE

RAW = (FIXTURES / "whatsapp_signed_body.raw.json").read_bytes()
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}


def test_meta_vector_verifies_and_one_changed_byte_fails() -> None:
    assert len(RAW) == 511
    assert meta_signature_valid(WHATSAPP_SECRET, RAW, WHATSAPP_SIGNATURE)
    for i in (0, 100, 510):
        tampered = RAW[:i] + bytes([RAW[i] ^ 0x01]) + RAW[i + 1 :]
        assert not meta_signature_valid(WHATSAPP_SECRET, tampered, WHATSAPP_SIGNATURE)
    assert not meta_signature_valid("another-secret", RAW, WHATSAPP_SIGNATURE)
    assert not meta_signature_valid(WHATSAPP_SECRET, RAW, WHATSAPP_SIGNATURE[len("sha256=") :])
    assert not meta_signature_valid(WHATSAPP_SECRET, RAW, None)


def test_x_crc_vector() -> None:
    vector = json.loads((FIXTURES / "crc_challenge_vector.json").read_text())
    token = vector["request"].split("crc_token=")[1]
    expected = vector["expected_response_json"]["response_token"]
    assert x_signature(vector["consumer_secret"], token.encode()) == expected
    assert x_signature_valid(vector["consumer_secret"], token.encode(), expected)
    assert not x_signature_valid(vector["consumer_secret"], token.encode() + b" ", expected)


def test_twilio_vectors() -> None:
    assert twilio_signature("12345", TWILIO_URL, TWILIO_PARAMS.items()) == (
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )
    duplicated = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    assert twilio_signature("12345", TWILIO_URL, duplicated) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    changed = {**TWILIO_PARAMS, "Digits": "1235"}
    assert not twilio_signature_valid(
        "12345", TWILIO_URL, changed.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )


def test_udh_concatenation_header_8_and_16_bit() -> None:
    assert parse_udh("050003A70302") == Concat("167", 3, 2)
    assert parse_udh("06080401020301") == Concat(str(0x0102), 3, 1)
    assert parse_udh("") is None
    with pytest.raises(Invalid):
        parse_udh("050003A70304")  # part 4 of 3
    with pytest.raises(Invalid):
        parse_udh("0700")  # length byte lies


def test_keywords() -> None:
    assert parse_keyword("LAPOR jalan rusak").text == "jalan rusak"
    assert parse_keyword("lapor: jalan rusak").kind == "complaint"
    status = parse_keyword("cek lpr-7k3m9-qxa4t")
    assert (status.kind, status.tracking_id) == ("status", "LPR-7K3M9-QXA4T")
    assert parse_keyword("CEK nonsense").tracking_id is None
    assert parse_keyword("Jalan rusak di Beran").text == "Jalan rusak di Beran"


def test_sender_numbers_normalise_and_names_are_refused() -> None:
    assert sender_phone("081234567890") == sender_phone("+6281234567890") == "+6281234567890"
    with pytest.raises(Invalid):
        sender_phone("TELKOMSEL")


def test_join_parts_marks_a_missing_part() -> None:
    assert join_parts([(2, "o dun"), (1, "Hal"), (3, "ia")], 3) == "Halo dunia"
    assert join_parts([(1, "Jalan "), (3, "parah")], 3) == "Jalan  […] parah"
    assert join_parts([(1, "Jalan rusak."), (2, "Mohon diperbaiki.")], None) == (
        "Jalan rusak. Mohon diperbaiki."
    )


def test_similarity_is_token_set_based() -> None:
    a = "Jalan di Desa Beran berlubang besar, belum diperbaiki"
    assert similarity(a, "jalan desa beran berlubang besar belum diperbaiki!") == 1.0
    assert similarity(a, "Lampu penerangan mati di alun-alun") == 0.0
    assert best_match(a, [], 0.5) is None
