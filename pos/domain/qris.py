"""QRIS (EMVCo merchant-presented QR): parse, validate, and turn a static code into a dynamic one.

A payload is a sequence of TLV fields: two-digit tag, two-digit length, value. The last field is
the CRC (tag 63, length 04): CRC-16/CCITT-FALSE over everything before it, including "6304".
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass

MAX_QRIS_AMOUNT = 10_000_000  # Bank Indonesia's cap per QRIS transaction
REQUIRED_TAGS = ("00", "01", "52", "53", "58", "59", "60", "63")


class QrisError(ValueError):
    pass


def crc16(text: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), upper-case hex."""
    return f"{binascii.crc_hqx(text.encode('ascii'), 0xFFFF):04X}"


def parse_tlv(payload: str) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    position = 0
    while position < len(payload):
        header = payload[position : position + 4]
        if len(header) < 4 or not header.isdigit():
            raise QrisError(f"broken field header at position {position}")
        tag, length = header[:2], int(header[2:])
        value = payload[position + 4 : position + 4 + length]
        if len(value) != length:
            raise QrisError(f"field {tag} is shorter than its length")
        fields.append((tag, value))
        position += 4 + length
    return fields


def build_tlv(fields: list[tuple[str, str]]) -> str:
    out = []
    for tag, value in fields:
        if len(value) > 99:
            raise QrisError(f"field {tag} is too long")
        out.append(f"{tag}{len(value):02d}{value}")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Qris:
    payload: str
    fields: tuple[tuple[str, str], ...]

    def get(self, tag: str) -> str | None:
        return next((v for t, v in self.fields if t == tag), None)

    @property
    def merchant_name(self) -> str:
        return self.get("59") or ""

    @property
    def city(self) -> str:
        return self.get("60") or ""

    @property
    def nmid(self) -> str:
        qris = self.get("51")
        if qris:
            for tag, value in parse_tlv(qris):
                if tag == "02":
                    return value
        return ""

    @property
    def is_dynamic(self) -> bool:
        return self.get("01") == "12"

    @property
    def amount(self) -> int | None:
        value = self.get("54")
        return int(value) if value is not None else None


def parse(payload: str) -> Qris:
    """Parse and validate a QRIS payload: structure, required tags, CRC."""
    payload = payload.strip()
    if not payload or not payload.isascii() or not payload.isprintable():
        raise QrisError("a QRIS payload is printable ASCII text")
    if len(payload) > 512:
        raise QrisError("the payload is too long for a QRIS code")
    fields = parse_tlv(payload)
    tags = [t for t, _ in fields]
    if tags[0] != "00" or fields[0][1] != "01":
        raise QrisError("the payload must start with format indicator 000201")
    missing = [t for t in REQUIRED_TAGS if t not in tags]
    if missing:
        raise QrisError(f"required fields missing: {', '.join(missing)}")
    if tags[-1] != "63" or len(fields[-1][1]) != 4:
        raise QrisError("the CRC (tag 63) must be the last field")
    if not payload.endswith(fields[-1][1]) or crc16(payload[:-4]) != fields[-1][1].upper():
        raise QrisError("the CRC does not match: the payload was mistyped or altered")
    values = dict(fields)
    if values["01"] not in ("11", "12"):
        raise QrisError("point of initiation (tag 01) must be 11 or 12")
    if values["53"] != "360":
        raise QrisError("the currency (tag 53) must be 360, the Rupiah")
    if values["58"] != "ID":
        raise QrisError("the country (tag 58) must be ID")
    if not any("26" <= t <= "51" for t in tags):
        raise QrisError("no merchant account (tags 26-51)")
    return Qris(payload, tuple(fields))


def to_dynamic(static_payload: str, amount: int, reference: str) -> str:
    """A dynamic payload for exactly ``amount`` Rupiah with ``reference`` in tag 62.05."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise QrisError("the amount must be a whole, positive number of Rupiah")
    if amount > MAX_QRIS_AMOUNT:
        raise QrisError("QRIS allows at most Rp10.000.000 per transaction")
    if not reference or len(reference) > 25 or not reference.isascii():
        raise QrisError("the reference must be 1-25 ASCII characters")
    code = parse(static_payload)
    fields = [(t, v) for t, v in code.fields if t not in ("54", "63", "55", "56", "57")]
    fields = [("01", "12") if t == "01" else (t, v) for t, v in fields]
    additional = [(t, v) for t, v in parse_tlv(code.get("62") or "") if t != "05"]
    additional.append(("05", reference))
    additional.sort(key=lambda item: item[0])
    fields = [(t, v) for t, v in fields if t != "62"]
    fields.append(("54", str(amount)))
    fields.append(("62", build_tlv(additional)))
    fields.sort(key=lambda item: item[0])
    body = build_tlv(fields) + "6304"
    return body + crc16(body)
