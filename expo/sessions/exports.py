"""Exports other conference tools read: frab schedule.xml/.json and iCal, from a Programme."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import icalendar

from .programme import PMeeting, Programme, PTalk

GENERATOR = "expo"


def _duration(talk: PTalk) -> str:
    minutes = talk.duration_minutes
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _slug(acronym: str, talk: PTalk) -> str:
    words = "".join(c if c.isalnum() else "-" for c in talk.title.lower()).split("-")
    return f"{acronym}-{talk.id}-" + "-".join(w for w in words if w)[:60]


def _persons(talk: PTalk) -> list:
    return [{"id": p.speaker.id, "guid": None, "public_name": p.speaker.full_name,
             "name": p.speaker.full_name, "role": p.role,
             "biography": p.speaker.bio or ""} for p in talk.people]


def _days(programme: Programme, first: date, last: date):
    zone = ZoneInfo(programme.zone)
    day = first
    index = 1
    while day <= last:
        talks = [t for t in programme.talks if programme.local_day(t) == day]
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        yield index, day, start, start + timedelta(days=1), talks
        day += timedelta(days=1)
        index += 1


def _room_names(programme: Programme, talks: list[PTalk]) -> list[str]:
    names = [r.name for r in programme.rooms]
    extra = sorted({t.room.name if t.room else "Off-site" for t in talks} - set(names))
    return names + extra


def schedule_xml(programme: Programme, *, title: str, acronym: str, first: date, last: date,
                 base_url: str, talk_url) -> bytes:
    """frab schedule.xml (validates against the C3VOC schedule.xml.xsd)."""
    zone = ZoneInfo(programme.zone)
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR, version="1")
    ET.SubElement(root, "version").text = f"v{programme.version}"
    conf = ET.SubElement(root, "conference")
    for tag, text in (("title", title), ("acronym", acronym), ("start", first.isoformat()),
                      ("end", last.isoformat()), ("days", str((last - first).days + 1)),
                      ("timeslot_duration", "00:15"), ("base_url", base_url),
                      ("time_zone_name", programme.zone)):
        ET.SubElement(conf, tag).text = text
    for index, day, start, end, talks in _days(programme, first, last):
        day_el = ET.SubElement(root, "day", index=str(index), date=day.isoformat(),
                               start=start.isoformat(), end=end.isoformat())
        for room_name in _room_names(programme, talks):
            in_room = [t for t in talks if (t.room.name if t.room else "Off-site") == room_name]
            if not in_room:
                continue
            room_el = ET.SubElement(day_el, "room", name=room_name)
            for t in in_room:
                ev = ET.SubElement(room_el, "event", id=str(t.id), guid=t.guid)
                local = t.start.astimezone(zone)
                for tag, text in (("date", local.isoformat()), ("start", f"{local:%H:%M}"),
                                  ("duration", _duration(t)), ("room", room_name),
                                  ("slug", _slug(acronym, t)), ("url", talk_url(t)),
                                  ("title", t.title), ("subtitle", ""),
                                  ("track", t.track.name if t.track else ""),
                                  ("type", t.kind_label), ("language", t.language),
                                  ("abstract", t.abstract or ""), ("description", "")):
                    ET.SubElement(ev, tag).text = text
                persons = ET.SubElement(ev, "persons")
                for p in t.people:
                    ET.SubElement(persons, "person", id=str(p.speaker.id)).text = \
                        p.speaker.full_name
                ET.SubElement(ev, "links")
                ET.SubElement(ev, "attachments")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def schedule_json(programme: Programme, *, title: str, acronym: str, first: date, last: date,
                  base_url: str, talk_url) -> str:
    """frab/pretalx schedule.json (the shape Giggity, ConfClerk and the C3VOC tools read)."""
    zone = ZoneInfo(programme.zone)
    days = []
    for index, day, start, end, talks in _days(programme, first, last):
        rooms: dict[str, list] = {}
        for room_name in _room_names(programme, talks):
            in_room = [t for t in talks if (t.room.name if t.room else "Off-site") == room_name]
            if not in_room:
                continue
            rooms[room_name] = [{
                "id": t.id, "guid": t.guid, "logo": None,
                "date": t.start.astimezone(zone).isoformat(),
                "start": f"{t.start.astimezone(zone):%H:%M}", "duration": _duration(t),
                "room": room_name, "slug": _slug(acronym, t), "url": talk_url(t),
                "title": t.title, "subtitle": "", "track": t.track.name if t.track else None,
                "type": t.kind_label, "language": t.language, "abstract": t.abstract or "",
                "description": "", "recording_license": "", "do_not_record": False,
                "persons": _persons(t), "links": [], "attachments": [],
            } for t in in_room]
        days.append({"index": index, "date": day.isoformat(), "day_start": start.isoformat(),
                     "day_end": end.isoformat(), "rooms": rooms})
    schedule = {"schedule": {
        "version": f"v{programme.version}", "base_url": base_url,
        "conference": {
            "acronym": acronym, "title": title, "start": first.isoformat(),
            "end": last.isoformat(), "daysCount": (last - first).days + 1,
            "timeslot_duration": "00:15", "time_zone_name": programme.zone,
            "rooms": [{"name": r.name, "guid": None, "description": r.floor or ""}
                      for r in programme.rooms],
            "tracks": [{"name": t.name, "color": t.colour} for t in programme.tracks],
            "days": days,
        },
    }}
    return json.dumps(schedule, ensure_ascii=False, indent=1)


def _vtimezone(zone: str, talks: list[PTalk | PMeeting]) -> icalendar.Timezone:
    """The zone's VTIMEZONE, made by icalendar from the tz database, covering the items."""
    moments = [t.start for t in talks] or [datetime.now(UTC)]
    first, last = min(moments).date(), max(moments).date()
    return icalendar.Timezone.from_tzinfo(ZoneInfo(zone), tzid=zone,
                                          first_date=date(first.year - 1, 1, 1),
                                          last_date=date(last.year + 2, 1, 1))


def calendar(talks: list[PTalk], *, zone: str, name: str, talk_url, uid_domain: str,
             location_prefix: str = "", method: str | None = None,
             meetings: list[PMeeting] = (), meeting_url=None) -> bytes:
    """An iCal file of these talks (and one-to-one meetings), times in the event's zone
    with its VTIMEZONE."""
    cal = icalendar.Calendar()
    cal.add("PRODID", "-//expo//sessions//EN")
    cal.add("VERSION", "2.0")
    cal.add("X-WR-CALNAME", name)
    cal.add("X-WR-TIMEZONE", zone)
    if method:
        cal.add("METHOD", method)
    tz = ZoneInfo(zone)
    cal.add_component(_vtimezone(zone, [*talks, *meetings]))
    stamp = datetime.now(UTC)
    for t in talks:
        ev = icalendar.Event()
        ev.add("UID", f"{t.guid}@{uid_domain}")
        ev.add("DTSTAMP", stamp)
        ev.add("DTSTART", t.start.astimezone(tz))
        ev.add("DTEND", t.end.astimezone(tz))
        ev.add("SUMMARY", t.title)
        where = t.room.name if t.room else (t.site_visit or {}).get("meeting_point", "")
        ev.add("LOCATION", ", ".join(x for x in (where, location_prefix) if x))
        people = "; ".join(f"{p.speaker.full_name} ({p.role})" for p in t.people)
        description = "\n\n".join(x for x in (t.kind_label, people, t.abstract or "") if x)
        ev.add("DESCRIPTION", description)
        ev.add("URL", talk_url(t))
        if t.track:
            ev.add("CATEGORIES", [t.track.name])
        cal.add_component(ev)
    for m in meetings:
        ev = icalendar.Event()
        ev.add("UID", f"meeting-{m.id}@{uid_domain}")
        ev.add("DTSTAMP", stamp)
        ev.add("DTSTART", m.start.astimezone(tz))
        ev.add("DTEND", m.end.astimezone(tz))
        ev.add("SUMMARY", f"{m.title} ({m.project_title})")
        ev.add("LOCATION", ", ".join(x for x in (m.place, location_prefix) if x))
        ev.add("DESCRIPTION", "\n\n".join(x for x in (
            "One-to-one meeting", f"{m.other_name} · {m.other_organisation}"
            if m.other_organisation else m.other_name, f"Project: {m.project_title}") if x))
        if meeting_url is not None:
            ev.add("URL", meeting_url(m))
        ev.add("CATEGORIES", ["Meetings"])
        cal.add_component(ev)
    return cal.to_ical()
