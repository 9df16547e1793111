"""Registration burst: 1,000 concurrent attempts for 500 places, gunicorn (4 workers) on PostgreSQL.

Prints registrations/s, p50/p99 latency, the outcome of every attempt, and the proof
from the database that exactly `--places` places were taken; then the same burst against
ONE gunicorn worker (the baseline) and the ratio. Each registration is the real thing:
the API call an integrator makes, the conditional UPDATE on the pass type, the order and
registration rows, the badge PDF rendered and the confirmation e-mail written to the
outbox. Creates and drops its own databases; writes nothing in the repository.

    .venv/bin/python bench/registration_burst.py [--attempts 1000] [--places 500] [--concurrency 64]
        [--redis redis://127.0.0.1:6379/13]

With --redis, a third run hands the confirmation e-mails (badge PDF included) to an RQ
worker, as production does, and also reports how long the worker took to send them all.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from _support import ROOT, SECRET, seeded_event, throwaway_database, wait_up


def seed(url: str, instance: Path, places: int) -> str:
    """Event, a 500-place pass type, an organiser's API token (the integrator)."""
    with seeded_event(url, instance) as (_app, event):
        from expo.core import services as core
        from expo.core.models import Role
        from expo.registration import services

        services.create_pass_type(None, event, code="DELEGATE", name="Conference delegate",
                                  capacity=places)
        user = core.create_user("integrator@kpkt.gov.my", "bench password 123", "Integrator")
        core.grant_role(None, event, user.email, Role.ORGANISER)
        _token, plain = core.create_token(user, "bench", event=event)
    return plain


def taken(url: str) -> dict:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT capacity, taken FROM pass_types")).one()
        active = conn.execute(sa.text(
            "SELECT count(*) FROM registrations WHERE status IN "
            "('confirmed', 'awaiting_payment', 'awaiting_approval')")).scalar()
    engine.dispose()
    return {"capacity": row.capacity, "taken": row.taken, "active_registrations": active}


# ---------------------------------------------------------------- the client process


def client(port: int, token: str, attempts: int, concurrency: int) -> dict:
    """Fire `attempts` registrations with at most `concurrency` in flight (keep-alive)."""
    local = threading.local()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    start_gate = threading.Barrier(concurrency)

    def connection() -> http.client.HTTPConnection:
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        return local.conn

    def one(i: int) -> tuple[int, str, float]:
        body = json.dumps({"pass_type": "DELEGATE", "email": f"delegate{i}@burst.example.org",
                           "full_name": f"Burst Delegate {i}", "organisation": "City Office",
                           "country": "Malaysia"})
        started = time.perf_counter()
        for attempt in range(2):
            try:
                conn = connection()
                conn.request("POST", "/api/v1/events/scekl25/registrations", body, headers)
                response = conn.getresponse()
                payload = json.loads(response.read() or b"{}")
                break
            except (ConnectionError, http.client.HTTPException):
                local.conn = None
                if attempt:
                    raise
        code = payload.get("code") or payload.get("status") or "?"
        return response.status, code, time.perf_counter() - started

    def warm(_):
        start_gate.wait()
        connection()

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(warm, range(concurrency)))
        began = time.perf_counter()
        results = list(pool.map(one, range(attempts)))
        elapsed = time.perf_counter() - began
    outcomes: dict[str, int] = {}
    for status, code, _ in results:
        key = f"{status} {code}"
        outcomes[key] = outcomes.get(key, 0) + 1
    ok = [lat for status, _, lat in results if status == 201]
    every = sorted(lat for _, _, lat in results)
    return {"attempts": attempts, "elapsed_s": round(elapsed, 2),
            "attempts_per_s": round(attempts / elapsed, 1),
            "registrations_per_s": round(len(ok) / elapsed, 1),
            "p50_ms": round(statistics.median(every) * 1000, 1),
            "p99_ms": round(every[max(0, int(len(every) * 0.99) - 1)] * 1000, 1),
            "outcomes": outcomes}


# ---------------------------------------------------------------- one run


def run(workers: int, args, redis_url: str | None = None) -> dict:
    server = None
    with throwaway_database("expo_burst") as url, tempfile.TemporaryDirectory() as tmp:
        try:
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # still drop the database
            instance = Path(tmp) / "instance"
            token = seed(url, instance, args.places)
            env = {**os.environ, "EXPO_DATABASE_URL": url, "EXPO_INSTANCE_PATH": str(instance),
                   "EXPO_SECRET_KEY": SECRET, "EXPO_ENV": "production",
                   "EXPO_REDIS_URL": redis_url or "", "EXPO_MAIL_SERVER": ""}
            rq_worker = None
            if redis_url:
                rq_worker = subprocess.Popen([sys.executable, "-m", "expo.worker"], cwd=ROOT,
                                             env=env, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL)
            server = subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b",
                 f"127.0.0.1:{args.port}", "--log-level", "warning", "--keep-alive", "30",
                 "expo:create_app()"], cwd=ROOT, env=env)
            wait_up(args.port, server)
            # The client is its own process, so it does not compete for our GIL.
            out = subprocess.run(
                [sys.executable, __file__, "--client", "--port", str(args.port),
                 "--token", token, "--attempts", str(args.attempts),
                 "--concurrency", str(args.concurrency)],
                capture_output=True, text=True, check=True, cwd=ROOT)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["db"] = taken(url)
            if rq_worker is not None:
                drain_start = time.perf_counter()
                while len(list((instance / "outbox").glob("*.eml"))) < args.places and \
                        time.perf_counter() - drain_start < 300:
                    time.sleep(0.2)
                result["mail_drain_s"] = round(time.perf_counter() - drain_start, 1)
                rq_worker.terminate()
                rq_worker.wait(timeout=20)
            result["mails"] = len(list((instance / "outbox").glob("*.eml")))
            result["workers"] = workers
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=20)
    return result


def line(label: str, r: dict) -> str:
    return (f"{label:<12} {r['registrations_per_s']:>7} registrations/s  "
            f"{r['attempts_per_s']:>7} attempts/s  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  "
            f"({r['elapsed_s']} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--places", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--redis", default=None, help="e.g. redis://127.0.0.1:6379/13")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client(args.port, args.token, args.attempts, args.concurrency)))
        return
    four = run(4, args)
    one = run(1, args)
    queued = run(4, args, args.redis) if args.redis else None
    ratio = four["registrations_per_s"] / one["registrations_per_s"]
    proof = four["db"]
    exact = (proof["taken"] == args.places == proof["active_registrations"]
             and four["outcomes"].get("201 confirmed", 0) == args.places)
    print(f"registration burst: {args.attempts} concurrent attempts "
          f"({args.concurrency} in flight) for {args.places} places, PostgreSQL")
    print(line("4 workers", four))
    print(f"             outcomes: {four['outcomes']}")
    print(line("1 worker", one) + "   (baseline)")
    print(f"ratio 4 workers / 1 worker: {ratio:.2f}x")
    if queued is not None:
        print(line("4 w. + RQ", queued) + f"   (mail by 1 RQ worker: all {queued['mails']} sent "
              f"{queued['mail_drain_s']} s after the burst)")
    print(f"database: taken={proof['taken']} of capacity {proof['capacity']}, "
          f"active registrations={proof['active_registrations']}, confirmation mails "
          f"{four['mails']}: {'exactly' if exact else 'NOT'} {args.places} places taken")
    print(json.dumps({"bench": "registration_burst", "attempts": args.attempts,
                      "places": args.places, "concurrency": args.concurrency,
                      "four_workers": four, "one_worker": one, "ratio": round(ratio, 2),
                      "four_workers_with_rq": queued,
                      "exact": exact}))
    if not exact or any(not k.startswith(("201", "409")) for k in four["outcomes"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
