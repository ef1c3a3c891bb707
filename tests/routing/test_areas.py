"""Area offices by region, pure: the most specific area wins, by whole code segments."""

import numpy as np

from app.routing.areas import AREA_LABEL, office_for, spread

AREAS = {"kec-paron": "35.21.10", "kel-dawu": "35.21.10.2006", "kec-sine": "35.21.01"}


def test_the_most_specific_area_holding_the_region_wins() -> None:
    assert office_for(AREAS, "35.21.10.2001") == "kec-paron"
    assert office_for(AREAS, "35.21.10.2006") == "kel-dawu"
    assert office_for(AREAS, "35.21.10") == "kec-paron"
    # Whole segments: the area 35.21.1 (were there one) or 35.21.01 never holds 35.21.10.
    assert office_for(AREAS, "35.21.19.2001") is None
    assert office_for({"x": "35.21.1"}, "35.21.10") is None
    assert office_for(AREAS, "35.21") is None  # wider than any area: nobody's
    assert office_for(AREAS, None) is None
    # Two offices for the very same area: ambiguous, neither is chosen.
    assert office_for({"a": "35.21.05", "b": "35.21.05"}, "35.21.05.2001") is None


def test_spread_gives_the_area_share_to_each_rows_own_office_and_never_invents_one() -> None:
    classes = ["dinsos", AREA_LABEL]
    proba = np.asarray([[0.2, 0.8], [0.3, 0.7], [0.4, 0.6]])
    out, labels = spread(proba, classes, ["35.21.10.2001", "35.21.01.2003", None], AREAS)
    assert labels == ["dinsos", "kec-paron", "kec-sine", "kel-dawu"]
    assert out.tolist() == [[0.2, 0.8, 0, 0], [0.3, 0, 0.7, 0], [0.4, 0, 0, 0]]
    untouched, same = spread(proba, ["dinsos", "dlh"], [None] * 3, AREAS)
    assert same == ["dinsos", "dlh"]
    assert untouched is proba
