"""Reading an uploaded CSV or XLSX file into rows of named cells, for the app's import files.

The first non-blank row is the header (``Order number *`` names the column ``order_number``); blank
rows and rows whose first non-blank cell starts with ``##`` (the templates' explanations) are
skipped. Rows keep their number as the user sees it in the sheet: the header is row 1 when it is
the first. Anything wrong with the file as a whole comes back as a list of messages, never as an
exception. Each import module describes its file with a ``TableSpec``: columns, limits, messages.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Rows whose first cell starts with this are explanations (a template's second row), not data.
COMMENT_PREFIX = "##"

Row = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class TableSpec:
    """One kind of import file: its columns, its limits and what to say when it holds nothing."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    max_bytes: int
    max_rows: int
    empty_message: str  # the error for a file without a header row
    reject_unknown: bool = True  # a header column not in ``columns`` is an error (else dropped)
    missing_hint: str = ""  # said after "the header lacks ..."
    sheet: str | None = None  # the XLSX sheet to read when the workbook has it (else the first)
    read_only: bool = True  # open the XLSX in openpyxl's streaming read-only mode


class TableFileError(ValueError):
    """The file cannot be read at all; the message is for the user."""


def is_blank(value: Any) -> bool:
    """An empty cell: None, NaN (from a spreadsheet or a DataFrame) or only white space."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers lose their ``.0`` (a phone or a variant id typed into Excel)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(value).strip()


def column_name(header: Any) -> str:
    """``Order number *`` -> ``order_number``."""
    text = "" if header is None else str(header)
    text = text.replace("*", "").strip().casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _csv_cells(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableFileError(
            "the file is not UTF-8 text: in Excel save it as 'CSV UTF-8 (Comma delimited)', "
            "or upload the XLSX"
        ) from None
    # the delimiter the header line uses most; a tie goes to ',' then ';'
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
    except csv.Error as exc:
        raise TableFileError(f"the CSV cannot be read: {exc}") from None


def _xlsx_cells(data: bytes, sheet: str | None, read_only: bool) -> Iterator[tuple[int, list[Any]]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=read_only, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise TableFileError(f"the file is not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        worksheet = workbook[sheet] if sheet in workbook.sheetnames else workbook.worksheets[0]
        for index, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield index, list(row)
    finally:
        workbook.close()


def _header_errors(number: int, header: list[str], spec: TableSpec) -> list[str]:
    errors = []
    missing = [c for c in spec.required if c not in header]
    if missing:
        hint = f"; {spec.missing_hint}" if spec.missing_hint else ""
        errors.append(f"row {number}: the header lacks {', '.join(missing)}{hint}")
    unknown = [c for c in header if c and c not in spec.columns]
    if spec.reject_unknown and unknown:
        errors.append(
            f"row {number}: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(spec.columns)}"
        )
    return errors


def read_table(data: bytes, filename: str, spec: TableSpec) -> tuple[list[Row], list[str]]:
    """The data rows of a file as (row number, {column: value}), and file-level errors.

    Only the spec's columns are kept. Errors mean no rows: a file that is too large, of another
    type, unreadable, without a header, with a header that lacks a required column (or, when the
    spec says so, names an unknown one), or with more rows than the spec allows.
    """
    if len(data) > spec.max_bytes:
        return [], [f"the file is larger than {spec.max_bytes >> 20} MB: split it"]
    name = filename.casefold()
    if name.endswith(".xlsx"):
        cells = _xlsx_cells(data, spec.sheet, spec.read_only)
    elif name.endswith((".csv", ".txt")):
        cells = _csv_cells(data)
    else:
        return [], [f"{filename}: upload a .csv or .xlsx file"]
    rows: list[Row] = []
    header: list[str] | None = None
    try:
        for number, row in cells:
            if all(is_blank(c) for c in row):
                continue
            if header is None:
                header = [column_name(c) for c in row]
                errors = _header_errors(number, header, spec)
                if errors:
                    return [], errors
                continue
            first = next((c for c in row if not is_blank(c)), "")
            if isinstance(first, str) and first.strip().startswith(COMMENT_PREFIX):
                continue
            record = {col: value for col, value in zip(header, row, strict=False) if col in spec.columns}
            rows.append((number, record))
            if len(rows) > spec.max_rows:
                return [], [f"the file has more than {spec.max_rows:,} rows: split it"]
    except ValueError as exc:  # TableFileError, or a workbook that fails while it streams
        return [], [str(exc)]
    if header is None:
        return [], [spec.empty_message]
    return rows, []
