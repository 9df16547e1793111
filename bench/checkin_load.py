"""Check-in API under load: gunicorn (4 workers) on PostgreSQL, 10,000 attendees.

Prints scans/s and p50/p99 for first scans of distinct badges and for repeated
scans, the same for a bare one-INSERT endpoint of the same app (the ceiling) and
their ratio, the SQL statements one scan issues, and p50/p99 at an open-loop paced
150 scans/s. Every figure is the median of --runs runs (the machines here are
shared and noisy); each run starts from an empty scan log. Creates and drops its
own database; writes nothing in the repository.

The load client is a lean asyncio HTTP/1.1 client (pre-built request bytes, no
HTTP library): on a 2-core machine shared by PostgreSQL, gunicorn and the client,
a heavy client would steal the server's CPU. Its own CPU use is printed.

    .venv/bin/python bench/checkin_load.py [--attendees 10000] [--runs 3]
        [--worker-class sync|gthread --threads 4] [--no-pre-ping]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from _support import ROOT, SECRET, seeded_event, throwaway_database, wait_up

SCAN_PATH = "/api/v1/events/scekl25/checkin"


# ---------------------------------------------------------------- data


def seed(url: str, instance: Path, attendees: int) -> tuple[str, list[str], dict]:
    """Event, pass type, gate, a device token, a staff member and `attendees` registrations."""
    with seeded_event(url, instance) as (app, event):
        from expo.checkin import services
        from expo.core import services as core
        from expo.core.models import Role
        from expo.extensions import db
        from expo.registration.badges import badge_token
        from expo.registration.models import PassType, Registration

        pass_type = PassType(event_id=event.id, code="visitor", name="Trade visitor",
                             zones=["main-hall"])
        db.session.add(pass_type)
        db.session.commit()
        gate = services.save_gate(None, event, code="main-hall", name="Main hall",
                                  zone_code="main-hall", zone_name="Main hall")
        organiser = core.create_user("bench@example.org", "bench password 123", "Bench")
        _device, plain = services.create_device(organiser, event, "bench scanner", gate)
        staff = core.create_user("gate@example.org", "bench password 123", "Gate staff")
        core.grant_role(None, event, staff.email, Role.STAFF)
        _token, staff_plain = core.create_token(staff, "bench staff", event=event)
        db.session.execute(sa.insert(Registration), [
            {"event_id": event.id, "pass_type_id": pass_type.id, "status": "confirmed",
             "email": f"v{i}@example.org", "full_name": f"Visitor {i}", "badge_serial": 1,
             "reference": f"B{i:07d}", "answers": {}, "payment_status": "none",
             "price_minor": 0, "currency": "MYR", "share_contact_with_exhibitors": False,
             "organisation": "City Office"} for i in range(attendees)])
        db.session.commit()
        codes = [badge_token(r) for r in db.session.scalars(
            sa.select(Registration).order_by(Registration.id))]
        statements = count_statements(app, plain, staff_plain, codes)
    return plain, codes, statements


def count_statements(app, device: str, staff: str, codes: list[str]) -> dict:
    """SQL statements per scan, counted with a cursor listener (the bench re-seeds after)."""
    from expo.extensions import db

    client = app.test_client()

    def count(token: str, code: str) -> int:
        seen: list[str] = []

        def listen(_conn, _cursor, statement, *_args):
            seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", listen)
        try:
            # A fresh app context, as gunicorn gives each request: its own `g` and session.
            with app.app_context():
                response = client.post(SCAN_PATH, json={"code": code, "gate": "main-hall"},
                                       headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.get_data(as_text=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listen)
        return len(seen)

    # A token's first request of the minute also writes last_used_at: use each once.
    count(device, codes[-5])
    count(staff, codes[-6])
    figures = {"first_scan_device": count(device, codes[-1]),
               "repeated_scan_device": count(device, codes[-1]),
               "first_scan_staff": count(staff, codes[-2])}
    app.extensions["checkin.cache"].clear()
    figures["first_scan_device_cold_cache"] = count(device, codes[-3])
    return figures


def reset_scans(url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE checkin_presence, checkin_scans RESTART IDENTITY"))
        conn.execute(sa.text("DELETE FROM audit_entries WHERE action = 'bench.ping'"))
    engine.dispose()


# ---------------------------------------------------------------- a lean HTTP client


class Http:
    """Minimal HTTP/1.1 POSTs over asyncio streams; reuses a connection unless told to close
    (gunicorn's sync workers close after every response, gthread keeps it alive)."""

    def __init__(self, port: int, path: str, headers: dict) -> None:
        self.port = port
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.prefix = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
                       f"Content-Type: application/json\r\n").encode()
        self.idle: collections.deque = collections.deque()

    def request(self, body: dict) -> bytes:
        data = json.dumps(body).encode()
        return self.prefix + b"Content-Length: %d\r\n\r\n" % len(data) + data

    async def send(self, raw: bytes) -> int:
        reused = bool(self.idle)
        if reused:
            # The longest idle first: load spreads over connections, hence over workers,
            # as it does with many scanners at many gates.
            reader, writer = self.idle.popleft()
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(raw)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            if not reused:
                raise
            # The server closed this idle keep-alive connection before reading: send again.
            return await self.send(raw)
        status = int(head[9:12])
        lower = head.lower()
        start = lower.index(b"content-length:") + 15
        length = int(lower[start:lower.index(b"\r\n", start)])
        await reader.readexactly(length)
        if b"connection: close" in lower:
            writer.close()
        else:
            self.idle.append((reader, writer))
        return status

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()
        self.idle.clear()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Sample:
    """Latencies, wall time and client CPU of one or more load phases."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.elapsed = self.cpu = 0.0

    def summary(self) -> dict:
        ordered = sorted(self.latencies)
        return {"n": len(ordered), "per_s": round(len(ordered) / self.elapsed, 1),
                "p50_ms": round(statistics.median(ordered) * 1000, 2),
                "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 2),
                "client_cpu_pct": round(100 * self.cpu / self.elapsed, 1)}


async def closed_loop(http: Http, bodies: list, concurrency: int,
                      sample: Sample | None = None) -> Sample:
    """`concurrency` clients, each sending its next request when the last one answered."""
    sample = sample or Sample()
    requests = [http.request(b) for b in reversed(bodies)]

    async def worker():
        while requests:
            raw = requests.pop()
            start = time.perf_counter()
            status = await http.send(raw)
            assert status == 200, status
            sample.latencies.append(time.perf_counter() - start)

    cpu, started = _cpu(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    sample.elapsed += time.perf_counter() - started
    sample.cpu += _cpu() - cpu
    http.close()
    return sample


async def open_loop(http: Http, bodies: list, rate: float) -> Sample:
    """Requests start on a fixed schedule, whether or not earlier ones have answered;
    latency counts from the scheduled start, so a late client counts against us."""
    sample = Sample()
    requests = [http.request(b) for b in bodies]

    async def one(raw, at):
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        status = await http.send(raw)
        assert status == 200, status
        sample.latencies.append(time.perf_counter() - at)

    begin = time.perf_counter() + 0.2
    cpu = _cpu()
    await asyncio.gather(*(one(r, begin + i / rate) for i, r in enumerate(requests)))
    sample.elapsed, sample.cpu = time.perf_counter() - begin, _cpu() - cpu
    http.close()
    return sample


# ---------------------------------------------------------------- the run


def one_run(args, port: int, token: str, codes: list[str]) -> dict:
    """First scans and the bare INSERT are measured in alternating slices (ABBA), so that
    what other processes do to the machine falls on both alike; their ratio is the figure."""
    auth = {"Authorization": f"Bearer {token}"}
    half = len(codes) // 2
    body = lambda c: {"code": c, "gate": "main-hall"}  # noqa: E731
    scans, bare = Http(port, SCAN_PATH, auth), Http(port, "/bench/insert", {})
    # Warm-up: connections, caches, keys, prepared statements.
    asyncio.run(closed_loop(bare, [{}] * 200, 8))
    asyncio.run(closed_loop(scans, [body(c) for c in codes[-200:]], 8))
    first, ceiling = Sample(), Sample()
    step = half // args.slices
    for i in range(args.slices):
        chunk = codes[i * step:(i + 1) * step]
        phases = [(scans, [body(c) for c in chunk], first), (bare, [{}] * len(chunk), ceiling)]
        for http, bodies, sample in (phases if i % 2 == 0 else phases[::-1]):
            asyncio.run(closed_loop(http, bodies, args.concurrency, sample))
    repeated = asyncio.run(closed_loop(
        scans, [body(codes[i % 500]) for i in range(args.repeats)], args.concurrency))
    paced_n = int(args.rate * args.paced_seconds)
    paced = asyncio.run(open_loop(scans, [body(c) for c in codes[half:half + paced_n]],
                                  args.rate))
    first, ceiling = first.summary(), ceiling.summary()
    return {"first": first, "repeated": repeated.summary(), "ceiling": ceiling,
            "paced": paced.summary(), "ratio": round(first["per_s"] / ceiling["per_s"], 3)}


def median_of(runs: list[dict]) -> dict:
    out: dict = {"ratio": round(statistics.median(r["ratio"] for r in runs), 3)}
    for part in ("first", "repeated", "ceiling", "paced"):
        out[part] = {key: round(statistics.median(r[part][key] for r in runs), 2)
                     for key in runs[0][part]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=150.0)
    parser.add_argument("--paced-seconds", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slices", type=int, default=10,
                        help="alternating slices of first scans and bare INSERTs per run")
    parser.add_argument("--keep-alive", type=int, default=30,
                        help="gunicorn --keep-alive seconds (scanners send steadily)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"],
                        help="sync is what docs/performance.md recommends for production")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-pre-ping", action="store_true",
                        help="measure with pool_pre_ping off (the default is on)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    server = None
    runs: list[dict] = []
    with throwaway_database("expo_bench") as url, tempfile.TemporaryDirectory() as tmp:
        try:
            instance = Path(tmp) / "instance"
            token, codes, statements = seed(url, instance, args.attendees)
            env = {**os.environ, "EXPO_DATABASE_URL": url, "EXPO_INSTANCE_PATH": str(instance),
                   "EXPO_SECRET_KEY": SECRET, "EXPO_BENCH_ENDPOINTS": "1",
                   "EXPO_ENV": "development",
                   "EXPO_DB_PRE_PING": "0" if args.no_pre_ping else "1"}
            command = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers),
                       "-k", args.worker_class, "-b", f"127.0.0.1:{args.port}",
                       "--keep-alive", str(args.keep_alive), "--log-level", "warning"]
            if args.worker_class == "gthread":
                command += ["--threads", str(args.threads)]
            server = subprocess.Popen([*command, "expo:create_app()"], cwd=ROOT, env=env)
            wait_up(args.port, server)
            for number in range(args.runs):
                reset_scans(url)
                runs.append(one_run(args, args.port, token, codes))
                print(f"run {number + 1}: ratio {runs[-1]['ratio']:.2f}, first "
                      f"{runs[-1]['first']['per_s']}/s, ceiling {runs[-1]['ceiling']['per_s']}/s,"
                      f" paced p99 {runs[-1]['paced']['p99_ms']} ms", flush=True)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=10)
    m = median_of(runs)
    setup = (f"{args.workers} {args.worker_class} workers"
             + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
             + (", pool_pre_ping off" if args.no_pre_ping else ""))
    print(f"medians of {len(runs)} runs ({setup}):")
    for label, part, unit in (("first scans   ", "first", "scans/s"),
                              ("repeated scans", "repeated", "scans/s"),
                              ("bare INSERT   ", "ceiling", "req/s  ")):
        print(f"{label} {m[part]['per_s']:>8} {unit}  p50 {m[part]['p50_ms']} ms  "
              f"p99 {m[part]['p99_ms']} ms  (client CPU {m[part]['client_cpu_pct']}% of a core)")
    print(f"ratio first scans / ceiling: {m['ratio']:.2f} (target >= 0.70)")
    print(f"paced {args.rate:.0f}/s open loop: achieved {m['paced']['per_s']}/s, p50 "
          f"{m['paced']['p50_ms']} ms  p99 {m['paced']['p99_ms']} ms (target <= 50 ms)")
    print("SQL statements per scan: " + ", ".join(f"{k} {v}" for k, v in statements.items()))
    print(json.dumps({"bench": "checkin_load", "attendees": args.attendees, "setup": setup,
                      "runs": runs, "median": m, "statements_per_scan": statements}))


if __name__ == "__main__":
    main()
