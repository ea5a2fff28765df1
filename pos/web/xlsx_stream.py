"""An openpyxl write-only workbook sent as it is written.

openpyxl's write-only sheet writes each row to a temporary file, and ``save`` then packs that file into the
workbook's zip: nothing can be sent before the last row. Here the sheet's XML is written straight into its entry
of a zip that is itself written to a stream (zip data descriptors, which Excel reads, need no seeking back), so
the first bytes of an export of 100,000 rows leave at once and the whole file is never held. openpyxl still
writes every part; only where the sheet's XML goes is changed (``write_worksheet`` below), against openpyxl 3.1's
write-only internals — ``tests/web/test_exports.py`` reads every streamed workbook back with openpyxl.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from pos.core import clock


class _Sink:
    """Where the zip is written: bytes collected until the response takes them. Not seekable, on purpose."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class StreamedBook:
    """``sheet`` takes rows with ``append``; ``sent()`` hands on the bytes written so far; ``finish()`` the rest."""

    def __init__(self, title: str, prepare: Any) -> None:
        from openpyxl import Workbook
        from openpyxl.worksheet._writer import WorksheetWriter

        self._sink = _Sink()
        self._archive = ZipFile(self._sink, "w", ZIP_DEFLATED, allowZip64=True)  # type: ignore[arg-type]
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title)
        prepare(self.sheet)  # widths and frozen panes come before the sheet's first XML
        self.sheet._id = 1  # the number openpyxl gives the one sheet when it saves: its part's name
        self._made = clock.now().replace(tzinfo=None)
        entry = ZipInfo(self.sheet.path[1:], date_time=self._made.timetuple()[:6])
        entry.compress_type = ZIP_DEFLATED
        # no Zip64 header where the sizes do not need one: Excel calls such a file damaged (a sheet stays far
        # under the 4 GiB it would take)
        self._entry = self._archive.open(entry, "w", force_zip64=False)
        self.sheet._writer = WorksheetWriter(self.sheet, out=self._entry)
        self.sheet._writer.write_top()
        self._finished = False

    def abandon(self) -> None:
        """A download cut off part way: the sheet's writer is closed while its entry is still open (else it is
        finalised later, writing into a closed file)."""
        if self._finished:
            return
        self._finished = True
        try:
            self.sheet.close()
            self._entry.close()
            self._archive.close()
        except (OSError, ValueError):  # nothing is sent any more: what is left unwritten does not matter
            pass

    def sent(self) -> bytes:
        return self._sink.take()

    def finish(self) -> bytes:
        self._finished = True
        self.sheet.close()
        self._entry.close()
        self.book.properties.modified = self._made
        _writer()(self.book, self._archive).save()
        return self._sink.take()


@cache
def _writer() -> type:
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.writer.excel import ExcelWriter

    class Streamed(ExcelWriter):  # type: ignore[misc]
        def write_worksheet(self, ws: Any) -> None:  # the sheet's XML is in the archive already
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            ws._rels = ws._writer._rels
            self.manifest.append(ws)

    return Streamed


def chunks(book: StreamedBook, rows: Iterator[list[Any]], every: int) -> Iterator[bytes]:
    try:
        for n, row in enumerate(rows, start=1):
            book.sheet.append(row)
            if n % every == 0 and (data := book.sent()):
                yield data
        yield book.finish()
    finally:
        book.abandon()
