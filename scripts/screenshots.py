"""Take tablet-size screenshots of every screen of a running demo (kmp-pos demo).

    python scripts/screenshots.py http://127.0.0.1:5000 docs/screenshots [cashier,manager,stock,investor]

Needs Chromium at /usr/bin/chromium and Playwright (pip install -e '.[test]').
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

SIZES = [(1280, 800, "landscape"), (800, 1280, "portrait")]


def shoot(page: Page, out: Path, name: str, tag: str) -> None:
    page.wait_for_timeout(250)
    page.screenshot(path=str(out / f"{name}-{tag}.png"))


def cashier_tour(page: Page, base: str, out: Path, tag: str) -> None:
    page.goto(base + "/login")
    shoot(page, out, "01-login", tag)
    page.get_by_role("link", name="Siti Rahmawati").click()
    for digit in "1234":
        page.locator(f".keypad [data-key='{digit}']").click()
    shoot(page, out, "02-pin", tag)
    page.get_by_role("button", name="OK").click()
    page.wait_for_load_state()
    if "/shift/open" in page.url:
        shoot(page, out, "03-open-shift", tag)
        page.fill("#opening_float", "200000")
        page.get_by_role("button", name="Buka sesi").last.click()
    page.wait_for_selector("#scan")
    for code in ["8991001003010", "8991001003010", "8992002001012", "8991001002013"]:
        page.fill("#scan", code)
        page.press("#scan", "Enter")
        page.wait_for_timeout(150)
    page.wait_for_selector(".cart-line.changed")
    page.screenshot(path=str(out / f"04-register-lit-{tag}.png"))  # the line just added, lit
    # The node out of reach: the banner, the box free for the next code; then back.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", offline)
    page.fill("#scan", "8992002001012")
    page.press("#scan", "Enter")
    page.wait_for_selector("#offline", state="visible")
    shoot(page, out, "14-offline", tag)
    cdp.send("Network.emulateNetworkConditions", {**offline, "offline": False})
    page.wait_for_selector("#offline", state="hidden", timeout=15_000)
    page.wait_for_selector("#scan-form:not([data-busy])")
    page.get_by_role("link", name="Beras medium curah").click()
    page.wait_for_selector("#qty-dialog")
    shoot(page, out, "05-weight-dialog", tag)
    page.fill("#qty-dialog", "2,5")
    page.press("#qty-dialog", "Enter")
    page.wait_for_timeout(300)
    shoot(page, out, "04-register", tag)
    page.click("#pay-button")
    page.wait_for_load_state()
    shoot(page, out, "06-pay-cash", tag)
    page.get_by_role("tab", name="QRIS").click()
    page.wait_for_load_state()
    shoot(page, out, "07-pay-qris", tag)
    page.get_by_role("tab", name="Tunai").click()
    page.locator(".quick-amount").nth(2).click()
    page.wait_for_load_state()
    shoot(page, out, "08-receipt", tag)
    link = page.locator(".share-link a").inner_text()
    browser = page.context.browser
    assert browser is not None
    customer = browser.new_context(viewport=page.viewport_size, locale="id-ID")  # a stranger's phone: no login
    phone = customer.new_page()
    phone.goto(link)
    shoot(phone, out, "08-customer-receipt", tag)
    customer.close()
    page.goto(base + "/cashier/sales")
    shoot(page, out, "09-history", tag)
    page.locator("table a.btn").first.click()
    page.wait_for_load_state()
    shoot(page, out, "10-sale-refund", tag)
    page.goto(base + "/cashier/shift/cash")
    shoot(page, out, "11-cash", tag)
    page.goto(base + "/cashier/shift/close")
    page.fill("input[name=n100000]", "3")
    page.fill("input[name=n50000]", "1")
    shoot(page, out, "12-close-shift", tag)
    page.fill("input[name=manager_pin]", "9999")
    page.get_by_role("button", name="Tutup sesi dan cetak laporan Z").click()
    page.wait_for_load_state()
    shoot(page, out, "13-z-report", tag)


def manager_tour(page: Page, base: str, out: Path, tag: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", "manajer")
    page.fill("#password", "demo-kmp-2026")
    page.get_by_role("button", name="Masuk").last.click()
    page.wait_for_load_state()
    page.goto(base + "/products")
    shoot(page, out, "20-products", tag)
    page.goto(base + "/cashier/settings")
    shoot(page, out, "21-till-settings", tag)
    page.goto(base + "/cashier/printers")
    shoot(page, out, "22-printers", tag)


def _login(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", "demo-kmp-2026")
    page.get_by_role("button", name="Masuk").last.click()
    page.wait_for_load_state()


def stock_tour(page: Page, base: str, out: Path, tag: str) -> None:
    _login(page, base, "manajer")
    page.goto(base + "/stock")
    shoot(page, out, "30-stock", tag)
    page.goto(base + "/deliveries?status=sent")
    shoot(page, out, "31-deliveries", tag)
    page.get_by_role("link", name="Terima", exact=True).first.click()
    page.wait_for_load_state()
    page.fill("#find", page.locator("tr[data-codes]").first.get_attribute("data-codes").split()[0])
    page.press("#find", "Enter")
    page.keyboard.type("12")
    shoot(page, out, "32-receive", tag)
    page.goto(base + "/counts")
    shoot(page, out, "33-counts", tag)
    page.locator("table a.mono").first.click()
    page.wait_for_load_state()
    shoot(page, out, "34-count-confirmed", tag)
    page.goto(base + "/counts")
    page.get_by_role("button", name="Mulai hitung").click()
    page.wait_for_load_state()
    page.fill("#count-scan", "8991001003010")
    page.press("#count-scan", "Enter")
    page.wait_for_selector("#focus-counted")
    page.keyboard.type("37")
    shoot(page, out, "35-count-scan", tag)
    page.goto(base + "/returns/new")
    shoot(page, out, "36-return-form", tag)
    page.goto(base + "/stock/write-off")
    shoot(page, out, "37-write-off", tag)
    page.goto(base + "/stock/movements")
    shoot(page, out, "38-movements", tag)
    page.goto(base + "/stock/shrinkage")
    shoot(page, out, "39-shrinkage", tag)


def investor_tour(page: Page, base: str, out: Path, tag: str) -> None:
    _login(page, base, "mitra")
    page.goto(base + "/stock")
    shoot(page, out, "50-investor-stock", tag)
    page.goto(base + "/restock?status=open")
    page.locator("table a.mono").first.click()
    page.wait_for_load_state()
    shoot(page, out, "51-restock-request", tag)
    page.get_by_role("link", name="Buat pengiriman dari permintaan ini").click()
    page.wait_for_load_state()
    shoot(page, out, "52-delivery-form", tag)
    page.goto(base + "/deliveries?status=received")
    page.locator("table a.mono").first.click()
    page.wait_for_load_state()
    shoot(page, out, "53-delivery-received", tag)
    page.goto(page.url + "/bast")
    shoot(page, out, "54-bast", tag)
    page.goto(base + "/products?q=Indomie")
    page.locator("table a").first.click()
    page.wait_for_load_state()
    shoot(page, out, "55-product", tag)
    page.goto(base + "/products/new")
    shoot(page, out, "56-product-form", tag)
    page.goto(base + "/sales-by-product")
    shoot(page, out, "57-investor-sales", tag)


def sync_tour(page: Page, base: str, out: Path, tag: str) -> None:
    _login(page, base, "admin")
    page.goto(base + "/sync/health")
    shoot(page, out, "60-sync-health", tag)
    page.context.clear_cookies()
    _login(page, base, "manajer")
    page.goto(base + "/sync")
    shoot(page, out, "61-sync-status", tag)
    page.goto(base + "/staff")
    shoot(page, out, "62-staff", tag)


def reports_tour(page: Page, base: str, out: Path, tag: str) -> None:
    _login(page, base, "pusat")
    page.goto(base + "/reports")
    shoot(page, out, "63-reports", tag)
    page.goto(base + "/reports/outlets")
    shoot(page, out, "64-reports-outlets", tag)
    page.goto(base + "/reports/jobs")
    shoot(page, out, "65-reports-jobs", tag)
    page.goto(base + "/reports/monthly")
    shoot(page, out, "66-monthly-report", tag)
    page.context.clear_cookies()
    _login(page, base, "pengurus")
    page.goto(base + "/reports/cooperative")
    shoot(page, out, "67-cooperative-report", tag)
    page.context.clear_cookies()
    _login(page, base, "mitra")
    page.goto(base + "/reports/investor")
    shoot(page, out, "68-investor-report", tag)
    page.context.clear_cookies()
    _login(page, base, "pemkot")
    page.goto(base + "/transparency")
    shoot(page, out, "69-transparency", tag)


def _sign(page: Page, base: str, username: str, url: str) -> None:
    page.context.clear_cookies()
    _login(page, base, username)
    page.goto(url)
    if page.locator("form.sign-form").count():
        page.check("form.sign-form input[type=checkbox]")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Tandatangani laporan").click()
        page.wait_for_load_state()


def statements_tour(page: Page, base: str, out: Path, tag: str) -> None:
    _login(page, base, "pusat")
    page.goto(base + "/agreements")
    page.locator("a", has_text="/SRB/").first.click()
    page.wait_for_load_state()
    shoot(page, out, "42-agreement", tag)
    page.goto(page.url + "/statements")
    shoot(page, out, "45-issue", tag)
    issue_all = page.locator("form.issue-all button").first
    if issue_all.count():
        issue_all.click()
        page.wait_for_load_state()
    page.goto(base + "/statements")
    page.locator("table a.mono").first.click()  # the latest period: the demo's history has sales in it
    page.wait_for_load_state()
    url = page.url
    page.wait_for_timeout(250)
    page.screenshot(path=str(out / f"40-statement-{tag}.png"), full_page=True)  # terms, rates, stock, money
    _sign(page, base, "pengurus", url)
    _sign(page, base, "mitra", url)
    page.goto(url + "/print")
    page.wait_for_timeout(250)
    page.screenshot(path=str(out / f"41-print-{tag}.png"), full_page=True)
    page.context.clear_cookies()
    _login(page, base, "pengurus")
    page.goto(base + "/fees")
    shoot(page, out, "43-fees", tag)


def onboarding_tour(page: Page, base: str, out: Path, tag: str) -> None:
    """Central sets an outlet up; the manager's till logins; an investor's catalogue file checked."""
    from pos.domain.barcode import complete_ean13

    _login(page, base, "admin")
    page.goto(base + "/setup")
    shoot(page, out, "70-setup", tag)
    page.goto(base + "/setup/outlets/new")
    shoot(page, out, "71-setup-new-outlet", tag)
    page.goto(base + "/setup/outlets/SRG-CPR")
    shoot(page, out, "72-setup-outlet-checklist", tag)
    page.goto(base + "/setup/users")
    shoot(page, out, "73-setup-logins", tag)
    page.context.clear_cookies()
    _login(page, base, "manajer")
    shoot(page, out, "76-manager-home", tag)  # where the manager lands
    page.goto(base + "/staff/logins")
    shoot(page, out, "74-till-logins", tag)
    page.context.clear_cookies()
    _login(page, base, "mitra")
    shoot(page, out, "77-investor-home", tag)
    page.goto(base + "/products/import")
    rows = [
        "sku;barcode;nama;satuan;kategori;harga;modal;kedaluwarsa",
        f"KOPI-200;{complete_ean13('899777000001')};Kopi Bubuk 200 g;bungkus;Minuman;18.500;15000;ya",
        "KOPI-200;;Kopi Kembar;bungkus;Minuman;18500;;",
        "GULA-1;8991001003011;Gula Pasir 1 kg;kg;Sembako;16000;;tidak",
        "SABUN;;Sabun Mandi;lusin;Kebersihan;0;;",
    ]
    page.set_input_files(
        "#file", files=[{"name": "katalog.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}]
    )
    page.get_by_role("button", name="Periksa berkas").click()
    page.wait_for_load_state()
    shoot(page, out, "75-catalogue-import-check", tag)


def members_tour(page: Page, base: str, out: Path, tag: str) -> None:
    """The member register, a card sheet, a cashier selling to a member, the SHU calculation and its document."""
    _login(page, base, "pengurus")
    page.goto(base + "/members")
    shoot(page, out, "80-members", tag)
    page.goto(base + "/members/cards?cooperative=KMP-CIPARE")
    page.emulate_media(media="print")
    shoot(page, out, "81-member-cards", tag)
    page.emulate_media(media="screen")
    page.goto(base + "/shu/new")
    page.fill("#shu", "48.000.000")
    savings = "nomor anggota;simpanan\n" + "".join(f"CPR-{n:04d};{n * 150_000}\n" for n in range(1, 25))
    page.set_input_files(
        "#savings_file", files=[{"name": "simpanan.csv", "mimeType": "text/csv", "buffer": savings.encode()}]
    )
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_load_state()
    page.locator("#preview-title").scroll_into_view_if_needed()
    shoot(page, out, "83-shu-preview", tag)
    page.get_by_role("button", name="Simpan dan kunci perhitungan").click()
    page.wait_for_load_state()
    shoot(page, out, "84-shu-calculation", tag)
    page.get_by_role("link", name="PDF").wait_for()
    page.goto(page.url + "/print")
    shoot(page, out, "85-shu-document", tag)
    page.goto(base + "/reports/cooperative")
    page.locator("#members-title").scroll_into_view_if_needed()
    shoot(page, out, "86-member-report", tag)
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.get_by_role("link", name="Dedi Kurniawan").click()
    for digit in "2345":
        page.locator(f".keypad [data-key='{digit}']").click()
    page.get_by_role("button", name="OK").click()
    page.wait_for_load_state()
    if "/shift/open" in page.url:
        page.fill("#opening_float", "200000")
        page.get_by_role("button", name="Buka sesi").last.click()
    page.wait_for_selector("#scan")
    for code in ["AGT:KMP-CIPARE:CPR-0001", "8991001003010", "8992002001012"]:
        page.fill("#scan", code)
        page.press("#scan", "Enter")
        page.wait_for_timeout(300)
    page.wait_for_selector("#cart-member")
    shoot(page, out, "82-till-member", tag)
    page.locator("#cart-member button").click()
    page.wait_for_selector("#member-button")
    page.click("#member-button")
    page.wait_for_selector("#member-search")
    page.wait_for_timeout(300)  # htmx binds the search box once the dialog has settled
    page.fill("#member-search", "ujang")
    page.wait_for_selector(".member-pick")
    shoot(page, out, "82-till-member-search", tag)


TOURS = {
    "onboarding": onboarding_tour,
    "cashier": cashier_tour,
    "manager": manager_tour,
    "stock": stock_tour,
    "investor": investor_tour,
    "sync": sync_tour,
    "reports": reports_tour,
    "statements": statements_tour,
    "members": members_tour,
}


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    tours = [TOURS[name] for name in sys.argv[3].split(",")] if len(sys.argv) > 3 else list(TOURS.values())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for width, height, tag in SIZES:
            for tour in tours:
                context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
                tour(context.new_page(), base, out, tag)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
