"""Badge PDFs: one A6 badge, or a print run of many badges four to an A4 sheet.

Pure: plain ``BadgeFace`` values in, PDF bytes out; no Flask, no database.

Speed matters for the batch (10,000 badges the week before an expo), so:
- QR symbols come from segno with the mask chosen by numpy (see qr_matrix),
  in a process pool for large batches, and reach the page as one path of
  merged rectangles (runs of dark modules, stacked across rows when they line
  up) instead of one rectangle per module;
- what every badge of a pass type shares (event name, colour band, pass name,
  role label) is drawn once as a PDF form XObject and placed by reference;
- each text is measured once at 1 pt; widths scale linearly with the size.

Names are set in DejaVu Sans when it is installed (Debian: fonts-dejavu-core)
or dropped into ``fonts/`` next to this module, so Vietnamese and other
Latin-script names render. Without it Helvetica is used and letters it cannot
show lose their accents ("Nguyễn" prints as "Nguyen") rather than turning into
boxes. Scripts DejaVu Sans lacks (Thai, Khmer, Chinese...) are not covered.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, NamedTuple

import numpy as np
import segno
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

log = logging.getLogger(__name__)

BADGE_WIDTH, BADGE_HEIGHT = A6  # 105 x 148 mm
SHEET_WIDTH, SHEET_HEIGHT = A4  # 210 x 297 mm: exactly 2 x 2 badges
QR_SYMBOL_SIZE: Final = 32 * mm  # the symbol itself; its 4-module quiet zone is extra
QR_QUIET_MODULES: Final = 4

# Everything stays this far inside the badge edge, so printers that cannot
# print to the sheet edge and a guillotine that cuts half a millimetre off
# leave every badge looking the same.
_SAFE: Final = 6 * mm
_TEXT_WIDTH: Final = BADGE_WIDTH - 2 * _SAFE
_BAND_HEIGHT: Final = 20 * mm
_BAND_RADIUS: Final = 2.5 * mm
_INK: Final = (0.07, 0.09, 0.15)  # near-black slate: softer than pure black
_INK_SOFT: Final = (0.22, 0.25, 0.32)
_INK_MUTED: Final = (0.42, 0.45, 0.50)
_RULE: Final = (0.82, 0.84, 0.87)
_WHITE: Final = (1.0, 1.0, 1.0)
# Of DejaVu Sans and Helvetica alike, as a fraction of the font size.
_CAP_HEIGHT: Final = 0.73
_DESCENT: Final = 0.24

# Serial below this many badges: starting worker processes costs more than it saves.
_PARALLEL_FROM = 400
_CHUNK = 200  # badges per task sent to a worker
_BADGES_PER_SHEET: Final = 4

_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_DARK_RUN = re.compile(rb"\x01+")
_FINDER_LIKE: Final = np.array([1, 0, 1, 1, 1, 0, 1], dtype=np.uint8)  # QR penalty rule N3
_FONT_DIRS: Final = (
    Path(__file__).with_name("fonts"),
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/TTF"),  # Arch
)
# Letters with no Unicode decomposition that Helvetica (cp1252) lacks.
_UNDECOMPOSABLE: Final = {"Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Ħ": "H", "ħ": "h", "ı": "i"}


@dataclass(kw_only=True)
class BadgeFace:
    """What is printed on one badge; ``token`` is the signed QR text from tokens.issue.

    Keyword-only: nine fields, several of them strings, are too easy to swap by position.
    """

    event_name: str
    full_name: str
    organisation: str | None = None
    country: str | None = None
    pass_name: str
    colour: str  # the pass type's colour, "#RRGGBB"
    token: str
    delegation: str | None = None
    role_label: str | None = None  # e.g. "SPEAKER", "EXHIBITOR"

    def __post_init__(self) -> None:
        if not _HEX_COLOUR.fullmatch(self.colour):
            raise ValueError(f"colour must be #RRGGBB, got {self.colour!r}")


class QrPath(NamedTuple):
    """A QR symbol as PDF path operators in module units, origin at its bottom left."""

    modules: int  # symbol width in modules, without the quiet zone
    ops: str  # "x y w h re" for every merged rectangle of dark modules


def badge_pdf(face: BadgeFace) -> bytes:
    """One badge on an A6 page, for e-mailing or printing at the registration desk."""
    out = io.BytesIO()
    canvas = _canvas(out, (BADGE_WIDTH, BADGE_HEIGHT), title=f"{face.event_name} badge")
    _BadgePainter(canvas).paint(face, qr_path(face.token), 0, 0)
    canvas.showPage()
    _save(canvas)
    return out.getvalue()


def badge_sheet_pdf(
    faces: Iterable[BadgeFace],
    *,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> bytes:
    """Many badges, four A6 badges to each A4 sheet, in the order given.

    A6 is exactly a quarter of A4, so the badges touch: the sheet is cut along
    its two centre lines, and the cut marks sit on those lines (ticks in from
    each sheet edge and a cross in the centre) where the blade removes them.
    ``progress(n)`` is called with the number of badges laid out so far, after
    every sheet. ``workers`` is the number of processes computing QR codes
    (None: one per CPU; 1: none, all in this process). Worker processes are
    spawned, so the program's main module must be safe to import (the usual
    ``if __name__ == "__main__":`` guard; flask, gunicorn and rq have it).
    """
    faces = list(faces)
    if not faces:
        raise ValueError("no badges to print")
    out = io.BytesIO()
    canvas = _canvas(out, (SHEET_WIDTH, SHEET_HEIGHT), title=f"{faces[0].event_name} badges")
    painter = _BadgePainter(canvas)
    with closing(_qr_paths_in_order([face.token for face in faces], workers)) as paths:
        for index, (face, path) in enumerate(zip(faces, paths, strict=True)):
            slot = index % _BADGES_PER_SHEET
            if slot == 0 and index:
                canvas.showPage()
            x, y = _slot_origin(slot)
            painter.paint(face, path, x, y)
            if slot == _BADGES_PER_SHEET - 1 or index == len(faces) - 1:
                _draw_cut_marks(canvas)
                if progress is not None:
                    progress(index + 1)
    canvas.showPage()
    _save(canvas)
    return out.getvalue()


def qr_path(text: str) -> QrPath:
    """Encode ``text`` as a QR code (level M or better) and merge its dark modules.

    Horizontal runs of dark modules become one rectangle; a run exactly below an
    identical run extends that rectangle downwards. All rectangles are filled as
    one path, so renderers show no hairline seams between them.
    """
    symbol = qr_matrix(text)
    size = len(symbol)
    open_runs: dict[tuple[int, int], int] = {}  # (first col, end col) -> first row
    rects: list[str] = []
    for row_index, row in enumerate(symbol):
        spans = {match.span() for match in _DARK_RUN.finditer(row.tobytes())}
        for span in [span for span in open_runs if span not in spans]:
            rects.append(_rect(span, open_runs.pop(span), row_index, size))
        for span in spans:
            open_runs.setdefault(span, row_index)
    rects.extend(_rect(span, first, size, size) for span, first in open_runs.items())
    return QrPath(size, " ".join(rects))


def _rect(span: tuple[int, int], first_row: int, end_row: int, size: int) -> str:
    """One merged rectangle, flipped from matrix rows (top down) to PDF y (bottom up)."""
    start, end = span
    return f"{start} {size - end_row} {end - start} {end_row - first_row} re"


def qr_matrix(text: str) -> np.ndarray:
    """The QR symbol for ``text`` (rows top down, 1 = dark), mask chosen by ISO penalty.

    segno picks the mask by scoring all eight in pure Python: 80% of its time.
    Here segno builds the symbol once with mask 0; the other seven differ from
    it by a pattern that depends only on version and error level (the mask over
    the data area, and the format bits), so they are made by XOR and scored
    together with numpy, three times faster. The result is always exactly
    segno's symbol for the mask chosen. The penalty is scored on the finished
    symbol, as ZXing does; segno scores before adding the format bits, so on
    close calls the two may pick different (equally valid) masks.
    """
    base = segno.make(text, error="m", micro=False, mask=0)
    candidates = _as_array(base.matrix) ^ _mask_flips(base.version, base.error)
    return candidates[int(np.argmin(_penalties(candidates)))]


def _as_array(matrix: Sequence[bytearray]) -> np.ndarray:
    return np.frombuffer(b"".join(matrix), dtype=np.uint8).reshape(len(matrix), -1)


@cache
def _mask_flips(version: int, error: str) -> np.ndarray:
    """For masks 0..7, the modules that differ from the mask-0 symbol (any content)."""
    symbols = [
        _as_array(
            segno.make("0", version=version, error=error, mask=mask, micro=False,
                       boost_error=False).matrix
        )
        for mask in range(8)
    ]
    flips = np.stack([symbol ^ symbols[0] for symbol in symbols])
    flips.setflags(write=False)
    return flips


def _penalties(symbols: np.ndarray) -> np.ndarray:
    """ISO/IEC 18004 7.8.3 mask penalty (N1 + N2 + N3 + N4) of each symbol, as segno scores it."""
    size = symbols.shape[1]
    lines = np.concatenate([symbols, symbols.transpose(0, 2, 1)], axis=1)  # rows, then columns
    # N1: a run of r >= 5 same-colour modules costs r - 2 = (windows of 5 in it) + 2.
    same = lines[:, :, 1:] == lines[:, :, :-1]
    five = same[:, :, :-3] & same[:, :, 1:-2] & same[:, :, 2:-1] & same[:, :, 3:]
    run_starts = five.copy()
    run_starts[:, :, 1:] &= ~same[:, :, : size - 5]
    n1 = five.sum(axis=(1, 2)) + 2 * run_starts.sum(axis=(1, 2))
    # N2: 3 for every 2 x 2 block of one colour.
    top_left = symbols[:, :-1, :-1]
    block = (
        (top_left == symbols[:, :-1, 1:])
        & (top_left == symbols[:, 1:, :-1])
        & (top_left == symbols[:, 1:, 1:])
    )
    n2 = 3 * block.sum(axis=(1, 2))
    n3 = _finder_like_penalty(lines)
    # N4: 10 for every full 5 % the dark share strays from 50 %.
    dark_share = symbols.sum(axis=(1, 2)) / (size * size)
    n4 = 10 * np.floor(np.abs(dark_share * 100 - 50) / 5).astype(np.int64)
    return n1 + n2 + n3 + n4


def _finder_like_penalty(lines: np.ndarray) -> np.ndarray:
    """N3: 40 for each 1:1:3:1:1 pattern with four light modules before or after it.

    Matches are scanned left to right as segno does: after a counted match the
    scan resumes behind it, so overlapping matches are not counted twice.
    """
    count, line_count, size = lines.shape
    width = len(_FINDER_LIKE)
    found = np.ones((count, line_count, size - width + 1), dtype=bool)
    for offset, module in enumerate(_FINDER_LIKE):
        found &= lines[:, :, offset : offset + size - width + 1] == module
    dark_before = np.zeros((count, line_count, size + 1), dtype=np.int32)
    np.cumsum(lines, axis=2, out=dark_before[:, :, 1:])
    starts = np.arange(size - width + 1)
    light_before = (dark_before[:, :, starts] - dark_before[:, :, np.maximum(starts - 4, 0)]) == 0
    ends = starts + width
    light_after = (dark_before[:, :, np.minimum(ends + 4, size)] - dark_before[:, :, ends]) == 0
    counted = light_before | light_after
    scores = np.zeros(count, dtype=np.int64)
    resume_at = -1
    previous_line = (-1, -1)
    for symbol, line, start in zip(*np.nonzero(found), strict=True):
        if (symbol, line) != previous_line:
            previous_line, resume_at = (symbol, line), 0
        if start < resume_at:
            continue
        if counted[symbol, line, start]:
            scores[symbol] += 40
            resume_at = start + width
        else:
            resume_at = start + 4
    return scores


def _qr_paths(texts: Sequence[str]) -> list[QrPath]:
    """A chunk of QR codes: the unit of work sent to a worker process."""
    return [qr_path(text) for text in texts]


def _qr_paths_in_order(texts: Sequence[str], workers: int | None) -> Iterator[QrPath]:
    """QR paths for ``texts`` in order; in worker processes when the batch is large.

    Results stream back chunk by chunk, so this process lays out sheets while
    the workers are still encoding.
    """
    if workers is None:
        workers = os.cpu_count() or 1
    if workers <= 1 or len(texts) < _PARALLEL_FROM or multiprocessing.current_process().daemon:
        # Daemonic processes may not start children; small batches are not worth it.
        yield from map(qr_path, texts)
        return
    chunks = [texts[start : start + _CHUNK] for start in range(0, len(texts), _CHUNK)]
    # spawn: a fork of a web or queue worker would copy its sockets and locks.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=context)
    try:
        for chunk in pool.map(_qr_paths, chunks):
            yield from chunk
    finally:
        # If layout fails halfway, do not wait for QR codes nobody will print.
        pool.shutdown(wait=True, cancel_futures=True)


def _canvas(out: io.BytesIO, pagesize: tuple[float, float], *, title: str) -> Canvas:
    # invariant: the same badges give the same bytes (no timestamps or random ids).
    canvas = Canvas(out, pagesize=pagesize, invariant=True, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("expo")
    canvas.setCreator("expo")
    return canvas


def _save(canvas: Canvas) -> None:
    """Write the PDF with Flate-only streams.

    reportlab also wraps every stream in ASCII85 unless told otherwise, and
    without its optional C accelerator that pure-Python step costs more than
    laying out the badges. The setting is global and read while saving, so it
    is switched off only around ``save``; a PDF saved meanwhile by another
    thread would merely come out binary, which is just as valid.
    """
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        canvas.save()
    finally:
        rl_config.useA85 = previous


def _slot_origin(slot: int) -> tuple[float, float]:
    """Bottom-left corner of badge ``slot`` (0..3, rows top to bottom) on an A4 sheet."""
    column, row = slot % 2, slot // 2
    # 2 x 148 mm leaves 1 mm of A4's 297: split it above and below.
    bottom = (SHEET_HEIGHT - 2 * BADGE_HEIGHT) / 2
    return column * BADGE_WIDTH, bottom + (1 - row) * BADGE_HEIGHT


def _draw_cut_marks(canvas: Canvas) -> None:
    """Ticks on the two cut lines, inside the printable area, and a centre cross."""
    middle_x = BADGE_WIDTH
    middle_y = (SHEET_HEIGHT - 2 * BADGE_HEIGHT) / 2 + BADGE_HEIGHT
    start, end, arm = 3 * mm, 9 * mm, 3 * mm
    canvas.saveState()
    canvas.setLineWidth(0.25)
    canvas.setStrokeGray(0)
    lines = [
        (middle_x, SHEET_HEIGHT - start, middle_x, SHEET_HEIGHT - end),  # top
        (middle_x, start, middle_x, end),  # bottom
        (start, middle_y, end, middle_y),  # left
        (SHEET_WIDTH - start, middle_y, SHEET_WIDTH - end, middle_y),  # right
        (middle_x - arm, middle_y, middle_x + arm, middle_y),  # centre cross
        (middle_x, middle_y - arm, middle_x, middle_y + arm),
    ]
    canvas.lines(lines)
    canvas.restoreState()


class _Fonts(NamedTuple):
    regular: str
    bold: str
    name: str  # condensed bold for the person's name: long names stay large
    unicode: bool  # False: Helvetica fallback, text must be cp1252


@cache
def _fonts() -> _Fonts:
    """Register DejaVu Sans once per process, or fall back to Helvetica."""
    wanted = {
        "ExpoSans": "DejaVuSans.ttf",
        "ExpoSans-Bold": "DejaVuSans-Bold.ttf",
        "ExpoSansCondensed-Bold": "DejaVuSansCondensed-Bold.ttf",
    }
    for folder in _FONT_DIRS:
        if all((folder / file).is_file() for file in wanted.values()):
            for name, file in wanted.items():
                pdfmetrics.registerFont(TTFont(name, str(folder / file)))
            return _Fonts(*wanted, unicode=True)
    log.warning("DejaVu Sans not found: badges use Helvetica and drop accents it lacks")
    return _Fonts("Helvetica", "Helvetica-Bold", "Helvetica-Bold", unicode=False)


def _printable(text: str | None, fonts: _Fonts) -> str:
    """Collapse whitespace; with Helvetica, swap letters it lacks for their base letter."""
    text = " ".join((text or "").split())
    if fonts.unicode:
        return text
    return "".join(_cp1252_letter(letter) for letter in text)


def _cp1252_letter(letter: str) -> str:
    try:
        letter.encode("cp1252")
        return letter
    except UnicodeEncodeError:
        pass
    base = "".join(
        part for part in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(part)
    )
    try:
        base.encode("cp1252")
    except UnicodeEncodeError:
        return _UNDECOMPOSABLE.get(letter, "?")
    return base or "?"


def _contrast_ink(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """White or near-black, whichever reads better on ``rgb`` (WCAG contrast ratio)."""
    background = _luminance(rgb)
    on_white = (1.0 + 0.05) / (background + 0.05)
    on_ink = (background + 0.05) / (_luminance(_INK) + 0.05)
    return _WHITE if on_white >= on_ink else _INK


def _luminance(rgb: tuple[float, float, float]) -> float:
    def linear(channel: float) -> float:
        if channel <= 0.04045:
            return channel / 12.92
        return ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


class _Line(NamedTuple):
    text: str
    width: float  # at 1 pt


class _TextBlock(NamedTuple):
    lines: list[_Line]
    size: float


def _fit(
    text: str,
    font: str,
    *,
    largest: float,
    smallest_single: float,
    max_lines: int = 2,
    tracking: float = 0.0,
) -> _TextBlock:
    """Largest size (up to ``largest``) at which ``text`` fits the badge width.

    One line is kept while it fits at ``smallest_single`` or more; otherwise the
    words are split over two lines where the longer line is shortest. A single
    word that is still too wide just shrinks: a name is never cut.
    """
    words = text.split(" ")
    word_widths = [pdfmetrics.stringWidth(word, font, 1) for word in words]
    space = pdfmetrics.stringWidth(" ", font, 1)

    def line(first: int, end: int) -> _Line:
        chars = sum(len(word) for word in words[first:end]) + end - first - 1
        width = sum(word_widths[first:end]) + space * (end - first - 1) + tracking * chars
        return _Line(" ".join(words[first:end]), width)

    def size_for(lines: list[_Line]) -> float:
        widest = max(item.width for item in lines)
        return min(largest, _TEXT_WIDTH / widest) if widest else largest

    single = [line(0, len(words))]
    best = _TextBlock(single, size_for(single))
    if best.size >= smallest_single or max_lines < 2 or len(words) < 2:
        return best
    for split in range(1, len(words)):
        pair = [line(0, split), line(split, len(words))]
        candidate = _TextBlock(pair, size_for(pair))
        if candidate.size > best.size:
            best = candidate
    return best


class _Block(NamedTuple):
    """A fitted text block and how to set it."""

    text: _TextBlock
    font: str
    colour: tuple[float, float, float]
    gap_above: float
    leading: float = 1.2
    tracking: float = 0.0

    @property
    def height(self) -> float:
        """From the top of the capitals of the first line to the descenders of the last."""
        size = self.text.size
        return size * (_CAP_HEIGHT + self.leading * (len(self.text.lines) - 1) + _DESCENT)


class _BadgePainter:
    """Paints badges on one canvas, keeping a form XObject per kind of badge.

    Badge geometry, from the top: event name, a rule, the role pill (if any),
    the person (name, organisation, country and delegation) centred in the
    space left, the QR with its quiet zone, and the colour band with the pass.
    """

    _HEADER_CAP_TOP: Final = BADGE_HEIGHT - _SAFE - 2 * mm
    _RULE_Y: Final = BADGE_HEIGHT - _SAFE - 9 * mm
    _PILL_TOP: Final = _RULE_Y - 5 * mm
    _PILL_HEIGHT: Final = 5.5 * mm

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._fonts = _fonts()
        self._forms: dict[tuple[str, str, str, str], str] = {}

    def paint(self, face: BadgeFace, qr: QrPath, x: float, y: float) -> None:
        """Draw ``face`` with its bottom-left corner at (x, y)."""
        canvas = self._canvas
        form = self._form_for(face)
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm(form)
        self._paint_person(face, qr)
        self._paint_qr(qr)
        canvas.restoreState()

    # What every badge of one pass type (and role) shares -------------------------

    def _form_for(self, face: BadgeFace) -> str:
        key = (face.event_name, face.pass_name, face.colour.upper(), face.role_label or "")
        name = self._forms.get(key)
        if name is None:
            name = f"badge{len(self._forms)}"
            self._forms[key] = name
            self._canvas.beginForm(name, 0, 0, BADGE_WIDTH, BADGE_HEIGHT)
            self._paint_header(face.event_name)
            self._paint_band(face.pass_name, _rgb(face.colour))
            if face.role_label:
                self._paint_role(face.role_label)
            self._canvas.endForm()
        return name

    def _paint_header(self, event_name: str) -> None:
        canvas, fonts = self._canvas, self._fonts
        tracking = 0.06
        header = _fit(
            _printable(event_name, fonts).upper(),
            fonts.bold,
            largest=10,
            smallest_single=0,
            max_lines=1,
            tracking=tracking,
        )
        baseline = self._HEADER_CAP_TOP - header.size * _CAP_HEIGHT
        canvas.setFillColorRGB(*_INK_SOFT)
        self._centred(header.lines[0], fonts.bold, header.size, baseline, tracking=tracking)
        canvas.setStrokeColorRGB(*_RULE)
        canvas.setLineWidth(0.6)
        canvas.line(_SAFE, self._RULE_Y, BADGE_WIDTH - _SAFE, self._RULE_Y)

    def _paint_band(self, pass_name: str, colour: tuple[float, float, float]) -> None:
        """The pass type in its colour: what gate staff read from across the aisle."""
        canvas, fonts = self._canvas, self._fonts
        canvas.setFillColorRGB(*colour)
        canvas.roundRect(
            _SAFE, _SAFE, BADGE_WIDTH - 2 * _SAFE, _BAND_HEIGHT, _BAND_RADIUS, stroke=0, fill=1
        )
        tracking = 0.08
        label = _fit(
            _printable(pass_name, fonts).upper(),
            fonts.bold,
            largest=22,
            smallest_single=0,
            max_lines=1,
            tracking=tracking,
        )
        # Keep the label clear of the band's rounded ends.
        size = min(label.size, (_TEXT_WIDTH - 8 * mm) / label.lines[0].width)
        canvas.setFillColorRGB(*_contrast_ink(colour))
        baseline = _SAFE + (_BAND_HEIGHT - size * _CAP_HEIGHT) / 2
        self._centred(label.lines[0], fonts.bold, size, baseline, tracking=tracking)

    def _paint_role(self, role_label: str) -> None:
        """A pill under the header: speakers and exhibitors are spotted across a hall."""
        canvas, fonts = self._canvas, self._fonts
        text = _printable(role_label, fonts).upper()
        size, tracking = 8.5, 0.12
        line = _fit(text, fonts.bold, largest=size, smallest_single=0, max_lines=1,
                    tracking=tracking).lines[0]
        pill_width = line.width * size + 8 * mm
        canvas.setFillColorRGB(*_INK)
        canvas.roundRect(
            (BADGE_WIDTH - pill_width) / 2,
            self._PILL_TOP - self._PILL_HEIGHT,
            pill_width,
            self._PILL_HEIGHT,
            self._PILL_HEIGHT / 2,
            stroke=0,
            fill=1,
        )
        canvas.setFillColorRGB(*_WHITE)
        baseline = self._PILL_TOP - (self._PILL_HEIGHT + size * _CAP_HEIGHT) / 2
        self._centred(line, fonts.bold, size, baseline, tracking=tracking)

    # What is different on every badge ------------------------------------------

    def _paint_person(self, face: BadgeFace, qr: QrPath) -> None:
        """Name, organisation, country and delegation, centred between header and QR."""
        blocks = self._person_blocks(face)
        top = (self._PILL_TOP - self._PILL_HEIGHT if face.role_label else self._RULE_Y) - 4 * mm
        bottom = _qr_zone_top(qr.modules) + 4 * mm
        height = sum(block.gap_above for block in blocks[1:]) + sum(b.height for b in blocks)
        # A little above the true centre, where the eye expects the middle to be.
        cursor = top - max(0.0, (top - bottom - height) * 0.45)
        for index, block in enumerate(blocks):
            if index:
                cursor -= block.gap_above
            self._paint_block(block, cursor)
            cursor -= block.height

    def _person_blocks(self, face: BadgeFace) -> list[_Block]:
        fonts = self._fonts
        name = _fit(_printable(face.full_name, fonts), fonts.name, largest=30, smallest_single=20)
        blocks = [_Block(name, fonts.name, _INK, 0, leading=1.08)]
        if face.organisation:
            organisation = _fit(
                _printable(face.organisation, fonts), fonts.regular, largest=12, smallest_single=10
            )
            blocks.append(_Block(organisation, fonts.regular, _INK_SOFT, 3.5 * mm))
        details = " · ".join(text for text in (face.country, face.delegation) if text)
        if details:
            tracking = 0.08
            detail = _fit(
                _printable(details, fonts).upper(),
                fonts.regular,
                largest=9,
                smallest_single=7,
                tracking=tracking,
            )
            blocks.append(_Block(detail, fonts.regular, _INK_MUTED, 2.5 * mm, tracking=tracking))
        return blocks

    def _paint_block(self, block: _Block, top: float) -> None:
        """Centred lines whose capitals start at ``top``."""
        self._canvas.setFillColorRGB(*block.colour)
        size = block.text.size
        baseline = top - size * _CAP_HEIGHT
        for item in block.text.lines:
            self._centred(item, block.font, size, baseline, tracking=block.tracking)
            baseline -= size * block.leading

    def _paint_qr(self, qr: QrPath) -> None:
        """The QR as one filled path in module units, scaled and placed by a cm operator."""
        module = QR_SYMBOL_SIZE / qr.modules
        left = (BADGE_WIDTH - QR_SYMBOL_SIZE) / 2
        bottom = _SAFE + _BAND_HEIGHT + QR_QUIET_MODULES * module
        self._canvas.addLiteral(
            f"q 0 g {module:.5f} 0 0 {module:.5f} {left:.3f} {bottom:.3f} cm {qr.ops} f Q"
        )

    def _centred(
        self, line: _Line, font: str, size: float, baseline: float, *, tracking: float = 0.0
    ) -> None:
        """Draw one measured line centred on the badge; tracking is in em per letter."""
        width = line.width * size
        self._canvas.setFont(font, size)
        self._canvas.drawString(
            (BADGE_WIDTH - width) / 2, baseline, line.text, charSpace=tracking * size
        )


def _qr_zone_top(modules: int) -> float:
    """Top of the QR's quiet zone: nothing else may be drawn below it, above the band."""
    module = QR_SYMBOL_SIZE / modules
    return _SAFE + _BAND_HEIGHT + QR_SYMBOL_SIZE + 2 * QR_QUIET_MODULES * module
