"""Organisers search, filter and export attendees, and import delegates from CSV."""

from __future__ import annotations

import csv
import html
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from expo.extensions import db
from expo.registration import services
from expo.registration.models import PassType, Registration
from tests.registration.conftest import person


@pytest.fixture
def crowd(event, free_pass, approval_pass):
    services.register(event, free_pass, person(1, full_name="Aisyah Abdullah",
                                                organisation="Johor Bahru City Council"))
    services.register(event, free_pass, person(2, full_name="Somchai Srisuk",
                                                organisation="Bangkok Metropolitan",
                                                country="Thailand"))
    services.register(event, approval_pass, person(3, full_name="=HYPERLINK(\"x\")"))


def test_search_and_filter_the_attendee_list(client, people, event, crowd, approval_pass):
    people.login_as("organiser", event)
    page = client.get("/events/scekl25/manage/registrations?q=bangkok").get_data(as_text=True)
    assert "Somchai Srisuk" in page and "Aisyah Abdullah" not in page
    page = client.get(f"/events/scekl25/manage/registrations?pass_type={approval_pass.id}"
                      "&status=awaiting_approval").get_data(as_text=True)
    assert "HYPERLINK" in page and "Somchai" not in page


def test_csv_export_lists_everyone_and_defuses_formulas(client, people, event, crowd):
    people.login_as("organiser", event)
    response = client.get("/events/scekl25/manage/registrations/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["full_name"] for r in rows) == ["'=HYPERLINK(\"x\")", "Aisyah Abdullah",
                                                    "Somchai Srisuk"]


def test_xlsx_export_opens_in_a_spreadsheet(client, people, event, crowd):
    people.login_as("organiser", event)
    response = client.get("/events/scekl25/manage/registrations/export.xlsx?country=x&q=somchai")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:3] == ["reference", "full_name", "email"]
    assert sheet["B2"].value == "Somchai Srisuk" and sheet.max_row == 2


def test_export_needs_the_organiser_role(client, people, event, crowd):
    people.login_as("delegate", event)
    assert client.get("/events/scekl25/manage/registrations/export.csv").status_code == 403


CSV_OK = ("\ufeffemail,full_name,organisation,job_title,country,pass_type\n"
          "a@kl.gov.my,Ahmad Faizal,DBKL,Director,Malaysia,DELEGATE\n"
          "b@kl.gov.my,Mei Ling Wong,DBKL,,Malaysia,DELEGATE\n")


def _upload(client, text: bytes):
    return client.post("/events/scekl25/manage/registrations/import",
                       data={"file": (io.BytesIO(text), "delegates.csv")},
                       content_type="multipart/form-data")


def test_import_previews_then_imports_everyone(client, people, event, free_pass, outbox):
    people.login_as("organiser", event)
    preview = _upload(client, CSV_OK.encode())
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 rows are ready to import." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    import re

    data = re.search(r'name="data" value="([^"]+)"', page).group(1)
    client.post("/events/scekl25/manage/registrations/import", data={"confirm": "1",
                                                                     "data": data})
    regs = db.session.scalars(sa.select(Registration).order_by(Registration.email)).all()
    assert [(r.email, r.status) for r in regs] == [("a@kl.gov.my", "confirmed"),
                                                   ("b@kl.gov.my", "confirmed")]
    assert db.session.get(PassType, free_pass.id).taken == 2
    assert outbox.to("a@kl.gov.my")


def test_a_bad_csv_reports_every_row_and_imports_nothing(client, people, event, free_pass):
    services.register(event, free_pass, person(7))
    people.login_as("organiser", event)
    bad = ("email,full_name,pass_type\n"
           "not-an-email,X,DELEGATE\n"
           "c@kl.gov.my,Chen,NOPE\n"
           "c@kl.gov.my,Chen Again,DELEGATE\n"
           f"{person(7).email},Already,DELEGATE\n"
           "d@kl.gov.my,,DELEGATE\n")
    response = _upload(client, bad.encode())
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    for message in ("is not a valid e-mail address", "Unknown pass type 'NOPE'",
                    "Duplicate of row 3", "Already registered for this event",
                    "Full name is missing"):
        assert message in page
    assert "Import 5 delegates" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_a_file_in_the_wrong_encoding_is_refused_clearly(client, people, event, free_pass):
    people.login_as("organiser", event)
    response = _upload(client, CSV_OK.lstrip("\ufeff").replace("Mei Ling", "Méi Líng")
                       .encode("cp1252"))
    assert "The file is not UTF-8 text" in response.get_data(as_text=True)


def test_a_forged_confirm_with_bad_rows_imports_nothing(client, people, event, free_pass):
    import base64

    people.login_as("organiser", event)
    data = base64.b64encode(b"email,full_name,pass_type\nx,Y,NOPE\n").decode()
    response = client.post("/events/scekl25/manage/registrations/import",
                           data={"confirm": "1", "data": data}, follow_redirects=True)
    assert "nothing was imported" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
