"""The agenda page and the API talk list with 600 talks, 150 speakers, 20 rooms.

Loads the demo (`flask expo demo --scale 1` equivalent) into a temporary SQLite file,
then times requests through the app (median server time) and counts SQL queries. The
baseline is the same request on the unscaled demo programme (about 15 sessions), so the
ratio shows what 40x more sessions cost. Prints one JSON line at the end; writes nothing
into the repository.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = 15
PAGES = {
    "agenda (one day, default)": "/events/scekl25/agenda",
    "agenda (all days)": "/events/scekl25/agenda?day=all",
    "API talk list": "/api/v1/events/scekl25/talks",
}


def measure(app, scale: int) -> dict:
    from expo.cli import demo
    from expo.extensions import db

    with app.app_context():
        db.create_all()
        app.test_cli_runner().invoke(demo, ["--scale", str(scale)] if scale else [])
        from expo.sessions.models import Talk

        talks = db.session.scalar(sa.select(sa.func.count()).select_from(Talk)
                                  .join(Talk.event).where(Talk.event.has(slug="scekl25")))
        client = app.test_client()
        client.post("/login", data={"email": "delegate@demo.expo.my",
                                    "password": "expo-demo-2025"})
        out = {"talks": talks}
        for name, path in PAGES.items():
            client.get(path)
            queries: list[str] = []

            def count(_c, _cur, statement, *_a, sink=queries):
                sink.append(statement)

            times = []
            for _ in range(RUNS):
                queries.clear()
                sa.event.listen(db.engine, "before_cursor_execute", count)
                t0 = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                sa.event.remove(db.engine, "before_cursor_execute", count)
                assert response.status_code == 200, (path, response.status_code)
            out[name] = {"median_ms": statistics.median(times), "queries": len(queries),
                         "kb": len(response.data) / 1024}
        db.session.remove()
        db.engine.dispose()
    return out


def app_in(folder: str):
    from expo import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                       "INSTANCE_PATH": f"{folder}/instance", "SECRET_KEY": "x" * 40,
                       "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "MAIL_SERVER": None})


def main() -> None:
    with tempfile.TemporaryDirectory() as small_dir, tempfile.TemporaryDirectory() as big_dir:
        base = measure(app_in(small_dir), 0)
        big = measure(app_in(big_dir), 1)
    print(f"sessions agenda: {big['talks']} talks (baseline: demo with {base['talks']})")
    result = {"bench": "sessions_agenda", "talks": big["talks"], "baseline_talks": base["talks"]}
    for name in PAGES:
        b, s = base[name], big[name]
        ratio = s["median_ms"] / b["median_ms"]
        print(f"  {name:<27} median {s['median_ms']:7.1f} ms  {s['queries']:2d} queries  "
              f"{s['kb']:6.0f} KB   baseline {b['median_ms']:6.1f} ms  ratio {ratio:5.2f}")
        key = name.split(" (")[0].replace(" ", "_").lower() + (
            "_all_days" if "all" in name else "_one_day" if "one day" in name else "")
        result[key] = {"median_ms": round(s["median_ms"], 2), "queries": s["queries"],
                       "kb": round(s["kb"]), "baseline_ms": round(b["median_ms"], 2),
                       "ratio": round(ratio, 2)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
