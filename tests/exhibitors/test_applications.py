"""Companies apply with a logo; organisers review; delegates browse the directory."""

import io
from pathlib import Path

from PIL import Image

from expo.core.models import Role
from expo.exhibitors import services
from expo.exhibitors.models import Exhibitor, ExhibitorStatus
from expo.extensions import db
from tests.exhibitors.conftest import png_bytes


def _application(**overrides):
    data = {"name": "Penang Smart City Lab", "description": "Digital twin of George Town.",
            "website": "https://penang.example.my", "country": "Malaysia",
            "contact_email": "hello@penang.example.my",
            "sectors": ["GovTech & e-government", "AI & data platforms"],
            "pillars": ["AI Cities"]}
    data.update(overrides)
    return data


def test_a_company_applies_with_a_logo_and_becomes_the_teams_manager(client, people, event,
                                                                   app):
    user = people.login(people.make(None, None, name="Tan Wei Ling"))
    data = _application(logo=(io.BytesIO(png_bytes()), "logo.png"))
    response = client.post("/events/scekl25/exhibit/apply", data=data,
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "the organisers will review Penang Smart City Lab" in page
    exhibitor = db.session.scalar(db.select(Exhibitor))
    assert exhibitor.status == ExhibitorStatus.PENDING
    assert exhibitor.pillars == ["AI Cities"]
    assert Path(app.instance_path, exhibitor.logo_path).read_bytes() == png_bytes()
    assert services.membership(event, user).role == "manager"
    assert services.core.has_role(user, event, Role.EXHIBITOR)
    with client.get(f"/events/scekl25/exhibitors/{exhibitor.id}/logo") as logo:
        assert logo.status_code == 200 and logo.mimetype == "image/png"
        assert logo.headers["X-Content-Type-Options"] == "nosniff"


def test_a_non_image_logo_is_refused_on_the_form_and_nothing_is_saved(client, people, event):
    people.login(people.make(None, None))
    data = _application(logo=(io.BytesIO(b"MZ\x90\x00 not an image"), "logo.png"))
    response = client.post("/events/scekl25/exhibit/apply", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "The logo is not an image we can read (use PNG, JPEG or WebP)." in \
        response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Exhibitor)) == 0


def test_an_oversized_logo_is_refused_with_the_limit(client, people, event, app):
    app.config["LOGO_MAX_BYTES"] = 2048
    people.login(people.make(None, None))
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    data = _application(logo=(io.BytesIO(out.getvalue()), "big.png"))
    response = client.post("/events/scekl25/exhibit/apply", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert f"The logo is {len(out.getvalue()) // 1024} KB; the limit is 2 KB." in \
        response.get_data(as_text=True)


def test_the_same_company_name_cannot_apply_twice(exhibitors, event, client, people):
    exhibitors.make(event, "Sarawak Digital Economy Corporation", approved=False)
    people.login(people.make(None, None))
    response = client.post("/events/scekl25/exhibit/apply",
                           data=_application(name="Sarawak Digital Economy Corporation"))
    assert "has already applied" in response.get_data(as_text=True)


def test_organiser_approves_an_application_and_it_appears_in_the_directory(client, people,
                                                                         organiser,
                                                                         exhibitors, event):
    exhibitor, _ = exhibitors.make(event, "Iskandar Regional Development Authority",
                                   approved=False)
    assert "Iskandar" not in client.get("/events/scekl25/exhibitors").get_data(as_text=True)
    people.login(organiser)
    response = client.post(f"/events/scekl25/manage/exhibitors/{exhibitor.id}",
                           data={"form": "review", "review-decision": "approved",
                                 "review-note": "Welcome"}, follow_redirects=True)
    assert "Iskandar Regional Development Authority approved." in response.get_data(as_text=True)
    assert "Iskandar" in client.get("/events/scekl25/exhibitors").get_data(as_text=True)


def test_pending_exhibitor_pages_are_hidden_from_the_public(client, exhibitors, event):
    exhibitor, _ = exhibitors.make(event, "Stealth Startup", approved=False)
    assert client.get(f"/events/scekl25/exhibitors/{exhibitor.id}").status_code == 404


def test_directory_filters_by_pillar_sector_country_and_search(client, exhibitors, event):
    exhibitors.make(event, "Majlis Bandaraya Pulau Pinang", pillars=["AI Cities"],
                    sectors=["GovTech & e-government"])
    exhibitors.make(event, "Da Nang Innovation Hub", country="Viet Nam",
                    pillars=["Sustainable & Resilient Cities"], sectors=["Water & waste"])

    def names(query):
        return [e["name"] for e in client.get(f"/api/v1/events/scekl25/exhibitors?{query}")
                .get_json()]

    assert names("") == ["Da Nang Innovation Hub", "Majlis Bandaraya Pulau Pinang"]
    assert names("pillar=AI+Cities") == ["Majlis Bandaraya Pulau Pinang"]
    assert names("sector=Water+%26+waste") == ["Da Nang Innovation Hub"]
    assert names("country=Viet+Nam") == ["Da Nang Innovation Hub"]
    assert names("q=pinang") == ["Majlis Bandaraya Pulau Pinang"]
    page = client.get("/events/scekl25/exhibitors?country=Viet+Nam").get_data(as_text=True)
    assert "Da Nang Innovation Hub" in page and "Pulau Pinang</a>" not in page


def test_exhibitor_list_exports_as_csv_and_xlsx(client, people, organiser, exhibitors, event):
    exhibitors.make(event, "Johor Bahru City Council")
    people.login(organiser)
    csv = client.get("/events/scekl25/manage/exhibitors/export.csv")
    assert csv.mimetype == "text/csv"
    assert "Johor Bahru City Council,approved,Malaysia" in csv.get_data(as_text=True)
    xlsx = client.get("/events/scekl25/manage/exhibitors/export.xlsx")
    assert xlsx.data[:2] == b"PK"
    assert client.get("/events/scekl25/manage/exhibitors/export.pdf").status_code == 404
