"""Registration fixtures: pass types, people, QR decoding (Stripe and outbox: tests/conftest.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from expo.registration import services
from tests.doubles import (  # noqa: F401  (tests import these from here)
    WEBHOOK_SECRET,
    FakeStripe,
    Outbox,
    post_webhook,
    sign,
    stripe_event,
)


@pytest.fixture
def free_pass(event):
    return services.create_pass_type(None, event, code="DELEGATE", name="Delegate",
                                     price_minor=0, capacity=100, badge_colour="#0B5D7A")


@pytest.fixture
def approval_pass(event):
    return services.create_pass_type(None, event, code="GOV", name="Government official",
                                     price_minor=0, capacity=20, requires_approval=True,
                                     badge_colour="#7A1F0B")


@pytest.fixture
def paid_pass(event):
    return services.create_pass_type(None, event, code="BIZ", name="Business delegate",
                                     price_minor=35000, capacity=50, badge_colour="#1F7A0B")


def person(n: int | str = 1, **extra) -> services.Person:
    return services.Person(extra.pop("email", f"delegate{n}@example.gov.my"),
                           extra.pop("full_name", f"Delegate Number {n}"),
                           extra.pop("organisation", "PLANMalaysia"),
                           country=extra.pop("country", "Malaysia"), **extra)


def decode_qr(pdf: bytes, tmp_path: Path) -> str:
    """The QR text of a badge PDF, read by zbar from a 150 dpi rendering."""
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.fail("pdftoppm and zbarimg are needed: `make system-deps` installs them")
    source = tmp_path / "badge.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(source),
                    str(tmp_path / "badge")], check=True)
    result = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "badge.png")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True,
                          text=True, check=True).stdout
