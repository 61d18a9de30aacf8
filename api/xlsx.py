"""Excel workbooks for the report downloads (openpyxl).

Text cells lose the control characters XLSX cannot hold (everything below U+0020 except tab,
line feed and carriage return): node names and reasons may contain them, since JSON allows
them; everything else is written as it is in the JSON.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell(value: Any) -> Any:
    """``value`` as an XLSX cell can hold it."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def workbook(sheets: Mapping[str, Iterable[Sequence[Any]]], title: str | None = None) -> bytes:
    """An .xlsx file with one worksheet per entry (name -> rows; the first row frozen)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    if title:
        wb.properties.title = title
    for name, rows in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        for row in rows:
            ws.append([cell(v) for v in row])
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
