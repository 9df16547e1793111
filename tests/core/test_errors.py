import pytest
from flask import Blueprint

from expo.core.models import User


@pytest.fixture
def config_overrides():
    return {"PROPAGATE_EXCEPTIONS": False}


@pytest.fixture
def broken_app(app, db):
    bp = Blueprint("broken", __name__)

    @bp.post("/boom")
    def boom():
        db.session.add(User(email="half@example.org", full_name="Half Written"))
        db.session.flush()
        raise RuntimeError("kaboom")

    @bp.post("/api/v1/boom")
    def api_boom():
        raise RuntimeError("kaboom")

    app.register_blueprint(bp)
    return app


def test_an_unexpected_error_shows_the_500_page_and_rolls_back(broken_app, client, db):
    response = client.post("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).filter_by(email="half@example.org")) is None


def test_an_unexpected_api_error_is_a_500_problem(broken_app, client):
    response = client.post("/api/v1/boom")
    assert response.status_code == 500
    assert response.json["code"] == "server_error"


def test_404_page_uses_the_site_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Back to events" in response.get_data(as_text=True)
