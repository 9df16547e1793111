"""Checking the conflicts of moving one talk in a 600-talk, 150-speaker, 20-room programme.

Prints the median time of the pure check (expo.sessions.conflicts) and of the whole service
path the editor uses (load the draft from SQLite + check), each with its ratio to the
issue's 20 ms budget, then one JSON line. Writes nothing into the repository.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from expo.sessions import conflicts as c  # noqa: E402

BUDGET_MS = 20.0
TALKS, SPEAKERS, ROOMS = 600, 150, 20
RUNS = 200


def programme() -> tuple[list[c.TalkSlot], list[c.RoomSlot]]:
    """600 talks on 3 days in 20 rooms, 45 min every 50 min, one or two speakers each."""
    rng = random.Random(5)
    rooms = [c.RoomSlot(i, f"Room {i}", 120, None, None) for i in range(1, ROOMS + 1)]
    talks = []
    start0 = datetime(2025, 9, 17, 0, 0, tzinfo=UTC)  # 08:00 in Kuala Lumpur
    for i in range(TALKS):
        day, rest = divmod(i, TALKS // 3)
        slot, room = divmod(rest, ROOMS)
        start = start0 + timedelta(days=day, minutes=50 * slot)
        speakers = tuple(rng.sample(range(1, SPEAKERS + 1), rng.choice((1, 2))))
        talks.append(c.TalkSlot(i + 1, f"Session {i + 1}", start, start + timedelta(minutes=45),
                                room + 1, speakers, None))
    return talks, rooms


def pure_check_ms() -> list[float]:
    talks, rooms = programme()
    schedule = c.Schedule(talks, rooms, first_day=date(2025, 9, 17), last_day=date(2025, 9, 19),
                          zone="Asia/Kuala_Lumpur")
    rng = random.Random(7)
    times = []
    for _ in range(RUNS):
        talk = rng.choice(talks)
        target = rng.choice(talks)
        t0 = time.perf_counter()
        schedule.move(talk.id, start=target.start, end=target.start + timedelta(minutes=45),
                      room_id=target.room_id)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def service_check_ms() -> list[float]:
    """What the editor and the API do per move: load the draft (4 queries) and check."""
    from expo import create_app
    from expo.core import services as core
    from expo.extensions import db
    from expo.sessions import services
    from expo.sessions.models import Room, Speaker, Talk, TalkSpeaker

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                          "INSTANCE_PATH": f"{folder}/instance", "SECRET_KEY": "x" * 40,
                          "TESTING": True})
        with app.app_context():
            db.create_all()
            event = core.create_event(None, "bench", "Bench", date(2025, 9, 17),
                                      date(2025, 9, 19), time_zone="Asia/Kuala_Lumpur")
            talks, rooms = programme()
            db.session.add_all(Room(id=r.id, event_id=event.id, name=r.name, capacity=120)
                               for r in rooms)
            db.session.add_all(Speaker(id=i, event_id=event.id, full_name=f"Speaker {i}")
                               for i in range(1, SPEAKERS + 1))
            for t in talks:
                db.session.add(Talk(id=t.id, event_id=event.id, title=t.title, starts_at=t.start,
                                    ends_at=t.end, room_id=t.room_id))
                db.session.add_all(TalkSpeaker(event_id=event.id, talk_id=t.id, speaker_id=s)
                                   for s in t.speaker_ids)
            db.session.commit()
            rng = random.Random(7)
            times = []
            for _ in range(RUNS // 4):
                talk, target = rng.choice(talks), rng.choice(talks)
                t0 = time.perf_counter()
                schedule = services.schedule_for(event)
                schedule.move(talk.id, start=target.start,
                              end=target.start + timedelta(minutes=45), room_id=target.room_id)
                times.append((time.perf_counter() - t0) * 1000)
            db.session.remove()
            db.engine.dispose()
    return times


def main() -> None:
    pure = statistics.median(pure_check_ms())
    service = statistics.median(service_check_ms())
    print(f"conflicts of moving one talk ({TALKS} talks, {SPEAKERS} speakers, {ROOMS} rooms)")
    print(f"  pure check (conflicts module):  median {pure:8.3f} ms  "
          f"ratio to the {BUDGET_MS:.0f} ms budget {pure / BUDGET_MS:.4f}")
    print(f"  service path (load + check):    median {service:8.3f} ms  "
          f"ratio to the {BUDGET_MS:.0f} ms budget {service / BUDGET_MS:.4f}")
    print(json.dumps({"bench": "sessions_conflicts", "talks": TALKS, "speakers": SPEAKERS,
                      "rooms": ROOMS, "pure_median_ms": round(pure, 4),
                      "service_median_ms": round(service, 3), "budget_ms": BUDGET_MS,
                      "pure_ratio": round(pure / BUDGET_MS, 5),
                      "service_ratio": round(service / BUDGET_MS, 4)}))


if __name__ == "__main__":
    main()
