"""Floor-plan geometry: booths as rectangles in centimetres; what is wrong with a layout.

Pure: plain values in, plain values out (no Flask, no database).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rect:
    code: str
    x: int
    y: int
    width: int
    depth: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.depth


@dataclass(frozen=True)
class Problem:
    code: str  # stable: "outside_hall", "overlap", "size_invalid"
    message: str
    other: str | None = None  # the booth it collides with


def metres(cm: int) -> str:
    """250 -> '2.5 m'."""
    value = cm / 100
    return f"{value:g} m"


def overlaps(a: Rect, b: Rect) -> bool:
    """True when the interiors intersect; booths sharing an edge do not overlap."""
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def problems(hall_width: int, hall_depth: int, booth: Rect, others: list[Rect]) -> list[Problem]:
    """Everything that stops `booth` from being placed in the hall next to `others`."""
    found: list[Problem] = []
    if booth.width <= 0 or booth.depth <= 0:
        return [Problem("size_invalid", f"Booth {booth.code} needs a positive width and depth.")]
    if booth.x < 0 or booth.y < 0 or booth.right > hall_width or booth.bottom > hall_depth:
        found.append(Problem(
            "outside_hall",
            f"Booth {booth.code} ({metres(booth.x)}, {metres(booth.y)}, "
            f"{metres(booth.width)} × {metres(booth.depth)}) reaches outside the hall, "
            f"which is {metres(hall_width)} wide and {metres(hall_depth)} deep."))
    for other in others:
        if other.code != booth.code and overlaps(booth, other):
            found.append(Problem(
                "overlap",
                f"Booth {booth.code} overlaps booth {other.code} "
                f"(at {metres(other.x)}, {metres(other.y)}, "
                f"{metres(other.width)} × {metres(other.depth)}).", other=other.code))
    return found


def plan_problems(hall_width: int, hall_depth: int, booths: list[Rect]) -> list[Problem]:
    """Every problem of a whole plan, each overlapping pair reported once."""
    found: list[Problem] = []
    ordered = sorted(booths, key=lambda r: (r.x, r.code))
    for i, booth in enumerate(ordered):
        found += [p for p in problems(hall_width, hall_depth, booth, []) if p.code != "overlap"]
        for other in ordered[i + 1:]:
            if other.x >= booth.right:
                break  # sorted by x: nothing further right can overlap
            if overlaps(booth, other):
                found.append(Problem("overlap",
                                     f"Booth {booth.code} overlaps booth {other.code}.",
                                     other=other.code))
    return found
