import sqlalchemy as sa

from expo.core import services
from expo.core.models import Event, EventRole, User


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_loads_both_events_with_a_user_for_every_role_and_is_idempotent(runner, db):
    first = runner.invoke(args=["expo", "demo"])
    assert first.exit_code == 0, first.output
    counts = (count(db, Event), count(db, User), count(db, EventRole))
    second = runner.invoke(args=["expo", "demo"])
    assert second.exit_code == 0, second.output
    assert (count(db, Event), count(db, User), count(db, EventRole)) == counts
    scekl = services.event_by_slug("scekl25")
    assert scekl.name == "Smart City Expo Kuala Lumpur 2025"
    assert scekl.venue == "Kuala Lumpur Convention Centre"
    assert str(scekl.starts_on) == "2025-09-17" and str(scekl.ends_on) == "2025-09-19"
    assert scekl.themes == ["AI Cities", "Sustainable & Resilient Cities",
                            "Digital Entrepreneurship & Economic Development",
                            "Community Empowerment through Digital Solutions"]
    ascn8 = services.event_by_slug("ascn8")
    assert ascn8.name == "8th ASEAN Smart Cities Network Annual Meeting"
    assert str(ascn8.starts_on) == "2025-09-08" and "Putrajaya Wetlands" in ascn8.description
    roles = set(db.session.scalars(sa.select(EventRole.role).where(EventRole.event_id ==
                                                                   scekl.id)))
    assert roles == {"organiser", "staff", "exhibitor", "speaker", "investor", "delegate"}


def test_demo_logins_work_with_the_printed_password(runner, client, db):
    runner.invoke(args=["expo", "demo"])
    output = runner.invoke(args=["expo", "demo-logins"]).output
    assert "organiser@demo.expo.my" in output
    response = client.post("/login", data={"email": "organiser@demo.expo.my",
                                           "password": "expo-demo-2025"})
    assert response.status_code == 302


def test_demo_scale_adds_synthetic_delegates_once(runner, db):
    runner.invoke(args=["expo", "demo", "--scale", "25"])
    runner.invoke(args=["expo", "demo", "--scale", "25"])
    synthetic = db.session.scalar(sa.select(sa.func.count()).select_from(User)
                                  .where(User.email.like("%@synthetic.%")))
    assert synthetic == 25


def test_users_create_with_a_role(runner, db):
    runner.invoke(args=["expo", "demo"])
    result = runner.invoke(args=["expo", "users", "create", "--email", "gate@klcc.com.my",
                                 "--password", "gate-password-1", "--role", "staff",
                                 "--event", "scekl25"])
    assert result.exit_code == 0, result.output
    user = services.user_by_email("gate@klcc.com.my")
    assert services.roles_of(user, services.event_by_slug("scekl25")) == {"staff"}


def test_users_create_refuses_a_duplicate_with_a_clear_message(runner):
    args = ["expo", "users", "create", "--email", "a@b.org", "--password", "long enough pw"]
    runner.invoke(args=args)
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_tokens_create_prints_a_working_token_once(runner, client):
    runner.invoke(args=["expo", "users", "create", "--email", "sync@kpkt.gov.my", "--password",
                        "long enough pw"])
    result = runner.invoke(args=["expo", "tokens", "create", "--email", "sync@kpkt.gov.my"])
    token = result.output.strip()
    assert token.startswith("expo_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["email"] == "sync@kpkt.gov.my"


def test_settings_prints_the_table(runner):
    output = runner.invoke(args=["expo", "settings"]).output
    assert "| `EXPO_DATABASE_URL` |" in output and "| `EXPO_SECRET_KEY` |" in output
