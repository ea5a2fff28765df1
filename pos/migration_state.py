"""Whether a database is at the newest migration, found without loading the application or Alembic.

``kmp-pos serve`` asks this first: a node that restarts on a database already up to date starts serving without
importing what only an upgrade needs. The revisions are read from the migration files' ``revision`` and
``down_revision`` lines, the database's from its ``alembic_version`` table.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
_REVISION = re.compile(r'^revision\s*=\s*["\'](\w+)["\']', re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(.+)$", re.M)
_NAMES = re.compile(r'["\'](\w+)["\']')


def heads(directory: Path = MIGRATIONS) -> set[str]:
    """The revisions no other migration follows."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in directory.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = _REVISION.search(text)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(text)
        if down is not None:
            followed.update(_NAMES.findall(down.group(1)))
    return revisions - followed


def current(database_url: str) -> set[str] | None:
    """The database's revisions, or None when it cannot be read here (no such table or file, another database
    kind): the caller then runs the upgrade, which knows."""
    parts = urlsplit(database_url)
    scheme = parts.scheme.split("+")[0]
    try:
        if scheme == "sqlite":
            path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
            if not path or path == ":memory:" or not Path(path).exists():
                return None
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
                return {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
        if scheme == "postgresql":
            import psycopg

            plain = database_url.replace(parts.scheme + "://", "postgresql://", 1)
            with psycopg.connect(plain, connect_timeout=5) as connection:
                return {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    except Exception:
        return None
    return None


def up_to_date(database_url: str) -> bool:
    found = current(database_url)
    return found is not None and found == heads()
