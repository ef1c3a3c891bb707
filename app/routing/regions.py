"""Resolving a free-text place name to a Kemendagri code (pure; the names come from the caller).

Names are normalised (case, punctuation, spacing, administrative prefixes such as "desa",
"kel.", "kec.") and compared with RapidFuzz's token-set ratio, which forgives one or two wrong
letters ("Kedunggalr", "Paroon") and extra words around the name ("depan balai desa beran").
"""

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

PREFIXES = {
    "desa",
    "ds",
    "kel",
    "kelurahan",
    "kec",
    "kecamatan",
    "dusun",
    "dsn",
    "kab",
    "kabupaten",
    "kota",
    "rt",
    "rw",
    "jl",
    "jln",
    "jalan",
    "gang",
    "gg",
    "no",
}
_WORD = re.compile(r"[a-z]+")
MIN_SCORE = 85.0


def normalise(name: str) -> str:
    """Lower-case letters only, without administrative prefixes or house numbers."""
    return " ".join(w for w in _WORD.findall(name.lower()) if w not in PREFIXES)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str  # "kecamatan" or "desa_kelurahan"
    parent_code: str | None


@dataclass(frozen=True)
class Match:
    place: Place
    score: float
    matched_text: str


def _windows(words: list[str]) -> list[str]:
    # Region names are one to three words: compare every such run of the address.
    return [" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)]


def resolve(address: str, places: list[Place], min_score: float = MIN_SCORE) -> Match | None:
    """The best-scoring place named in `address` (a desa beats its kecamatan when both fit)."""
    words = normalise(address).split()
    if not words or not places:
        return None
    names = [normalise(p.name) for p in places]
    best: Match | None = None
    for window in _windows(words):
        if len(window) < 4:  # "rt", "no" and other scraps match too much
            continue
        found = process.extractOne(window, names, scorer=fuzz.ratio, score_cutoff=min_score)
        if found is None:
            continue
        _, score, index = found
        place = places[index]
        better = best is None or (score, _depth(place)) > (best.score, _depth(best.place))
        if better:
            best = Match(place, float(score), window)
    if best is None or best.place.level != "desa_kelurahan":
        return best
    return _prefer_named_kecamatan(best, words, places)


def _depth(place: Place) -> int:
    return place.code.count(".")


def _prefer_named_kecamatan(best: Match, words: list[str], places: list[Place]) -> Match:
    """Village names repeat across kecamatan: when the address names a kecamatan, stay in it."""
    same_name = [
        p for p in places if p.level == "desa_kelurahan" and normalise(p.name) == best.matched_text
    ]
    if len(same_name) < 2:
        return best
    kecamatan = {p.code: normalise(p.name) for p in places if p.level == "kecamatan"}
    joined = f" {' '.join(words)} "
    for p in same_name:
        if p.parent_code and f" {kecamatan.get(p.parent_code, '#')} " in joined:
            return Match(p, best.score, best.matched_text)
    return best
