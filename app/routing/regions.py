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
    """The place an address names, most specific first.

    A desa beats a kecamatan; a desa inside a kecamatan the address also names beats one
    elsewhere; a word that names a kecamatan ("Ngawi", "Paron") counts as the kecamatan before it
    counts as the desa of the same name; then the closer spelling wins.
    """
    words = normalise(address).split()
    if not words or not places:
        return None
    names = [normalise(p.name) for p in places]
    candidates: list[Match] = []
    for window in _windows(words):
        if len(window) < 4:  # "rt", "no" and other scraps match too much
            continue
        found = process.extract(window, names, scorer=fuzz.ratio, score_cutoff=min_score, limit=20)
        candidates += [Match(places[i], float(score), window) for _, score, i in found]
    if not candidates:
        return None
    named_kecamatan = {m.place.code for m in candidates if m.place.level == "kecamatan"}
    kecamatan_words = {m.matched_text for m in candidates if m.place.level == "kecamatan"}

    def rank(m: Match) -> tuple[bool, bool, bool, float]:
        is_desa = m.place.level == "desa_kelurahan"
        return (
            is_desa,
            m.place.parent_code in named_kecamatan,
            m.matched_text not in kecamatan_words,
            m.score,
        )

    return max(candidates, key=rank)
