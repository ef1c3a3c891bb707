"""Reports as files: CSV streamed row by row, XLSX (XlsxWriter, constant memory, native charts)
written to a temporary file and streamed from it, never built whole in memory."""

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import xlsxwriter

from app.reports.tables import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
NUMBER_FORMATS = {"int": "#,##0", "percent": "0.00%", "days": "0.0", "decimal": "0.00"}


def csv_lines(tables: list[Table]) -> Iterator[str]:
    """Each table as its heading row and its rows; tables apart by an empty line, the first
    cell of a table's block naming it when there are several."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, table in enumerate(tables):
        if len(tables) > 1:
            if n:
                writer.writerow([])
            writer.writerow([f"# {table.title}"])
        writer.writerow([c.heading for c in table.columns])
        yield _drain(buffer)
        for row in table.cells():
            writer.writerow(["" if v is None else v for v in row])
            yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _sheet(book: Any, table: Table, formats: dict[str, Any], heading: Any) -> None:
    sheet = book.add_worksheet(table.title[:31])
    for col, column in enumerate(table.columns):
        sheet.write_string(0, col, column.heading, heading)
        sheet.set_column(col, col, max(12, min(40, len(column.heading) + 2)))
    rows = table.cells()
    for r, values in enumerate(rows, start=1):
        for col, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            if value is None:
                sheet.write_blank(r, col, None)
            elif column.kind == "text":
                sheet.write_string(r, col, str(value))
            else:
                sheet.write_number(r, col, value, formats[column.kind])
    if table.chart is None or not rows:
        return
    first, last = table.chart_rows or (1, len(rows))
    chart = book.add_chart({"type": table.chart})
    name = table.title[:31].replace("'", "''")
    chart.add_series(
        {
            "name": table.chart_title,
            "categories": [name, first, table.category_column, last, table.category_column],
            "values": [name, first, table.value_column, last, table.value_column],
        }
    )
    chart.set_title({"name": table.chart_title})
    chart.set_legend({"none": table.chart != "pie"})
    sheet.insert_chart(len(rows) + 2, 0, chart, {"x_scale": 1.5, "y_scale": 1.3})


def xlsx_chunks(tables: list[Table]) -> Iterator[bytes]:
    """The workbook, one sheet per table, read back in chunks from a temporary file."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True})
        heading = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7"})
        formats = {k: book.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()}
        for table in tables:
            _sheet(book, table, formats, heading)
        book.close()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)
