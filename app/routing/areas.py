"""Area offices: agencies (kecamatan, kelurahan) chosen by where a complaint is, not by what.

The text model cannot tell one kecamatan office's village matters from another's, and each
office has only a handful of complaints to learn from. So learned routing treats every agency
that serves an area as one label, `AREA_LABEL` ("a matter for the local office"), learned from
all of them together; at prediction that label's probability goes to the office whose area
holds the complaint's region code: the most specific area, by whole code segments.
"""

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

AREA_LABEL = "area-office"


def contains(area: str, code: str | None) -> bool:
    """Does the region `area` hold `code`? By whole segments: 35.21.1 does not hold 35.21.10."""
    return code is not None and (code == area or code.startswith(area + "."))


def office_for(areas: Mapping[str, str], region_code: str | None) -> str | None:
    """The office (key of `areas`) whose area holds the region most specifically, if one does.

    Two offices with the very same most specific area are ambiguous: neither is chosen.
    """
    best: list[str] = []
    for office, area in areas.items():
        if not contains(area, region_code):
            continue
        if not best or len(area) > len(areas[best[0]]):
            best = [office]
        elif len(area) == len(areas[best[0]]):
            best.append(office)
    return best[0] if len(best) == 1 else None


def spread(
    proba: NDArray[np.float64],
    classes: Sequence[str],
    regions: Sequence[str | None],
    areas: Mapping[str, str],
) -> tuple[NDArray[np.float64], list[str]]:
    """Probabilities over real agencies, one row per complaint: each row's `AREA_LABEL` share
    goes to the office whose area holds that complaint's region. With no such office the share
    goes to nobody: no region is invented, so such a complaint cannot be decided for an office.
    """
    if AREA_LABEL not in classes:
        return proba, list(classes)
    pseudo = list(classes).index(AREA_LABEL)
    kept = [i for i, c in enumerate(classes) if c != AREA_LABEL]
    # An office the model also learned by itself (before it had an area) keeps its column.
    offices = sorted(set(areas) - set(classes))
    out_classes = [classes[i] for i in kept] + offices
    column = {c: i for i, c in enumerate(out_classes)}
    out = np.zeros((len(proba), len(out_classes)))
    out[:, : len(kept)] = proba[:, kept]
    for n, region in enumerate(regions):
        office = office_for(areas, region)
        if office is not None:
            out[n, column[office]] += proba[n, pseudo]
    return out, out_classes
