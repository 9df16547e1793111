"""The agenda page and the API list use a bounded number of SQL queries, whatever the size."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from expo.extensions import db
from expo.sessions import services
from expo.sessions.models import Talk, TalkSpeaker

from .conftest import kl

LIMIT = 15


@contextmanager
def counting():
    queries: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        queries.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield queries
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def add_talks(event, rooms, speakers, n: int) -> None:
    for i in range(n):
        starts = kl(17 + i % 3, 8) + timedelta(minutes=50 * (i // (3 * len(rooms))))
        talk = Talk(event_id=event.id, title=f"Session {i}", kind="expert_talk",
                    room_id=rooms[i % len(rooms)].id, starts_at=starts,
                    ends_at=starts + timedelta(minutes=45),
                    capacity=30 if i % 7 == 0 else None)
        db.session.add(talk)
        db.session.flush()
        db.session.add(TalkSpeaker(event_id=event.id, talk_id=talk.id,
                                   speaker_id=speakers[i % len(speakers)].id))
    db.session.commit()
    services.publish(None, event, override=True)


@pytest.fixture
def sized(event):
    rooms = [services.save_room(None, event, name=f"Room {i}", capacity=100) for i in range(20)]
    speakers = [services.save_speaker(None, event, full_name=f"Speaker {i}") for i in range(150)]
    return lambda n: add_talks(event, rooms, speakers, n)


@freeze_time("2025-09-01")
@pytest.mark.parametrize("path", ["/events/scekl25/agenda?day=all",
                                  "/events/scekl25/agenda",
                                  "/api/v1/events/scekl25/talks"])
def test_agenda_and_api_list_use_at_most_15_queries_for_10_or_300_talks(
        client, event, sized, people, delegate, path):
    people.login(delegate)
    counts = []
    for n in (10, 290):
        sized(n)
        client.get(path)  # warm: the first request of a client loads more
        with counting() as queries:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= LIMIT, counts
