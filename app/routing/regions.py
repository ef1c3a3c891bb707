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
# The prefix an address puts before a name says which level it means: "kec. Paron" is the
# kecamatan even where a desa of the same name exists ("kec paronn" too, misspelt).
LEVEL_OF_PREFIX = {
    "kec": "kecamatan",
    "kecamatan": "kecamatan",
    "desa": "desa_kelurahan",
    "ds": "desa_kelurahan",
    "kel": "desa_kelurahan",
    "kelurahan": "desa_kelurahan",
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


@dataclass(frozen=True)
class _Window:
    text: str
    level: str | None  # the level its prefix names, None when any level may match


def _windows(address: str) -> list[_Window]:
    # Region names are one to three words: compare every such run of the address. A run that
    # starts right after "kec."/"desa"/"kel." can only name a place of that level.
    words: list[str] = []
    levels: list[str | None] = []
    prefix: str | None = None
    for word in _WORD.findall(address.lower()):
        if word in PREFIXES:
            prefix = word
            continue
        words.append(word)
        levels.append(LEVEL_OF_PREFIX.get(prefix or ""))
        prefix = None
    return [
        _Window(" ".join(words[i : i + n]), levels[i])
        for n in (1, 2, 3)
        for i in range(len(words) - n + 1)
    ]


def resolve(address: str, places: list[Place], min_score: float = MIN_SCORE) -> Match | None:
    """The place an address names, most specific first.

    A name after "kec."/"kecamatan" is only a kecamatan, after "desa"/"kel." only a desa.
    Otherwise a desa beats a kecamatan; a desa inside a kecamatan the address also names beats one
    elsewhere; a word that names a kecamatan ("Ngawi", "Paron") counts as the kecamatan before it
    counts as the desa of the same name; then the closer spelling wins.
    """
    if not places:
        return None
    names = {i: normalise(p.name) for i, p in enumerate(places)}
    by_level: dict[str | None, dict[int, str]] = {None: names}
    for i, p in enumerate(places):
        by_level.setdefault(p.level, {})[i] = names[i]
    candidates: list[Match] = []
    for window in _windows(address):
        if len(window.text) < 4:  # "rt", "no" and other scraps match too much
            continue
        choices = by_level.get(window.level, {})
        found = process.extract(
            window.text, choices, scorer=fuzz.ratio, score_cutoff=min_score, limit=20
        )
        candidates += [Match(places[i], float(score), window.text) for _, score, i in found]
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
