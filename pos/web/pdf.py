"""An HTML document (a statement, a report, the SHU for the meeting, member cards) as a PDF download."""

from __future__ import annotations

from flask import Response, abort, current_app, request


def pdf_response(html: str, filename: str) -> Response:
    try:
        from weasyprint import HTML
    except OSError:  # the system's Pango is missing
        current_app.logger.exception("WeasyPrint cannot load")
        abort(503)
    return Response(
        HTML(string=html, base_url=request.url_root).write_pdf(),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
