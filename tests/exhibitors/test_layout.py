"""The pure floor-plan geometry: overlaps and booths outside the hall."""

from expo.exhibitors.layout import Rect, metres, overlaps, plan_problems, problems


def test_booths_sharing_an_edge_do_not_overlap():
    assert not overlaps(Rect("A-01", 0, 0, 300, 300), Rect("A-02", 300, 0, 300, 300))


def test_booths_crossing_by_one_centimetre_overlap():
    assert overlaps(Rect("A-01", 0, 0, 300, 300), Rect("A-02", 299, 0, 300, 300))


def test_a_booth_inside_another_overlaps():
    assert overlaps(Rect("P-01", 0, 0, 1200, 900), Rect("A-02", 300, 300, 300, 300))


def test_overlap_problem_names_the_other_booth_and_its_place():
    found = problems(3000, 2000, Rect("A-02", 150, 0, 300, 300), [Rect("A-01", 0, 0, 300, 300)])
    assert [p.code for p in found] == ["overlap"]
    assert found[0].other == "A-01"
    assert "overlaps booth A-01 (at 0 m, 0 m, 3 m × 3 m)" in found[0].message


def test_a_booth_reaching_past_the_back_wall_is_outside_the_hall():
    found = problems(3000, 2000, Rect("Z-9", 0, 1800, 300, 300), [])
    assert [p.code for p in found] == ["outside_hall"]
    assert "30 m wide and 20 m deep" in found[0].message


def test_negative_positions_are_outside_the_hall():
    assert problems(3000, 2000, Rect("Z-9", -10, 0, 300, 300), [])[0].code == "outside_hall"


def test_zero_size_is_refused_before_anything_else():
    assert problems(3000, 2000, Rect("Z-9", 0, 0, 0, 300), [])[0].code == "size_invalid"


def test_a_booth_is_not_compared_with_itself_when_edited():
    assert problems(3000, 2000, Rect("A-01", 0, 0, 300, 300), [Rect("A-01", 0, 0, 300, 300)]) == []


def test_plan_problems_reports_each_overlapping_pair_once():
    plan = [Rect("A-01", 0, 0, 300, 300), Rect("A-02", 200, 0, 300, 300),
            Rect("A-03", 600, 0, 300, 300), Rect("B-01", 2900, 0, 300, 300)]
    found = plan_problems(3000, 2000, plan)
    assert sorted((p.code, p.message.split()[1]) for p in found) == [
        ("outside_hall", "B-01"), ("overlap", "A-01")]


def test_metres_are_shown_without_trailing_zeros():
    assert metres(250) == "2.5 m" and metres(300) == "3 m"
