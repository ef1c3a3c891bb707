"""The monthly report as one HTML page that prints on A4 as it is: its tables and inline SVG
bar charts, written by hand (no template engine, no plotting library to install)."""

from html import escape

from app.reports import schemas as s
from app.reports.tables import STATUS_MIX, Table, monthly_tables

BAR_HEIGHT, LABEL_WIDTH, CHART_WIDTH = 18, 210, 640


def bars(title: str, items: list[tuple[str, float]], percent: bool = False) -> str:
    """Horizontal bars, one per item, scaled to the largest (to 100 for percents)."""
    top = 100.0 if percent else max([v for _, v in items] + [1.0])
    span = CHART_WIDTH - LABEL_WIDTH - 60
    height = 28 + BAR_HEIGHT * len(items) * 1.4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height:.0f}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for n, (label, value) in enumerate(items):
        y = 26 + n * BAR_HEIGHT * 1.4
        width = span * value / top if top else 0
        shown = f"{value:.1f}%" if percent else f"{value:g}"
        parts += [
            f'<text x="0" y="{y + 13:.0f}" font-size="11">{escape(label[:34])}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y:.0f}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            'fill="#2F5597"/>',
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + 13:.0f}" font-size="11">'
            f"{shown}</text>",
        ]
    return "\n".join([*parts, "</svg>"])


def _table(t: Table) -> str:
    head = "".join(f"<th>{escape(c.heading)}</th>" for c in t.columns)
    body = []
    for row in t.cells():
        cells = []
        for column, value in zip(t.columns, row, strict=True):
            if value is None:
                text = "-"
            elif column.kind == "percent":
                text = f"{value * 100:.2f}%"
            elif column.kind in {"days", "decimal"}:
                text = f"{value:.1f}"
            else:
                text = str(value)
            cells.append(f"<td>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<h2>{escape(t.title)}</h2><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: Arial, sans-serif; font-size: 9pt; color: #111; }
h1 { font-size: 14pt; } h2 { font-size: 11pt; margin-top: 14px; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 2px 4px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #DDEBF7; font-size: 8pt; }
svg { display: block; margin: 8px 0; page-break-inside: avoid; }
"""


def monthly_page(m: s.MonthlyOut, jurisdiction: str) -> str:
    t = m.summary.totals
    charts = [
        bars("Status pengaduan", [(label, getattr(t, name)) for label, name in STATUS_MIX]),
        bars(
            "Tepat waktu per Perangkat Daerah",
            [(r.name or "(belum ada)", r.on_time_percent or 0.0) for r in m.agencies.rows],
            percent=True,
        ),
        bars("Pengaduan diterima per bulan", [(r.key or "", r.received) for r in m.trend.rows]),
    ]
    tables = "".join(_table(table) for table in monthly_tables(m))
    title = f"Laporan Pengelolaan Pengaduan LAPOR! {escape(jurisdiction)}, bulan {m.month}"
    return (
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f"<h1>{title}</h1><p>Periode {m.summary.period.start} s.d. {m.summary.period.end} "
        f"({escape(m.summary.period.timezone)}); disampaikan kepada Bupati melalui Inspektur "
        "(Pasal 11).</p>" + "".join(charts) + tables + "</body></html>"
    )
