from datetime import date

from openapi_spec_validator import validate

from expo.core import services
from expo.core.models import Role


def test_openapi_document_is_valid_openapi_3(client, event):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/events" in spec["paths"] and "/api/v1/events/{slug}" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_api_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_list_events_shows_published_events(client, event):
    response = client.get("/api/v1/events")
    assert response.status_code == 200
    [item] = response.json
    assert item["slug"] == "scekl25" and item["starts_on"] == "2025-09-17"
    assert item["time_zone"] == "Asia/Kuala_Lumpur"


def test_get_one_event_by_slug(client, event):
    response = client.get("/api/v1/events/scekl25")
    assert response.json["name"] == "Smart City Expo Kuala Lumpur 2025"


def test_unknown_event_is_a_404_problem(client):
    response = client.get("/api/v1/events/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "event_not_found"


def test_a_bearer_token_identifies_its_user(client, people, event):
    user = people.make(Role.ORGANISER, event)
    response = client.get("/api/v1/me", headers=people.token(user))
    assert response.status_code == 200
    assert response.json["roles"] == {"scekl25": ["organiser"]}


def test_a_wrong_or_revoked_token_is_a_401_problem(client, people):
    user = people.make()
    headers = people.token(user)
    token = services.tokens_of(user)[0]
    services.revoke_token(user, token.id)
    for h in (headers, {"Authorization": "Bearer expo_made_up"}, {"Authorization": "Basic x"}):
        response = client.get("/api/v1/me", headers=h)
        assert response.status_code == 401
        assert response.json["code"] == "unauthorized"


def test_tokens_are_stored_hashed_and_record_last_use(client, db, people):
    user = people.make()
    token, plain = services.create_token(user, "sync")
    assert plain not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_drafts_are_listed_only_for_people_with_a_role(client, people, event):
    draft = services.create_event(None, "draft26", "Draft", date(2026, 1, 1), date(2026, 1, 2))
    organiser = people.make(Role.ORGANISER, draft)
    assert [e["slug"] for e in client.get("/api/v1/events").json] == ["scekl25"]
    slugs = {e["slug"] for e in client.get("/api/v1/events",
                                           headers=people.token(organiser)).json}
    assert slugs == {"scekl25", "draft26"}
    assert client.get("/api/v1/events/draft26").status_code == 404


def test_a_token_limited_to_one_event_does_not_see_another_events_drafts(client, people, event):
    draft = services.create_event(None, "draft27", "Draft", date(2026, 1, 1), date(2026, 1, 2))
    user = people.make(Role.ORGANISER, draft)
    headers = people.token(user, event=event)
    assert "draft27" not in {e["slug"] for e in client.get("/api/v1/events",
                                                           headers=headers).json}


def test_malformed_json_is_a_400_problem(client, people):
    response = client.post("/api/v1/events", data="{not json",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["code"] == "malformed_json"


def test_a_wrong_content_type_is_a_400_problem(client):
    response = client.post("/api/v1/events", data="a=b",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert response.json["code"] == "unsupported_content_type"


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_method_not_allowed_is_a_json_problem(client):
    response = client.delete("/api/v1/events", json={})
    assert response.status_code == 405
    assert response.json["code"] == "method_not_allowed"
