"""Badge PDFs: printed badges that a real QR decoder reads back as valid tokens."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from pyzbar import pyzbar
from segno import encoder as segno_encoder

from expo.registration import pdf, tokens
from expo.registration.pdf import BadgeFace
from expo.registration.tokens import BadgeClaims

EVENT = 25
DPI = 150
POINTS_PER_MM = 72 / 25.4

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftoppm", "pdfinfo", "pdftotext", "zbarimg")),
    reason="needs poppler-utils and zbar-tools (make system-deps)",
)


@pytest.fixture(scope="module")
def event_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def public_keys(event_key):
    return {1: event_key.public_key()}


def _face(event_key, registration_id: int, **overrides) -> BadgeFace:
    claims = BadgeClaims(event_id=EVENT, registration_id=registration_id, serial=1, key_id=1)
    values = {
        "event_name": "Smart City Expo Kuala Lumpur 2025",
        "full_name": "Nurul Aisyah binti Hamzah",
        "organisation": "Kuala Lumpur City Hall (DBKL)",
        "country": "Malaysia",
        "pass_name": "Delegate",
        "colour": "#0F766E",
        "token": tokens.issue(claims, event_key),
    }
    values.update(overrides)
    return BadgeFace(**values)


def _render(document: bytes, folder: Path) -> list[Path]:
    """Every page of ``document`` as a PNG at 150 dpi, in page order."""
    source = folder / "badges.pdf"
    source.write_bytes(document)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", str(source), str(folder / "page")], check=True
    )
    return sorted(folder.glob("page-*.png"))


def _zbar(png: Path) -> list[str]:
    """QR texts zbarimg finds on one page (it warns about D-Bus on stderr: ignored)."""
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=False
    )
    return result.stdout.splitlines()


def _pdfinfo(document: bytes, folder: Path) -> str:
    source = folder / "info.pdf"
    source.write_bytes(document)
    return subprocess.run(
        ["pdfinfo", str(source)], capture_output=True, text=True, check=True
    ).stdout


def _page_size_mm(info: str) -> tuple[int, int]:
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    assert match, info
    return tuple(round(float(points) / POINTS_PER_MM) for points in match.groups())


def _words(document: bytes, folder: Path) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) in points from the top left, per pdftotext -bbox."""
    source = folder / "words.pdf"
    source.write_bytes(document)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout
    number = r'"([\d.]+)"'
    pattern = rf"<word xMin={number} yMin={number} xMax={number} yMax={number}>([^<]*)</word>"
    return [
        (html.unescape(word), float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, word in re.findall(pattern, out)
    ]


def _text(document: bytes, folder: Path) -> str:
    source = folder / "text.pdf"
    source.write_bytes(document)
    return subprocess.run(
        ["pdftotext", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout


def _has_unicode_font() -> bool:
    return pdf._fonts().unicode


# One badge -------------------------------------------------------------------


def test_printed_badge_qr_decodes_to_a_token_the_gate_accepts(event_key, public_keys, tmp_path):
    face = _face(event_key, 4821)
    [page] = _render(pdf.badge_pdf(face), tmp_path)
    [decoded] = _zbar(page)
    assert decoded == face.token
    assert tokens.verify(decoded, public_keys, event_id=EVENT).registration_id == 4821


def test_single_badge_is_one_a6_page(event_key, tmp_path):
    info = _pdfinfo(pdf.badge_pdf(_face(event_key, 1)), tmp_path)
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    assert _page_size_mm(info) == (105, 148)


def test_badge_shows_name_organisation_country_event_and_pass(event_key, tmp_path):
    face = _face(event_key, 1, full_name="Siti Nurhaliza", delegation="Selangor State")
    text = _text(pdf.badge_pdf(face), tmp_path)
    for expected in (
        "Siti Nurhaliza",
        "Kuala Lumpur City Hall (DBKL)",
        "MALAYSIA",
        "SELANGOR STATE",
        "SMART CITY EXPO KUALA LUMPUR 2025",
        "DELEGATE",
    ):
        assert expected in text


@pytest.mark.skipif(not _has_unicode_font(), reason="DejaVu Sans not installed")
def test_vietnamese_and_spanish_names_print_with_their_accents(event_key, tmp_path):
    text = _text(pdf.badge_pdf(_face(event_key, 1, full_name="Nguyễn Thị Lan")), tmp_path)
    assert "Nguyễn Thị Lan" in text
    text = _text(pdf.badge_pdf(_face(event_key, 2, full_name="Ana Muñoz")), tmp_path)
    assert "Ana Muñoz" in text


def test_without_dejavu_accents_helvetica_lacks_fall_back_to_the_base_letter():
    helvetica = pdf._Fonts("Helvetica", "Helvetica-Bold", "Helvetica-Bold", unicode=False)
    assert pdf._printable("Nguyễn Thị Lan", helvetica) == "Nguyen Thi Lan"
    assert pdf._printable("Ana Muñoz", helvetica) == "Ana Muñoz"  # ñ is in Helvetica
    assert pdf._printable("Đặng Văn Đức", helvetica) == "Dang Van Duc"


def test_role_label_is_printed(event_key, tmp_path):
    text = _text(pdf.badge_pdf(_face(event_key, 1, role_label="Speaker")), tmp_path)
    assert "SPEAKER" in text


def test_qr_is_at_least_30_mm_wide_on_paper(event_key, tmp_path):
    [page] = _render(pdf.badge_pdf(_face(event_key, 1)), tmp_path)
    with Image.open(page) as image:
        [symbol] = pyzbar.decode(image)
    width_mm = symbol.rect.width / DPI * 25.4
    assert 30 <= width_mm <= 36


def test_very_long_name_and_organisation_stay_on_the_badge_and_off_the_qr(event_key, tmp_path):
    face = _face(
        event_key,
        1,
        full_name="Yang Berbahagia Datuk Seri Haji Mohamad Zulkifli bin Abdul Rahman Al-Haj",
        organisation="Kementerian Perumahan dan Kerajaan Tempatan Malaysia, "
        "Jabatan Perancangan Bandar dan Desa Semenanjung Malaysia",
        country="Malaysia",
        delegation="Delegation of the Federal Territories",
        role_label="Speaker",
    )
    document = pdf.badge_pdf(face)
    width, height = pdf.BADGE_WIDTH, pdf.BADGE_HEIGHT
    # pdftotext measures from the top; the QR's quiet zone must stay clear of text.
    qr_top_from_top = height - pdf._qr_zone_top(pdf.qr_path(face.token).modules)
    words = _words(document, tmp_path)
    assert len(words) > 20
    for word, x0, y0, x1, y1 in words:
        assert 0 < x0 and x1 < width, word
        assert 0 < y0 and y1 < height, word
        if word != "DELEGATE":  # the pass name sits in the band below the QR
            assert y1 <= qr_top_from_top, word
    [page] = _render(document, tmp_path)
    assert _zbar(page) == [face.token]


def test_band_text_is_white_on_dark_and_dark_on_light_colours():
    assert pdf._contrast_ink(pdf._rgb("#0F766E")) == pdf._WHITE  # teal
    assert pdf._contrast_ink(pdf._rgb("#1D4ED8")) == pdf._WHITE  # blue
    assert pdf._contrast_ink(pdf._rgb("#F5B800")) == pdf._INK  # yellow
    assert pdf._contrast_ink(pdf._rgb("#E5E7EB")) == pdf._INK  # light grey


def test_colour_must_be_hex_rgb(event_key):
    with pytest.raises(ValueError, match="#RRGGBB"):
        _face(event_key, 1, colour="teal")


def test_same_badge_gives_the_same_bytes(event_key):
    face = _face(event_key, 7)
    assert pdf.badge_pdf(face) == pdf.badge_pdf(face)


# Sheets ----------------------------------------------------------------------


def test_sheet_of_five_puts_four_on_the_first_page_and_one_on_the_second(
    event_key, public_keys, tmp_path
):
    faces = [_face(event_key, 100 + n, full_name=f"Delegate Number {n}") for n in range(5)]
    document = pdf.badge_sheet_pdf(faces, workers=1)
    info = _pdfinfo(document, tmp_path)
    assert re.search(r"^Pages:\s+2$", info, re.MULTILINE)
    assert _page_size_mm(info) == (210, 297)
    first, second = _render(document, tmp_path)
    assert sorted(_zbar(first)) == sorted(face.token for face in faces[:4])
    assert _zbar(second) == [faces[4].token]
    for text in _zbar(first) + _zbar(second):
        tokens.verify(text, public_keys, event_id=EVENT)


def test_sheet_keeps_the_given_order_left_to_right_then_top_to_bottom(event_key, tmp_path):
    faces = [_face(event_key, 200 + n) for n in range(4)]
    [page] = _render(pdf.badge_sheet_pdf(faces, workers=1), tmp_path)
    with Image.open(page) as image:
        found = pyzbar.decode(image)
    by_position = sorted(found, key=lambda s: (s.rect.top // 200, s.rect.left))
    assert [s.data.decode() for s in by_position] == [face.token for face in faces]


def test_progress_is_reported_after_every_sheet(event_key):
    reported: list[int] = []
    faces = [_face(event_key, n) for n in range(9)]
    pdf.badge_sheet_pdf(faces, progress=reported.append, workers=1)
    assert reported == [4, 8, 9]


def test_worker_processes_give_the_same_pdf_as_one_process(event_key, monkeypatch):
    faces = [_face(event_key, n, pass_name=("Delegate", "VIP")[n % 2]) for n in range(10)]
    serial = pdf.badge_sheet_pdf(faces, workers=1)
    monkeypatch.setattr(pdf, "_PARALLEL_FROM", 1)
    monkeypatch.setattr(pdf, "_CHUNK", 3)
    assert pdf.badge_sheet_pdf(faces, workers=2) == serial


def test_empty_print_run_is_refused():
    with pytest.raises(ValueError, match="no badges"):
        pdf.badge_sheet_pdf([])


# The QR symbol itself ----------------------------------------------------------


def _tokens_of_every_length(event_key) -> list[str]:
    ids = [1, 300, 70_000, 2**31]
    return [
        tokens.issue(BadgeClaims(EVENT, registration_id, serial, 1), event_key)
        for registration_id in ids
        for serial in (1, 2**20)
    ]


def test_qr_symbol_is_segnos_symbol_for_the_mask_it_chose(event_key):
    # segno chooses masks itself too, but 4x slower; ours must be one of its symbols.
    for text in _tokens_of_every_length(event_key):
        ours = pdf.qr_matrix(text)
        masks = [
            mask
            for mask in range(8)
            if np.array_equal(
                ours, pdf._as_array(segno.make(text, error="m", micro=False, mask=mask).matrix)
            )
        ]
        assert len(masks) == 1, text


def test_qr_mask_is_the_one_with_the_lowest_penalty(event_key):
    # segno's own scoring (an internal function) is the reference for ours.
    for text in _tokens_of_every_length(event_key):
        scores = []
        for mask in range(8):
            matrix = segno.make(text, error="m", micro=False, mask=mask).matrix
            scores.append(sum(segno_encoder.mask_scores(matrix, len(matrix), len(matrix))))
        symbols = np.stack(
            [
                pdf._as_array(segno.make(text, error="m", micro=False, mask=mask).matrix)
                for mask in range(8)
            ]
        )
        assert pdf._penalties(symbols).tolist() == scores
        assert np.array_equal(pdf.qr_matrix(text), symbols[scores.index(min(scores))])


def test_merged_rectangles_cover_exactly_the_dark_modules(event_key):
    for text in _tokens_of_every_length(event_key):
        symbol = pdf.qr_matrix(text)
        path = pdf.qr_path(text)
        painted = np.zeros_like(symbol, dtype=np.int32)
        rects = re.findall(r"(\d+) (\d+) (\d+) (\d+) re", path.ops)
        for x, y, w, h in (map(int, rect) for rect in rects):
            top = path.modules - y - h
            painted[top : top + h, x : x + w] += 1
        assert np.array_equal(painted, symbol)  # every dark module once, nothing else
        assert len(rects) < symbol.sum() / 2
