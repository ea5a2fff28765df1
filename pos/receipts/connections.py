"""Reaching a printer attached to the outlet node, with python-escpos's connections: on the network (raw port
9100), on USB (the kernel's printer device ``/dev/usb/lp0``, or the vendor and product ids through libusb) or
on a serial line (a Bluetooth printer paired and bound to ``/dev/rfcomm0``).

A network printer is asked for its status first (DLE EOT): one that does not answer, is offline or out of
paper is reported as such instead of being sent a receipt it will never print.
"""

from __future__ import annotations

import contextlib
import re
import socket
from dataclasses import dataclass

KINDS = ("network", "usb", "serial")
RT_STATUS_ONLINE = b"\x10\x04\x01"  # DLE EOT 1: is the printer online?
RT_STATUS_PAPER = b"\x10\x04\x04"  # DLE EOT 4: has it paper?
DEFAULT_PORT = 9100
TIMEOUT_S = 4

_HOST_PORT = re.compile(r"^(?P<host>[A-Za-z0-9.\-]{1,100}|\[[0-9A-Fa-f:]{2,45}\])(?::(?P<port>\d{1,5}))?$")
_USB_IDS = re.compile(r"^(?:0x)?(?P<vendor>[0-9A-Fa-f]{4}):(?:0x)?(?P<product>[0-9A-Fa-f]{4})$")
_DEVICE = re.compile(r"^/dev/[A-Za-z0-9_/.\-]{1,60}$")
_SERIAL = re.compile(r"^(?P<dev>/dev/[A-Za-z0-9_/.\-]{1,60})(?:@(?P<baud>\d{3,7}))?$")


class PrinterUnavailable(Exception):
    """The printer could not be reached or cannot print now. The message starts with why, for the cashier:
    ``unreachable``, ``no answer``, ``offline`` or ``paper out``."""


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


def _network(address: Address, data: bytes, timeout: int) -> None:
    """Raw port 9100: ask the printer's status, then send. (python-escpos's own network printer leaves its socket
    open when the printer refuses the connection.)"""
    try:
        connection = socket.create_connection((address.host, address.port), timeout=timeout)
    except OSError as exc:
        raise PrinterUnavailable(f"unreachable: {exc}"[:200]) from exc
    with connection:
        try:
            connection.sendall(RT_STATUS_ONLINE)
            if _status_byte(connection.recv(1)) & 0x08:
                raise PrinterUnavailable("offline")
            connection.sendall(RT_STATUS_PAPER)
            if _status_byte(connection.recv(1)) & 0x60:
                raise PrinterUnavailable("paper out")
            connection.sendall(data)
        except TimeoutError as exc:
            raise PrinterUnavailable("no answer") from exc
        except OSError as exc:
            raise PrinterUnavailable(f"unreachable: {exc}"[:200]) from exc


def send(address: Address, data: bytes, timeout: int = TIMEOUT_S) -> None:
    """Hand ``data`` to the printer, or raise ``PrinterUnavailable`` within about ``timeout`` seconds a step."""
    if address.kind == "network":
        _network(address, data, timeout)
        return
    from escpos import printer as escpos_printer

    if address.kind == "usb" and address.device:
        device = escpos_printer.File(address.device)
    elif address.kind == "usb":
        device = escpos_printer.Usb(address.vendor, address.product, timeout=timeout * 1000)
    else:
        device = escpos_printer.Serial(address.device, baudrate=address.baud, timeout=timeout)
    try:
        try:
            device.open()
        except Exception as exc:  # DeviceNotFoundError, USBNotFoundError, a serial port that is not there
            raise PrinterUnavailable(f"unreachable: {exc}"[:200]) from exc
        device._raw(data)
    except PrinterUnavailable:
        raise
    except TimeoutError as exc:
        raise PrinterUnavailable("no answer") from exc
    except Exception as exc:  # a USB or serial library's own error types
        raise PrinterUnavailable(f"unreachable: {type(exc).__name__}: {exc}"[:200]) from exc
    finally:
        with contextlib.suppress(Exception):  # closing a dead connection
            device.close()
