"""A realistic demo: one cooperative in Kota Serang, one outlet, two investors, 44 products."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pos.auth.accounts import hash_secret
from pos.core import clock
from pos.core.clock import DEFAULT_TIMEZONE
from pos.domain.barcode import complete_ean13
from pos.extensions import db
from pos.models import (
    Category,
    Collector,
    Cooperative,
    Investor,
    Member,
    MovementKind,
    Outlet,
    Product,
    Register,
    Role,
    SettlementPeriod,
    StockBalance,
    User,
)
from pos.partnership import agreements
from pos.stock import ledger

DEMO_PASSWORD = "demo-kmp-2026"
# Synthetic static QRIS (made-up merchant and account numbers, valid tags and CRC).
DEMO_QRIS = (
    "00020101021126720021ID.CO.BANKMANDIRI.WWW01189360000800000123450214000195234567890303UMI"
    "51440014ID.CO.QRIS.WWW0215ID10261234567890303UMI5204541153033605802ID5914KMP KEL SERANG"
    "6006SERANG6105421116304613D"
)
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def agreement_start(today: date) -> date:
    """The demo's partnerships began on the 18th, ten months before the month the demo is seeded in."""
    months = today.year * 12 + today.month - 1 - 10
    return date(months // 12, months % 12 + 1, 18)


def agreement_number(investor_code: str, today: date) -> str:
    start = agreement_start(today)
    return f"PKS/KMP-CIPARE/{investor_code}/{ROMAN_MONTHS[start.month - 1]}/{start.year}"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    name: str
    secret: str
    kind: str = "password"


CATEGORIES = [
    ("BERAS", "Beras & biji-bijian"),
    ("MINYAK", "Minyak, gula & tepung"),
    ("MIE", "Mi instan & makanan kering"),
    ("TELUR", "Telur & susu"),
    ("BUMBU", "Bumbu dapur"),
    ("MINUM", "Minuman"),
    ("SNACK", "Makanan ringan"),
    ("MANDI", "Perlengkapan mandi"),
    ("RUMAH", "Kebutuhan rumah"),
]

# (investor, category, sku, name, unit, price, barcode body or None, favourite, opening qty)
PRODUCTS = [
    ("SRB", "BERAS", "BRS-CURAH", "Beras medium curah", "kg", 13_500, None, True, 150_000),
    (
        "SRB",
        "BERAS",
        "BRS-PREM5",
        "Beras premium Pandan Wangi 5 kg",
        "pack",
        78_000,
        "899100100101",
        False,
        40,
    ),
    (
        "SRB",
        "BERAS",
        "BRS-SPHP5",
        "Beras SPHP Bulog 5 kg",
        "pack",
        62_500,
        "899100100102",
        True,
        60,
    ),
    ("SRB", "BERAS", "KCG-HIJAU", "Kacang hijau curah", "kg", 26_000, None, True, 20_000),
    ("SRB", "MINYAK", "MYK-CURAH", "Minyak goreng curah", "l", 17_000, None, True, 60_000),
    ("SRB", "MINYAK", "MYK-KITA1", "Minyakita 1 liter", "bottle", 15_700, "899100100201", True, 96),
    (
        "SRB",
        "MINYAK",
        "MYK-BIMOLI2",
        "Bimoli minyak goreng 2 liter",
        "pack",
        38_500,
        "899100100202",
        False,
        36,
    ),
    ("SRB", "MINYAK", "GLA-CURAH", "Gula pasir curah", "kg", 17_500, None, True, 80_000),
    (
        "SRB",
        "MINYAK",
        "GLA-GULAKU1",
        "Gulaku gula tebu 1 kg",
        "pack",
        18_900,
        "899100100203",
        False,
        48,
    ),
    (
        "SRB",
        "MINYAK",
        "TPG-SEGI1",
        "Tepung terigu Segitiga Biru 1 kg",
        "pack",
        13_000,
        "899100100204",
        False,
        48,
    ),
    (
        "SRB",
        "MINYAK",
        "TPG-ROSE500",
        "Tepung beras Rose Brand 500 g",
        "pack",
        8_500,
        "899100100205",
        False,
        40,
    ),
    ("SRB", "MIE", "MIE-INDGRG", "Indomie Mi Goreng", "pcs", 3_500, "899100100301", True, 240),
    ("SRB", "MIE", "MIE-INDSOTO", "Indomie Soto Mie", "pcs", 3_300, "899100100302", False, 200),
    ("SRB", "MIE", "MIE-SEDAAP", "Mie Sedaap Goreng", "pcs", 3_400, "899100100303", False, 160),
    ("SRB", "MIE", "MIE-SUPERMI", "Supermi Ayam Bawang", "pcs", 3_200, "899100100304", False, 120),
    (
        "SRB",
        "MIE",
        "SRD-SARIMI",
        "Sarimi Isi 2 Ayam Kecap",
        "pcs",
        4_000,
        "899100100305",
        False,
        80,
    ),
    ("SRB", "TELUR", "TLR-CURAH", "Telur ayam ras", "kg", 29_000, None, True, 40_000),
    (
        "SRB",
        "TELUR",
        "SSU-FRISIAN",
        "Susu kental manis Frisian Flag 370 g",
        "pcs",
        12_500,
        "899100100401",
        False,
        48,
    ),
    (
        "SRB",
        "TELUR",
        "SSU-ULTRA1",
        "Ultra Milk full cream 1 liter",
        "pcs",
        19_500,
        "899100100402",
        False,
        24,
    ),
    ("SRB", "TELUR", "SSU-DANCOW", "Dancow bubuk 400 g", "pcs", 52_000, "899100100403", False, 18),
    (
        "SRB",
        "BUMBU",
        "GRM-DOLPHIN",
        "Garam beryodium Dolphin 250 g",
        "pcs",
        3_000,
        "899100100501",
        False,
        60,
    ),
    (
        "SRB",
        "BUMBU",
        "KCP-BANGO",
        "Kecap manis Bango 520 ml",
        "pcs",
        24_000,
        "899100100502",
        False,
        30,
    ),
    ("SRB", "BUMBU", "SBT-SASA", "Sasa MSG 100 g", "pcs", 5_500, "899100100503", False, 50),
    ("SRB", "BUMBU", "BMB-ROYCO", "Royco kaldu ayam 94 g", "pcs", 6_000, "899100100504", False, 50),
    (
        "SRB",
        "BUMBU",
        "SMB-ABC",
        "Sambal ABC extra pedas 335 ml",
        "pcs",
        15_500,
        "899100100505",
        False,
        24,
    ),
    (
        "MNS",
        "MINUM",
        "AIR-AQUA600",
        "Aqua air mineral 600 ml",
        "bottle",
        4_000,
        "899200200101",
        True,
        144,
    ),
    (
        "MNS",
        "MINUM",
        "AIR-LEMIN1",
        "Le Minerale 1,5 liter",
        "bottle",
        7_000,
        "899200200102",
        False,
        72,
    ),
    (
        "MNS",
        "MINUM",
        "TEH-SOSRO",
        "Teh Botol Sosro kotak 250 ml",
        "pcs",
        4_500,
        "899200200103",
        False,
        96,
    ),
    (
        "MNS",
        "MINUM",
        "TEH-SARIWANGI",
        "Teh celup Sariwangi isi 25",
        "box",
        7_500,
        "899200200104",
        False,
        40,
    ),
    (
        "MNS",
        "MINUM",
        "KPI-KAPAL",
        "Kopi Kapal Api Special Mix",
        "sachet",
        1_700,
        "899200200105",
        True,
        300,
    ),
    ("MNS", "MINUM", "KPI-ABC", "Kopi ABC Susu", "sachet", 1_800, "899200200106", False, 200),
    (
        "MNS",
        "MINUM",
        "SRP-MARJAN",
        "Sirup Marjan Cocopandan 460 ml",
        "bottle",
        23_000,
        "899200200107",
        False,
        24,
    ),
    (
        "MNS",
        "SNACK",
        "SNK-CHITATO",
        "Chitato sapi panggang 68 g",
        "pcs",
        11_000,
        "899200200201",
        False,
        36,
    ),
    ("MNS", "SNACK", "SNK-ROMA", "Roma Kelapa 300 g", "pcs", 10_500, "899200200202", False, 36),
    (
        "MNS",
        "SNACK",
        "SNK-GOODTIME",
        "Good Time cookies 72 g",
        "pcs",
        8_000,
        "899200200203",
        False,
        30,
    ),
    ("MNS", "SNACK", "SNK-BENGBENG", "Beng-Beng 20 g", "pcs", 2_500, "899200200204", False, 120),
    (
        "MNS",
        "MANDI",
        "SBN-LIFEBUOY",
        "Sabun Lifebuoy batang 75 g",
        "pcs",
        4_500,
        "899200200301",
        False,
        72,
    ),
    (
        "MNS",
        "MANDI",
        "SMP-SUNSILK",
        "Sunsilk sampo 170 ml",
        "bottle",
        24_500,
        "899200200302",
        False,
        24,
    ),
    (
        "MNS",
        "MANDI",
        "PSG-PEPSODENT",
        "Pepsodent pasta gigi 190 g",
        "pcs",
        15_000,
        "899200200303",
        False,
        36,
    ),
    ("MNS", "MANDI", "SKT-FORMULA", "Sikat gigi Formula", "pcs", 6_500, "899200200304", False, 36),
    (
        "MNS",
        "RUMAH",
        "DTG-RINSO",
        "Rinso deterjen bubuk 770 g",
        "pack",
        26_000,
        "899200200401",
        False,
        24,
    ),
    (
        "MNS",
        "RUMAH",
        "SBN-SUNLIGHT",
        "Sunlight sabun cuci piring 755 ml",
        "pack",
        18_500,
        "899200200402",
        False,
        30,
    ),
    (
        "MNS",
        "RUMAH",
        "KRK-BAYFRESH",
        "Baygon obat nyamuk bakar",
        "box",
        7_000,
        "899200200403",
        False,
        30,
    ),
    (
        "MNS",
        "RUMAH",
        "TSU-PASEO",
        "Tisu Paseo 250 lembar",
        "pack",
        14_000,
        "899200200404",
        False,
        30,
    ),
]


MEMBER_NAMES = (
    "Siti Aminah", "Ujang Supriatna", "Nurhayati", "Asep Saepudin", "Euis Komariah", "Dadang Hermawan",
    "Imas Masitoh", "Rudi Hartono", "Yayah Rokayah", "Jajang Nurjaman", "Tati Sumiati", "Entis Sutisna",
    "Neneng Hasanah", "Iwan Setiawan", "Ai Rohmah", "Cecep Hidayat", "Wawan Gunawan", "Lilis Suryani",
    "Ade Kurnia", "Popon Saripah", "Deden Syarifudin", "Elis Nurhasanah", "Maman Suherman", "Yeti Rohaeti",
)  # fmt: skip


def _members(coop: Cooperative, today: date) -> list[Member]:
    """The cooperative's members: numbered CPR-0001 …, a few who resigned; about half of the history's sales name
    one of them (the demo's till, SHU screen and reports have figures)."""
    from pos.models import MemberStatus

    found = []
    for n, name in enumerate(MEMBER_NAMES, start=1):
        joined = date(2019 + n % 6, 1 + n % 12, 1 + n % 27)
        member = Member(
            cooperative=coop,
            number=f"CPR-{n:04d}",
            full_name=name,
            phone=f"0812{3000_0000 + n * 7919:08d}",
            village="Cipare",
            rt_rw=f"{n % 7 + 1:03d}/{n % 3 + 1:03d}",
            joined_on=min(joined, today),
        )
        if n in (7, 19):
            member.status = MemberStatus.RESIGNED
            member.status_on = today - timedelta(days=20 + n)
        db.session.add(member)
        found.append(member)
    db.session.flush()
    return found


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin("kasir", Role.CASHIER, "Siti Rahmawati", "1234", "pin"),
        DemoLogin("kasir2", Role.CASHIER, "Dedi Kurniawan", "2345", "pin"),
        DemoLogin("manajer", Role.MANAGER, "Hendra Wijaya", DEMO_PASSWORD),
        DemoLogin("mitra", Role.INVESTOR, "Agus Salim (CV Sumber Rezeki Banten)", DEMO_PASSWORD),
        DemoLogin("mitra2", Role.INVESTOR, "Lina Marlina (PT Mitra Niaga Serang)", DEMO_PASSWORD),
        DemoLogin("pengurus", Role.BOARD, "H. Ahmad Fauzi", DEMO_PASSWORD),
        DemoLogin("pusat", Role.CENTRAL, "Rina Oktaviani", DEMO_PASSWORD),
        DemoLogin("pemkot", Role.FACILITATOR, "Bagian Perekonomian Pemkot Serang", DEMO_PASSWORD),
        DemoLogin("admin", Role.ADMIN, "Administrator", DEMO_PASSWORD),
    ]


MANAGER_PIN = "9999"


def _get_or_add(model: type, key: dict[str, object], **values: object) -> object:
    row = db.session.scalar(db.select(model).filter_by(**key))
    if row is None:
        row = model(**key, **values)
        db.session.add(row)
        db.session.flush()
    return row


def foreign_data() -> dict[str, int]:
    """What a database holds that is not the demo's: counts of organisations, logins and products, or nothing
    when it is empty or holds the demo (seeding then adds nothing or everything, never a mix)."""
    if db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-CPR")) is not None:
        return {}
    counts = {
        "cooperatives": db.select(db.func.count(Cooperative.id)),
        "outlets": db.select(db.func.count(Outlet.id)),
        "investors": db.select(db.func.count(Investor.id)),
        "users": db.select(db.func.count(User.id)),
        "products": db.select(db.func.count(Product.id)),
    }
    found = {name: int(db.session.scalar(query) or 0) for name, query in counts.items()}
    return {name: n for name, n in found.items() if n}


def seed(timezone: str = DEFAULT_TIMEZONE) -> bool:
    """Seed the demo, dated relative to today on the outlet's clock. Returns False when it was already there
    (nothing is duplicated)."""
    if db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR")) is not None:
        return False
    today = clock.business_date(timezone)
    start = agreement_start(today)
    coop = _get_or_add(
        Cooperative,
        {"code": "KMP-CIPARE"},
        name="Koperasi Kelurahan Merah Putih Cipare",
        region="Kota Serang, Banten",
        address="Jl. Ki Mas Jong No. 12, Cipare, Serang",
        chair_name="H. Ahmad Fauzi",
    )
    outlet = _get_or_add(
        Outlet,
        {"code": "SRG-CPR"},
        cooperative=coop,
        name="Gerai KMP Cipare",
        address="Jl. Ki Mas Jong No. 12, Cipare, Kota Serang",
        timezone=timezone,
        receipt_footer="Terima kasih telah berbelanja di koperasi Anda.",
        qris_static=DEMO_QRIS,
        allow_short_pins=True,  # the demo's staff keep their public 4-digit PINs
    )
    for code, name in (("KASIR-1", "Kasir 1"), ("KASIR-2", "Kasir 2")):
        _get_or_add(Register, {"outlet_id": outlet.id, "code": code}, name=name)
    investors = {
        "SRB": _get_or_add(
            Investor,
            {"code": "SRB"},
            name="CV Sumber Rezeki Banten",
            contact_name="Agus Salim",
            phone="0812-8800-1122",
            address="Jl. Raya Cilegon Km 3, Serang",
        ),
        "MNS": _get_or_add(
            Investor,
            {"code": "MNS"},
            name="PT Mitra Niaga Serang",
            contact_name="Lina Marlina",
            phone="0813-1100-2233",
            address="Jl. Jenderal Sudirman No. 8, Serang",
        ),
    }
    categories = {code: _get_or_add(Category, {"code": code}, name=name) for code, name in CATEGORIES}
    agreements.create(
        number=agreement_number("SRB", today),
        cooperative=coop,
        investor=investors["SRB"],
        outlets=[outlet],
        start=start,
        end=start.replace(year=start.year + 2) - timedelta(days=1),
        terms=agreements.VersionTerms(
            fee_bp=1200,
            category_bp={categories["BERAS"].id: 800},
            collector=Collector.COOPERATIVE,
            period=SettlementPeriod.MONTHLY,
            staff_count=2,
            note="Fee 12% dari penjualan bersih; beras 8%.",
        ),
    )
    agreements.create(
        number=agreement_number("MNS", today),
        cooperative=coop,
        investor=investors["MNS"],
        outlets=[outlet],
        start=start,
        end=None,
        terms=agreements.VersionTerms(
            fee_bp=1500,
            collector=Collector.COOPERATIVE,
            period=SettlementPeriod.WEEKLY,
            staff_count=1,
            note="Fee 15% dari penjualan bersih.",
        ),
    )
    openings = {}
    for inv, cat, sku, name, unit, price, body, favourite, opening in PRODUCTS:
        product = _get_or_add(
            Product,
            {"investor_id": investors[inv].id, "sku": sku},
            category=categories[cat],
            name=name,
            unit=unit,
            price=price,
            barcode=complete_ean13(body) if body else None,
            favourite=favourite,
        )
        openings[product.id] = opening
    for login in demo_logins():
        user = User(username=login.username, full_name=login.name, role=login.role)
        if login.kind == "pin":
            user.pin_hash = hash_secret(login.secret)
        else:
            user.password_hash = hash_secret(login.secret)
        if login.role in (Role.CASHIER, Role.MANAGER):
            user.outlet = outlet
        if login.role == Role.MANAGER:
            user.pin_hash = hash_secret(MANAGER_PIN)
        if login.role == Role.BOARD:
            user.cooperative = coop
        if login.username == "mitra":
            user.investor = investors["SRB"]
        if login.username == "mitra2":
            user.investor = investors["MNS"]
        db.session.add(user)
    db.session.flush()
    members = _members(coop, today)
    first_day = _history(outlet, start, members)
    # Opening stock arrives before the history, so that on-hand today is the listed quantity.
    sold = dict(
        db.session.execute(
            db.select(StockBalance.product_id, StockBalance.quantity).where(StockBalance.outlet_id == outlet.id)
        ).all()
    )
    moment = datetime.combine(first_day, time(6), ZoneInfo(outlet.timezone)).astimezone(UTC)
    for product_id, opening in openings.items():
        movement = ledger.post(
            outlet.id, product_id, MovementKind.OPENING, opening - sold.get(product_id, 0), note="Stok awal demo"
        )
        movement.created_at = moment
    _stock_documents(outlet, investors)
    _staff(outlet, investors, start)
    from pos.reports import rollups

    rollups.rebuild()
    return True


def _staff(outlet: Outlet, investors: dict[str, Investor], start: date) -> None:
    """The outlet's people: two new jobs from the partnership, and the cooperative's own manager."""
    from pos.models import Employer, StaffMember, StaffRole

    for name, role, employer, investor, new_job, nik in (
        ("Siti Rahmawati", StaffRole.CASHIER, Employer.INVESTOR, investors["SRB"], True, "3604015203990001"),
        ("Dedi Kurniawan", StaffRole.CASHIER, Employer.INVESTOR, investors["SRB"], True, "3604011507980002"),
        ("Rudi Hartono", StaffRole.STOCK_KEEPER, Employer.INVESTOR, investors["MNS"], True, None),
        ("Hendra Wijaya", StaffRole.MANAGER, Employer.COOPERATIVE, None, False, "3604012001850003"),
    ):
        db.session.add(
            StaffMember(
                outlet_id=outlet.id,
                full_name=name,
                role=role,
                employer=employer,
                investor_id=investor.id if investor else None,
                start_date=start + timedelta(days=2),
                new_job=new_job,
                national_id=nik,
            )
        )


def _stock_documents(outlet: Outlet, investors: dict[str, Investor]) -> None:
    """A received delivery with expiry dates, one on its way, a restock request, a count, reorder levels."""
    from pos.core.clock import business_date
    from pos.models import ReorderLevel
    from pos.stock import counts, deliveries, restock

    today = business_date(outlet.timezone)
    by_sku = {p.sku: p for p in db.session.scalars(db.select(Product))}
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    for sku in ("MIE-INDGRG", "MYK-KITA1"):
        by_sku[sku].tracks_expiry = True
    received = deliveries.create(
        investors["SRB"],
        outlet,
        today,
        [
            deliveries.PlannedLine(by_sku["MIE-INDGRG"].id, 40, "B-2611", today + timedelta(days=12)),
            deliveries.PlannedLine(by_sku["MYK-KITA1"].id, 24, "MK-0926", today + timedelta(days=240)),
        ],
        users["mitra"],
        driver="Pak Ujang · A 8123 BC",
    )
    lines = received.lines
    deliveries.receive(
        received,
        [
            deliveries.Received(lines[0].id, 39, 1, "1 dus penyok"),
            deliveries.Received(lines[1].id, 24, 0),
        ],
        users["manajer"],
        "Diterima lengkap kecuali 1 dus mi penyok.",
    )
    received.received_at = received.created_at = clock.now() - timedelta(days=3)
    deliveries.create(
        investors["MNS"],
        outlet,
        today + timedelta(days=1),
        [
            deliveries.PlannedLine(p.id, 12)
            for p in db.session.scalars(
                db.select(Product).where(Product.investor_id == investors["MNS"].id).order_by(Product.id).limit(4)
            )
        ],
        users["mitra2"],
        driver="Mas Dedi · A 1456 XY",
    )
    restock.create(
        outlet,
        investors["SRB"],
        [
            restock.Wanted(24, by_sku["MYK-KITA1"].id),
            restock.Wanted(10, None, "Beras merah 1 kg"),
        ],
        users["manajer"],
        "Permintaan naik menjelang akhir bulan.",
    )
    for sku, level in (("MYK-KITA1", 150), ("MIE-INDGRG", 60), ("BRS-PREM5", 10)):
        db.session.add(ReorderLevel(outlet_id=outlet.id, product_id=by_sku[sku].id, level=level))
    count = counts.start(
        outlet,
        users["manajer"],
        investor_id=investors["SRB"].id,
        reason="Opname bulanan",
        scope_label="CV Sumber Rezeki Banten",
    )
    premium = by_sku["BRS-PREM5"]
    counts.record(
        count, counts.line_for(count, premium.id), ledger.on_hand(outlet.id, premium.id) - 2, "2 sak tidak ada"
    )
    counts.confirm(count, users["manajer"])


def _history(outlet: Outlet, start: date, members: list[Member], days: int = 75) -> date:
    """About 12 sales a day over the last 75 days (the last whole month and most of the one before), so that
    reports and statements have figures."""
    import random

    from pos.cashier.history import refund_on, sale_on
    from pos.core.clock import business_date

    rng = random.Random(2026)
    buyers = random.Random(17)  # its own stream: the history's figures stay what they were before members
    products = list(db.session.scalars(db.select(Product).order_by(Product.id)))
    today = business_date(outlet.timezone)
    first_day = max(today - timedelta(days=days), start)
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if day < start:
            continue
        for _ in range(rng.randint(8, 16)):
            items = []
            for product in rng.sample(products, rng.randint(1, 4)):
                by_measure = product.unit in ("kg", "l")
                items.append((product, rng.choice([250, 500, 1000, 2000]) if by_measure else rng.randint(1, 3)))
            member = buyers.choice(members) if buyers.random() < 0.5 else None
            if member is not None and member.status_on is not None and member.status_on <= day:
                member = None
            sale = sale_on(outlet, day, items, member=member)
            if rng.random() < 0.02:
                refund_on(sale, day)
    return first_day
