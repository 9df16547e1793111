"""Exports other tools read: frab schedule.xml (validated by the C3VOC XSD), .json and iCal."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from lxml import etree

from .conftest import kl

XSD = Path(__file__).parent / "data" / "schedule.xml.xsd"


@pytest.fixture
def published(event, make_talk, small_room, speaker, publish):
    keynote = make_talk("AI Cities: Shaping Our Digital Future", kind="keynote",
                        abstract="Opening keynote & <welcome>", people=[(speaker.id, "speaker")])
    make_talk("Open Data Dashboards", kind="workshop", room_id=small_room.id, capacity=20,
              starts_at=kl(18, 14), ends_at=kl(18, 15, 30))
    publish()
    return keynote


def test_schedule_xml_validates_against_the_c3voc_frab_schema(client, published):
    response = client.get("/events/scekl25/schedule.xml")
    assert response.mimetype == "application/xml"
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(response.data)
    assert schema.validate(document), schema.error_log
    event = next(document.iter("event"))
    assert event.findtext("start") == "10:00" and event.findtext("duration") == "01:00"
    assert event.findtext("date") == "2025-09-17T10:00:00+08:00"
    assert event.findtext("abstract") == "Opening keynote & <welcome>"
    assert [d.get("date") for d in document.iter("day")] == ["2025-09-17", "2025-09-18",
                                                             "2025-09-19"]


def test_a_broken_schedule_xml_would_fail_the_schema(client, published):
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(client.get("/events/scekl25/schedule.xml").data)
    event = next(document.iter("event"))
    event.remove(event.find("duration"))
    assert not schema.validate(document)


def test_schedule_json_has_the_frab_shape(client, published):
    data = json.loads(client.get("/events/scekl25/schedule.json").data)["schedule"]
    conference = data["conference"]
    assert conference["acronym"] == "scekl25" and conference["daysCount"] == 3
    assert conference["time_zone_name"] == "Asia/Kuala_Lumpur"
    [talk] = conference["days"][0]["rooms"]["Plenary Hall"]
    assert talk["start"] == "10:00" and talk["persons"][0]["public_name"] == "Maria Santos"
    assert conference["days"][1]["rooms"]["Conference Hall 2"][0]["duration"] == "01:30"


def test_the_programme_ics_has_a_kuala_lumpur_vtimezone_and_right_times(client, published):
    cal = icalendar.Calendar.from_ical(client.get("/events/scekl25/schedule.ics").data)
    [zone] = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Kuala_Lumpur"
    assert zone.walk("STANDARD")[-1]["TZOFFSETTO"].td.total_seconds() == 8 * 3600
    first = cal.walk("VEVENT")[0]
    assert first["DTSTART"].params["TZID"] == "Asia/Kuala_Lumpur"
    assert first.decoded("DTSTART") == kl(17, 10)
    assert str(first["LOCATION"]).startswith("Plenary Hall")
