import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from freezegun import freeze_time

from expo.core import services
from expo.core.models import User
from tests.conftest import PASSWORD


def outbox(app) -> list:
    folder = Path(app.config["OUTBOX_DIR"])
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def signup(client, **overrides):
    data = {"full_name": "Aisyah Rahman", "email": "aisyah@penang.gov.my",
            "organisation": "Penang Island City Council", "country": "Malaysia",
            "password": PASSWORD, "confirm": PASSWORD}
    data.update(overrides)
    return client.post("/signup", data=data)


def test_a_visitor_signs_up_and_is_logged_in(client, db):
    response = signup(client)
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="aisyah@penang.gov.my"))
    assert user.organisation == "Penang Island City Council"
    assert user.password_hash.startswith("pbkdf2:") and PASSWORD not in user.password_hash
    assert "Aisyah Rahman" in client.get("/").get_data(as_text=True)


def test_signup_with_a_taken_email_is_a_form_error(client, db):
    signup(client)
    client.post("/logout")
    response = signup(client, email="AISYAH@penang.gov.my")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_signup_with_a_short_password_is_a_form_error(client):
    response = signup(client, password="short", confirm="short")
    assert response.status_code == 400
    assert "at least 10" in response.get_data(as_text=True).lower()


def test_wrong_password_and_unknown_email_give_the_same_generic_message(client, people):
    user = people.make()
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "whatever1"})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "do not match an account" in response.get_data(as_text=True)


def test_login_follows_a_local_next_path(client, people):
    user = people.make()
    response = client.post("/login?next=/account", data={"email": user.email,
                                                          "password": PASSWORD})
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_login_ignores_a_next_that_leaves_the_site(client, people, target):
    user = people.make()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session(client, people):
    people.login(people.make())
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_password_reset_by_emailed_link(app, client, people):
    user = people.make(email="siti@mbpp.gov.my")
    client.post("/password/forgot", data={"email": "siti@mbpp.gov.my"})
    [mail] = outbox(app)
    assert mail["To"] == "siti@mbpp.gov.my"
    link = re.search(r"http\S+/password/reset/\S+", mail.get_content()).group(0)
    path = link.split("localhost", 1)[1]
    response = client.post(path, data={"password": "a brand new secret", "confirm":
                                       "a brand new secret"})
    assert response.status_code == 302
    assert services.authenticate(user.email, "a brand new secret") is not None
    # The link works once: the password it was made for has changed.
    again = client.get(path)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_forgot_password_says_the_same_for_an_unknown_email(app, client):
    response = client.post("/password/forgot", data={"email": "ghost@example.org"},
                           follow_redirects=True)
    assert "If an account uses that address" in response.get_data(as_text=True)
    assert outbox(app) == []


def test_an_expired_reset_link_says_so_and_changes_nothing(app, client, people):
    user = people.make()
    with freeze_time("2026-01-01 10:00:00"):
        token = services.password_reset_token(user)
    with freeze_time("2026-01-01 11:00:01"):
        response = client.post(f"/password/reset/{token}",
                               data={"password": "another secret!", "confirm": "another secret!"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert services.authenticate(user.email, PASSWORD) is not None


def test_a_forged_reset_link_says_so(client, people):
    people.make()
    response = client.get("/password/reset/eyJ1aWQiOjF9.forged.signature")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_change_password_needs_the_current_one(client, people):
    user = people.login(people.make())
    bad = client.post("/account", data={"form": "password", "password-current": "wrong one!",
                                        "password-password": "new password 1",
                                        "password-confirm": "new password 1"})
    assert "not right" in bad.get_data(as_text=True)
    good = client.post("/account", data={"form": "password", "password-current": PASSWORD,
                                         "password-password": "new password 1",
                                         "password-confirm": "new password 1"})
    assert good.status_code == 302
    assert services.authenticate(user.email, "new password 1") is not None


@pytest.fixture
def config_overrides():
    return {}


class TestRateLimit:
    @pytest.fixture
    def config_overrides(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}

    def test_too_many_login_attempts_answer_429(self, client):
        for _ in range(3):
            assert client.post("/login", data={"email": "a@b.org", "password": "x"}).status_code \
                == 400
        response = client.post("/login", data={"email": "a@b.org", "password": "x"})
        assert response.status_code == 429
        assert "Too many requests" in response.get_data(as_text=True)


class TestCsrf:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_form_post_without_the_csrf_token_is_refused(self, client, db):
        response = signup(client)
        assert response.status_code == 400
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0

    def test_a_form_post_with_the_csrf_token_works(self, client, db):
        page = client.get("/signup").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = signup(client, csrf_token=token)
        assert response.status_code == 302
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
