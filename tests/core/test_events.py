from datetime import date

from expo.core import services
from expo.core.models import AuditEntry, Event, EventRole, EventStatus, Role


def test_home_lists_published_events_only(client, event):
    services.create_event(None, "secret-draft", "A Draft Summit", date(2026, 1, 1),
                          date(2026, 1, 2))
    page = client.get("/").get_data(as_text=True)
    assert "Smart City Expo Kuala Lumpur 2025" in page
    assert "A Draft Summit" not in page


def test_event_landing_page_shows_dates_venue_and_themes(client, event):
    page = client.get("/events/scekl25").get_data(as_text=True)
    assert "17–19 September 2025" in page
    assert "Kuala Lumpur Convention Centre" in page
    assert "Sustainable &amp; Resilient Cities" in page
    assert "Asia/Kuala_Lumpur" in page and "UTC+08:00" in page


def test_unknown_event_slug_is_a_404_page(client):
    response = client.get("/events/no-such-expo")
    assert response.status_code == 404
    assert "No event called" in response.get_data(as_text=True)


def test_a_draft_event_is_hidden_from_people_without_a_role(client, people):
    draft = services.create_event(None, "draft25", "Draft Expo", date(2026, 3, 1),
                                  date(2026, 3, 2))
    assert client.get("/events/draft25").status_code == 404
    people.login_as(Role.ORGANISER, draft)
    assert client.get("/events/draft25").status_code == 200


def test_organiser_reaches_the_organiser_area(client, people, event):
    people.login_as(Role.ORGANISER, event)
    response = client.get("/events/scekl25/manage")
    assert response.status_code == 200
    assert "Organiser area" in response.get_data(as_text=True)


def test_a_delegate_is_refused_the_organiser_area(client, people, event):
    people.login_as(Role.DELEGATE, event)
    assert client.get("/events/scekl25/manage").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, event):
    response = client.get("/events/scekl25/manage")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_an_organiser_of_another_event_cannot_touch_this_one(client, people, event, other_event):
    people.login_as(Role.ORGANISER, other_event)
    assert client.get("/events/scekl25/manage").status_code == 403
    response = client.post("/events/scekl25/manage/edit", data={"name": "Hijacked"})
    assert response.status_code == 403
    assert services.event_by_slug("scekl25").name == "Smart City Expo Kuala Lumpur 2025"


def edit_data(**overrides):
    data = {"name": "Smart City Expo Kuala Lumpur 2025", "tagline": "AI Cities",
            "time_zone": "Asia/Kuala_Lumpur", "starts_on": "2025-09-17", "ends_on": "2025-09-19",
            "currency": "MYR", "status": "published", "themes": "AI Cities\nCommunity",
            "venue": "KLCC", "city": "Kuala Lumpur", "country": "Malaysia"}
    data.update(overrides)
    return data


def test_organiser_edits_the_event_and_the_audit_log_records_it(client, db, people, event):
    people.login_as(Role.ORGANISER, event)
    response = client.post("/events/scekl25/manage/edit", data=edit_data(venue="MITEC"))
    assert response.status_code == 302
    assert db.session.get(Event, event.id).venue == "MITEC"
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="event.update"))
    assert entry.details["venue"] == ["Kuala Lumpur Convention Centre", "MITEC"]


def test_editing_with_end_before_start_or_a_bad_zone_shows_inline_errors(client, db, people,
                                                                         event):
    people.login_as(Role.ORGANISER, event)
    response = client.post("/events/scekl25/manage/edit",
                           data=edit_data(ends_on="2025-09-01", time_zone="Mars/Olympus"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be before the first day" in page
    assert "IANA time zone" in page
    assert db.session.get(Event, event.id).ends_on == date(2025, 9, 19)


def test_organiser_grants_a_role_by_email_and_a_new_person_is_invited(app, client, db, people,
                                                                      event):
    people.login_as(Role.ORGANISER, event)
    response = client.post("/events/scekl25/manage/people",
                           data={"email": "gate1@klcc.com.my", "full_name": "Gate One",
                                 "role": "staff"})
    assert response.status_code == 302
    granted = db.session.scalar(db.select(EventRole).filter_by(role="staff"))
    assert granted.user.email == "gate1@klcc.com.my"
    from tests.core.test_accounts import outbox

    [mail] = outbox(app)
    assert "staff role" in mail.get_content() and "/password/reset/" in mail.get_content()


def test_granting_an_unknown_role_is_refused(client, db, people, event):
    people.login_as(Role.ORGANISER, event)
    response = client.post("/events/scekl25/manage/people",
                           data={"email": "x@example.org", "role": "emperor"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(EventRole)
                             .filter_by(role="emperor")) == 0


def test_admin_creates_an_event_and_becomes_its_organiser(client, db, people):
    admin = people.login(people.make(admin=True))
    data = edit_data(name="Smart City Asia Summit", slug="scas26", starts_on="2026-05-05",
                     ends_on="2026-05-06", status="draft")
    response = client.post("/events/new", data=data)
    assert response.status_code == 302
    event = services.event_by_slug("scas26")
    assert event.status == EventStatus.DRAFT
    assert services.has_role(admin, event, Role.ORGANISER)


def test_a_non_admin_cannot_create_events(client, people):
    people.login(people.make())
    assert client.get("/events/new").status_code == 403


def test_a_user_may_hold_several_roles_in_several_events(people, event, other_event):
    user = people.make(Role.SPEAKER, event)
    services.grant_role(None, event, user.email, Role.INVESTOR)
    services.grant_role(None, other_event, user.email, Role.DELEGATE)
    assert services.roles_of(user, event) == {"speaker", "investor"}
    assert services.roles_of(user, other_event) == {"delegate"}


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_the_overview_shows_each_features_key_figures(client, people, event):
    people.login_as(Role.ORGANISER, event)
    page = client.get("/events/scekl25/manage").get_data(as_text=True)
    for label in ("Registered", "Sessions", "Booths sold", "Checked in", "Meetings"):
        assert f'<div class="label">{label}</div>' in page
