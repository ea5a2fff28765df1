"""WTForms' own messages read in the user's language (WTForms ships no Indonesian)."""

from __future__ import annotations

from flask import Flask

from tests.conftest import Client


def _write_off(client: Client) -> str:
    answer = client.post("/stock/write-off", {"product": "", "quantity": "abc"})
    assert answer.status_code == 422
    return answer.get_data(as_text=True)


def test_a_required_field_says_so_in_indonesian(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    page = _write_off(login_as("manajer"))
    assert "Wajib diisi." in page and "This field is required." not in page


def test_and_in_english_for_an_english_user(app: Flask, client: Client, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("manajer")
    assert client.post("/language", {"language": "en"}).status_code in (302, 303)
    page = _write_off(client)
    assert "This field is required." in page and "Wajib diisi." not in page


def test_a_document_line_says_so_in_indonesian(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("manajer")
    answer = client.post("/returns/new", {"reason": "rusak", "lines-0-code": "8991001003010", "lines-0-quantity": "x"})
    assert answer.status_code in (400, 422)
    page = answer.get_data(as_text=True)
    assert "Not a valid" not in page and "This field" not in page
