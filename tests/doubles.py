"""Test doubles shared by features: the fake Stripe server, signed webhooks, the outbox.

The fixtures that use them (fake_stripe, outbox, and config_overrides pointing the app
at the fake server) are in tests/conftest.py.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

WEBHOOK_SECRET = "whsec_test_secret_for_expo"


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
