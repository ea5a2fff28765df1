"""A network thermal printer for tests: a loopback TCP server on a free port that answers status queries as an
ESC/POS printer does, and a reader of the ESC/POS bytes it was sent (text, bold, QR codes, cuts, drawer kicks).

``mode`` is how the printer behaves: ``ok`` prints, ``paper_out`` answers that it has no paper, ``hang`` takes
the connection and then never answers (``release()`` lets it go), and a printer that refuses is simply a port
nobody listens on (``refused_port()``).
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Printed:
    """What a printer made of the bytes: the text lines, which of them were bold or double height, the QR codes'
    contents, the cuts and the drawer kicks (pin, on-time)."""

    lines: list[str] = field(default_factory=list)
    bold: list[str] = field(default_factory=list)
    tall: list[str] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    cuts: int = 0
    kicks: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def decode(data: bytes) -> Printed:
    """Read ESC/POS bytes as a printer does; an unknown command is an error (the test sent something a
    printer would print as garbage)."""
    out = Printed()
    line = bytearray()
    bold = tall = False
    qr_data = b""
    i = 0

    def end_line() -> None:
        text = line.decode("cp437")
        out.lines.append(text)
        if bold:
            out.bold.append(text)
        if tall:
            out.tall.append(text)
        line.clear()

    while i < len(data):
        b = data[i]
        if b == 0x0A:
            end_line()
            i += 1
        elif b == 0x1B:  # ESC
            cmd = data[i + 1]
            if cmd == 0x40:  # ESC @ initialise
                bold = tall = False
                i += 2
            elif cmd == 0x45:  # ESC E n bold
                bold = bool(data[i + 2] & 1)
                i += 3
            elif cmd == 0x21:  # ESC ! n print mode
                tall = bool(data[i + 2] & 0x10)
                bold = bold or bool(data[i + 2] & 0x08)
                i += 3
            elif cmd in (0x74, 0x61, 0x2D, 0x4D, 0x7B, 0x47, 0x56):  # code page, align, underline, font, …
                i += 3
            elif cmd == 0x64:  # ESC d n feed n lines
                out.lines.extend([""] * data[i + 2])
                i += 3
            elif cmd == 0x70:  # ESC p m t1 t2 drawer kick
                out.kicks.append(data[i + 2] & 1)
                i += 5
            else:
                raise ValueError(f"unknown ESC {cmd:#x} at {i}")
        elif b == 0x1D:  # GS
            cmd = data[i + 1]
            if cmd == 0x56:  # GS V m [n] cut
                out.cuts += 1
                i += 3 if data[i + 2] in (0, 1, 0x30, 0x31) else 4
            elif cmd == 0x21:  # GS ! n character size
                tall = bool(data[i + 2] & 0x0F)
                i += 3
            elif cmd == 0x28 and data[i + 2] == 0x6B:  # GS ( k pL pH cn fn … QR code
                size = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5 : i + 5 + size]
                if body[:2] == b"1P":  # store the data
                    qr_data = body[3:]
                elif body[:2] == b"1Q":  # print what was stored
                    out.qr.append(qr_data.decode())
                i += 5 + size
            elif cmd == 0x42:  # GS B n reverse
                i += 3
            else:
                raise ValueError(f"unknown GS {cmd:#x} at {i}")
        elif b == 0x10 and data[i + 1] == 0x04:  # DLE EOT n real-time status (answered by the server)
            i += 3
        elif 0x20 <= b < 0x7F or b >= 0x80:
            line.append(b)
            i += 1
        else:
            raise ValueError(f"unexpected byte {b:#x} at {i}")
    if line:
        end_line()
    return out


STATUS_OK = 0x12  # fixed bits only: online, paper present, cover closed
PAPER_END = 0x12 | 0x60


class LoopbackPrinter:
    """A printer on 127.0.0.1: ``jobs`` holds each connection's bytes once it closed."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.jobs: list[bytes] = []
        self.connections = 0
        self.received = threading.Event()
        self.held = threading.Event()  # set while a hanging printer holds a connection
        self._release = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def release(self) -> None:
        self._release.set()

    def close(self) -> None:
        self._stop.set()
        self._release.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                self._one(conn)

    def _one(self, conn: socket.socket) -> None:
        if self.mode == "hang":
            self.held.set()
            self._release.wait(timeout=30)
            return
        conn.settimeout(2)
        data = bytearray()
        while True:
            try:
                chunk = conn.recv(4096)
            except (TimeoutError, OSError):
                break
            if not chunk:
                break
            data += chunk
            while True:  # answer each status query as it comes
                at = data.find(b"\x10\x04")
                if at < 0 or at + 2 >= len(data) or data[at + 2] in (0xFE,):
                    break
                query = data[at + 2]
                answer = PAPER_END if (self.mode == "paper_out" and query == 4) else STATUS_OK
                conn.sendall(bytes([answer]))
                data[at : at + 3] = b"\xfe\xfe\xfe"  # answered
        self.jobs.append(bytes(data).replace(b"\xfe\xfe\xfe", b""))
        self.received.set()


def refused_port() -> int:
    """A loopback port nobody listens on: a printer that is switched off."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
