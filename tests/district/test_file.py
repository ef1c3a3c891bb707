"""The district file's own checks: every problem on its own line, named by its YAML path."""

import pytest

from app.district.schema import DistrictFileError, dump, parse

MINIMAL = """
jurisdiction: {code: '53.71', name: Kota Kupang, timezone: Asia/Makassar}
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(DistrictFileError) as caught:
        parse(text)
    return caught.value.problems


def test_every_problem_is_one_line_with_its_yaml_path() -> None:
    problems = _problems(
        """
jurisdiction: {code: 53.71, name: Kota Kupang, timezone: Mars/Olympus}
agencies:
- {code: PU, name: Dinas PU, kind: dinas}
- {code: PU, name: Dinas PU lagi, kind: dinas}
- {code: 'bad code', name: X, kind: kantor}
people:
- {username: admin.kupang, role: admin, password: rahasia-sekali-123}
"""
    )
    assert problems == [
        "jurisdiction.code: write it in quotes ('53.71'): unquoted, YAML reads it as a number",
        "jurisdiction.timezone: Unknown IANA time zone 'Mars/Olympus'.",
        "agencies[2].code: String should match pattern '^[A-Za-z0-9][A-Za-z0-9_.-]*$'",
        "agencies[2].kind: Input should be 'dinas', 'badan', 'bagian', 'kecamatan', "
        "'kelurahan_desa', 'bumd' or 'vertical'",
        "people[0].password: unknown field (passwords and keys never belong in this file)",
    ]


def test_duplicate_keys_are_named_where_they_stand() -> None:
    problems = _problems(
        MINIMAL
        + """
agencies:
- code: PU
  name: Dinas PU
  kind: dinas
  liaisons:
  - {role: primary, name: Ana, valid_from: 2026-01-05}
  - {role: primary, name: Ana, valid_from: 2026-01-05, decree_number: '1/2026'}
- {code: PU, name: Dinas PU lagi, kind: dinas}
clients:
- {name: App, role: citizen_app}
- {name: App, role: hub}
"""
    )
    assert problems == [
        "agencies[0].code: PU appears more than once",
        "agencies[1].code: PU appears more than once",
        "clients[0].name: App appears more than once",
        "clients[1].name: App appears more than once",
        "agencies[0].liaisons[0].name: primary Ana from 2026-01-05 appears more than once",
        "agencies[0].liaisons[1].name: primary Ana from 2026-01-05 appears more than once",
    ]


def test_yaml_that_does_not_parse_names_its_line() -> None:
    assert _problems("jurisdiction:\n  code: [53.71\n") == [
        "line 3, column 1: not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]
    assert _problems("- just\n- a list\n") == ["expected a mapping with a 'jurisdiction' key"]


def test_dump_leaves_defaults_out_and_parses_back_to_the_same() -> None:
    district = parse(
        MINIMAL
        + """
agencies:
- {code: PU, name: Dinas PU, kind: dinas, active: true, liaisons: []}
rules:
- {name: Jalan ke PU, position: 1, agency: PU, keywords: [jalan rusak]}
"""
    )
    text = dump(district)
    assert "active" not in text
    assert "liaisons" not in text
    assert parse(text) == district
