"""The pure conflicts module: plain values in, conflicts out."""

from datetime import UTC, date, datetime, time

from expo.sessions import conflicts as c


def at(hour, minute=0, day=17):
    return datetime(2025, 9, day, hour - 8, minute, tzinfo=UTC)


def schedule(talks, **kw):
    rooms = [c.RoomSlot(1, "Plenary Hall", 300, time(8), time(18)),
             c.RoomSlot(2, "Conference Hall 2", 20)]
    return c.Schedule(talks, rooms, first_day=date(2025, 9, 17), last_day=date(2025, 9, 19),
                      zone="Asia/Kuala_Lumpur", speaker_names={7: "Maria Santos"}, **kw)


def test_two_talks_in_one_room_at_once_are_a_double_booking():
    s = schedule([c.TalkSlot(1, "A", at(10), at(11), 1), c.TalkSlot(2, "B", at(10, 30), at(12), 1)])
    found = s.all_conflicts()
    assert [x.kind for x in found] == [c.ROOM_DOUBLE_BOOKED]
    assert set(found[0].talk_ids) == {1, 2}


def test_back_to_back_talks_do_not_clash():
    s = schedule([c.TalkSlot(1, "A", at(10), at(11), 1), c.TalkSlot(2, "B", at(11), at(12), 1)])
    assert s.all_conflicts() == []


def test_speaker_in_two_rooms_at_once_is_named():
    s = schedule([c.TalkSlot(1, "A", at(10), at(11), 1, (7,)),
                  c.TalkSlot(2, "B", at(10), at(11), 2, (7,))])
    (found,) = s.all_conflicts()
    assert found.kind == c.SPEAKER_DOUBLE_BOOKED and "Maria Santos" in found.message


def test_speaker_outside_availability_window():
    s = schedule([c.TalkSlot(1, "A", at(15), at(16), 1, (7,))],
                 availability={7: [(at(9), at(12))]})
    assert [x.kind for x in s.all_conflicts()] == [c.SPEAKER_UNAVAILABLE]


def test_talk_outside_event_days_and_room_hours_and_capacity():
    s = schedule([c.TalkSlot(1, "Late", at(19, day=18), at(20, day=18), 1),
                  c.TalkSlot(2, "Early", at(10, day=16), at(11, day=16), 2),
                  c.TalkSlot(3, "Big", at(10), at(11), 2, capacity=50)])
    kinds = sorted(x.kind for x in s.all_conflicts())
    assert kinds == sorted([c.OUTSIDE_ROOM_HOURS, c.OUTSIDE_EVENT_DAYS, c.CAPACITY_ABOVE_ROOM])


def test_moving_a_talk_reports_the_clash_at_its_new_place_only():
    s = schedule([c.TalkSlot(1, "A", at(10), at(11), 1), c.TalkSlot(2, "B", at(14), at(15), 1)])
    assert s.conflicts_of(s.talks[2]) == []
    moved = s.move(2, start=at(10, 30), end=at(11, 30), room_id=1)
    assert [x.kind for x in moved] == [c.ROOM_DOUBLE_BOOKED]
