"""Logo checks and spreadsheet exports (pure)."""

import io

import pytest
from openpyxl import load_workbook

from expo.exhibitors import files
from tests.exhibitors.conftest import png_bytes


def test_a_png_logo_is_accepted_with_its_size():
    info = files.check_logo(png_bytes(200, 100))
    assert (info.extension, info.width, info.height) == ("png", 200, 100)


@pytest.mark.parametrize("fmt,ext", [("JPEG", "jpg"), ("WEBP", "webp")])
def test_jpeg_and_webp_logos_are_accepted(fmt, ext):
    assert files.check_logo(png_bytes(64, 64, fmt)).extension == ext


def test_a_text_file_named_like_an_image_is_refused():
    with pytest.raises(files.LogoError) as caught:
        files.check_logo(b"<?php system($_GET['c']); ?>")
    assert caught.value.code == "logo_not_image"


def test_a_truncated_png_is_refused():
    with pytest.raises(files.LogoError) as caught:
        files.check_logo(png_bytes(300, 300)[:60])
    assert caught.value.code == "logo_not_image"


def test_a_gif_is_refused_by_format():
    with pytest.raises(files.LogoError) as caught:
        files.check_logo(png_bytes(64, 64, "GIF"))
    assert caught.value.code == "logo_format"


def test_a_file_over_the_byte_limit_is_refused_before_decoding():
    with pytest.raises(files.LogoError) as caught:
        files.check_logo(b"\x89PNG" + b"0" * 3000, max_bytes=2000)
    assert caught.value.code == "logo_too_large"


def test_a_huge_image_is_refused_by_dimensions():
    with pytest.raises(files.LogoError) as caught:
        files.check_logo(png_bytes(4100, 40))
    assert caught.value.code == "logo_too_big"


def test_csv_export_neutralises_spreadsheet_formulas():
    text = files.to_csv(["Name"], [["=HYPERLINK(\"http://evil\")"], ["Siti"]]).decode("utf-8-sig")
    assert text.splitlines() == ["Name", "\"'=HYPERLINK(\"\"http://evil\"\")\"", "Siti"]


def test_xlsx_export_opens_with_header_and_lists_joined():
    data = files.to_xlsx(["Name", "Tags"], [["Lim Wei Jie", ["hot", "pilot"]]], "Leads")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["Name", "Tags"]
    assert [c.value for c in sheet[2]] == ["Lim Wei Jie", "hot, pilot"]
