"""Check-in API under load: gunicorn (4 workers) on PostgreSQL, 10,000 attendees.

Prints scans/s and p50/p99 for first scans of distinct badges and for repeated
scans, the same for a bare one-INSERT endpoint of the same app (the ceiling) and
their ratio, the SQL statements one scan issues, and p99 at an open-loop paced
150 scans/s. Creates and drops its own database; writes nothing in the repository.

    .venv/bin/python bench/checkin_load.py [--attendees 10000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("EXPO_BENCH_POSTGRES_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def seed(url: str, instance: Path, attendees: int) -> tuple[str, list[str], int]:
    """Event, pass type, gate, staff device token and `attendees` registrations."""
    sys.path.insert(0, str(ROOT))
    from expo import create_app
    from expo.checkin import services
    from expo.core import services as core
    from expo.core.models import EventStatus
    from expo.extensions import db
    from expo.registration.badges import badge_token
    from expo.registration.models import PassType, Registration

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnop"})
    with app.app_context():
        db.create_all()
        event = core.create_event(None, "scekl25", "Smart City Expo Kuala Lumpur 2025",
                                  date(2025, 9, 17), date(2025, 9, 19),
                                  status=EventStatus.PUBLISHED)
        pass_type = PassType(event_id=event.id, code="visitor", name="Trade visitor",
                             zones=["main-hall"])
        db.session.add(pass_type)
        db.session.commit()
        gate = services.save_gate(None, event, code="main-hall", name="Main hall",
                                  zone_code="main-hall", zone_name="Main hall")
        organiser = core.create_user("bench@example.org", "bench password 123", "Bench")
        _device, plain = services.create_device(organiser, event, "bench scanner", gate)
        db.session.execute(sa.insert(Registration), [
            {"event_id": event.id, "pass_type_id": pass_type.id, "status": "confirmed",
             "email": f"v{i}@example.org", "full_name": f"Visitor {i}", "badge_serial": 1,
             "reference": f"B{i:07d}", "answers": {}, "payment_status": "none",
             "price_minor": 0, "currency": "MYR", "share_contact_with_exhibitors": False,
             "organisation": "City Office"} for i in range(attendees)])
        db.session.commit()
        codes = [badge_token(r) for r in db.session.scalars(sa.select(Registration))]
        statements = count_statements(app, plain, codes[-1])
        db.engine.dispose()
    return plain, codes, statements


def count_statements(app, token: str, code: str) -> int:
    """SQL statements one first scan issues (counted, then rolled back by a re-seed)."""
    from expo.extensions import db

    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    client = app.test_client()
    sa.event.listen(db.engine, "before_cursor_execute", listen)
    client.post("/api/v1/events/scekl25/checkin", json={"code": code, "gate": "main-hall"},
                headers={"Authorization": f"Bearer {token}"})
    sa.event.remove(db.engine, "before_cursor_execute", listen)
    return len(seen)


async def closed_loop(url: str, bodies: list, headers: dict, concurrency: int) -> dict:
    import aiohttp

    latencies: list[float] = []
    queue = list(reversed(bodies))

    async def worker(session):
        while queue:
            body = queue.pop()
            start = time.perf_counter()
            async with session.post(url, json=body, headers=headers) as response:
                await response.read()
                assert response.status == 200, response.status
            latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return summary(latencies, elapsed)


async def open_loop(url: str, bodies: list, headers: dict, rate: float) -> dict:
    """Requests start on a fixed schedule, whether or not earlier ones have answered."""
    import aiohttp

    latencies: list[float] = []

    async def one(session, body, at):
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        start = time.perf_counter()
        async with session.post(url, json=body, headers=headers) as response:
            await response.read()
        # Measured from the scheduled start: lateness of the client counts against us.
        latencies.append(time.perf_counter() - min(start, at) if start > at else
                         time.perf_counter() - start)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        begin = time.perf_counter() + 0.2
        started = time.perf_counter()
        await asyncio.gather(*(one(session, b, begin + i / rate) for i, b in enumerate(bodies)))
        elapsed = time.perf_counter() - started
    return summary(latencies, elapsed)


def summary(latencies: list[float], elapsed: float) -> dict:
    ordered = sorted(latencies)
    return {"n": len(ordered), "per_s": round(len(ordered) / elapsed, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2)}


def wait_up(port: int) -> None:
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=150.0)
    parser.add_argument("--paced-seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    name = f"expo_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    server = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            instance = Path(tmp) / "instance"
            token, codes, statements = seed(url, instance, args.attendees)
            env = {**os.environ, "EXPO_DATABASE_URL": url, "EXPO_INSTANCE_PATH": str(instance),
                   "EXPO_SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnop",
                   "EXPO_BENCH_ENDPOINTS": "1", "EXPO_ENV": "development"}
            server = subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "-w", "4", "-b",
                 f"127.0.0.1:{args.port}", "--log-level", "warning", "expo:create_app()"],
                cwd=ROOT, env=env)
            wait_up(args.port)
            base = f"http://127.0.0.1:{args.port}"
            scan_url = f"{base}/api/v1/events/scekl25/checkin"
            headers = {"Authorization": f"Bearer {token}"}
            half = len(codes) // 2
            body = lambda c: {"code": c, "gate": "main-hall"}  # noqa: E731
            # Warm-up: connections, caches, keys.
            asyncio.run(closed_loop(f"{base}/bench/insert", [{}] * 200, {}, 8))
            first = asyncio.run(closed_loop(scan_url, [body(c) for c in codes[:half]], headers,
                                            args.concurrency))
            repeated = asyncio.run(closed_loop(
                scan_url, [body(codes[i % 500]) for i in range(args.repeats)], headers,
                args.concurrency))
            ceiling = asyncio.run(closed_loop(f"{base}/bench/insert", [{}] * half, {},
                                              args.concurrency))
            paced_n = int(args.rate * args.paced_seconds)
            paced = asyncio.run(open_loop(scan_url, [body(c) for c in
                                                     codes[half:half + paced_n]],
                                          headers, args.rate))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
    ratio = first["per_s"] / ceiling["per_s"]
    print(f"first scans    {first['per_s']:>8} scans/s  p50 {first['p50_ms']} ms  "
          f"p99 {first['p99_ms']} ms")
    print(f"repeated scans {repeated['per_s']:>8} scans/s  p50 {repeated['p50_ms']} ms  "
          f"p99 {repeated['p99_ms']} ms")
    print(f"bare INSERT    {ceiling['per_s']:>8} req/s    p50 {ceiling['p50_ms']} ms  "
          f"p99 {ceiling['p99_ms']} ms")
    print(f"ratio first scans / ceiling: {ratio:.2f} (target >= 0.70)")
    print(f"paced {args.rate:.0f}/s open loop: p50 {paced['p50_ms']} ms  p99 {paced['p99_ms']} "
          f"ms (target <= 50 ms)")
    print(f"SQL statements per first scan: {statements}")
    print(json.dumps({"bench": "checkin_load", "attendees": args.attendees, "first": first,
                      "repeated": repeated, "ceiling": ceiling, "ratio": round(ratio, 3),
                      "paced": paced, "statements_per_scan": statements}))


if __name__ == "__main__":
    main()
