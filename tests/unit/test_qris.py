import json
from pathlib import Path

import pytest

from pos.domain.qris import QrisError, crc16, parse, parse_tlv, to_dynamic

# A copy of the team's shared sample (../shared/data), so that a clone tests on its own.
SAMPLE = json.loads((Path(__file__).resolve().parents[1] / "data" / "qris-static-samples.json").read_text())["samples"][
    0
]


def test_crc_test_vector() -> None:
    # CRC-16/CCITT-FALSE check value from the CRC catalogue: "123456789" -> 0x29B1
    assert crc16("123456789") == "29B1"


def test_sample_static_payload_is_valid() -> None:
    code = parse(SAMPLE["static"])
    assert code.merchant_name == SAMPLE["merchant_name"]
    assert code.city == SAMPLE["city"]
    assert code.nmid == SAMPLE["nmid"]
    assert not code.is_dynamic and code.amount is None


def test_dynamic_payload_carries_amount_reference_and_a_fresh_crc() -> None:
    payload = to_dynamic(SAMPLE["static"], 125_500, "SRG-CPR-20261128-0001")
    code = parse(payload)  # parse() checks the CRC
    assert code.is_dynamic
    assert code.amount == 125_500
    assert dict(parse_tlv(code.get("62") or ""))["05"] == "SRG-CPR-20261128-0001"
    assert payload[-4:] == crc16(payload[:-4])
    tags = [t for t, _ in code.fields]
    assert tags == sorted(tags) and tags[-1] == "63"
    assert code.merchant_name == SAMPLE["merchant_name"]
    # no tip or convenience fee: QRIS must not be surcharged
    assert not {"55", "56", "57"} & set(tags)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "hello",
        SAMPLE["static"][:-4] + "0000",  # wrong CRC
        SAMPLE["static"].replace("KMP KEL SERANG", "KMP KEL SERANX"),  # altered name
        SAMPLE["static"][:40],  # truncated
        "0002010102115303360" + "6304",
    ],
)
def test_malformed_static_payloads_are_refused(payload: str) -> None:
    with pytest.raises(QrisError):
        parse(payload)


@pytest.mark.parametrize("amount", [0, -1, 10_000_001, 1.5, True])
def test_bad_amounts_are_refused(amount: object) -> None:
    with pytest.raises(QrisError):
        to_dynamic(SAMPLE["static"], amount, "REF")  # type: ignore[arg-type]
