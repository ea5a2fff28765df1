"""An HTML document (a statement, a report, the SHU for the meeting, member cards) as a PDF download.

WeasyPrint keeps every page's layout until the file is written: a statement of 1,000 lines took 160 MB more at
its peak, and the server kept 70–110 MB of it afterwards (WeasyPrint's and Pango's caches, freed blocks among
live ones), beside the libraries themselves. So the PDF is drawn in a process of its own, which gives all of that
back when it exits; the server never loads WeasyPrint. The PDF goes to a temporary file and is sent from it in
blocks: the pages are never held as one string, nor copied into the response.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import IO

from flask import Response, abort, current_app, request

# The drawing process: the HTML on its standard input, the PDF on its standard output.
DRAW = (
    "import sys; from weasyprint import HTML; HTML(string=sys.stdin.buffer.read().decode(), base_url=sys.argv[1])"
    ".write_pdf(target=sys.stdout.buffer)"
)
TIMEOUT_S = 900
BLOCK = 64 * 1024


def pdf_response(html: str, filename: str) -> Response:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once it is sent)
    try:
        drawn = subprocess.run(
            [sys.executable, "-c", DRAW, request.url_root],
            input=html.encode(),
            stdout=spool,
            stderr=subprocess.PIPE,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        spool.close()
        current_app.logger.error("drawing %s took over %d s", filename, TIMEOUT_S)
        abort(503)
    if drawn.returncode != 0:  # the system's Pango is missing, or WeasyPrint failed
        spool.close()
        current_app.logger.error("drawing %s failed: %s", filename, drawn.stderr.decode(errors="replace")[-2000:])
        abort(503)
    size = spool.tell()
    spool.seek(0)
    return Response(
        _blocks(spool),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Content-Length": str(size)},
        direct_passthrough=True,
    )


def _blocks(spool: IO[bytes]) -> Iterator[bytes]:
    """The file in blocks, closed once sent (or when the download is cut off)."""
    try:
        while block := spool.read(BLOCK):
            yield block
    finally:
        spool.close()
