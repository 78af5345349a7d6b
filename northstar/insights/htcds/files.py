"""Reading an HTCDS file or a spreadsheet: CSV or XLSX in, a header of field names and rows
of text out. Pure Python (openpyxl for XLSX, loaded only then).

The header may be field names (``prs_Gender``) or the standard's field labels ("Gender"),
as people type them in Excel; the standard's Excel toolkit has both (row 1 the names,
hidden; row 2 the labels), and then the labels row is skipped. Row numbers in errors are
the rows a spreadsheet shows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from northstar.insights.htcds import fields as htcds

XLSX_MAGIC = b"PK\x03\x04"
MAX_BYTES = 200 * 1024 * 1024


class FileUnreadable(ValueError):
    pass


@dataclass
class Table:
    header: list[str]
    rows: list[dict[str, str]]
    first_row: int  # the spreadsheet row number of rows[0]
    renamed: dict[str, str]  # label as written → field name


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "isoformat"):  # a date typed in Excel
        return (value.date() if hasattr(value, "hour") else value).isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _grid(data: bytes, name: str) -> list[list[str]]:
    if data[:4] == XLSX_MAGIC or name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise FileUnreadable(f"not a readable XLSX file ({type(exc).__name__})") from None
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileUnreadable("a CSV file must be UTF-8") from None
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def read(data: bytes, name: str = "") -> Table:
    """The file as a ``Table``; ``FileUnreadable`` when it is not CSV/XLSX or has no header."""
    if len(data) > MAX_BYTES:
        raise FileUnreadable(f"larger than {MAX_BYTES // (1024 * 1024)} MB: split it")
    grid = _grid(data, name)
    while grid and not any(grid[-1]):
        grid.pop()
    if not grid or not any(grid[0]):
        raise FileUnreadable("the first row must name the columns")
    std = htcds.standard()
    labels = std.by_label()
    raw_header = grid[0]
    while raw_header and not raw_header[-1]:
        raw_header = raw_header[:-1]
    header, renamed = [], {}
    for cell in raw_header:
        if cell in std.fields or cell.startswith("ext_") or not cell:
            header.append(cell)
        elif cell.strip().lower() in labels:
            header.append(labels[cell.strip().lower()])
            renamed[cell] = labels[cell.strip().lower()]
        else:
            header.append(cell)
    first = 1
    body = grid[1:]
    # The toolkit's layout: names in row 1, their labels in row 2.
    named = [(i, name) for i, name in enumerate(header) if name in std.fields]
    if body and not renamed and named and all(
            i < len(body[0]) and body[0][i] == std.fields[name].label for i, name in named):
        body, first = body[1:], 2
    rows = []
    for cells in body:
        if not any(cells):
            rows.append(None)
            continue
        rows.append({name: (cells[i] if i < len(cells) else "")
                     for i, name in enumerate(header) if name})
    while rows and rows[-1] is None:
        rows.pop()
    return Table(header=[h for h in header if h],
                 rows=[r if r is not None else {} for r in rows], first_row=first + 1,
                 renamed=renamed)
