"""Registration fixtures: pass types, a fake Stripe server, the mail outbox, QR decoding."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import shutil
import subprocess
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from expo.registration import services

WEBHOOK_SECRET = "whsec_test_secret_for_expo"


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


class Outbox:
    def __init__(self, app):
        self.folder = Path(app.config["OUTBOX_DIR"])

    def messages(self):
        if not self.folder.exists():
            return []
        return [message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)]

    def to(self, address: str):
        return [m for m in self.messages() if address in m["To"]]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def attachments(message) -> dict[str, bytes]:
        return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


@pytest.fixture
def outbox(app):
    return Outbox(app)


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


# ---------------------------------------------------------------- fake Stripe


class FakeStripe:
    """The few Stripe endpoints expo calls, on loopback, with idempotency keys honoured."""

    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.requests: list[tuple[str, str, dict, str | None]] = []
        self.idempotent: dict[str, tuple[int, str]] = {}
        self.fail_next = 0
        self._ids = itertools.count(1)
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wsgi(self, environ, start_response):
        request = Request(environ)
        form = request.form.to_dict(flat=True)
        key = request.headers.get("Idempotency-Key")
        self.requests.append((request.method, request.path, form, key))
        if key and key in self.idempotent:
            status, body = self.idempotent[key]
        elif self.fail_next:
            self.fail_next -= 1
            status, body = 500, json.dumps({"error": {"type": "api_error",
                                                      "message": "down"}})
        else:
            status, body = self.route(request, form)
            if key and request.method == "POST":
                self.idempotent[key] = (status, body)
        return Response(body, status=status, mimetype="application/json")(environ,
                                                                          start_response)

    def route(self, request, form):
        n = next(self._ids)
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            session = {"id": f"cs_test_{n:04d}", "object": "checkout.session",
                       "url": f"https://checkout.stripe.test/pay/cs_test_{n:04d}",
                       "payment_status": "unpaid", "status": "open",
                       "client_reference_id": form.get("client_reference_id"),
                       "amount_total": int(form["line_items[0][price_data][unit_amount]"])
                       * int(form["line_items[0][quantity]"]),
                       "currency": form["line_items[0][price_data][currency]"],
                       "payment_intent": None, "form": form}
            self.sessions[session["id"]] = session
            return 200, json.dumps(session)
        if request.method == "GET" and request.path.startswith("/v1/checkout/sessions/"):
            found = self.sessions.get(request.path.rsplit("/", 1)[1])
            return (200, json.dumps(found)) if found else (404, json.dumps(
                {"error": {"type": "invalid_request_error", "message": "No such session"}}))
        if request.method == "GET" and request.path == "/v1/checkout/sessions":
            intent = request.args.get("payment_intent")
            data = [v for v in self.sessions.values() if v.get("payment_intent") == intent]
            return 200, json.dumps({"object": "list", "data": data[:1], "has_more": False,
                                    "url": "/v1/checkout/sessions"})
        if request.method == "POST" and request.path == "/v1/refunds":
            refund = {"id": f"re_test_{n:04d}", "object": "refund", "status": "succeeded",
                      "amount": int(form["amount"]), "payment_intent": form["payment_intent"]}
            self.refunds.append(refund)
            return 200, json.dumps(refund)
        return 404, json.dumps({"error": {"type": "invalid_request_error",
                                          "message": f"unknown {request.path}"}})

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def fake_stripe():
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def config_overrides(request):
    if "fake_stripe" not in request.fixturenames:
        return {}
    server = request.getfixturevalue("fake_stripe")
    return {"STRIPE_SECRET_KEY": "sk_test_expo", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": server.url}


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """Stripe's scheme: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


_event_ids = itertools.count(1)


def stripe_event(kind: str, obj: dict, event_id: str | None = None) -> bytes:
    return json.dumps({"id": event_id or f"evt_test_{next(_event_ids):05d}", "object": "event",
                       "type": kind, "api_version": "2024-06-20", "created": int(time.time()),
                       "data": {"object": obj}}).encode()


def post_webhook(client, payload: bytes, signature: str | None = None):
    return client.post("/payments/stripe/webhook", data=payload,
                       headers={"Stripe-Signature": signature or sign(payload),
                                "Content-Type": "application/json"})
