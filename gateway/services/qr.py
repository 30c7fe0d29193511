"""QR codes for pairing URIs, rendered with segno."""

from __future__ import annotations

import io

import segno

from gateway.services.errors import ErrorCode, refuse

DEFAULT_SCALE = 4
MAX_SCALE = 20


def render(data: str, fmt: str, scale: int | None) -> str:
    """SVG text, or a PNG as a ``data:image/png;base64,`` URI."""
    scale = DEFAULT_SCALE if scale is None else scale
    if not 1 <= scale <= MAX_SCALE:
        raise refuse(ErrorCode.INVALID, f"scale must be between 1 and {MAX_SCALE}.", "scale")
    # Level M survives a smudged or partly covered sticker (15% of modules).
    qr = segno.make(data, error="m", micro=False)
    if fmt == "PNG":
        return qr.png_data_uri(scale=scale, border=4)
    # A standalone SVG document's text (with its XML namespace, without the XML declaration),
    # so it is a valid SVG file as well as markup a page can inline.
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", xmldecl=False, scale=scale, border=4, title="Pairing code")
    return buffer.getvalue().decode()
