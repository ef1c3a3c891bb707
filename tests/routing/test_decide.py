"""Pure routing decisions: rule conditions, liaison validity, region names."""

import uuid
from datetime import date

import pytest

from app.routing.decide import Appointment, RuleSpec, Sample, current_liaison, evaluate, is_valid
from app.routing.regions import Place, normalise, resolve

AGENCY_A, AGENCY_B = uuid.uuid4(), uuid.uuid4()
CATEGORY = uuid.uuid4()


def _rule(position: int, **conditions: object) -> RuleSpec:
    return RuleSpec(uuid.uuid4(), position, f"r{position}", AGENCY_A, **conditions)  # type: ignore[arg-type]


def test_first_matching_rule_by_position_wins_and_all_are_explained() -> None:
    late = _rule(20, keywords=("sampah",))
    early = _rule(10, keywords=("tps",))
    winner, checks = evaluate([late, early], Sample("sampah di tps menumpuk"))
    assert winner is not None
    assert winner.rule is early
    assert [c.rule.position for c in checks] == [10, 20]
    assert all(c.matched for c in checks)


def test_every_condition_must_hold() -> None:
    rule = _rule(1, keywords=("sampah",), region_prefix="35.21.09", channel="sms_1708")
    sample = Sample("sampah numpuk", region_code="35.21.09.2006", channel="web")
    winner, [check] = evaluate([rule], sample)
    assert winner is None
    outcome = {c["kind"]: c["matched"] for c in check.conditions}
    assert outcome == {"keywords": True, "region": True, "channel": False}


def test_region_prefix_matches_whole_segments_only() -> None:
    rule = _rule(1, region_prefix="35.21.1")
    assert evaluate([rule], Sample("x", region_code="35.21.10.2001"))[0] is None
    rule = _rule(1, region_prefix="35.21.10")
    assert evaluate([rule], Sample("x", region_code="35.21.10.2001"))[0] is not None
    assert evaluate([rule], Sample("x", region_code="35.21.10"))[0] is not None
    assert evaluate([rule], Sample("x", region_code=None))[0] is None


def test_keywords_match_phrases_after_abbreviations_are_expanded() -> None:
    rule = _rule(1, keywords=("lampu jalan",))
    winner, [check] = evaluate([rule], Sample("PJU depan sekolah mati"))
    assert winner is not None
    assert check.conditions[0]["hit"] == "lampu jalan"
    # A phrase is not a bag of words.
    assert evaluate([rule], Sample("jalan gelap, lampu rumah mati"))[0] is None


def test_category_and_channel_conditions() -> None:
    rule = _rule(1, category_id=CATEGORY, channel="sms_1708")
    assert evaluate([rule], Sample("x", category_id=CATEGORY, channel="sms_1708"))[0]
    assert evaluate([rule], Sample("x", category_id=uuid.uuid4(), channel="sms_1708"))[0] is None


def _appointment(role: str, start: date, end: date | None) -> Appointment:
    return Appointment(uuid.uuid4(), role, start, end)


def test_liaison_validity_bounds_are_inclusive() -> None:
    a = _appointment("primary", date(2026, 1, 2), date(2026, 6, 30))
    assert not is_valid(a, date(2026, 1, 1))
    assert is_valid(a, date(2026, 1, 2))
    assert is_valid(a, date(2026, 6, 30))
    assert not is_valid(a, date(2026, 7, 1))
    assert is_valid(_appointment("deputy", date(2026, 1, 2), None), date(2099, 1, 1))


def test_primary_first_then_deputy_then_nobody() -> None:
    primary = _appointment("primary", date(2026, 1, 2), date(2026, 6, 30))
    deputy = _appointment("deputy", date(2026, 3, 1), None)
    older_deputy = _appointment("deputy", date(2026, 2, 1), date(2026, 12, 31))
    staff = [primary, deputy, older_deputy]
    assert current_liaison(staff, date(2026, 6, 30)) == primary
    assert current_liaison(staff, date(2026, 7, 1)) == older_deputy
    assert current_liaison(staff, date(2027, 1, 1)) == deputy
    assert current_liaison(staff, date(2026, 1, 1)) is None


PLACES = [
    Place("35.21.09", "Ngawi", "kecamatan", "35.21"),
    Place("35.21.10", "Paron", "kecamatan", "35.21"),
    Place("35.21.11", "Kedunggalar", "kecamatan", "35.21"),
    Place("35.21.09.2006", "Beran", "desa_kelurahan", "35.21.09"),
    Place("35.21.10.2001", "Gelung", "desa_kelurahan", "35.21.10"),
    Place("35.21.11.2001", "Gelung", "desa_kelurahan", "35.21.11"),
]


def test_names_are_normalize() -> None:
    assert normalise("  DS. Beran,  Kec.Ngawi ") == "beran ngawi"
    assert normalise("Kel. Karang-Tengah") == "karang tengah"


def test_address_resolves_to_the_most_specific_place() -> None:
    match = resolve("jl raya BERAN no 12 kec. ngawi", PLACES)
    assert match is not None
    assert (match.place.code, match.score) == ("35.21.09.2006", 100.0)


def test_misspelt_names_still_resolve_with_a_lower_score() -> None:
    match = resolve("pasar kedunggalr", PLACES)
    assert match is not None
    assert match.place.code == "35.21.11"
    assert 85 <= match.score < 100


def test_a_village_name_shared_by_two_kecamatan_follows_the_named_kecamatan() -> None:
    match = resolve("desa gelung kec kedunggalar", PLACES)
    assert match is not None
    assert match.place.code == "35.21.11.2001"
    match = resolve("desa gelung, paron", PLACES)
    assert match is not None
    assert match.place.code == "35.21.10.2001"


def test_unknown_places_do_not_resolve() -> None:
    assert resolve("rt 3 rw 2 dekat masjid", PLACES) is None
    assert resolve("", PLACES) is None


NGAWI_PARON = [
    *PLACES,
    Place("35.21.10.2007", "Paron", "desa_kelurahan", "35.21.10"),
    Place("35.21.09.2010", "Ngawi", "desa_kelurahan", "35.21.09"),
]


@pytest.mark.parametrize(
    "address",
    ["kec. Paron", "Kecamatan paron", "kec paronn", "KEC.PARON, dekat pasar", "wilayah kec paron"],
)
def test_an_address_naming_only_a_kecamatan_resolves_to_the_kecamatan(address: str) -> None:
    match = resolve(address, NGAWI_PARON)
    assert match is not None
    assert (match.place.code, match.place.level) == ("35.21.10", "kecamatan")


def test_the_desa_of_a_kecamatan_s_name_is_found_when_the_address_says_desa() -> None:
    for address in ("desa paron kec paron", "Ds. Paron", "kel. ngawi, kec. ngawi"):
        match = resolve(address, NGAWI_PARON)
        assert match is not None
        assert match.place.level == "desa_kelurahan", address
    match = resolve("desa gelung kec paronn", NGAWI_PARON)
    assert match is not None
    assert match.place.code == "35.21.10.2001"
