"""Text a person typed never becomes a live formula in an export (OWASP's CSV injection advice)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from reports import annex_a
from reports.annex_a_labels import LISTS
from reports.cells import safe_cell

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_would_be_a_formula_is_written_as_text(text):
    assert safe_cell(text) == f"'{text}"


@pytest.mark.parametrize("value", ["Smith", "", None, -4, 3.5, date(2026, 1, 2), "O'Neill"])
def test_everything_else_is_kept_as_it_is(value):
    assert safe_cell(value) == value


def test_the_annex_a_workbook_has_no_formula_cells_for_hostile_text():
    number = next(iter(LISTS))
    columns = len(LISTS[number][1])
    row = [HOSTILE[0], *["-1" if i % 2 else -1 for i in range(columns - 1)]]
    book = load_workbook(BytesIO(annex_a.workbook(date(2025, 4, 1), date(2026, 3, 31), {number: [row]})))
    cells = list(book.worksheets[0].iter_rows(min_row=2, values_only=False))[0]
    assert all(cell.data_type != "f" for cell in cells)
    assert cells[0].value == f"'{HOSTILE[0]}"
    assert cells[1].value == -1 and cells[2].value == "'-1"
