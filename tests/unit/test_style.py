import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = subprocess.run([ruff, "check", "--output-format", "concise", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_float_money_in_the_application() -> None:
    offenders = []
    for path in (ROOT / "pos").rglob("*.py"):
        text = path.read_text()
        for needle in ("float(", ": float", "Float(", "Numeric("):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert not offenders, offenders


def test_each_side_has_one_writer_of_a_sales_rows() -> None:
    """A sale's rows (sale, sale_line, payment) are written by ``pos/cashier/sales.py`` on an outlet and by
    ``pos/sync/ingest/writer.py`` on central; nothing else in the application builds or inserts them."""
    import re

    writes = re.compile(r"\b(Sale|SaleLine|Payment)\((?!\))|insert\((Sale|SaleLine|Payment)\b")
    writers = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "pos").rglob("*.py")
        if "models" not in path.parts and writes.search(path.read_text())
    }
    assert writers == {"pos/cashier/sales.py", "pos/sync/ingest/writer.py"}, writers


def test_no_view_settles_a_transaction() -> None:
    """One commit per request, at the edge (``pos/web/transaction.py``): views and operations only flush."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "pos").rglob("*.py")
        if path.parent.name == "views" or path.name == "views.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "session.commit(" in line or "session.rollback(" in line
    ]
    assert not offenders, offenders
