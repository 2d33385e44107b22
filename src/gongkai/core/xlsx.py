"""Rows of exported workbooks that a spreadsheet never runs: a text cell starting with = + - @ (or a tab or a
carriage return) is written as text with Excel's quote prefix, never as a formula. openpyxl otherwise stores any
string that starts with "=" as a formula, so a unit, person or catalog name such as ``=HYPERLINK(...)`` typed
into Gongkai would run in the spreadsheet of whoever opens the export ("formula injection", OWASP CSV
injection). The text itself is kept as it is, so an exported workbook still imports back unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(sheet, value: Any) -> Any:
    """`value` as a cell of `sheet` that cannot be a formula (other values are returned unchanged)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def row(sheet, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append(...)` (normal and write-only sheets alike) in which no text is a formula."""
    return [text_cell(sheet, v) for v in values]
