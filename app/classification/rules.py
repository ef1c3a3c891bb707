"""The explainable rule set: Indonesian cue words and phrases -> type and category, with why.

Pure and cheap (a dictionary walk over the tokens), so intake can call it on every complaint.
Category answers are canonical codes (the demo's category codes); a jurisdiction whose tree
uses those codes gets a category id, others get only the code in the suggestion.
"""

import re
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
        ("ambrol", 1), ("genangan", 2), ("becek", 1), ("tanggul", 3), ("plengsengan", 3),
        ("pintu air", 3), ("bendung", 3), ("waduk", 3), ("izin mendirikan bangunan", 4),
        ("persetujuan bangunan gedung", 4), ("tata ruang", 4), ("rencana kota", 4),
        ("normalisasi", 2), ("cor", 1), ("dicor", 2), ("proyek", 1),
    ],
    "perhubungan": [
        ("lampu jalan", 4), ("lampu merah", 4), ("light", 1), ("rambu", 3), ("marka", 3),
        ("parkir", 3), ("juru parkir", 3), ("angkot", 3), ("terminal", 2), ("bus", 2), ("truk", 1),
        ("lalu lintas", 3), ("uji kir", 4), ("dishub", 4), ("ngetem", 2), ("macet", 1),
        ("kendaraan", 1), ("halte", 3), ("zebra cross", 3), ("polisi tidur", 3),
        ("angkutan", 3), ("trayek", 4), ("cermin tikungan", 3), ("jembatan timbang", 5),
        ("perlintasan", 3), ("lampu penerangan", 3),
    ],
    "lingkungan": [
        ("sampah", 3), ("tps", 2), ("limbah", 3), ("pencemaran", 3), ("tercemar", 3), ("asap", 2),
        ("polusi", 3), ("pembakaran", 2), ("bau", 2), ("kandang", 1), ("pohon", 2), ("tumbang", 1),
        ("izin lingkungan", 4), ("hutan", 2), ("sungai", 1), ("plastik", 1), ("menyengat", 1),
        ("peternakan", 3), ("kotoran", 2), ("debu", 2), ("bising", 2), ("amdal", 4),
        ("tambang", 3), ("galian c", 4), ("abu", 2), ("pabrik", 1), ("buang", 1),
    ],
    "bansos": [
        ("bansos", 4), ("bantuan sosial", 4), ("pkh", 4), ("bpnt", 4), ("blt", 4), ("dtks", 4),
        ("sembako", 3), ("bantuan", 2), ("miskin", 2), ("lansia", 1), ("tidak layak huni", 3),
        ("rehab rumah", 3), ("tepat sasaran", 2), ("dicoret", 1), ("kks", 4), ("dinsos", 4),
        ("surat keterangan tidak mampu", 4), ("odgj", 3), ("terlantar", 3), ("ditelantarkan", 3),
        ("gelandangan", 4), ("pengemis", 4), ("anak jalanan", 4), ("panti", 3),
        ("disabilitas", 2), ("santunan", 3), ("pendamping", 2),
    ],
    "adminduk": [
        ("ktp", 4), ("kartu keluarga", 4), ("akta", 4), ("akta kelahiran", 4),
        ("akta kematian", 4), ("nik", 3), ("dukcapil", 4), ("domisili", 3), ("pindah domisili", 4),
        ("kartu identitas anak", 4), ("blanko", 3), ("kependudukan", 4), ("adminduk", 4),
        ("surat pindah", 4), ("surat keterangan pindah", 4), ("surat keterangan kematian", 4),
        ("loket", 1), ("perekaman", 3),
    ],
    "kesehatan": [
        ("puskesmas", 4), ("rumah sakit", 4), ("bpjs", 2), ("dokter", 3), ("obat", 3),
        ("pasien", 3), ("bidan", 3), ("posyandu", 4), ("polindes", 4), ("perawat", 3),
        ("demam berdarah", 4), ("fogging", 4), ("vaksin", 3), ("ambulans", 1), ("imunisasi", 3),
        ("ibu hamil", 2), ("kader", 1), ("igd", 4), ("stunting", 4), ("gizi", 3), ("jentik", 3),
        ("diare", 3), ("tbc", 4), ("wabah", 3), ("persalinan", 3), ("kesehatan", 3),
        ("keracunan", 3), ("penyakit", 2), ("rujukan", 3),
    ],
}
# fmt: on

# fmt: off
TYPE_CUES: dict[str, list[tuple[str, float]]] = {
    "information": [
        ("bagaimana cara", 4), ("bagaimana prosedur", 4), ("bagaimana caranya", 4),
        ("cara", 2), ("caranya", 2), ("syarat", 1.5), ("syaratnya", 3), ("persyaratan", 3),
        ("apa syarat", 3), ("syarat apa", 3), ("prosedur", 3), ("prosedurnya", 3),
        ("bagaimana", 2), ("apakah", 2), ("apa bisa", 3), ("bisa tidak", 2), ("kapan", 2),
        ("berapa", 2), ("berapa biaya", 3), ("berapa lama", 3), ("di mana", 2), ("jadwal", 1),
        ("mohon info", 3), ("minta info", 3), ("info", 2), ("informasi", 2), ("mohon informasi", 3),
        ("mau tanya", 4), ("ingin tanya", 4), ("mau bertanya", 4), ("numpang tanya", 4),
        ("boleh tahu", 3), ("tanya", 1), ("jam buka", 3), ("jam pelayanan", 3),
        ("jam operasional", 3), ("apa saja", 2), ("ke mana", 2), ("ke siapa", 2),
        ("ngurusnya", 2), ("cek", 1), ("apa benar", 2), ("apa beda", 3), ("masih berlaku", 2),
    ],
    "field_inspection": [
        # the state of a road, a bridge, a channel, a light: someone has to go and look
        ("rusak", 2), ("rusak parah", 3), ("rusak berat", 3), ("berlubang", 3), ("lubang", 2),
        ("ambrol", 3), ("ambles", 3), ("ambruk", 3), ("roboh", 3), ("runtuh", 3), ("longsor", 3),
        ("longsoran", 3), ("jebol", 3), ("bocor", 2), ("rembes", 2), ("retak", 3), ("pecah", 2),
        ("patah", 2), ("rapuh", 2), ("lapuk", 2), ("goyang", 2), ("bergelombang", 3),
        ("mengelupas", 3), ("terkelupas", 3), ("tergerus", 3), ("hancur", 2), ("jelek", 1),
        ("putus", 2), ("tersumbat", 3), ("meluap", 3), ("meluber", 3), ("banjir", 2),
        ("kebanjiran", 2), ("genangan", 2), ("menggenang", 3), ("tergenang", 3),
        ("tidak mengalir", 3), ("endapan", 2), ("sedimen", 2), ("eceng gondok", 2),
        ("becek", 2), ("berlumpur", 2), ("lumpur", 2), ("licin", 1), ("berdebu", 2), ("debu", 2),
        ("tidak diaspal", 2), ("diaspal", 1), ("dicor", 1), ("tidak pernah diaspal", 3),
        ("galian", 2), ("miring", 2), ("menjuntai", 3), ("kabel", 1), ("korslet", 3),
        ("berkedip", 3), ("kedip", 3), ("mati", 2), ("mati total", 3), ("tidak nyala", 3),
        ("tidak menyala", 3), ("gelap", 2), ("pudar", 3), ("hilang", 1),
        # objects of field work, weak alone
        ("jalan", 1), ("jembatan", 1), ("selokan", 1), ("saluran", 1), ("drainase", 1),
        ("gorong", 1), ("talud", 2), ("tanggul", 2), ("plengsengan", 2), ("irigasi", 1),
        ("pintu air", 2), ("tiang", 1), ("lampu jalan", 1), ("lampu merah", 1), ("rambu", 2),
        ("marka", 2), ("zebra cross", 2), ("polisi tidur", 2), ("pohon", 1), ("sungai", 1),
        ("kali", 1), ("tebing", 2), ("badan jalan", 2), ("bahu jalan", 2), ("trotoar", 1),
        # rubbish, pollution, nuisance
        ("sampah", 1), ("menumpuk", 3), ("tidak diangkut", 3), ("berserakan", 2),
        ("buang sampah", 3), ("membuang", 2), ("dibuang", 2), ("pembuangan", 2), ("bau", 2),
        ("menyengat", 2), ("lalat", 2), ("limbah", 2), ("asap", 2), ("pembakaran", 2),
        ("polusi", 3), ("pencemaran", 3), ("tercemar", 3), ("keruh", 2), ("berbusa", 3),
        ("berminyak", 3), ("bising", 2), ("berisik", 2), ("liar", 2), ("tumbang", 3),
        ("ditebang", 2), ("penebangan", 2), ("tambang", 2), ("penambangan", 2),
        ("meresahkan", 2), ("mengganggu", 1), ("nongkrong", 2),
        # traffic on the spot
        ("parkir sembarangan", 3), ("parkir liar", 3), ("parkir di badan jalan", 3),
        ("ngetem", 2), ("macet", 2), ("menutup jalan", 3), ("menutup", 1), ("berjejer", 2),
        # health on the spot: outbreaks, vectors, unsafe food and water
        ("fogging", 3), ("demam berdarah", 3), ("jentik", 3), ("nyamuk", 2), ("wabah", 3),
        ("keracunan", 3), ("diare", 2), ("penyakit kulit", 3), ("anjing liar", 3),
        ("menggigit", 2), ("tikus", 2), ("berbahaya", 1), ("oplosan", 3), ("palsu", 2),
        # public order: Satpol PP has to go there
        ("ditertibkan", 3), ("penertiban", 3), ("ditindak", 2), ("digerebek", 3), ("miras", 2),
        ("mabuk", 2), ("mabuk mabukan", 3), ("narkoba", 2), ("memalak", 2), ("preman", 2),
        ("judi", 2), ("balap liar", 3), ("tawuran", 3),
        # people in need who must be visited
        ("terlantar", 3), ("ditelantarkan", 3), ("gelandangan", 3), ("pengemis", 3),
        ("anak jalanan", 3), ("odgj", 3), ("hidup sendirian", 3), ("gubuk", 2), ("kurus", 2),
        ("gizi buruk", 3),
        # danger and explicit requests to come and look
        ("bahaya", 2), ("rawan", 2), ("terancam", 2), ("kecelakaan", 1), ("jatuh", 1),
        ("mohon dicek", 3), ("tolong dicek", 3), ("dicek", 2), ("dicek petugas", 3),
        ("ditinjau", 3), ("diperiksa", 2), ("pemeriksaan", 2), ("turun tangan", 2),
        ("diperbaiki", 1), ("perbaikan", 1), ("dibersihkan", 2), ("dinormalisasi", 3),
        ("normalisasi", 3), ("diangkut", 1), ("sarang", 2),
    ],
    "non_field": [
        ("belum cair", 3), ("tidak cair", 3), ("belum jadi", 3), ("belum terbit", 3),
        ("belum dicetak", 3), ("belum diproses", 3), ("pungli", 3), ("pungutan", 3),
        ("uang pelicin", 3), ("minta uang", 3), ("minta bayaran", 3), ("dimintai", 2),
        ("memotong", 3), ("dipotong", 3), ("lambat", 2), ("lama", 1), ("antrean", 2),
        ("antre", 2), ("antri", 2), ("antrian", 2), ("kasar", 3), ("judes", 3), ("membentak", 3),
        ("tidak ditanggapi", 3), ("tidak ada tanggapan", 3), ("tidak ada respon", 3),
        ("tidak ada kabar", 3), ("belum ada kabar", 3), ("tidak ada balasan", 3),
        ("dihentikan", 2), ("dicoret", 2), ("tidak dapat", 2), ("belum pernah dapat", 3),
        ("belum diterima", 3), ("tidak pernah dapat", 3), ("kosong", 2), ("tutup", 2),
        ("offline", 2), ("error", 2), ("salah", 2), ("disuruh", 2), ("ditolak", 2),
        ("dipersulit", 3), ("bolak balik", 3), ("tidak terdaftar", 2), ("jarang", 2),
        ("tidak aktif", 2), ("nonaktif", 2), ("mahal", 2), ("tarif", 2), ("karcis", 2),
        ("biaya", 1), ("ribu", 1), ("juta", 1), ("bayar", 1), ("kadaluarsa", 2),
        ("expired", 2), ("menunggu", 1), ("tepat sasaran", 2), ("tidak merata", 2),
        ("data", 1), ("tidak transparan", 2), ("transparan", 1), ("calo", 3), ("petugas", 1),
        ("pelayanan", 1), ("dokter", 1), ("obat", 1), ("blanko", 2), ("tidak sesuai", 2),
        ("tertukar", 2), ("dobel", 2), ("tanpa pemberitahuan", 2), ("tidak pernah ada", 1),
        ("keberatan", 2), ("tidak dibayar", 3), ("belum dibayar", 3), ("gaji", 2), ("upah", 2),
        ("insentif", 2), ("audit", 2), ("anggaran", 2), ("sudah lapor", 2), ("laporan", 1),
        ("diundur", 2), ("ditahan", 2), ("menahan", 2), ("proposal", 2), ("sudah mengajukan", 2),
        ("sudah diajukan", 2), ("sudah usul", 2), ("ditinjau kembali", 4), ("ditinjau ulang", 4),
        ("tidak jalan", 2), ("tidak berjalan", 2), ("bantuan", 1), ("santunan", 2), ("padahal", 1),
        ("sudah minta", 2), ("dokumen", 1), ("prioritas", 2), ("mempertanyakan", 2),
        ("pemeriksaan kehamilan", 3), ("hasil uji", 3), ("tidak pernah diberikan", 2),
        ("tindak lanjut", 2), ("tidak ada tindak lanjut", 3), ("laporkan", 1),
        ("putus sekolah", 3), ("diagnosis", 2), ("keterbukaan informasi", 4),
    ],
}
# fmt: on

# Longest phrases first: a phrase's words are spent and do not count again alone.
for _table in (CATEGORY_CUES, TYPE_CUES):
    for _cues in _table.values():
        _cues.sort(key=lambda c: -len(c[0]))

# Document names, in normalised words: read as one word ("dokumen"), so the "tidak" in "surat
# keterangan tidak mampu" or the "bangunan" in "izin mendirikan bangunan" is not a field cue.
# fmt: off
DOCUMENTS: tuple[str, ...] = (
    "surat keterangan tidak mampu", "izin mendirikan bangunan", "persetujuan bangunan gedung",
    "rumah tidak layak huni", "surat keterangan sehat", "surat keterangan kehilangan",
    "surat kehilangan", "surat keterangan pindah", "surat pindah", "surat pengantar",
    "surat keterangan domisili", "surat keterangan usaha", "surat keterangan kematian",
    "surat keterangan ahli waris", "surat bebas narkoba", "surat rujukan", "rekam medis",
    "akta kematian", "akta kelahiran", "akta perceraian", "akta", "kartu keluarga", "ktp",
    "kartu identitas anak", "kartu pkh", "kks", "kis", "buku nikah", "buku tabungan", "ijazah",
    "sertifikat", "izin lingkungan", "izin keramaian", "izin tutup jalan", "izin trayek",
    "uji kir", "blanko", "berkas",
)
# fmt: on
# A vacant plot is a place, not an empty stock ("kosong" is otherwise a shortage).
_PLACES = {"lahan kosong": "lahan", "tanah kosong": "lahan", "rumah kosong": "rumah"}
# A document that is "rusak", "hilang" or "kena banjir" is paperwork, not a site to inspect.
_PAPER_STATES = frozenset({"rusak", "hilang", "hancur", "robek", "basah", "banjir", "terbakar"})
_PAPER_WINDOW = 4
# The same, padded with the spaces they are matched between, once.
_PLACES_PADDED = tuple((f" {place} ", f" {word} ") for place, word in _PLACES.items())
_DOCUMENTS_PADDED = tuple((name, f" {name} ") for name in DOCUMENTS)
# Questions that are complaints: "kapan jalan ini diperbaiki??", "kenapa belum cair?".
_RHETORICAL = re.compile(
    r"\b(?:kenapa|mengapa|kok|masa|apaan|apa hubungannya|siapa yang tanggung jawab"
    r"|sampai kapan|bagaimana (?:sih|ini|nih))\b"
    # "kapan ... diperbaiki", but not "kapan jadwal", nor when a service opens ("dibuka")
    r"|\bkapan(?: [a-z]+){0,3} (?!dibuka|dimulai|diadakan|dilaksanakan|dibagikan)di[a-z]{3,}\b"
    # and a question after a wait: "kapan jadi? sudah 2 bulan"
    r"|\bsudah (?:\d+|satu|dua|tiga|empat|lima|enam|berapa|beberapa) (?:hari|minggu|bulan|tahun)\b"
)
_QUESTION_WORDS = frozenset({"kapan", "bagaimana", "apakah", "berapa", "apa", "di mana"})
_COUNTED = re.compile(r"\b(\d+|beberapa|berapa|dua|tiga|empat|lima|berkali) kali\b")

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


@dataclass(frozen=True)
class _Cues:
    """One label's cues, compiled once: the entries in their order (longest first) and, by
    each phrase's first word, which entries could match. A cue whose first word is not in the
    text cannot match, so a text of 30 words looks at a few dozen cues instead of hundreds."""

    entries: tuple[tuple[str, float, frozenset[str], str], ...]  # phrase, weight, words, needle
    by_first_word: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, cues: list[tuple[str, float]]) -> "_Cues":
        entries = tuple((p, w, frozenset(p.split()), f" {p} ") for p, w in cues)
        index: dict[str, list[int]] = {}
        for i, (phrase, *_) in enumerate(entries):
            index.setdefault(phrase.split()[0], []).append(i)
        return cls(entries, {word: tuple(ids) for word, ids in index.items()})


def _compile(table: dict[str, list[tuple[str, float]]]) -> dict[str, _Cues]:
    return {label: _Cues.of(cues) for label, cues in table.items()}


def _score(words: list[str], cues: _Cues) -> tuple[float, list[str]]:
    present = set(words)
    by_first = cues.by_first_word
    candidates = sorted(i for word in present if word in by_first for i in by_first[word])
    score = 0.0
    found: list[str] = []
    if not candidates:
        return score, found
    text = f" {' '.join(words)} "
    spent: list[tuple[int, int]] = []  # the character spans of the phrases counted so far
    for k in candidates:  # in the cues' own order: longest first
        phrase, weight, phrase_words, needle = cues.entries[k]
        if not phrase_words <= present:  # the cheap test rules most cues out
            continue
        start = text.find(needle)
        while start != -1:
            first, end = start + 1, start + len(needle) - 1
            if not any(first < b and a < end for a, b in spent):
                spent.append((first, end))
                score += weight
                found.append(phrase)
                break
            start = text.find(needle, start + 1)
    return score, found


def _pick(words: list[str], table: dict[str, _Cues], bonus: dict[str, float]) -> Guess:
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


def _read_for_type(words: list[str]) -> tuple[list[str], str | None]:
    """Words as the type cues read them, and the first document named (to explain "dokumen")."""
    text = _COUNTED.sub(r"\1 kali_hitung", f" {' '.join(words)} ")  # "3 kali": times, no river
    for place, word in _PLACES_PADDED:
        text = text.replace(place, word)
    document = None
    for name, padded in _DOCUMENTS_PADDED:  # longest first, as listed
        if padded in text:
            text = text.replace(padded, " dokumen ")
            document = document or name
    read = text.split()
    for i, word in enumerate(read):
        if word == "dokumen":
            for j in range(i + 1, min(i + 1 + _PAPER_WINDOW, len(read))):
                if read[j] in _PAPER_STATES:
                    read[j] = f"{read[j]}_dokumen"
    return read, document


def _rhetorical(full: str, read: list[str]) -> str | None:
    """The marker that makes a question a complaint, if there is one."""
    found = _RHETORICAL.search(" ".join(read))
    if found:
        return found.group(0)
    return "??" if "??" in full else None


def _kind(full: str, words: list[str]) -> Guess:
    read, document = _read_for_type(words)
    rhetorical = _rhetorical(full, read)
    bonus = {"information": 1.5} if "?" in full and not rhetorical else {}
    # A question word in a complaint asks for action, not for information.
    table = _TYPES_RHETORICAL if rhetorical else _TYPES
    kind = _pick(read, table, bonus)
    if kind.value is None:
        return Guess(DEFAULT_TYPE, 0.2, [rhetorical] if rhetorical else [])
    cues = [document if c == "dokumen" and document else c for c in kind.cues]
    if bonus and kind.value == "information":
        cues.append("?")
    if rhetorical and kind.value != "information":
        cues.append(rhetorical)
    return Guess(kind.value, kind.confidence, cues)


def classify(text: str, title: str | None = None) -> Suggestion:
    """Suggest a type and a category code, each with a confidence and the cues behind it."""
    full = f"{title or ''} {text}"
    words = tokens(full)
    return Suggestion(type=_kind(full, words), category=_pick(words, _CATEGORIES, {}))


_CATEGORIES = _compile(CATEGORY_CUES)
_TYPES = _compile(TYPE_CUES)
_TYPES_RHETORICAL = _compile(
    {
        **TYPE_CUES,
        "information": [c for c in TYPE_CUES["information"] if c[0] not in _QUESTION_WORDS],
    }
)
