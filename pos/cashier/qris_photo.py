"""The outlet's static QRIS read from a photo of its sticker (or the tablet's camera), with zxing-cpp."""

from __future__ import annotations

import io
import warnings

from flask_babel import gettext as _

from pos.cashier.settings import static_qris
from pos.core.errors import PosError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a phone's photo is 12-50 MP; larger is refused before it is decoded
LONGEST_SIDE = 2000  # decoded at this size: a sticker's code stays readable, the board's memory is spared


def read(content: bytes) -> str:
    """The static QRIS payload in the photo, checked (CRC, static, merchant fields), or a refusal that says why."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if len(content) > MAX_BYTES:
        raise PosError(_("The photo is larger than 2 MB: take it again at a lower resolution."), 413)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.width * image.height > MAX_PIXELS:
                raise PosError(_("The photo is too large to read."), 413)
            image.draft("L", (LONGEST_SIDE, LONGEST_SIDE))  # JPEG: decoded smaller, much faster
            image = image.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombWarning) as exc:
        raise PosError(_("This file is not a photo (JPEG, PNG or WebP).")) from exc
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    found = [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode) if r.text]
    if not found:
        raise PosError(_("No QR code found in the photo: hold the camera straight over the sticker, in good light."))
    return static_qris(found[0])
