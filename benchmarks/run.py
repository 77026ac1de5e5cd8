"""`make bench`: build (or reuse) the 1M-customer database, then measure through HTTP and SQL.

    python -m benchmarks.run [--regenerate] [--customers N] [--activities N] [--skip-http]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/yingxiao_bench),
BENCH_TEMPLATE (default yingxiao_template).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingxiao_bench"


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--regenerate", action="store_true", help="generate the data even if it is already there")
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--activities", type=int, default=10_000_000)
    p.add_argument("--reps", type=int, default=200)
    p.add_argument("--skip-http", action="store_true", help="only build the data")
    p.add_argument("--requests", type=int, default=200, help="measured requests per case at concurrency 1")
    p.add_argument("--only", default="", help="comma-separated case names to run (default: all; e.g. claim,pool_sweep)")
    p.add_argument("--max-load", type=float, default=0.0, help="wait before each case until the 1-min load is below")
    p.add_argument("--max-wait", type=float, default=60.0, help="longest wait for --max-load, seconds per case")
    p.add_argument("--merge", action="store_true", help="replace only the re-run cases in results/latest.json")
    p.add_argument("--skip-pool", action="store_true", help="skip the CUS-7 pool sweep measurement")
    p.add_argument("--pool-as-of", default="", help="as-of time of the pool sweep (ISO 8601; default: now)")
    p.add_argument("--pool-repeats", type=int, default=2, help="runs of each pool sweep mode (the best counts)")
    p.add_argument("--skip-telesales", action="store_true", help="skip the issue-5 telesales and complaint cases")
    p.add_argument("--import-rows", type=int, default=100_000, help="rows of the generated call list (import case)")
    p.add_argument("--calls", type=int, default=10_000_000, help="generated calls for the agent statistics case")
    p.add_argument("--complaints", type=int, default=2_000, help="open overdue complaints for the SLA sweep case")
    return p.parse_args()


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def _meta(conn: Any) -> dict[str, Any]:
    conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
    return dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())


def _data_is_current(conn: Any, wanted: dict[str, Any]) -> bool:
    """Same generator, same columns, same sizes — and the rows are really there."""
    meta = _meta(conn)
    if meta.get("signature") != wanted:
        return False
    from yingxiao.activities.models import Activity
    from yingxiao.customers.models import Customer

    customers = conn.execute(f"SELECT count(*) FROM {Customer._meta.db_table}").fetchone()[0]
    activities = conn.execute(f"SELECT count(*) FROM {Activity._meta.db_table}").fetchone()[0]
    return customers >= wanted["customers"] and activities >= wanted["activities"]


def build(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """Database from the template, migrations, the org, and the data unless it is already current."""
    import psycopg
    from django.core.management import call_command

    from .generate import GENERATOR_VERSION, columns_signature, generate
    from .org import load_org
    from .schema import ensure_database

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    created = ensure_database(admin_url, name, os.environ.get("BENCH_TEMPLATE", "yingxiao_template"))
    print(f"database {name}: {'created' if created else 'exists'}; migrating …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    org = load_org(args.reps)
    wanted = {
        "generator": GENERATOR_VERSION,
        "customers": args.customers,
        "activities": args.activities,
        "reps": len(org.reps),
        "columns": columns_signature(),
    }
    with psycopg.connect(url, autocommit=True) as conn:
        current = not args.regenerate and _data_is_current(conn, wanted)
    if current:
        print("data is current: reusing it (--regenerate to rebuild)", flush=True)
        with psycopg.connect(url, autocommit=True) as conn:
            return _meta(conn).get("generation", {}) | {"reused": True}
    report = generate(url, org, args.customers, args.activities)
    with psycopg.connect(url, autocommit=True) as conn:
        _meta(conn)
        for key, value in (("signature", wanted), ("generation", report)):
            conn.execute(
                "INSERT INTO bench_meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, json.dumps(value)],
            )
    return report | {"reused": False}


def main() -> int:
    args = _parse()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    _setup_django(url)
    started = time.perf_counter()
    generation = build(args, url)
    print(f"data ready in {time.perf_counter() - started:.0f}s", flush=True)
    if args.skip_http:
        return 0
    from .measure import measure_all

    code = measure_all(args, url, generation)
    if not args.skip_telesales and (not args.only or "telesales" in args.only.split(",")):
        from .telesales import add_to_results

        add_to_results(args, url)
    return code


if __name__ == "__main__":
    sys.exit(main())
