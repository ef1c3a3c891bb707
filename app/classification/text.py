"""Complaint text as the service reads it: one normaliser for classification, routing, duplicates.

Citizens write in SMS shorthand ("jln rusak, tdk ada pju"); every consumer of complaint text
sees the same expanded, lower-cased words, so a cue, a routing phrase and a duplicate check agree.
"""

import re

# Informal spellings and abbreviations seen in SMS, WhatsApp and social media complaints.
# fmt: off
ABBREVIATIONS: dict[str, str] = {
    "jln": "jalan", "jl": "jalan", "jl.": "jalan", "pju": "lampu jalan", "lpj": "lampu jalan",
    "kk": "kartu keluarga", "ktp": "ktp", "ktpel": "ktp", "ektp": "ktp", "gmn": "bagaimana",
    "gimana": "bagaimana", "bgmn": "bagaimana", "gmna": "bagaimana", "tdk": "tidak",
    "tak": "tidak", "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak",
    "ngga": "tidak", "enggak": "tidak", "sdh": "sudah", "udh": "sudah", "udah": "sudah",
    "dah": "sudah", "blm": "belum", "blum": "belum", "yg": "yang", "dgn": "dengan", "utk": "untuk",
    "krn": "karena", "karna": "karena", "sy": "saya", "sya": "saya", "tlg": "tolong",
    "mhn": "mohon", "brp": "berapa", "kpn": "kapan", "dmn": "dimana", "knp": "kenapa",
    "byk": "banyak", "bgt": "banget", "skrg": "sekarang", "klo": "kalau", "kalo": "kalau",
    "msh": "masih", "dr": "dari", "tp": "tapi", "rsud": "rumah sakit", "rs": "rumah sakit",
    "igd": "rumah sakit", "capil": "dukcapil", "puskes": "puskesmas", "got": "selokan",
    "comberan": "selokan", "mampet": "tersumbat", "buntu": "tersumbat", "traffic": "lampu merah",
    "apill": "lampu merah", "kia": "kartu identitas anak",
}
# fmt: on

_TOKEN = re.compile(r"[a-z0-9]+")
_REPEAT = re.compile(r"([a-z])\1{2,}")  # "rusaaak" -> "rusak"


def tokens(text: str) -> list[str]:
    """Lower-cased words with abbreviations expanded and stretched letters squeezed."""
    words: list[str] = []
    # "gorong2", "jadi2": the Indonesian reduplication digit is dropped, keeping the word.
    lowered = re.sub(r"([a-z])2\b", r"\1", text.lower())
    for raw in _TOKEN.findall(lowered):
        word = _REPEAT.sub(r"\1", raw)
        words.extend(ABBREVIATIONS.get(word, word).split())
    return words
