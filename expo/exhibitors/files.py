"""Logo checks and CSV/XLSX writing: plain bytes in, plain values out (no Flask, no DB)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from PIL import Image, UnidentifiedImageError

LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_MIN_SIDE = 32


class LogoError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class LogoInfo:
    extension: str
    width: int
    height: int


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")
    return f"{max(count // 1024, 1)} KB"


def check_logo(data: bytes, max_bytes: int = LOGO_MAX_BYTES, *, max_side: int = LOGO_MAX_SIDE,
               what: str = "logo") -> LogoInfo:
    """A real PNG, JPEG or WebP image within the size limits, or LogoError saying why not."""
    if not data:
        raise LogoError("logo_empty", f"The {what} file is empty.")
    if len(data) > max_bytes:
        raise LogoError("logo_too_large",
                        f"The {what} is {_size(len(data))}; the limit is {_size(max_bytes)}.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            width, height = image.size
            image.verify()  # reads the whole file: truncated or corrupt images fail here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as error:
        raise LogoError("logo_not_image",
                        f"The {what} is not an image we can read (use PNG, JPEG or WebP).") \
            from error
    if fmt not in LOGO_FORMATS:
        raise LogoError("logo_format", f"{fmt} images are not accepted; use PNG, JPEG or WebP.")
    if max(width, height) > max_side:
        raise LogoError("logo_too_big",
                        f"The {what} is {width} × {height} pixels; at most {max_side} "
                        "pixels on a side.")
    if min(width, height) < LOGO_MIN_SIDE:
        raise LogoError("logo_too_small",
                        f"The {what} is {width} × {height} pixels; at least {LOGO_MIN_SIDE} "
                        "pixels on a side, so it stays sharp.")
    return LogoInfo(LOGO_FORMATS[fmt], width, height)


def _cell(value) -> object:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else value


def _safe_text(value: object) -> object:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_text(_cell(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8


def to_xlsx(header: list[str], rows: list[list], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header]
    for row in rows:
        values = [_safe_text(_cell(v)) for v in row]
        sheet.append(values)
        for i, value in enumerate(values):
            widths[i] = max(widths[i], min(len(str(value)), 60))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
