"""The explainable rule set: Indonesian cue words and phrases -> type and category, with why.

Pure and cheap (a dictionary walk over the tokens), so intake can call it on every complaint.
Category answers are canonical codes (the demo's category codes); a jurisdiction whose tree
uses those codes gets a category id, others get only the code in the suggestion.
"""

from dataclasses import dataclass, field

from app.classification.text import tokens

# (phrase or word, weight). Phrases are matched first and their words are not counted again,
# so "lampu jalan" is street lighting, not a road.
# fmt: off
CATEGORY_CUES: dict[str, list[tuple[str, float]]] = {
    "infrastruktur": [
        ("jalan rusak", 3), ("jalan berlubang", 3), ("jalan desa", 2), ("jalan kabupaten", 2),
        ("jalan lingkungan", 2), ("jalan poros", 2), ("jalan", 1), ("jembatan", 3),
        ("drainase", 3), ("selokan", 3), ("gorong", 3), ("talud", 3), ("aspal", 2), ("diaspal", 2),
        ("berlubang", 2), ("lubang", 1), ("irigasi", 3), ("saluran", 2), ("ambles", 1),
        ("ambrol", 1), ("genangan", 2), ("becek", 1),
    ],
    "perhubungan": [
        ("lampu jalan", 4), ("lampu merah", 4), ("light", 1), ("rambu", 3), ("marka", 3),
        ("parkir", 3), ("juru parkir", 3), ("angkot", 3), ("terminal", 2), ("bus", 2), ("truk", 1),
        ("lalu lintas", 3), ("uji kir", 4), ("dishub", 4), ("ngetem", 2), ("macet", 1),
        ("kendaraan", 1),
    ],
    "lingkungan": [
        ("sampah", 3), ("tps", 2), ("limbah", 3), ("pencemaran", 3), ("tercemar", 3), ("asap", 2),
        ("polusi", 3), ("pembakaran", 2), ("bau", 2), ("kandang", 1), ("pohon", 2), ("tumbang", 1),
        ("izin lingkungan", 4), ("hutan", 2), ("sungai", 1), ("plastik", 1), ("menyengat", 1),
    ],
    "bansos": [
        ("bansos", 4), ("bantuan sosial", 4), ("pkh", 4), ("bpnt", 4), ("blt", 4), ("dtks", 4),
        ("sembako", 3), ("bantuan", 2), ("miskin", 2), ("lansia", 1), ("tidak layak huni", 3),
        ("rehab rumah", 3), ("tepat sasaran", 2), ("dicoret", 1),
    ],
    "adminduk": [
        ("ktp", 4), ("kartu keluarga", 4), ("akta", 4), ("akta kelahiran", 4),
        ("akta kematian", 4), ("nik", 3), ("dukcapil", 4), ("domisili", 3), ("pindah domisili", 4),
        ("kartu identitas anak", 4), ("blanko", 3), ("kependudukan", 4),
    ],
    "kesehatan": [
        ("puskesmas", 4), ("rumah sakit", 4), ("bpjs", 2), ("dokter", 3), ("obat", 3),
        ("pasien", 3), ("bidan", 3), ("posyandu", 4), ("polindes", 4), ("perawat", 3),
        ("demam berdarah", 4), ("fogging", 4), ("vaksin", 3), ("ambulans", 1), ("imunisasi", 3),
        ("ibu hamil", 2), ("kader", 1),
    ],
}
# fmt: on

# fmt: off
TYPE_CUES: dict[str, list[tuple[str, float]]] = {
    "information": [
        ("bagaimana", 3), ("cara", 2), ("syarat", 3), ("syaratnya", 3), ("persyaratan", 3),
        ("prosedur", 3), ("apakah", 2), ("apa bisa", 3), ("kapan", 2), ("berapa", 2),
        ("dimana", 2), ("di mana", 2), ("jadwal", 1), ("info", 3), ("informasi", 3),
        ("mau tanya", 3), ("tanya", 2), ("jam buka", 2), ("apa saja", 2),
    ],
    "field_inspection": [
        ("rusak", 2), ("berlubang", 3), ("lubang", 2), ("ambrol", 3), ("ambles", 3),
        ("longsor", 3), ("jebol", 3), ("putus", 2), ("tersumbat", 3), ("meluap", 2),
        ("meluber", 2), ("banjir", 2), ("kebanjiran", 2), ("genangan", 2), ("mati", 2),
        ("tidak nyala", 3), ("gelap", 2), ("menumpuk", 3), ("tidak diangkut", 3), ("bau", 2),
        ("limbah", 2), ("asap", 2), ("liar", 2), ("tumbang", 3), ("miring", 1), ("mengelupas", 3),
        ("becek", 2), ("berlumpur", 2), ("parkir sembarangan", 3), ("ngetem", 2), ("hilang", 1),
        ("fogging", 3), ("macet", 1), ("tidak diaspal", 2), ("diaspal", 1), ("terancam", 1),
        ("bahaya", 1),
    ],
    "non_field": [
        ("belum cair", 3), ("tidak cair", 3), ("belum jadi", 3), ("belum terbit", 3),
        ("pungli", 3), ("pungutan", 3), ("uang pelicin", 3), ("minta uang", 3),
        ("minta bayaran", 3), ("memotong", 3), ("dipotong", 3), ("lambat", 2), ("lama", 1),
        ("antrean", 2), ("kasar", 3), ("tidak ditanggapi", 2), ("dihentikan", 2), ("dicoret", 2),
        ("tidak dapat", 2), ("belum pernah dapat", 3), ("belum diterima", 3),
        ("tidak pernah dapat", 3), ("kosong", 2), ("tutup", 2), ("offline", 2), ("salah", 2),
        ("disuruh", 1), ("tidak terdaftar", 2), ("tidak ada", 1), ("jarang", 2),
        ("tidak aktif", 2), ("mahal", 2), ("tarif", 2), ("kadaluarsa", 2), ("nunggu", 1),
        ("tepat sasaran", 2),
    ],
}
# fmt: on

# Longest phrases first: a phrase's words are spent and do not count again alone.
for _table in (CATEGORY_CUES, TYPE_CUES):
    for _cues in _table.values():
        _cues.sort(key=lambda c: -len(c[0]))

# Nothing said: a complaint that needs no inspection is the commonest kind.
DEFAULT_TYPE = "non_field"


@dataclass(frozen=True)
class Guess:
    value: str | None
    confidence: float
    cues: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    type: Guess
    category: Guess
    type_method: str = "rules"  # or "learned": each part comes from whichever scored better
    category_method: str = "rules"

    def as_json(self) -> dict[str, object]:
        learned = "learned" in (self.type_method, self.category_method)
        return {
            "method": "learned" if learned else "rules",
            "type_method": self.type_method,
            "category_method": self.category_method,
            "type": self.type.value,
            "type_confidence": round(self.type.confidence, 3),
            "type_cues": self.type.cues,
            "category_code": self.category.value,
            "category_confidence": round(self.category.confidence, 3),
            "category_cues": self.category.cues,
        }


def _score(words: list[str], cues: list[tuple[str, float]]) -> tuple[float, list[str]]:
    text = f" {' '.join(words)} "
    used = [False] * len(text)
    score = 0.0
    found: list[str] = []
    present = set(words)
    for phrase, weight in cues:  # longest first (sorted below, once)
        if not present.issuperset(phrase.split()):  # the cheap test rules most cues out
            continue
        needle = f" {phrase} "
        start = text.find(needle)
        while start != -1:
            span = range(start + 1, start + len(needle) - 1)
            if not any(used[i] for i in span):
                for i in span:
                    used[i] = True
                score += weight
                found.append(phrase)
                break
            start = text.find(needle, start + 1)
    return score, found


def _pick(
    words: list[str], table: dict[str, list[tuple[str, float]]], bonus: dict[str, float]
) -> Guess:
    scored = {}
    for label, label_cues in table.items():
        score, found = _score(words, label_cues)
        scored[label] = (score + bonus.get(label, 0.0), found)
    best = max(scored, key=lambda k: scored[k][0])
    top, found_cues = scored[best]
    if top <= 0:
        return Guess(None, 0.0, [])
    total = sum(s for s, _ in scored.values())
    # Share of the evidence, damped when there is little of it (one weak cue is not sure).
    confidence = (top / total) * (top / (top + 2.0))
    return Guess(best, confidence, found_cues)


def classify(text: str, title: str | None = None) -> Suggestion:
    """Suggest a type and a category code, each with a confidence and the cues behind it."""
    full = f"{title or ''} {text}"
    words = tokens(full)
    category = _pick(words, CATEGORY_CUES, {})
    question = 1.5 if "?" in full else 0.0
    kind = _pick(words, TYPE_CUES, {"information": question})
    if question and kind.value == "information":
        kind = Guess(kind.value, kind.confidence, [*kind.cues, "?"])
    if kind.value is None:
        kind = Guess(DEFAULT_TYPE, 0.2, [])
    return Suggestion(type=kind, category=category)
