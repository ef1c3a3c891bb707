"""Reports as tables with Indonesian headings: what CSV rows and XLSX sheets are made of.

Pure: a report's answer in, titled columns and rows out. A percent column holds a fraction
(0.9322) so a spreadsheet formats it; CSV writes the same fraction.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from app.reports import schemas as s

Kind = Literal["text", "int", "percent", "days", "decimal"]

STATUS_MIX = (
    ("Belum diverifikasi", "not_verified"),
    ("Menunggu kelengkapan informasi", "waiting_for_information"),
    ("Diarsipkan", "archived"),
    ("Masih diproses", "in_process"),
    ("Ditanggapi, menunggu pengadu", "responded"),
    ("Diselesaikan", "settled"),
    ("Tidak dapat diselesaikan", "not_settleable"),
)


@dataclass(frozen=True)
class Column:
    heading: str
    kind: Kind
    value: Callable[[Any], Any]


@dataclass
class Table:
    title: str  # the sheet name: at most 31 characters
    columns: list[Column]
    rows: list[Any]
    chart: Literal["bar", "column", "pie"] | None = None
    chart_title: str = ""
    category_column: int = 0
    value_column: int = 1
    # Rows the chart draws (the summary's status mix, not its total or reasons); all if None.
    chart_rows: tuple[int, int] | None = None

    def cells(self) -> list[list[Any]]:
        return [[c.value(r) for c in self.columns] for r in self.rows]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value / 100, 4)


def _span(name: str, q: str) -> Callable[[s.Row], float | None]:
    return lambda r: getattr(r.working_days[name], q)


MEASURE_COLUMNS: list[Column] = [
    Column("Diterima", "int", lambda r: r.received),
    Column("Diarsipkan", "int", lambda r: r.archived),
    Column("Belum diverifikasi", "int", lambda r: r.not_verified),
    Column("Menunggu kelengkapan", "int", lambda r: r.waiting_for_information),
    Column("Masih diproses", "int", lambda r: r.in_process),
    Column("Ditanggapi, menunggu pengadu", "int", lambda r: r.responded),
    Column("Diselesaikan", "int", lambda r: r.settled),
    Column("Tidak dapat diselesaikan", "int", lambda r: r.not_settleable),
    Column("Dibuka kembali", "int", lambda r: r.reopened),
    Column("Tepat waktu", "int", lambda r: r.on_time),
    Column("Terlambat", "int", lambda r: r.late),
    Column("Tepat waktu (%)", "percent", lambda r: _pct(r.on_time_percent)),
    Column("Lewat batas saat ini", "int", lambda r: r.overdue_now),
    Column(
        "Selesai dari yang memenuhi syarat (%)",
        "percent",
        lambda r: _pct(r.settled_of_eligible_percent),
    ),
    Column("Verifikasi, median hari kerja", "days", _span("verify", "median")),
    Column("Verifikasi, p90 hari kerja", "days", _span("verify", "p90")),
    Column("Diterima PD, median hari kerja", "days", _span("acknowledge", "median")),
    Column("Diterima PD, p90 hari kerja", "days", _span("acknowledge", "p90")),
    Column("Tindak lanjut, median hari kerja", "days", _span("respond", "median")),
    Column("Tindak lanjut, p90 hari kerja", "days", _span("respond", "p90")),
    Column("Pelimpahan", "int", lambda r: r.transfers),
    Column("Tanggapan pengadu", "int", lambda r: r.feedback),
    Column("Rata-rata nilai", "decimal", lambda r: r.mean_rating),
    Column("Puas (%)", "percent", lambda r: _pct(r.satisfied_percent)),
]
TRANSFER_COLUMNS = [
    Column("Pelimpahan masuk", "int", lambda r: r.transfers_in),
    Column("Pelimpahan keluar", "int", lambda r: r.transfers_out),
]

KEY_HEADINGS = {
    "agency": "Perangkat Daerah",
    "type": "Jenis",
    "category": "Kategori",
    "channel": "Saluran",
    "region": "Kecamatan",
    "counter_site": "Tempat pengaduan",
    "week": "Minggu mulai",
    "month": "Bulan",
}
SHEET_TITLES = {
    "agency": "Perangkat Daerah",
    "type": "Jenis",
    "category": "Kategori",
    "channel": "Saluran",
    "region": "Kecamatan",
    "counter_site": "Loket dan gerai",
    "week": "Tren mingguan",
    "month": "Tren bulanan",
}


def breakdown_table(b: s.BreakdownOut) -> Table:
    key = Column(KEY_HEADINGS[b.by], "text", lambda r: r.name or r.key or "(belum ada)")
    coded = {"agency", "category", "counter_site"}
    code = [Column("Kode", "text", lambda r: r.key)] if b.by in coded else []
    columns = [key, *code, *MEASURE_COLUMNS]
    if b.by == "agency":
        columns += TRANSFER_COLUMNS
        # On-time rate per agency, as the issue asks; the trends chart what came in.
        on_time = columns.index(next(c for c in columns if c.heading == "Tepat waktu (%)"))
        return Table(
            SHEET_TITLES[b.by],
            columns,
            b.rows,
            "bar",
            "Tepat waktu per Perangkat Daerah",
            0,
            on_time,
        )
    if b.by in {"week", "month"}:
        return Table(
            SHEET_TITLES[b.by],
            columns,
            b.rows,
            "column",
            "Pengaduan diterima",
            0,
            columns.index(MEASURE_COLUMNS[0]),
        )
    return Table(SHEET_TITLES[b.by], columns, b.rows)


def summary_tables(sm: s.SummaryOut) -> list[Table]:
    t = sm.totals
    counts = [("Pengaduan diterima", t.received)]
    counts += [(label, getattr(t, name)) for label, name in STATUS_MIX]
    counts += [(f"Diarsipkan: {reason}", n) for reason, n in sm.archived_by_reason.items()]
    counts += [("Dibuka kembali", t.reopened), ("Lewat batas saat ini", t.overdue_now)]
    table = Table(
        "Ringkasan",
        [Column("Ukuran", "text", lambda r: r[0]), Column("Jumlah", "int", lambda r: r[1])],
        counts,
        "pie",
        "Status pengaduan",
        chart_rows=(1, len(STATUS_MIX)),
    )
    shares = Table(
        "Persentase",
        [
            Column("Ukuran", "text", lambda r: r.name),
            Column("Persentase", "percent", lambda r: _pct(r.percent)),
            Column("Pembilang", "int", lambda r: r.numerator),
            Column("Penyebut", "int", lambda r: r.denominator),
            Column("Rumus", "text", lambda r: r.formula),
        ],
        sm.shares,
    )
    target = Table(
        "Target",
        [
            Column("Tahun", "int", lambda r: r.year),
            Column("Target (%)", "percent", lambda r: _pct(r.target_percent)),
            Column("Capaian (%)", "percent", lambda r: _pct(r.actual_percent)),
            Column("Tercapai", "text", lambda r: {True: "ya", False: "tidak"}.get(r.met, "-")),
            Column("Sumber", "text", lambda r: r.source),
        ],
        [sm.target],
    )
    return [table, shares, target]


def _rating(n: int) -> Callable[[s.SatisfactionRow], int]:
    return lambda r: r.ratings[str(n)]


def satisfaction_table(sat: s.SatisfactionOut) -> Table:
    columns = [
        Column("Perangkat Daerah", "text", lambda r: r.name or r.key or "(belum ada)"),
        Column("Tanggapan pengadu", "int", lambda r: r.feedback),
        Column("Rata-rata nilai", "decimal", lambda r: r.mean_rating),
        Column("Puas (%)", "percent", lambda r: _pct(r.satisfied_percent)),
        *(Column(f"Nilai {n}", "int", _rating(n)) for n in range(1, 6)),
        Column("Dengan komentar", "int", lambda r: r.comments),
        Column("Dibuka kembali", "int", lambda r: r.reopened),
    ]
    return Table("Kepuasan", columns, sat.rows)


def monthly_tables(m: s.MonthlyOut) -> list[Table]:
    return [*summary_tables(m.summary), breakdown_table(m.agencies), breakdown_table(m.trend)]
