"""Exhibitors: layout checks, floor-plan rendering and lead scans, with their baselines.

Prints, as medians of repeated runs:
- layout.plan_problems on a plan of N booths vs the naive all-pairs check (ratio);
- server time to render the public floor plan of a large hall (the benchmark annex of
  `flask expo demo --scale`) vs rendering the event's landing page (ratio);
- POST /api/v1/events/<slug>/leads per scan vs GET /api/v1/events/<slug> (ratio).
Works in a temporary folder (SQLite); writes nothing in the repository.

    .venv/bin/python bench/exhibitors_floorplan.py [--booths 5000] [--scale 6000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _median_ms(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_layout(count: int) -> dict:
    from expo.exhibitors.layout import Rect, overlaps, plan_problems

    rng = random.Random(1)
    per_row = int(count ** 0.5) + 1
    rects = [Rect(f"B{i}", (i % per_row) * 300, (i // per_row) * 300, 300, 300)
             for i in range(count)]
    # a few deliberate overlaps
    rects += [Rect(f"X{i}", rng.randrange(0, per_row * 300), rng.randrange(0, per_row * 300),
                   300, 300) for i in range(5)]
    width = depth = (per_row + 2) * 300

    def naive():
        return [(a.code, b.code) for i, a in enumerate(rects) for b in rects[i + 1:]
                if overlaps(a, b)]

    fast = _median_ms(lambda: plan_problems(width, depth, rects), 5)
    slow = _median_ms(naive, 3)
    return {"booths": len(rects), "plan_problems_ms": round(fast, 2),
            "naive_all_pairs_ms": round(slow, 2), "ratio": round(slow / fast, 1)}


def bench_web(scale: int) -> dict:
    import sqlalchemy as sa

    from expo import create_app
    from expo.exhibitors import services
    from expo.exhibitors.models import Hall
    from expo.extensions import db
    from expo.registration.badges import badge_token
    from expo.registration.models import PassType, Registration

    folder = Path(tempfile.mkdtemp(prefix="expo-bench-exh-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
                      "INSTANCE_PATH": str(folder / "instance"), "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnop"})
    from expo.cli import demo

    with app.app_context():
        db.create_all()
        app.test_cli_runner().invoke(demo, ["--scale", str(scale)])
        annex = db.session.scalar(sa.select(Hall).where(Hall.name == "Annex (benchmark)"))
        booths_in_annex, annex_id = len(annex.booths), annex.id
        event = services.core.event_by_slug("scekl25")
        pass_type = db.session.scalar(sa.select(PassType).where(PassType.code == "VISITOR"))
        registrations = [Registration(event_id=event.id, pass_type_id=pass_type.id,
                                      email=f"bench{i}@example.org", full_name=f"Visitor {i}",
                                      organisation="City Office", country="Malaysia",
                                      share_contact_with_exhibitors=i % 2 == 0,
                                      reference=f"BENCH{i:06d}") for i in range(200)]
        db.session.add_all(registrations)
        db.session.commit()
        codes = [badge_token(r) for r in registrations]
        _token, plain = services.core.create_token(
            services.core.user_by_email("exhibitor@demo.expo.my"), "bench", event=event)
        db.session.remove()
    client = app.test_client()
    client.post("/login", data={"email": "exhibitor@demo.expo.my",
                                "password": "expo-demo-2025"})
    plan = _median_ms(lambda: client.get(f"/events/scekl25/floorplan?hall={annex_id}&q=S1-0"),
                      15)
    landing = _median_ms(lambda: client.get("/events/scekl25"), 15)
    event_api = _median_ms(lambda: client.get("/api/v1/events/scekl25"), 30)
    bearer = {"Authorization": f"Bearer {plain}"}
    iterator = iter(codes * 3)

    def scan():
        response = client.post("/api/v1/events/scekl25/leads", json={"code": next(iterator)},
                               headers=bearer)
        assert response.status_code in (200, 201), response.get_data(as_text=True)

    lead = _median_ms(scan, min(len(codes) * 3, 300))
    with app.app_context():
        leads = len(services.leads(services.my_exhibitor(
            services.core.event_by_slug("scekl25"),
            services.core.user_by_email("exhibitor@demo.expo.my"))))
        db.session.remove()
        db.engine.dispose()
    return {"annex_booths": booths_in_annex, "floorplan_ms": round(plan, 1),
            "landing_ms": round(landing, 1), "floorplan_ratio": round(plan / landing, 2),
            "lead_scan_ms": round(lead, 2), "event_api_ms": round(event_api, 2),
            "lead_ratio": round(lead / event_api, 2), "leads_after": leads}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--booths", type=int, default=5000)
    parser.add_argument("--scale", type=int, default=6000,
                        help="demo --scale: one benchmark exhibitor and booth per 20")
    args = parser.parse_args()
    layout = bench_layout(args.booths)
    print(f"layout: {layout['booths']} booths checked in {layout['plan_problems_ms']} ms "
          f"(all pairs: {layout['naive_all_pairs_ms']} ms) -> {layout['ratio']}x faster")
    web = bench_web(args.scale)
    print(f"floor plan with {web['annex_booths']} booths: {web['floorplan_ms']} ms per page "
          f"(event landing page {web['landing_ms']} ms) -> ratio {web['floorplan_ratio']}")
    print(f"lead scan: {web['lead_scan_ms']} ms per POST (GET event {web['event_api_ms']} ms) "
          f"-> ratio {web['lead_ratio']}; {web['leads_after']} leads held")
    print(json.dumps({"bench": "exhibitors_floorplan", **layout, **web}))


if __name__ == "__main__":
    main()
