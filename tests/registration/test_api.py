"""The registration API for integrators (e.g. a ministry's delegate system)."""

from __future__ import annotations

import base64
from datetime import timedelta

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from expo.extensions import db
from expo.registration import badges, services, tokens
from expo.registration.models import Registration
from expo.timeutil import utcnow
from tests.registration.conftest import person


def test_anyone_lists_public_pass_types_with_places_left(client, event, free_pass):
    services.create_pass_type(None, event, code="SECRET", name="Secret", visibility="hidden")
    services.register(event, free_pass, person(1))
    response = client.get("/api/v1/events/scekl25/pass-types")
    assert response.status_code == 200
    assert [(p["code"], p["places_left"], p["price_minor"]) for p in response.json] == [
        ("DELEGATE", 99, 0)]


def test_organiser_creates_a_pass_type_and_a_delegate_cannot(client, people, event):
    body = {"code": "MEDIA", "name": "Media", "price_minor": 0, "capacity": 40,
            "requires_approval": True, "badge_colour": "#AA3300", "zones": ["HALL", "PRESS"]}
    delegate = people.token(people.make("delegate", event))
    assert client.post("/api/v1/events/scekl25/pass-types", json=body,
                       headers=delegate).status_code == 403
    organiser = people.token(people.make("organiser", event))
    created = client.post("/api/v1/events/scekl25/pass-types", json=body, headers=organiser)
    assert created.status_code == 201 and created.json["zones"] == ["HALL", "PRESS"]
    again = client.post("/api/v1/events/scekl25/pass-types", json=body, headers=organiser)
    assert again.status_code == 409 and again.json["code"] == "pass_code_taken"
    bad = client.post("/api/v1/events/scekl25/pass-types", json={**body, "code": "X",
                                                                 "price_minor": 1.5},
                      headers=organiser)
    assert bad.status_code == 422


def test_integrator_registers_a_delegate_and_gets_201(client, people, event, free_pass):
    headers = people.token(people.make("organiser", event))
    response = client.post("/api/v1/events/scekl25/registrations", headers=headers, json={
        "pass_type": "DELEGATE", "email": "minister@kpkt.gov.my", "full_name": "Minister",
        "organisation": "KPKT", "country": "Malaysia"})
    assert response.status_code == 201
    assert response.json["status"] == "confirmed" and response.json["checkout_url"] is None
    again = client.post("/api/v1/events/scekl25/registrations", headers=headers, json={
        "pass_type": "DELEGATE", "email": "minister@kpkt.gov.my", "full_name": "Minister"})
    assert again.status_code == 409 and again.json["code"] == "already_registered"


def test_api_registration_for_a_paid_pass_returns_the_checkout_url(client, people, event,
                                                                  paid_pass, fake_stripe):
    headers = people.token(people.make("organiser", event))
    response = client.post("/api/v1/events/scekl25/registrations", headers=headers, json={
        "pass_type": "BIZ", "email": "cfo@startup.my", "full_name": "CFO"})
    assert response.status_code == 201
    assert response.json["checkout_url"].startswith("https://checkout.stripe.test/")


def test_list_filters_by_status_pass_and_updated_since_and_pages(client, people, event,
                                                                 free_pass, approval_pass):
    for n in range(3):
        services.register(event, free_pass, person(n))
    services.register(event, approval_pass, person(9))
    headers = people.token(people.make("organiser", event))
    page = client.get("/api/v1/events/scekl25/registrations?per_page=2", headers=headers).json
    assert page["meta"] == {"page": 1, "per_page": 2, "total": 4, "pages": 2}
    pending = client.get("/api/v1/events/scekl25/registrations?status=awaiting_approval",
                         headers=headers).json
    assert [r["email"] for r in pending["items"]] == [person(9).email]
    gov = client.get("/api/v1/events/scekl25/registrations?pass_type=GOV", headers=headers).json
    assert gov["meta"]["total"] == 1
    since = (utcnow() + timedelta(hours=1)).isoformat()
    later = client.get("/api/v1/events/scekl25/registrations", headers=headers,
                       query_string={"updated_since": since}).json
    assert later["meta"]["total"] == 0
    bad = client.get("/api/v1/events/scekl25/registrations?status=paid", headers=headers)
    assert bad.status_code == 422


def test_get_badge_and_cancel_one_registration(client, people, event, free_pass):
    reg = services.register(event, free_pass, person(1))
    headers = people.token(people.make("organiser", event))
    one = client.get(f"/api/v1/events/scekl25/registrations/{reg.id}", headers=headers)
    assert one.json["reference"] == reg.reference
    pdf = client.get(f"/api/v1/events/scekl25/registrations/{reg.id}/badge.pdf",
                     headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    cancelled = client.post(f"/api/v1/events/scekl25/registrations/{reg.id}/cancel",
                            headers=headers)
    assert cancelled.json["status"] == "cancelled"
    again = client.post(f"/api/v1/events/scekl25/registrations/{reg.id}/cancel",
                        headers=headers)
    assert again.status_code == 409


def test_another_events_registration_answers_404(client, people, event, other_event,
                                                 free_pass):
    reg = services.register(event, free_pass, person(1))
    headers = people.token(people.make("organiser", other_event))
    assert client.get(f"/api/v1/events/ascn8/registrations/{reg.id}",
                      headers=headers).status_code == 404
    assert client.get("/api/v1/events/scekl25/registrations", headers=headers).status_code \
        == 403


def test_public_keys_verify_a_badge_and_hold_no_private_key(client, event, free_pass):
    reg = services.register(event, free_pass, person(1))
    body = client.get("/api/v1/events/scekl25/keys").json
    assert set(body["keys"][0]) == {"key_id", "algorithm", "public_key", "current"}
    raw = body["keys"][0]["public_key"]
    key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(raw + "=="))
    claims = tokens.verify(badges.badge_token(reg), {body["keys"][0]["key_id"]: key},
                           event_id=body["event_id"])
    assert claims.registration_id == reg.id
    assert "PRIVATE" not in client.get("/api/v1/events/scekl25/keys").get_data(as_text=True)


def test_openapi_documents_the_registration_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/events/{slug}/pass-types", "/api/v1/events/{slug}/registrations",
                 "/api/v1/events/{slug}/registrations/{reg_id}/badge.pdf",
                 "/api/v1/events/{slug}/keys"):
        assert path in paths
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
