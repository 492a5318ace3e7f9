"""Spreadsheets as tables: .xlsx (openpyxl) and .csv in the encodings Chinese exports use.

Every problem names the file, the sheet and the row; nothing is guessed silently.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from copilot.errors import KnowledgeError
from copilot.knowledge.loader import shown

# what Chinese spreadsheet exports are written in: UTF-8 (with or without BOM), else GB18030
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_SHEET_BYTES = 20_000_000


@dataclass
class Table:
    """One sheet: its header row and its data rows, each with its row number in the file."""

    source: str  # file name (and sheet) as messages show it
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    skipped_empty: int = 0


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 12.0 from Excel is the sku 12
    return str(value).strip()


def _table(source: str, lines: list[tuple[int, list]]) -> Table:
    """The first non-empty line is the header; empty lines are counted and skipped."""
    table = Table(source=source, headers=[])
    for number, cells in lines:
        values = [_text(cell) for cell in cells]
        if not any(values):
            if table.headers:
                table.skipped_empty += 1
            continue
        if not table.headers:
            table.headers = values
            seen: set[str] = set()
            for header in values:
                if header and header in seen:
                    raise KnowledgeError([f"{source}, row {number}: column '{header}' twice"])
                seen.add(header)
            continue
        row = {h: v for h, v in zip(table.headers, values, strict=False) if h}
        table.rows.append((number, row))
    if not table.headers:
        raise KnowledgeError([f"{source}: no header row (the first non-empty row names columns)"])
    return table


def read_csv(path: Path) -> list[Table]:
    """A CSV file in UTF-8, UTF-8 with BOM or GB18030."""
    data = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise KnowledgeError(
            [f"{shown(path.name)}: not UTF-8 or GB18030 text; save it as CSV UTF-8 and try again"]
        )
    try:
        lines = list(enumerate(csv.reader(io.StringIO(text)), 1))
    except csv.Error as exc:
        raise KnowledgeError([f"{shown(path.name)}: not a readable CSV file ({exc})"]) from exc
    return [_table(shown(path.name), lines)]


def read_xlsx(path: Path) -> list[Table]:
    """Every non-empty sheet of an .xlsx workbook; merged cells are refused (they hide values)."""
    import openpyxl  # only imports need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise KnowledgeError(
            [f"{shown(path.name)}: not a readable .xlsx workbook ({exc})"]
        ) from exc
    tables = []
    for sheet in book.worksheets:
        source = f"{shown(path.name)}, sheet '{shown(sheet.title)}'"
        merged = sorted(str(r) for r in sheet.merged_cells.ranges)
        if merged:
            raise KnowledgeError(
                [
                    f"{source}: merged cells {', '.join(merged[:5])}; unmerge them so each "
                    "row has its own values"
                ]
            )
        lines = [(row[0].row, [cell.value for cell in row]) for row in sheet.iter_rows() if row]
        if any(any(v is not None for v in cells) for _, cells in lines):
            tables.append(_table(source, lines))
    return tables


def read_tables(path: Path) -> list[Table]:
    """The tables of a .csv or .xlsx file (KnowledgeError naming file, sheet and row)."""
    if path.stat().st_size > MAX_SHEET_BYTES:
        raise KnowledgeError([f"{shown(path.name)}: larger than 20 MB; split it"])
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    return read_xlsx(path)
