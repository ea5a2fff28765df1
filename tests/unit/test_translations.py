"""Indonesian is complete: every message in the code and templates has a current translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "pos" / "translations" / "id" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("pos/**.py", "python"), ("templates/**.html", "jinja2")]


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _translated(path: Path, reader) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        catalog = reader(handle)
    out = {}
    for message in catalog:
        if not message.id or "fuzzy" in message.flags:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        if all(strings):
            out[key] = strings
    return out


def test_every_message_has_an_indonesian_translation() -> None:
    messages = _source_messages()
    assert len(messages) > 50
    translated = _translated(CATALOG / "messages.po", read_po)
    missing = sorted(messages - set(translated))
    assert not missing, f"untranslated: {missing[:20]}"


def test_compiled_catalogue_matches_the_po_file() -> None:
    assert _translated(CATALOG / "messages.po", read_po) == _translated(CATALOG / "messages.mo", read_mo)
