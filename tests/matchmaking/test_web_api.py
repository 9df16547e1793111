"""Pages and API: what people see, and bad input answered with a stable code."""

from __future__ import annotations

from expo.core.models import Role
from expo.matchmaking import services

from .conftest import M, project_fields


def test_investor_sees_recommendation_with_reasons_and_requests_a_meeting(
        client, people, investor, project, event, owner):
    people.login(investor)
    page = client.get(f"/events/{event.slug}/matchmaking/recommendations")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and project.title in text
    assert "ticket RM 5–20m fits a RM 10–14m ask" in text
    sent = client.post(f"/events/{event.slug}/matchmaking/requests",
                       data={"project_id": project.id, "message": "Shall we meet?"})
    assert sent.status_code == 302
    people.login(owner)
    meetings = client.get(f"/events/{event.slug}/matchmaking/meetings").get_data(as_text=True)
    assert "Shall we meet?" in meetings and "Accept" in meetings


def test_thesis_form_with_min_above_max_shows_the_error_inline(client, people, event):
    people.login_as(Role.INVESTOR, event)
    page = client.post(f"/events/{event.slug}/matchmaking/thesis",
                       data={"organisation": "Fund", "investor_type": "venture capital",
                             "ticket_min": "20m", "ticket_max": "5m", "currency": "MYR"})
    assert page.status_code == 400
    assert "minimum is above its maximum" in page.get_data(as_text=True)


def test_project_form_posts_a_pending_project(client, people, event, owner):
    people.login(owner)
    fields = project_fields(event)
    data = {**fields, "funding_min": "10m", "funding_max": "14m",
            "sectors": "mobility, payments", "policy_ids": fields["policy_ids"]}
    page = client.post(f"/events/{event.slug}/matchmaking/projects/new", data=data)
    assert page.status_code == 302
    assert services.my_projects(owner, event)[0].status == "pending"


def test_organiser_pages_render(client, people, event, organiser, accepted):
    people.login(organiser)
    for path in ("projects", "policies", "slots", "schedule", "scan", "report"):
        page = client.get(f"/events/{event.slug}/manage/matchmaking/{path}")
        assert page.status_code == 200, path
    csv = client.get(f"/events/{event.slug}/manage/matchmaking/report.csv")
    assert csv.mimetype == "text/csv" and "Smart Mobility" in csv.get_data(as_text=True)


def test_organiser_of_another_event_cannot_moderate(client, people, event, other_event,
                                                    project):
    people.login_as(Role.ORGANISER, other_event)
    page = client.get(f"/events/{event.slug}/manage/matchmaking/projects")
    assert page.status_code == 403


def test_api_lists_policies_and_projects(client, event, project):
    policies = client.get(f"/api/v1/events/{event.slug}/policies").get_json()
    assert len(policies) == 17 and all("linked" in p for p in policies)
    listed = client.get(f"/api/v1/events/{event.slug}/projects").get_json()
    assert [p["id"] for p in listed] == [project.id]


def test_api_request_accept_and_meetings(client, people, investor, owner, project, event):
    made = client.post(f"/api/v1/events/{event.slug}/meeting-requests",
                       json={"project_id": project.id, "message": "Hi"},
                       headers=people.token(investor))
    assert made.status_code == 201, made.get_json()
    again = client.post(f"/api/v1/events/{event.slug}/meeting-requests",
                        json={"project_id": project.id}, headers=people.token(investor))
    assert again.status_code == 409 and again.get_json()["code"] == "duplicate_request"
    rid = made.get_json()["id"]
    wrong = client.post(f"/api/v1/events/{event.slug}/meeting-requests/{rid}/accept",
                        headers=people.token(investor))
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "not_your_request"
    ok = client.post(f"/api/v1/events/{event.slug}/meeting-requests/{rid}/accept",
                     headers=people.token(owner))
    assert ok.get_json()["status"] == "accepted"
    meetings = client.get(f"/api/v1/events/{event.slug}/meetings",
                          headers=people.token(owner)).get_json()
    assert meetings[0]["with_name"] == investor.full_name


def test_api_recommendations_have_reasons(client, people, investor, project, event):
    recs = client.get(f"/api/v1/events/{event.slug}/recommendations",
                      headers=people.token(investor)).get_json()
    assert recs[0]["project_id"] == project.id and recs[0]["reasons"]


def test_api_project_with_bad_range_is_a_problem_with_code(client, people, event, owner, db):
    body = project_fields(event, funding_min=20 * M, funding_max=1 * M)
    answer = client.post(f"/api/v1/events/{event.slug}/projects", json=body,
                         headers=people.token(owner))
    assert answer.status_code == 422 and answer.get_json()["code"] == "funding_min_above_max"
    assert services.my_projects(owner, event) == []


def test_an_old_meetings_feed_link_leads_to_the_one_agenda_feed_with_the_meeting(
        app, client, people, accepted, owner, event, organiser):
    from itsdangerous import URLSafeSerializer

    from .conftest import future_slots

    slot = future_slots(organiser, event, tables=1, count=1)[0]
    services.pick_slot(owner, event, accepted.id, slot.id)
    # A link handed out by the old "My meetings" page (signed user and event ids).
    legacy = URLSafeSerializer(app.config["SECRET_KEY"], salt="expo.mm-ical").dumps(
        [owner.id, event.id])
    moved = client.get(f"/events/{event.slug}/matchmaking/meetings.ics?token={legacy}")
    assert moved.status_code == 301 and "/agenda/feed/" in moved.location
    feed = client.get(moved.location)
    assert feed.mimetype == "text/calendar" and b"table 1" in feed.data
    assert client.get(f"/events/{event.slug}/matchmaking/meetings.ics?token=bad").status_code \
        == 404


def test_send_reminders_command(runner, event):
    result = runner.invoke(args=["expo", "matchmaking", "send-reminders", event.slug])
    assert result.exit_code == 0 and "0 reminders sent" in result.output
