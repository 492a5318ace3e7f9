"""Writing a shop's exports the way chat workbenches and shop back ends hand them out.

Shared by the examples' make_sources.py scripts: a CSV in the encoding the tool uses, an .xlsx
with one sheet.
"""

import csv
import io
from pathlib import Path

import openpyxl


def write_csv(path: Path, header: list[str], rows: list, encoding: str) -> None:
    """A CSV file in the given encoding (gb18030, utf-8-sig, utf-8)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))


def write_sheet(path: Path, title: str, header: list[str], rows: list) -> None:
    """An .xlsx workbook with one sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
