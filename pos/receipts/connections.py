"""Reaching a printer attached to the outlet node, with python-escpos's connections: on the network (raw port
9100), on USB (the kernel's printer device ``/dev/usb/lp0``, or the vendor and product ids through libusb) or
on a serial line (a Bluetooth printer paired and bound to ``/dev/rfcomm0``).

A network printer is asked for its status first (DLE EOT): one that does not answer, is offline or out of
paper is reported as such instead of being sent a receipt it will never print.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER

KINDS = ("network", "usb", "serial")
DEFAULT_PORT = 9100
TIMEOUT_S = 4

_HOST_PORT = re.compile(r"^(?P<host>[A-Za-z0-9.\-]{1,100}|\[[0-9A-Fa-f:]{2,45}\])(?::(?P<port>\d{1,5}))?$")
_USB_IDS = re.compile(r"^(?:0x)?(?P<vendor>[0-9A-Fa-f]{4}):(?:0x)?(?P<product>[0-9A-Fa-f]{4})$")
_DEVICE = re.compile(r"^/dev/[A-Za-z0-9_/.\-]{1,60}$")
_SERIAL = re.compile(r"^(?P<dev>/dev/[A-Za-z0-9_/.\-]{1,60})(?:@(?P<baud>\d{3,7}))?$")


class PrinterUnavailable(Exception):
    """The printer could not be reached or cannot print now; the message says why, for the cashier."""


@dataclass(frozen=True, slots=True)
class Address:
    kind: str
    host: str = ""
    port: int = DEFAULT_PORT
    device: str = ""
    vendor: int = 0
    product: int = 0
    baud: int = 9600


def parse_address(kind: str, text: str) -> Address:
    """``192.168.1.50`` or ``192.168.1.50:9100``; ``/dev/usb/lp0`` or ``0416:5011``; ``/dev/rfcomm0@9600``.
    ValueError when it is none of those."""
    text = (text or "").strip()
    if kind == "network":
        match = _HOST_PORT.match(text)
        if not match:
            raise ValueError("network")
        port = int(match["port"] or DEFAULT_PORT)
        if not 0 < port < 65536:
            raise ValueError("network")
        return Address(kind, host=match["host"].strip("[]"), port=port)
    if kind == "usb":
        if ids := _USB_IDS.match(text):
            return Address(kind, vendor=int(ids["vendor"], 16), product=int(ids["product"], 16))
        if _DEVICE.match(text) and ".." not in text:
            return Address(kind, device=text)
        raise ValueError("usb")
    if kind == "serial":
        match = _SERIAL.match(text)
        if not match or ".." in text:
            raise ValueError("serial")
        return Address(kind, device=match["dev"], baud=int(match["baud"] or 9600))
    raise ValueError(kind)


def _status_byte(answer: bytes) -> int:
    if not answer:
        raise PrinterUnavailable("no answer")
    return answer[0]


def send(address: Address, data: bytes, timeout: int = TIMEOUT_S) -> None:
    """Hand ``data`` to the printer, or raise ``PrinterUnavailable`` within about ``timeout`` seconds a step."""
    from escpos import printer as escpos_printer
    from escpos.exceptions import Error as EscposError

    if address.kind == "network":
        device = escpos_printer.Network(address.host, address.port, timeout=timeout)
    elif address.kind == "usb" and address.device:
        device = escpos_printer.File(address.device)
    elif address.kind == "usb":
        device = escpos_printer.Usb(address.vendor, address.product, timeout=timeout * 1000)
    else:
        device = escpos_printer.Serial(address.device, baudrate=address.baud, timeout=timeout)
    try:
        device.open()
        if address.kind == "network":
            online = _status_byte(device.query_status(RT_STATUS_ONLINE))
            if online & 0x08:
                raise PrinterUnavailable("offline")
            paper = _status_byte(device.query_status(RT_STATUS_PAPER))
            if paper & 0x60:
                raise PrinterUnavailable("paper out")
        device._raw(data)
    except PrinterUnavailable:
        raise
    except (OSError, EscposError) as exc:
        raise PrinterUnavailable(str(exc)[:200] or type(exc).__name__) from exc
    except Exception as exc:  # a USB or serial library's own error types
        raise PrinterUnavailable(f"{type(exc).__name__}: {exc}"[:200]) from exc
    finally:
        with contextlib.suppress(Exception):
            device.close()
