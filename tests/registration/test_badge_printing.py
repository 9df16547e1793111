"""Batch badge printing: from the organiser area (with progress) and from the CLI."""

from __future__ import annotations

import sqlalchemy as sa

from expo.extensions import db
from expo.registration import services
from expo.registration.cli import badges_command
from expo.registration.models import BadgeJob
from tests.registration.conftest import person


def test_organiser_prints_all_confirmed_badges_and_sees_progress(client, people, event,
                                                                 free_pass, approval_pass):
    for n in range(6):
        services.register(event, free_pass, person(n))
    services.register(event, approval_pass, person(99))  # not confirmed: no badge
    people.login_as("organiser", event)
    response = client.post("/events/scekl25/manage/badges", data={"sort": "name"})
    job = db.session.scalar(sa.select(BadgeJob))
    assert response.headers["Location"].endswith(f"?job={job.id}")
    status = client.get(f"/events/scekl25/manage/badges/jobs/{job.id}.json").json
    assert (status["status"], status["done"], status["total"]) == ("done", 6, 6)
    pdf = client.get(status["download"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf.close()


def test_a_badge_job_of_another_event_is_not_found(client, people, event, other_event,
                                                   free_pass):
    services.register(event, free_pass, person(1))
    people.login_as("organiser", event)
    client.post("/events/scekl25/manage/badges", data={"sort": "name"})
    job = db.session.scalar(sa.select(BadgeJob))
    people.login_as("organiser", other_event)
    assert client.get(f"/events/ascn8/manage/badges/jobs/{job.id}.json").status_code == 404


def test_cli_writes_the_badge_sheet_with_a_progress_bar(runner, event, free_pass, tmp_path):
    for n in range(5):
        services.register(event, free_pass, person(n))
    out = tmp_path / "badges.pdf"
    result = runner.invoke(badges_command, ["scekl25", "--out", str(out), "--sort",
                                            "delegation"])
    assert result.exit_code == 0, result.output
    assert "5 badges" in result.output and out.read_bytes().startswith(b"%PDF")


def test_cli_says_so_when_nobody_is_confirmed(runner, event, free_pass, tmp_path):
    result = runner.invoke(badges_command, ["scekl25", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "no confirmed registrations" in result.output
