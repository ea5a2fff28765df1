"""The till on a real shop floor, in Chromium: fast scans at any round trip, a dropped connection, a scan on the
receipt screen, the line just added in sight."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pos.demo import PRODUCTS
from pos.domain.barcode import complete_ean13
from tests.e2e.conftest import LiveServer, pin_login

PIECES = [(complete_ean13(p[6]), p[3]) for p in PRODUCTS if p[6] and p[4] not in ("kg", "l", "g", "ml")][:10]


@pytest.fixture
def till(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A cashier's tablet (landscape) with an open shift."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    pin_login(page, live_server)
    page.wait_for_url(live_server.url + "/cashier/shift/open")
    page.fill("#opening_float", "200.000")
    page.get_by_role("button", name="Buka sesi").last.click()
    page.wait_for_url(live_server.url + "/cashier")
    yield page
    context.close()


def _latency(page: Any, ms: int) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    return cdp


def _scan_fast(page: Any, codes: list[str]) -> None:
    """A USB scanner: digits 4 ms apart, Enter, the next code 20 ms later, whatever has come back meanwhile."""
    for code in codes:
        page.keyboard.type(code, delay=4)
        page.keyboard.press("Enter")
        page.wait_for_timeout(20)


def _names(page: Any) -> list[str]:
    return [name.strip() for name in page.locator(".cart-line .line-name").all_inner_texts()]


@pytest.mark.parametrize("latency", [0, 100, 300, 500])
def test_ten_fast_scans_give_ten_lines_in_order_at_any_round_trip(till: Any, latency: int) -> None:
    _latency(till, latency)
    _scan_fast(till, [code for code, _name in PIECES])
    till.wait_for_function("n => document.querySelectorAll('.cart-line').length >= n", arg=len(PIECES))
    till.wait_for_function("() => !document.querySelector('#scan-form[data-busy]')")
    assert _names(till) == [name for _code, name in PIECES]
    assert till.locator(".cart-count").inner_text() == "10 baris · 10 barang"
    assert till.locator(".toast-error").count() == 0
    assert till.locator("#scan").input_value() == ""


def test_the_same_code_ten_times_fast_is_ten_units(till: Any) -> None:
    _latency(till, 300)
    _scan_fast(till, [PIECES[0][0]] * 10)
    till.wait_for_function("() => document.querySelector('.cart-line .qty')?.innerText.trim() === '10'")
    till.wait_for_function("() => !document.querySelector('#scan-form[data-busy]')")
    assert till.locator(".cart-line").count() == 1
    assert till.locator(".cart-count").inner_text() == "1 baris · 10 barang"


def test_an_unknown_code_says_so_and_leaves_the_box_free(till: Any) -> None:
    _scan_fast(till, ["2999999999999", PIECES[0][0]])
    till.locator(".toast-error").wait_for()
    assert "2999999999999" in till.locator(".toast-error").inner_text()
    till.wait_for_function("() => document.querySelectorAll('.cart-line').length === 1")
    assert _names(till) == [PIECES[0][1]]
    assert till.locator("#scan").input_value() == ""


def test_the_favourites_stay_when_a_search_for_a_scanned_code_answers(till: Any) -> None:
    """The box searches as it is typed in (200 ms after the last change): a code that sat in the box that long,
    or a second scan of the same code pasted whole, sent a search for the barcode, and its answer put "Hasil
    untuk “8991001003010”" in place of the favourites once the scan had taken the code."""
    code = PIECES[0][0]
    till.fill("#scan", code)
    till.wait_for_function("() => document.querySelector('#results .results-title')?.innerText.startsWith('Hasil')")
    till.press("#scan", "Enter")
    for _ in range(3):  # as a scanner that pastes each code: the same value again does not restart the delay
        till.fill("#scan", code)
        till.press("#scan", "Enter")
        till.wait_for_timeout(150)
    till.wait_for_function("() => document.querySelector('.cart-line .qty')?.innerText.trim() === '4'")
    till.wait_for_function("() => !document.querySelector('#scan-form[data-busy]')")
    till.wait_for_timeout(600)  # any search still on its way has answered
    assert till.locator("#results .results-title").inner_text() == "Favorit"


def test_scans_while_the_node_is_down_are_sent_when_it_is_back(till: Any, live_server: LiveServer) -> None:
    codes = [code for code, _name in PIECES[:5]]
    _scan_fast(till, codes[:2])
    till.wait_for_function("() => document.querySelectorAll('.cart-line').length === 2")
    live_server.stop()
    _scan_fast(till, codes[2:])
    till.locator("#offline").wait_for(state="visible")
    assert "Tidak terhubung ke server gerai" in till.locator("#offline").inner_text()
    assert till.locator("#scan").input_value() == ""  # the box stays free while the node is away
    till.wait_for_timeout(1500)
    live_server.start()
    till.locator("#offline").wait_for(state="hidden")
    till.wait_for_function("() => document.querySelectorAll('.cart-line').length === 5")
    till.wait_for_function("() => !document.querySelector('#scan-form[data-busy]')")
    assert _names(till) == [name for _code, name in PIECES[:5]]


def test_pay_with_the_node_down_shows_the_banner_not_an_error_page(till: Any, live_server: LiveServer) -> None:
    _scan_fast(till, [PIECES[0][0]])
    till.wait_for_function("() => document.querySelectorAll('.cart-line').length === 1")
    live_server.stop()
    till.click("#pay-button")
    till.locator("#offline").wait_for(state="visible")
    assert till.url == live_server.url + "/cashier"
    live_server.start()
    till.wait_for_url("**/cashier/pay")  # it goes on by itself once the node answers


def test_a_payment_whose_answer_was_lost_resolves_to_its_receipt(till: Any, live_server: LiveServer) -> None:
    from pos.extensions import db
    from pos.models import Sale, Shift

    _scan_fast(till, [PIECES[0][0], PIECES[1][0]])
    till.wait_for_function("() => document.querySelectorAll('.cart-line').length === 2")
    lost: list[str] = []

    def drop_the_answer(route: Any) -> None:
        if route.request.method == "POST" and not lost:
            route.fetch()  # the node saves the sale ...
            lost.append(route.request.url)
            route.abort("connectionreset")  # ... and its answer never arrives
        else:
            route.continue_()

    till.route("**/cashier/pay", drop_the_answer)
    till.click("#pay-button")
    till.wait_for_url("**/cashier/pay")
    till.locator("button[name=cash]").first.click()
    till.wait_for_url("**/cashier/receipt/**")
    assert lost
    with live_server.app.app_context():
        shift = db.session.scalar(db.select(Shift.id).order_by(Shift.id.desc()).limit(1))
        assert db.session.scalar(db.select(db.func.count()).select_from(Sale).where(Sale.shift_id == shift)) == 1
        db.session.rollback()
    till.go_back()
    till.wait_for_load_state("load")
    if "/cashier/pay" in till.url:
        till.goto(live_server.url + "/cashier")
    assert "Transaksi terakhir tersimpan" in till.locator("#cart").inner_text()


def test_a_scan_on_the_receipt_screen_starts_the_next_sale(till: Any, live_server: LiveServer) -> None:
    _scan_fast(till, [PIECES[0][0]])
    till.wait_for_function("() => document.querySelectorAll('.cart-line').length === 1")
    till.click("#pay-button")
    till.locator("button[name=cash]").first.click()
    till.wait_for_url("**/cashier/receipt/**")
    till.keyboard.type(PIECES[1][0], delay=4)
    till.keyboard.press("Enter")
    till.wait_for_url(live_server.url + "/cashier")
    assert _names(till) == [PIECES[1][1]]


@pytest.mark.parametrize(("width", "height", "lines"), [(1280, 800, 9), (800, 1280, 12)], ids=["landscape", "portrait"])
def test_the_line_just_added_is_in_sight_and_lit(
    browser: Any, live_server: LiveServer, width: int, height: int, lines: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    pin_login(page, live_server)
    page.fill("#opening_float", "200.000")
    page.get_by_role("button", name="Buka sesi").last.click()
    page.wait_for_url(live_server.url + "/cashier")
    codes = [code for code, _name in PIECES] + [complete_ean13(p[6]) for p in PRODUCTS if p[6]][10:14]
    for n, code in enumerate(codes[:lines], start=1):
        page.keyboard.type(code, delay=4)
        page.keyboard.press("Enter")
        page.wait_for_function("n => document.querySelectorAll('.cart-line').length === n", arg=n)
    last = page.locator(".cart-line").last
    page.wait_for_timeout(300)
    assert "changed" in (last.get_attribute("class") or "")
    box = last.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height
    assert page.locator(".cart-count").inner_text() == f"{lines} baris · {lines} barang"
    assert page.locator(".cart-line.changed").count() == 1  # only the line just added is lit
    # The first line again (scrolled out of sight by now): it is the one lit and back in sight, counted in place.
    page.keyboard.type(codes[0], delay=4)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelector('.cart-count').innerText.includes(n + ' barang')", arg=lines + 1
    )
    first = page.locator(".cart-line").first
    page.wait_for_timeout(300)
    assert page.locator(".cart-line.changed").count() == 1 and "changed" in (first.get_attribute("class") or "")
    box = first.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height
    assert page.locator(".cart-line").count() == lines
    context.close()


def test_the_landscape_cart_head_is_one_row_and_leaves_the_height_to_the_lines(till: Any) -> None:
    """The count sits under the title and both buttons on one row beside it (the "empty cart" button used to wrap
    onto a row of its own, hiding most of a line in landscape)."""
    for n, (code, _name) in enumerate(PIECES[:2], start=1):
        till.keyboard.type(code, delay=4)
        till.keyboard.press("Enter")
        till.wait_for_function("n => document.querySelectorAll('.cart-line').length === n", arg=n)
    head = till.locator("#cart-head").bounding_box()
    member = till.locator("#member-button").bounding_box()
    empty = till.get_by_role("button", name="Kosongkan").bounding_box()
    assert head is not None and member is not None and empty is not None
    assert head["height"] < 2 * member["height"]
    assert abs(member["y"] - empty["y"]) < 2 and member["x"] < empty["x"]
    assert till.locator(".cart-count").inner_text() == "2 baris · 2 barang"


def test_the_refund_quantities_line_up_whatever_is_left_of_each_line(till: Any) -> None:
    """A line sold by weight ("/ 2,5") and lines sold by the piece ("/ 1") have their refund boxes in one column."""
    till.keyboard.type(PIECES[0][0], delay=4)
    till.keyboard.press("Enter")
    till.wait_for_function("() => document.querySelectorAll('.cart-line').length === 1")
    till.get_by_role("link", name="Beras medium curah").click()
    till.fill("#qty-dialog", "2,5")
    till.press("#qty-dialog", "Enter")
    till.wait_for_function("() => document.querySelectorAll('.cart-line').length === 2")
    till.click("#pay-button")
    till.locator(".quick-amount").first.click()
    till.get_by_role("link", name="Rincian transaksi").click()
    boxes = [box.bounding_box() for box in till.locator(".refund-form .qty-input").all()]
    assert len(boxes) == 2 and all(boxes)
    assert abs(boxes[0]["x"] - boxes[1]["x"]) < 1 and abs(boxes[0]["width"] - boxes[1]["width"]) < 1  # type: ignore[index]
