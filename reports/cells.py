"""What a spreadsheet cell may hold when it comes from text a person typed: OWASP's advice against
formula injection, in one place for every export (the Annex A workbook and the CSV downloads)."""

from __future__ import annotations

from datetime import date, datetime

# A spreadsheet reads a cell beginning with one of these as a formula (tab and carriage return too).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | date | datetime | None


def safe_cell(value: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula, made plain text by a leading apostrophe;
    numbers and dates are kept as they are (a negative number is a number, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def safe_row(row) -> list[Cell]:
    return [safe_cell(value) for value in row]
