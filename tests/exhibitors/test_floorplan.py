"""Organisers draw halls and booths; everyone sees the floor plan drawn to scale."""

import io
import re

import sqlalchemy as sa

from expo.core.models import Role
from expo.exhibitors import services
from expo.exhibitors.models import Booth
from tests.exhibitors.conftest import png_bytes


def _booth_form(hall, **overrides):
    data = {"hall": hall.id, "code": "B-01", "x_m": "0", "y_m": "6", "width_m": "3",
            "depth_m": "3", "kind": "shell_scheme", "price": "12000.00", "package": "0",
            "note": ""}
    data.update(overrides)
    return data


def test_organiser_adds_a_hall_with_its_size_in_metres(client, people, event):
    people.login(people.make(Role.ORGANISER, event))
    response = client.post("/events/scekl25/manage/floorplan", data={
        "form": "hall", "hall-name": "Hall 2", "hall-width_m": "54", "hall-depth_m": "36.5",
        "hall-position": "2"}, follow_redirects=True)
    assert "Hall 2 added (1971 m²)." in response.get_data(as_text=True)
    hall = services.halls(event)[0]
    assert (hall.width_cm, hall.depth_cm) == (5400, 3650)


def test_organiser_adds_a_booth_through_the_form_and_sees_it_on_the_plan(client, people, floor):
    people.login(floor.organiser)
    response = client.post(f"/events/scekl25/manage/booths/new?hall={floor.hall.id}",
                           data=_booth_form(floor.hall), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Booth B-01 added to Hall 1." in page
    assert 'data-code="B-01"' in page and "<svg" in page
    booth = services.booth_by_code(floor.event, "b-01")
    assert (booth.x_cm, booth.y_cm, booth.width_cm, booth.price_minor) == (0, 600, 300, 1_200_000)


def test_saving_an_overlapping_booth_is_a_clear_error_and_changes_nothing(client, people, floor):
    floor.booth("A-01", x=0, y=0)
    people.login(floor.organiser)
    response = client.post(f"/events/scekl25/manage/booths/new?hall={floor.hall.id}",
                           data=_booth_form(floor.hall, code="A-02", x_m="1.5", y_m="1"))
    assert response.status_code == 400
    assert "Booth A-02 overlaps booth A-01 (at 0 m, 0 m, 3 m × 3 m)." in \
        response.get_data(as_text=True)
    assert services.booth_by_code(floor.event, "A-02") is None


def test_a_booth_outside_the_hall_is_refused_with_the_reason(client, people, floor):
    people.login(floor.organiser)
    response = client.post(f"/events/scekl25/manage/booths/new?hall={floor.hall.id}",
                           data=_booth_form(floor.hall, x_m="28.5"))
    assert response.status_code == 400
    assert "reaches outside the hall, which is 30 m wide and 20 m deep" in \
        response.get_data(as_text=True)
    assert db_count() == 0


def db_count() -> int:
    from expo.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(Booth))


def test_moving_a_booth_onto_its_neighbour_is_refused_in_the_edit_form(client, people, floor):
    floor.booth("A-01", x=0)
    second = floor.booth("A-02", x=300)
    people.login(floor.organiser)
    response = client.post(f"/events/scekl25/manage/booths/{second.id}",
                           data=_booth_form(floor.hall, code="A-02", x_m="2", y_m="0"))
    assert response.status_code == 400
    assert "overlaps booth A-01" in response.get_data(as_text=True)
    assert services.booth_by_code(floor.event, "A-02").x_cm == 300


def test_a_duplicate_booth_code_is_refused_on_the_code_field(client, people, floor):
    floor.booth("A-01", x=0)
    people.login(floor.organiser)
    response = client.post(f"/events/scekl25/manage/booths/new?hall={floor.hall.id}",
                           data=_booth_form(floor.hall, code="a-01", x_m="10"))
    assert "There is already a booth A-01 in this event." in response.get_data(as_text=True)


def test_shrinking_a_hall_below_its_booths_is_refused(floor):
    floor.booth("A-01", x=2700)
    try:
        services.save_hall(floor.organiser, floor.event, hall=floor.hall, name="Hall 1",
                           width_cm=2000, depth_cm=2000)
    except services.Invalid as error:
        assert error.code == "booth_outside_hall" and "A-01" in error.message
    else:
        raise AssertionError("shrinking the hall should fail")


def test_organiser_of_another_event_cannot_open_this_events_booth(client, people, floor,
                                                                  other_event):
    booth = floor.booth("A-01")
    people.login(people.make(Role.ORGANISER, other_event))
    assert client.get(f"/events/scekl25/manage/booths/{booth.id}").status_code == 403
    assert client.get(f"/events/ascn8/manage/booths/{booth.id}").status_code == 404


def test_delegates_cannot_reach_the_floor_plan_editor(client, people, floor):
    people.login_as(Role.DELEGATE, floor.event)
    assert client.get("/events/scekl25/manage/floorplan").status_code == 403


def test_public_floor_plan_shows_sold_booths_with_the_exhibitors_name(client, floor,
                                                                      exhibitors):
    sold = floor.booth("A-01")
    floor.booth("A-02")
    exhibitor, _ = exhibitors.make(floor.event, "Majlis Bandaraya Pulau Pinang")
    services.assign_booth(floor.organiser, floor.event, exhibitor, sold)
    page = client.get("/events/scekl25/floorplan").get_data(as_text=True)
    assert 'viewBox="-60 -60 3120 2160"' in page
    assert 'aria-label="Booth A-01, 3.0 by 3.0 m, sold, Majlis Bandaraya Pulau Pinang"' in page
    assert 'class="fp-booth fp-available"' in page


def test_searching_the_floor_plan_highlights_the_exhibitors_booth(client, floor, exhibitors):
    floor.booth("A-01")
    target = floor.booth("A-02")
    exhibitor, _ = exhibitors.make(floor.event, "Johor Bahru City Council")
    services.assign_booth(floor.organiser, floor.event, exhibitor, target)
    page = client.get("/events/scekl25/floorplan?q=johor").get_data(as_text=True)
    assert "Found: <strong>A-02</strong> (Johor Bahru City Council)" in page
    assert 'class="fp-booth fp-sold fp-match"' in page
    assert len(re.findall(r'class="fp-booth [^"]*fp-match', page)) == 1


def test_booths_api_lists_status_and_filters_by_it(client, floor, exhibitors):
    floor.booth("A-01")
    sold = floor.booth("A-02")
    exhibitor, _ = exhibitors.make(floor.event, "Cyberview Sdn Bhd")
    services.assign_booth(floor.organiser, floor.event, exhibitor, sold)
    everything = client.get("/api/v1/events/scekl25/booths").get_json()
    assert [(b["code"], b["status"], b["exhibitor"]) for b in everything] == [
        ("A-01", "available", None), ("A-02", "sold", "Cyberview Sdn Bhd")]
    available = client.get("/api/v1/events/scekl25/booths?status=available").get_json()
    assert [b["code"] for b in available] == ["A-01"]
    bad = client.get("/api/v1/events/scekl25/booths?status=gone")
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid"


def test_organiser_puts_the_venue_drawing_under_a_hall(client, people, floor):
    people.login(floor.organiser)
    response = client.post(f"/events/scekl25/manage/halls/{floor.hall.id}", data={
        "name": "Hall 1", "width_m": "30", "depth_m": "20", "position": "1",
        "background": (io.BytesIO(png_bytes(600, 400)), "hall1.png")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Hall 1 saved." in response.get_data(as_text=True)
    page = client.get("/events/scekl25/floorplan").get_data(as_text=True)
    src = re.search(r'<image class="fp-background" href="([^"]+)"', page).group(1)
    with client.get(src) as image:
        assert image.mimetype == "image/png" and image.data == png_bytes(600, 400)


def test_a_background_that_is_not_an_image_is_refused_on_the_field(client, people, floor):
    people.login(floor.organiser)
    response = client.post(f"/events/scekl25/manage/halls/{floor.hall.id}", data={
        "name": "Hall 1", "width_m": "30", "depth_m": "20", "position": "1",
        "background": (io.BytesIO(b"%PDF-1.7 venue plan"), "hall1.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "The background image is not an image we can read" in response.get_data(as_text=True)
    assert services.hall_in(floor.event, floor.hall.id).background_path is None
