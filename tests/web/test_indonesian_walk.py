"""Every page a role reaches by its links reads in Indonesian: no English message of ours or of WTForms, and no
stored code (a unit, a movement kind, a document type) shown as it is stored."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from pos.models import Role
from tests.conftest import PASSWORDS, Client
from tests.web.test_authorization_walk import USER_FOR_ROLE

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "pos" / "translations" / "id" / "LC_MESSAGES"
PAGES_PER_ROLE = 70
SKIP = re.compile(r"/(logout|static|api|sync/pull|sync/push)\b|export|format=|\.csv|\.xlsx|/print|/photo")
# stored codes that must never be read as they are stored
CODES = {"bottle", "pack", "box", "litre", "return", "adjust", "stock_count", "stock_return", "write_off", "expired"}
CODES |= {"opening", "receive", "refund", "delivery", "void", "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
# English words that our own names never contain
WORDS = re.compile(
    r"\b(staff|Monthly|Weekly|Fortnightly|This field|Not a valid|Number must|required|expired|damaged|unsold)\b"
)


def _english() -> set[str]:
    """Our messages and WTForms' whose Indonesian differs from the English."""
    english: set[str] = set()
    for name in ("messages.po", "wtforms.po"):
        with (CATALOG / name).open("rb") as handle:
            for message in read_po(handle):
                ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
                strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
                for text in ids:
                    if text and "%" not in text and text not in strings and len(text) > 3:
                        english.add(text)
    return english


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        found = dict(attrs)
        for name in ("placeholder", "title", "aria-label", "alt"):
            if found.get(name):
                self.texts.append(str(found[name]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def _walk(client: Client) -> dict[str, list[str]]:
    seen: set[str] = set()
    queue = deque(["/"])
    found: dict[str, list[str]] = {}
    english = _english()
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        answer = client.get(url)
        if answer.status_code in (301, 302, 303):
            queue.appendleft(urlsplit(answer.headers["Location"]).path)
            continue
        if answer.status_code != 200 or answer.mimetype != "text/html":
            continue
        parser = _Text()
        parser.feed(answer.get_data(as_text=True))
        wrong = [t for t in parser.texts if t in english or t in CODES or WORDS.search(t)]
        if wrong:
            found[url] = wrong
        for link in parser.links:
            parts = urlsplit(link)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(link):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    return found


@pytest.mark.parametrize("role", list(USER_FOR_ROLE), ids=lambda r: r.value)
def test_every_page_reads_in_indonesian(app: Flask, client: Client, role: Role) -> None:
    username = USER_FOR_ROLE[role]
    client.login(username, PASSWORDS.get(username, "demo-kmp-2026"))
    found = _walk(client)
    assert not found, found
