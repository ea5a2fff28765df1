"""The floor the node's benchmarks are measured against: a bare Flask app served as the node is (gunicorn, one
worker of the node's request threads)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from pos.cli import THREADS

APP = "from flask import Flask\napp = Flask('floor')\napp.add_url_rule('/', 'ok', lambda: 'ok')\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(folder: str | Path, port: int) -> list[str]:
    """Write the bare app into ``folder``; the command that serves it there (run it with ``cwd=folder``)."""
    Path(folder, "floor.py").write_text(APP)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return [gunicorn, "-w1", f"--threads={THREADS}", "-kgthread", f"-b127.0.0.1:{port}", "floor:app"]
