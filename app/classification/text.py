"""Complaint text as the service reads it: one normaliser for classification, routing, duplicates.

Citizens write in SMS shorthand, slang and Javanese ("jln rusak, tdk ada pju", "dalane ajur",
"ktp blm jd2"); every consumer of complaint text sees the same expanded, lower-cased words, so a
cue, a routing phrase, the learned model's features and a duplicate check agree. The steps, in
order: Unicode folded to ASCII and lower case; document names with punctuation inside ("ktp-el",
"e-ktp") joined; "everywhere" ("dmn2", "di mana-mana") told from the question "di mana"; the
a number split from its unit ("5rb" -> "5 ribu"); the Indonesian reduplication digit dropped
("jalan2" -> "jalan"); punctuation dropped; stretched letters squeezed ("rusaaak"); each word
looked up in `ABBREVIATIONS`; multi-word spellings looked up in `PHRASES`; a word said twice in
a row kept once ("gorong-gorong" -> "gorong").

Pure and cheap: 11.5 µs per text over the 151 SMS-style texts of
`tests/classification/data/sms_holdout.csv` (37 characters on average) and 57 µs for a
500-character letter, at load average 6.9 on the shared 2-core development VM (16 µs and 105 µs
at load average 11.5); `bench/text.py`, figures in `bench/RESULTS_text.md`.
"""

import functools
import re
import unicodedata

# Informal spellings, abbreviations and Javanese words seen in SMS, WhatsApp and social media
# complaints, mapped to the standard Indonesian word(s). Only unambiguous forms: "kali" (river
# or times) and "oleh" (by, or Javanese "get") stay as they are.
# fmt: off
ABBREVIATIONS: dict[str, str] = {
    # places and addresses
    "jln": "jalan", "jl": "jalan", "jlan": "jalan", "jalanan": "jalan", "dalan": "jalan",
    "dalane": "jalan", "ds": "desa", "deso": "desa", "dsn": "dusun", "kel": "kelurahan",
    "kelurhan": "kelurahan", "kec": "kecamatan", "kab": "kabupaten",
    "gg": "gang", "dpn": "depan", "dpan": "depan", "blkg": "belakang", "blakang": "belakang",
    "smpg": "samping", "dkt": "dekat", "deket": "dekat",
    "psr": "pasar", "rmh": "rumah", "omah": "rumah", "sklh": "sekolah", "skolah": "sekolah",
    "dmn": "di mana", "dimana": "di mana", "kmn": "ke mana", "kemana": "ke mana",
    "endi": "mana", "ngendi": "mana", "ndi": "mana", "nang": "di",
    # roads, water, lighting, rubbish
    "pju": "lampu jalan", "lpj": "lampu jalan", "lpju": "lampu jalan", "pjl": "lampu jalan",
    "apill": "lampu merah", "lalin": "lalu lintas", "got": "selokan", "comberan": "selokan",
    "kalen": "selokan", "mampet": "tersumbat", "buntu": "tersumbat", "banyu": "air",
    "lobang": "lubang", "bolong": "berlubang", "jeglongan": "lubang", "amblas": "ambles",
    "ancur": "hancur", "ajur": "hancur", "ujan": "hujan", "uwuh": "sampah", "mambu": "bau",
    "peteng": "gelap", "wit": "pohon", "ireng": "hitam", "item": "hitam", "asep": "asap",
    "obong": "bakar", "numpuk": "menumpuk", "ngelupas": "mengelupas", "nggenang": "menggenang",
    "ngenang": "menggenang", "ngalir": "mengalir", "nutup": "menutup", "nyumbat": "menyumbat",
    "mbludak": "meluber", "gede": "besar", "gedhe": "besar",
    # documents and programmes
    "kk": "kartu keluarga", "ktpel": "ktp", "ektp": "ktp", "kia": "kartu identitas anak",
    "akte": "akta", "lair": "lahir", "capil": "dukcapil", "disdukcapil": "dukcapil",
    "dispendukcapil": "dukcapil", "sktm": "surat keterangan tidak mampu",
    "imb": "izin mendirikan bangunan", "pbg": "persetujuan bangunan gedung",
    "rtlh": "rumah tidak layak huni", "pkl": "pedagang kaki lima",
    # health
    "rsud": "rumah sakit", "rs": "rumah sakit", "ugd": "igd", "puskes": "puskesmas",
    "pkm": "puskesmas", "pustu": "puskesmas pembantu", "dbd": "demam berdarah",
    "ambulan": "ambulans", "ambulance": "ambulans",
    # negation, time, questions
    "tdk": "tidak", "tak": "tidak", "gak": "tidak", "ga": "tidak", "gk": "tidak",
    "nggak": "tidak", "ngga": "tidak", "enggak": "tidak", "engga": "tidak", "ndak": "tidak",
    "nda": "tidak", "ora": "tidak", "ra": "tidak", "gaada": "tidak ada", "gada": "tidak ada",
    "gabisa": "tidak bisa", "gatau": "tidak tahu", "sdh": "sudah", "udh": "sudah",
    "udah": "sudah", "dah": "sudah", "uda": "sudah", "wes": "sudah", "wis": "sudah",
    "uwis": "sudah", "blm": "belum", "blum": "belum", "belom": "belum", "durung": "belum",
    "gmn": "bagaimana", "gimana": "bagaimana", "bgmn": "bagaimana", "gmna": "bagaimana",
    "piye": "bagaimana", "pripun": "bagaimana", "carane": "cara", "cr": "cara",
    "kpn": "kapan", "brp": "berapa", "knp": "kenapa", "ngapa": "kenapa", "napa": "kenapa",
    "skrg": "sekarang", "skr": "sekarang", "kmrn": "kemarin", "kemaren": "kemarin",
    "bsk": "besok", "msh": "masih", "lg": "lagi", "trs": "terus", "trus": "terus",
    "sampe": "sampai", "smpe": "sampai", "nunggu": "menunggu", "lelet": "lambat",
    "cepet": "cepat", "jd": "jadi", "jdi": "jadi", "dadi": "jadi",
    # units (after a number has been split from them)
    "rb": "ribu", "rbu": "ribu", "jt": "juta", "th": "tahun", "thn": "tahun", "bln": "bulan",
    "sasi": "bulan", "mgg": "minggu", "hr": "hari", "mnt": "menit", "x": "kali",
    # function words and people
    "yg": "yang", "sing": "yang", "dgn": "dengan", "dg": "dengan", "utk": "untuk",
    "krn": "karena", "karna": "karena", "krna": "karena", "sy": "saya", "sya": "saya",
    "aku": "saya", "gw": "saya", "gue": "saya", "kmi": "kami", "tlg": "tolong",
    "tolongin": "tolong", "mhn": "mohon", "dr": "dari", "tp": "tapi", "tpi": "tapi",
    "klo": "kalau", "kalo": "kalau", "kl": "kalau", "nek": "kalau", "n": "dan",
    "sm": "sama", "jg": "juga", "bs": "bisa", "bsa": "bisa", "iso": "bisa", "isa": "bisa",
    "hrs": "harus", "bkn": "bukan", "aja": "saja", "org": "orang", "wong": "orang",
    "akeh": "banyak", "byk": "banyak", "bnyk": "banyak", "bgt": "banget", "bener": "benar",
    "ilang": "hilang", "ngurus": "mengurus", "ngajuin": "mengajukan", "bpk": "bapak",
    "dibenerin": "diperbaiki", "dibetulin": "diperbaiki", "didandani": "diperbaiki",
    "dibenahi": "diperbaiki", "benerin": "perbaiki", "jaluk": "minta", "pd": "pada",
    "dlm": "dalam", "ttg": "tentang", "mksh": "terima kasih", "makasih": "terima kasih",
    "trims": "terima kasih", "terimakasih": "terima kasih",
}

# Spellings of one thing in several words, in normalised words: (words) -> replacement.
PHRASES: dict[tuple[str, ...], str] = {
    ("ktp", "el"): "ktp", ("e", "ktp"): "ktp", ("ktp", "elektronik"): "ktp",
    ("traffic", "light"): "lampu merah", ("trafik", "light"): "lampu merah",
    ("trafic", "light"): "lampu merah", ("lampu", "lalu", "lintas"): "lampu merah",
    ("lampu", "apill"): "lampu merah", ("akta", "lahir"): "akta kelahiran",
    ("kartu", "tanda", "penduduk"): "ktp", ("penerangan", "jalan", "umum"): "lampu jalan",
    ("lampu", "penerangan", "jalan"): "lampu jalan",
}
# fmt: on

# Words that say nothing about what a complaint is about (for similarity and features).
_STOPWORDS = (
    "yang dan di ke dari untuk dengan pada dalam itu ini ada saya kami kita nya juga sudah"
    " belum masih sangat banget tolong mohon pak bapak ibu bu min admin mas mbak nih sih kok"
    " ya dong lah kah terima kasih karena tapi atau kalau agar supaya sama saja lagi terus"
    " akan bisa harus mau sekali dimanamana"
)
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS.split())

# Word edges are letters and digits only ("_" is a regex word character but not ours).
_START, _END = r"(?<![a-z0-9])", r"(?![a-z0-9])"
_REDUPLICATION = re.compile(r"(?<=[a-z]{2})2" + _END)  # "jalan2", "gorong2": the digit says "again"
_NUMBER_UNIT = re.compile(r"(\d)([a-z])")  # "5rb", "3x", "800m": split the unit off
_JOINED = re.compile(_START + r"(?:e-?ktp|ktp-?el)" + _END)
# "dmn2", "di mana-mana": everywhere, not the question "di mana" (before the digit is dropped).
_EVERYWHERE = re.compile(_START + r"(?:dmn|dimana|di mana|mana)(?:2|-mana|-mana2| mana)" + _END)
_WORD = re.compile(r"[a-z0-9]+")
_STRETCH = re.compile(r"([a-z])\1{2,}")  # "rusaaak" -> "rusak"
_LONGEST_PHRASE = max(len(p) for p in PHRASES)
_PHRASE_STARTS = frozenset(p[0] for p in PHRASES)
# "didepan", "dijalan": the preposition written onto a place word (never a verb with these).
_PLACE_WORDS = (
    "depan belakang samping pinggir sebelah seberang dekat sekitar atas bawah dalam luar sini situ"
    " sana jalan rumah desa dusun kelurahan kecamatan pasar sekolah puskesmas kantor"
)
_PLACES_AFTER_DI = frozenset(_PLACE_WORDS.split())


def _ascii_lower(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return folded.encode("ascii", "ignore").decode("ascii")


def _join_phrases(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] in _PHRASE_STARTS:
            for size in range(min(_LONGEST_PHRASE, len(words) - i), 1, -1):
                replacement = PHRASES.get(tuple(words[i : i + size]))
                if replacement is not None:
                    out.extend(replacement.split())
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        else:
            out.append(words[i])
            i += 1
    return out


def _once(words: list[str]) -> list[str]:
    """ "gorong-gorong", "retak-retak", "jalan jalan": a word repeated in a row counts once."""
    return [w for i, w in enumerate(words) if i == 0 or w != words[i - 1]]


def tokens(text: str) -> list[str]:
    """The normalised words of `text`, in order (see the module docstring for the steps)."""
    return list(_words(text))


# One intake reads the same text four times (the cues, the type and category heads, the routing
# rules, the agency head): the first call does the work, the others find it here. Small, so it
# keeps no more than the last few complaints' texts.
@functools.lru_cache(maxsize=16)
def _words(text: str) -> tuple[str, ...]:
    lowered = _ascii_lower(text)
    # Each rewrite only where its text can occur: most texts skip most of them.
    if "ktp" in lowered:
        lowered = _JOINED.sub("ktp", lowered)
    if "mana" in lowered or "dmn" in lowered:
        lowered = _EVERYWHERE.sub("dimanamana", lowered)
    lowered = _NUMBER_UNIT.sub(r"\1 \2", lowered)
    if "2" in lowered:
        lowered = _REDUPLICATION.sub("", lowered)
    lowered = _STRETCH.sub(r"\1", lowered)
    words: list[str] = []
    expand = ABBREVIATIONS.get
    for word in _WORD.findall(lowered):
        if word[:2] == "di" and word[2:] in _PLACES_AFTER_DI:
            words.append("di")
            word = word[2:]
        found = expand(word)
        if found is None:
            words.append(word)
        else:
            words.extend(found.split())
    words = _once(words)
    # Joining may bring a repeat next to a phrase ("ktp el el"): join until nothing changes.
    while _PHRASE_STARTS.intersection(words):
        joined = _once(_join_phrases(words))
        if joined == words:
            break
        words = joined
    return tuple(words)


def normalize(text: str) -> str:
    """`tokens(text)` joined by single spaces: the text every consumer matches against."""
    return " ".join(_words(text))


def content_words(text: str) -> list[str]:
    """The normalised words that carry meaning: no stopwords, no bare numbers."""
    return [w for w in _words(text) if w not in STOPWORDS and not w.isdigit()]
