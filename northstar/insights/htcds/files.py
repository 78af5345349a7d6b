"""Reading an HTCDS file or a spreadsheet: CSV or XLSX in, a header of field names and rows
of text out. Pure Python (openpyxl for XLSX, loaded only then).

The header may be field names (``prs_Gender``) or the standard's field labels ("Gender"),
as people type them in Excel; the standard's Excel toolkit has both (row 1 the names,
hidden; row 2 the labels), and then the labels row is skipped. Column names that the
standard's own toolkits spell differently are read as the field they mean (``ALIASES``);
an ODK/KoBo export of the standard's XLSForm is read too (its bookkeeping columns
skipped, its space-separated multiple choices split). Row numbers in errors are
the rows a spreadsheet shows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

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
    renamed: dict[str, str]  # label or alias as written → field name
    skipped: list[str] = field(default_factory=list)  # survey bookkeeping columns, not read


#: Column names the standard's own toolkit spells differently from its field list.
ALIASES = {
    # HTCDS Excel Spreadsheet v2.0, column AC: a letter missing.
    "vic_TraffickinStatusDecisionMakingOrg": "vic_TraffickingStatusDecisionMakingOrg",
    # HTCDS XLSForm v2.0 (Toolkit/Survey): three names written differently.
    "prs_First_Name": "prs_FirstName",
    "prs_Second_Name": "prs_SecondName",
    "vic_Methods_of_Control": "vic_MethodsOfControl",
}
#: Columns an ODK/KoBo export of the standard's XLSForm adds about the submission itself.
SURVEY_META = {"start", "end", "today", "deviceid", "__version__", "instanceID",
               "meta/instanceID", "formhub/uuid"}
#: The share of a second row's cells that must be field labels for it to be a labels row.
LABEL_ROW_SHARE = 0.8


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # an Excel checkbox column
        return htcds.TRUE if value else htcds.FALSE
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
    skipped = []
    for cell in raw_header:
        if cell in SURVEY_META or (cell.startswith("_") and cell not in std.fields):
            header.append("")  # the survey tool's own bookkeeping: not case data
            skipped.append(cell)
        elif cell in ALIASES:
            header.append(ALIASES[cell])
            renamed[cell] = ALIASES[cell]
        elif cell in std.fields or cell.startswith("ext_") or not cell:
            header.append(cell)
        elif cell.strip().lower() in labels:
            header.append(labels[cell.strip().lower()])
            renamed[cell] = labels[cell.strip().lower()]
        else:
            header.append(cell)
    first = 1
    body = grid[1:]
    # The toolkit's layout: names in row 1, labels in row 2 (not always in the same order:
    # the toolkit's mailing address columns are not), so row 2 is skipped when nearly all
    # its cells are field labels.
    filled = [c for c in (body[0] if body else []) if c]
    if filled and sum(c.strip().lower() in labels for c in filled) >= LABEL_ROW_SHARE * len(
            filled) and any(name in std.fields for name in header):
        body, first = body[1:], 2
    # Only cells under a named column count (the toolkit numbers its rows in column A); a
    # row with none filled is blank: kept (so row numbers stay right), never imported.
    named_at = [(i, name) for i, name in enumerate(header) if name]
    rows = [{name: (cells[i] if i < len(cells) else "") for i, name in named_at}
            for cells in body]
    while rows and not any(rows[-1].values()):
        rows.pop()
    # ODK/KoBo write a multiple choice as values separated by spaces; the standard's value
    # names have none, so spaces there are separators.
    multi = [name for _i, name in named_at if name in std.fields and std.fields[name].multi]
    for row in rows:
        for name in multi:
            value = row[name]
            if value and htcds.MULTI_SEPARATOR not in value and " " in value.strip():
                row[name] = htcds.MULTI_SEPARATOR.join(value.split())
    return Table(header=[h for h in header if h], rows=rows, first_row=first + 1,
                 renamed=renamed, skipped=skipped)
