"""Busy slots for the meeting scheduler at expo scale: 2,000 people, 600 talks, 300 slots.

Fills a temporary SQLite file with a SCEKL25-sized programme (600 talks, 150 speakers
linked to accounts, 2,000 registered delegates holding 2 seats each in workshops and
site visits) and a lounge of 300 twenty-minute slots, then times
`matchmaking.services.busy_slots(event)` (the sessions query plus the mapping to slots).
The baseline is the same mapping done the plain way (every commitment against every
slot), on the same commitments; the ratio is ours / baseline (medians). Prints one JSON
line at the end; writes nothing into the repository.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = 7
PEOPLE, TALKS, SPEAKERS, SLOTS = 2000, 600, 150, 300


def fill(app):
    import sqlalchemy as sa

    from expo.core.models import Event, User
    from expo.extensions import db
    from expo.matchmaking.models import MeetingSlot
    from expo.registration.models import PassType, Registration
    from expo.sessions.models import SignUp, SiteVisitDetails, Speaker, Talk, TalkSpeaker

    db.create_all()
    event = Event(slug="scekl25", name="SCEKL25", starts_on=date(2025, 9, 17),
                  ends_on=date(2025, 9, 19), time_zone="Asia/Kuala_Lumpur")
    db.session.add(event)
    db.session.flush()
    db.session.execute(sa.insert(User), [
        {"email": f"p{n}@bench.expo", "full_name": f"Person {n}", "password_hash": "x"}
        for n in range(PEOPLE)])
    users = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
    pass_type = PassType(event_id=event.id, code="DELEGATE", name="Delegate")
    db.session.add(pass_type)
    db.session.flush()
    db.session.execute(sa.insert(Registration), [
        {"event_id": event.id, "pass_type_id": pass_type.id, "user_id": u,
         "email": f"p{n}@bench.expo", "full_name": f"Person {n}", "reference": f"R{n:06d}",
         "status": "confirmed"} for n, u in enumerate(users)])
    registrations = dict(db.session.execute(
        sa.select(Registration.user_id, Registration.id)).all())
    day0 = datetime(2025, 9, 17, 1, 0, tzinfo=UTC)  # 09:00 in Kuala Lumpur
    talks = []
    for n in range(TALKS):
        start = day0 + timedelta(days=n % 3, minutes=30 * ((n // 3) % 18))
        talks.append(Talk(event_id=event.id, title=f"Talk {n}", starts_at=start,
                          ends_at=start + timedelta(minutes=45),
                          kind="site_visit" if n % 50 == 0 else "workshop", capacity=400))
    db.session.add_all(talks)
    db.session.flush()
    db.session.add_all(SiteVisitDetails(event_id=event.id, talk_id=t.id, meeting_point="Lobby",
                                        departs_at=t.starts_at,
                                        returns_at=t.starts_at + timedelta(hours=4))
                       for t in talks if t.kind == "site_visit")
    speakers = [Speaker(event_id=event.id, full_name=f"Speaker {n}", user_id=users[n])
                for n in range(SPEAKERS)]
    db.session.add_all(speakers)
    db.session.flush()
    db.session.execute(sa.insert(TalkSpeaker), [
        {"event_id": event.id, "talk_id": t.id, "speaker_id": speakers[n % SPEAKERS].id}
        for n, t in enumerate(talks)])
    db.session.execute(sa.insert(SignUp), [
        {"event_id": event.id, "talk_id": talks[(7 * n + k * 131) % TALKS].id, "user_id": u,
         "registration_id": registrations[u], "status": "confirmed"}
        for n, u in enumerate(users) for k in range(2)])
    # Four lounges, 25 twenty-minute slots a day each (09:00-17:20), three days.
    starts = [day0 + timedelta(days=n // 100, minutes=20 * (n % 25)) for n in range(SLOTS)]
    db.session.add_all(MeetingSlot(event_id=event.id, tables=20, starts_at=start,
                                   ends_at=start + timedelta(minutes=20),
                                   location=f"Lounge {(n % 100) // 25 + 1}")
                       for n, start in enumerate(starts))
    db.session.commit()
    return event


def plain_mapping(slot_rows, commitments) -> dict[int, set[int]]:
    busy: dict[int, set[int]] = {}
    for c in commitments:
        taken = {s.id for s in slot_rows if c.start < s.ends_at and s.starts_at < c.end}
        if taken:
            busy.setdefault(c.user_id, set()).update(taken)
    return busy


def median_ms(func) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def main() -> None:
    from expo import create_app
    from expo.extensions import db
    from expo.matchmaking import services
    from expo.sessions import services as sessions

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                          "INSTANCE_PATH": folder, "SECRET_KEY": "bench-" + "x" * 40,
                          "ENV": "testing", "TESTING": True})
        with app.app_context():
            event = fill(app)
            query_ms, commitments = median_ms(lambda: sessions.commitments(event))
            slot_rows = services.slots(event)
            ours_ms, ours = median_ms(lambda: services.busy_slots(event))
            plain_ms, plain = median_ms(
                lambda: plain_mapping(slot_rows, sessions.commitments(event)))
            assert ours == plain, "the fast mapping must give the same busy slots"
            blocked = sum(len(v) for v in ours.values())
            db.session.remove()
            db.engine.dispose()
    ratio = ours_ms / plain_ms
    print(f"{len(commitments)} commitments of {len(ours)} people, {SLOTS} slots, "
          f"{blocked} busy (person, slot) pairs")
    print(f"sessions.commitments (query)       {query_ms:8.1f} ms")
    print(f"busy_slots (query + bisect map)    {ours_ms:8.1f} ms")
    print(f"baseline (query + every x every)   {plain_ms:8.1f} ms")
    print(f"ratio to baseline                  {ratio:8.2f}")
    print(json.dumps({"bench": "int_meetings_busy", "commitments": len(commitments),
                      "slots": SLOTS, "query_ms": round(query_ms, 1),
                      "busy_slots_ms": round(ours_ms, 1), "baseline_ms": round(plain_ms, 1),
                      "ratio": round(ratio, 3)}))


if __name__ == "__main__":
    main()
